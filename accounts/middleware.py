"""Small rules on every request, each free on pages they do not concern.

``StaffSecondFactorMiddleware`` keeps staff without a second factor out of the admin; only admin
URLs pay its one query. ``SessionActivityMiddleware`` keeps "Your sessions" showing when each
browser was last seen, writing at most once every ``ACTIVITY_INTERVAL`` per session: the time of
the last write lives in the session itself, which the page has already read, so an ordinary page
view costs no query at all (allauth's own middleware would write on every request).
"""

import time
from collections.abc import Callable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from allauth.mfa.models import Authenticator
from allauth.socialaccount.models import SocialApp
from allauth.usersessions.models import UserSession
from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

ACTIVITY_KEY = "_last_seen"
ACTIVITY_INTERVAL = 5 * 60  # seconds: how stale "last seen" may be


class StaffSecondFactorMiddleware:
    """With MFA_REQUIRED_FOR_STAFF, staff go to two-factor set-up instead of into the admin."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if not settings.MFA_REQUIRED_FOR_STAFF or match is None or "admin" not in match.namespaces:
            return None
        user = request.user
        if match.url_name == "logout" or not (user.is_authenticated and user.is_staff):
            return None
        second_factors = [Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
        if Authenticator.objects.filter(user=user, type__in=second_factors).exists():
            return None
        messages.warning(
            request,
            _(
                "The admin needs two-factor authentication: set up an authenticator app or a "
                "security key, then go back to the admin."
            ),
        )
        return redirect("mfa_index")


class SessionActivityMiddleware:
    """Records the browser's last visit on its allauth UserSession, now and then."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # After the view, which has read the session and the user already (base.html does).
        session = getattr(request, "session", None)
        if session is None or session.session_key is None or not request.user.is_authenticated:
            return response
        now = int(time.time())
        if now - session.get(ACTIVITY_KEY, 0) >= ACTIVITY_INTERVAL:
            UserSession.objects.create_from_request(request)
            session[ACTIVITY_KEY] = now
        return response


class UnconfiguredProviderMiddleware:
    """A provider without client credentials has URLs (its app is installed) but no app: 404.

    allauth raises SocialApp.DoesNotExist there, which would be a 500. Costs nothing otherwise.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> None:
        if isinstance(exception, SocialApp.DoesNotExist):
            raise Http404(_("This sign-in option is not set up on this site."))


class LearnerTimeZoneMiddleware:
    """Dates and times in a signed-in learner's own time zone (their setting), on every page.

    The pages built on days (My progress, History) also count in it explicitly; this makes
    every other date (a note's "Updated", "learning here since") agree with them.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return self.get_response(request)
        try:
            timezone.activate(ZoneInfo(user.time_zone or "UTC"))
        except (ZoneInfoNotFoundError, ValueError):
            timezone.deactivate()
        try:
            return self.get_response(request)
        finally:
            timezone.deactivate()
