"""Decorators for the learner's views, shared by every app that has them."""

from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django_htmx.http import HttpResponseClientRedirect


def learner_required(view):
    """``login_required`` that sends htmx requests and form posts back where the learner was."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.is_authenticated:
            return view(request, *args, **kwargs)
        if request.method == "GET" and not request.htmx:
            return redirect_to_login(request.get_full_path())
        back = request.htmx.current_url_abs_path if request.htmx else request.headers.get("Referer")
        if back and url_has_allowed_host_and_scheme(
            back, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        ):
            parts = urlsplit(back)
            back = parts.path + (f"?{parts.query}" if parts.query else "")
        else:
            back = "/"
        login = redirect_to_login(back)
        if request.htmx:
            return HttpResponseClientRedirect(login.url)
        return login

    return wrapper


def moved_to(url_name: str):
    """The old address of a view that now lives at ``url_name`` (with the same arguments).

    Reading it (GET, HEAD) is a permanent redirect, keeping the query, so bookmarks and links
    follow. Anything else is still answered by the view itself: a browser turns a redirected
    POST into a GET and drops its body, so a form loaded from the old address before the move
    would lose what the learner typed.
    """

    def decorator(view):
        @wraps(view)
        def old_address(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            url = reverse(url_name, args=args, kwargs=kwargs)
            if query := request.META.get("QUERY_STRING"):
                url += f"?{query}"
            return HttpResponsePermanentRedirect(url)

        return old_address

    return decorator
