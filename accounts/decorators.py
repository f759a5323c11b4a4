"""Decorators for the learner's views, shared by every app that has them."""

from functools import wraps
from urllib.parse import urlsplit

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
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
