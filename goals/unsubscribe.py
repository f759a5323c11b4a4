"""One-click unsubscribe links (RFC 8058) that work without signing in.

A link carries a token signed with the site's secret key, salted per kind of email (a
summary's token cannot unsubscribe from reminders, nor the other way round), naming the learner
and their ``Goal.unsubscribe_nonce``. Unsubscribing draws a new nonce, so a link works once:
used again, or after a later one was used, it answers 410 Gone with a link to the settings. A
token altered in any way, or made for another kind, fails its signature: 400. The token says
who it unsubscribes; the session, if any, plays no part (a learner signed in as someone else
who opens a forwarded email unsubscribes the address it was sent to, never themselves).

GET shows what the button will do; only POST changes anything, so that link scanners and
prefetching mail clients, which follow links, unsubscribe nobody.
"""

import secrets

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from goals.models import Delivery, Goal, new_nonce

SALT = "goals.unsubscribe."
FIELD_OF_KIND = {
    Delivery.Kind.WEEKLY_SUMMARY: "weekly_summary",
    Delivery.Kind.INACTIVITY: "inactivity_reminder_days",
}


class TokenRefused(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def make_token(goal: Goal, kind: str) -> str:
    return signing.dumps({"u": goal.user_id, "n": goal.unsubscribe_nonce}, salt=SALT + kind)


def unsubscribe_url(goal: Goal, kind: str) -> str:
    path = reverse("unsubscribe:unsubscribe", args=[kind, make_token(goal, kind)])
    return settings.SITE_URL + path


def goal_for_token(kind: str, token: str, *, for_update: bool = False) -> Goal:
    """The goal the token is for, or TokenRefused (400: not ours; 410: no longer valid)."""
    if kind not in FIELD_OF_KIND:
        raise TokenRefused(404, "unknown kind")
    try:
        payload = signing.loads(token, salt=SALT + kind)
        user_id, nonce = int(payload["u"]), str(payload["n"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise TokenRefused(400, "bad signature") from None
    goals = Goal.objects.select_related("user")
    if for_update:
        goals = goals.select_for_update(of=("self",))
    goal = goals.filter(user_id=user_id).first()
    if goal is None or not secrets.compare_digest(goal.unsubscribe_nonce, nonce):
        raise TokenRefused(410, "used or replaced")
    return goal


def _refused(request: HttpRequest, refusal: TokenRefused) -> HttpResponse:
    context = {"refused": refusal.status}
    return render(request, "goals/unsubscribe.html", context, status=refusal.status)


def _kind_name(kind: str | None) -> str:
    return str(Delivery.Kind(kind).label) if kind in FIELD_OF_KIND else ""


def is_subscribed(goal: Goal, kind: str) -> bool:
    if kind == Delivery.Kind.WEEKLY_SUMMARY:
        return goal.weekly_summary
    return goal.inactivity_reminder_days is not None


def unsubscribe(goal: Goal, kind: str) -> None:
    """Stop ``kind`` for the goal's learner, and retire every link sent so far."""
    if kind == Delivery.Kind.WEEKLY_SUMMARY:
        goal.weekly_summary = False
    else:
        goal.inactivity_reminder_days = None
    goal.unsubscribe_nonce = new_nonce()
    goal.save(update_fields=[FIELD_OF_KIND[kind], "unsubscribe_nonce", "updated_at"])
    # Anything claimed and not yet sent goes no further.
    Delivery.objects.filter(user_id=goal.user_id, kind=kind, status=Delivery.Status.PENDING).update(
        status=Delivery.Status.SKIPPED
    )


# csrf_exempt: RFC 8058's one-click POST comes from the recipient's mail provider, with no
# session, cookie or CSRF token. What CSRF protects here is the signed token itself: only
# someone who holds the email can make the request, it can only switch an email off, and it
# works once. The confirmation form on the GET page posts to the same address.
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe_view(request: HttpRequest, kind: str, token: str) -> HttpResponse:
    if request.method == "POST":
        try:
            with transaction.atomic():
                goal = goal_for_token(kind, token, for_update=True)
                unsubscribe(goal, kind)
        except TokenRefused as refusal:
            return _refused(request, refusal)
        context = {"done": True, "kind_name": _kind_name(kind), "email": goal.user.email}
        return render(request, "goals/unsubscribe.html", context)
    try:
        goal = goal_for_token(kind, token)
    except TokenRefused as refusal:
        return _refused(request, refusal)
    context = {
        "kind_name": _kind_name(kind),
        "email": goal.user.email,
        "subscribed": is_subscribed(goal, kind),
        "action": request.path,
    }
    response = render(request, "goals/unsubscribe.html", context)
    response["Referrer-Policy"] = "no-referrer"  # the token stays out of other sites' logs
    return response
