from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse

from health import checks


class HealthCheckMiddleware:
    """Answer ``/healthz`` and ``/readyz`` before host checks, sessions and the SSL redirect.

    Container and proxy probes reach the app by its internal address, over plain HTTP, every
    few seconds: they need a cheap answer with no session row, no redirect and no ``Host``
    header to match, and never a cached one.

    ``/healthz`` (liveness) says only that the process answers. ``/readyz`` (readiness) asks
    each dependency (``health.checks``): 200 when all answer, 503 naming the one that does not.
    ``?exclude=worker`` (repeatable) leaves a check out, as Kubernetes' own ``/readyz`` does.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path not in ("/healthz", "/readyz"):
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"error": "Method not allowed."}, status=405)
            response["Allow"] = "GET, HEAD"
        elif request.path == "/healthz":
            response = JsonResponse({"status": "ok"})
        else:
            response = readiness(request.GET.getlist("exclude"))
        response["Cache-Control"] = "no-store"
        return response


def readiness(exclude: list[str]) -> JsonResponse:
    unknown = sorted(set(exclude) - set(checks.KNOWN))
    if unknown:
        return JsonResponse(
            {"error": f"Unknown check {unknown[0]!r}: the checks are {', '.join(checks.KNOWN)}."},
            status=400,
        )
    states = checks.states(exclude)
    ready = all(state == checks.OK for state in states.values())
    return JsonResponse(
        {"status": "ok" if ready else "error", **states}, status=200 if ready else 503
    )
