import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest

from accounts.middleware import ACTIVITY_KEY


@receiver(user_logged_in, dispatch_uid="accounts.mark_session_seen")
def mark_session_seen(sender, request: HttpRequest | None, **kwargs) -> None:
    # allauth records the new session at sign-in; the next write is due an interval later.
    if request is not None and hasattr(request, "session"):
        request.session[ACTIVITY_KEY] = int(time.time())
