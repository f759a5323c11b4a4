import time

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils import translation

from accounts import language
from accounts.middleware import ACTIVITY_KEY


@receiver(user_logged_in, dispatch_uid="accounts.mark_session_seen")
def mark_session_seen(sender, request: HttpRequest | None, **kwargs) -> None:
    # allauth records the new session at sign-in; the next write is due an interval later.
    if request is not None and hasattr(request, "session"):
        request.session[ACTIVITY_KEY] = int(time.time())


@receiver(user_logged_in, dispatch_uid="accounts.speak_the_saved_language")
def speak_the_saved_language(sender, request: HttpRequest | None, user, **kwargs) -> None:
    # From the moment of signing in: the welcome message is written in it too.
    if request is not None and language.available(user.language):
        translation.activate(user.language)
        request.LANGUAGE_CODE = user.language
