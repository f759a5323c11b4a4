"""The interface language: the browser's, the one picked in the footer, or the learner's own.

Django's ``LocaleMiddleware`` chooses from the language cookie (set by the footer's picker)
and then the browser's ``Accept-Language``; addresses carry no language prefix.
``SavedLanguageMiddleware`` comes after authentication and lets a signed-in learner's saved
``User.language`` win over both, on every device they sign in on, and keeps the cookie in step
with it so that the browser stays in that language after signing out. ``set_language`` is
Django's view, which also saves the choice as the learner's preference when they are signed in.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language


def available(code: str | None) -> bool:
    return bool(code) and code in dict(settings.LANGUAGES)


class SavedLanguageMiddleware:
    """A signed-in learner's saved language, over the cookie and ``Accept-Language``."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and available(user.language):
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        response = self.get_response(request)
        # The page also depends on the language cookie (and, signed in, on the session): a
        # shared cache must not hand one visitor's language to another.
        patch_vary_headers(response, ("Cookie",))
        # As saved now: the view may just have changed it (Settings, the picker, signing in).
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and available(user.language):
            cookie = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
            if cookie != user.language and settings.LANGUAGE_COOKIE_NAME not in response.cookies:
                set_language_cookie(response, user.language)
        return response


def set_language_cookie(response: HttpResponse, code: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """The footer's picker: Django's view (the cookie, then back to ``next``), and for a
    signed-in learner the saved preference too, so that every device follows."""
    response = django_set_language(request)
    code = request.POST.get("language", "")
    user = request.user
    if user.is_authenticated and available(code) and user.language != code:
        user.language = code
        user.save(update_fields=["language"])
    return response
