from collections.abc import Callable

from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import patch_cache_control


class HealthCheckMiddleware:
    """Answer ``/healthz`` before host checks, sessions and the SSL redirect.

    Container and proxy health probes reach the app by its internal address, over plain
    HTTP, every few seconds: they need a cheap answer that only says whether the database
    answers, with no session row, no redirect and no ``Host`` header to match.
    """

    path = "/healthz"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path != self.path:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"error": "Method not allowed."}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        try:
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")
        except DatabaseError:
            response = JsonResponse({"status": "error", "database": "unavailable"}, status=503)
        else:
            response = JsonResponse({"status": "ok", "database": "ok"})
        response["Cache-Control"] = "no-store"
        return response


class PrivateForLearnersMiddleware:
    """``Cache-Control: private`` on every response to a signed-in request.

    Pages for a signed-in learner hold their progress, notes and email address. ``Vary: Cookie``
    alone lets a shared cache keep them for anyone who sends the same cookie header; ``private``
    keeps them out of shared caches (proxies, CDNs) altogether. Anonymous pages stay cacheable.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.user.is_authenticated:
            patch_cache_control(response, private=True)
        return response
