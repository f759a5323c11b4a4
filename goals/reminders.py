"""What is due at a moment: which learner gets which email, for which period.

- A weekly summary is due from 08:00 on the learner's chosen weekday, in their time zone, until
  it has been sent for that week; its period is that day's date (the week it tells of ended the
  night before).
- An inactivity reminder is due once the learner has gone that many days without activity (an
  event in their history, or signing up), in the daytime where they are (08:00 to 22:00); its
  period is the moment of the last activity, so it goes once per inactive stretch.

Only learners who asked for the email, are active, and whose address is verified get it. The
candidates are read in batches by primary key: each batch costs the same few queries, and
memory holds one batch, however many learners there are.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from allauth.account.models import EmailAddress
from django.db.models import Exists, Max, OuterRef, Q, Subquery
from django.utils import timezone

from goals.models import Delivery, Goal
from goals.pace import week_start
from history.activity import zone_of
from history.models import Event

SEND_FROM = time(8)
QUIET_FROM = time(22)
BATCH = 200


@dataclass(frozen=True)
class Due:
    goal: Goal  # with its user
    kind: str  # Delivery.Kind
    period: str

    @property
    def user(self):
        return self.goal.user


def summary_period(goal: Goal, now: datetime) -> date:
    """The summary day whose 08:00 (local) is the latest at or before ``now``."""
    zone = zone_of(goal.user)
    local = timezone.localtime(now, zone)
    day = week_start(local.date(), goal.summary_day)
    if local < datetime.combine(day, SEND_FROM, tzinfo=zone):
        day -= timedelta(days=7)
    return day


def last_activity(goal: Goal) -> datetime:
    """When the learner last did something: their last event, or signing up."""
    last = getattr(goal, "last_event_at", None)
    joined = goal.user.date_joined
    return max(last, joined) if last is not None else joined


def inactivity_period(goal: Goal, now: datetime) -> str | None:
    """The stretch a reminder is due for now (its start, as text), or None."""
    days = goal.inactivity_reminder_days
    if days is None:
        return None
    since = last_activity(goal)
    if now < since + timedelta(days=days):
        return None
    local = timezone.localtime(now, zone_of(goal.user)).time()
    if not SEND_FROM <= local < QUIET_FROM:
        return None
    return since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def verified(queryset):
    """Goals whose learner is active and has verified the address they sign in with."""
    address = EmailAddress.objects.filter(
        user=OuterRef("user"), email__iexact=OuterRef("user__email"), verified=True
    )
    return queryset.filter(Exists(address), user__is_active=True)


def candidates():
    last_event = (
        Event.objects.filter(user=OuterRef("user"))
        .order_by()
        .values("user")
        .annotate(last=Max("created_at"))
        .values("last")
    )
    return (
        verified(Goal.objects.filter(Q(weekly_summary=True) | Q(inactivity_reminder_days__gt=0)))
        .select_related("user")
        .annotate(last_event_at=Subquery(last_event))
        .order_by("pk")
    )


def due_in_batch(goals: list[Goal], now: datetime) -> list[Due]:
    wanted = []
    for goal in goals:
        if goal.weekly_summary:
            period = summary_period(goal, now).isoformat()
            wanted.append(Due(goal, Delivery.Kind.WEEKLY_SUMMARY, period))
        if (period := inactivity_period(goal, now)) is not None:
            wanted.append(Due(goal, Delivery.Kind.INACTIVITY, period))
    if not wanted:
        return []
    recorded = set(
        Delivery.objects.filter(
            user_id__in={due.goal.user_id for due in wanted},
            period__in={due.period for due in wanted},
        ).values_list("user_id", "kind", "period")
    )
    return [due for due in wanted if (due.goal.user_id, due.kind, due.period) not in recorded]


def due_at(now: datetime, *, batch: int = BATCH) -> Iterator[list[Due]]:
    """Every email due at ``now`` and not recorded yet, a batch at a time."""
    after = 0
    while True:
        goals = list(candidates().filter(pk__gt=after)[:batch])
        if not goals:
            return
        after = goals[-1].pk
        if due := due_in_batch(goals, now):
            yield due
