"""The emails themselves: a weekly summary and an inactivity reminder, each with a plain-text
and an HTML part, in the learner's language, signed with the site's name, and with RFC 8058
one-click unsubscribe headers.

``Composer`` renders a batch of deliveries with the same few queries whatever the batch's size:
the week's done events, the resources added to the roadmaps, and what each learner finished on
the home roadmap (for "what is next"); whether the address is verified comes with the rows
(``address_verified``). A run, besides, reads the home roadmap and its curriculum once.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import Exists, OuterRef
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from goals.models import Delivery, Goal
from goals.pace import hours_text, local_midnight
from goals.unsubscribe import unsubscribe_url
from history.activity import zone_of
from history.models import Event
from roadmap.models import Progress, Resource, Roadmap
from roadmap.outline import read_curriculum

# Titles listed in a summary; the rest are counted.
LISTED = 10


@dataclass(frozen=True)
class Item:
    title: str
    url: str


@dataclass
class BatchData:
    verified: set[int] = field(default_factory=set)
    done: dict[int, list[tuple[datetime, int, str, int]]] = field(default_factory=dict)
    added: list[tuple[datetime, Item]] = field(default_factory=list)
    finished: dict[int, set[int]] = field(default_factory=dict)


def week_of(delivery: Delivery, goal: Goal) -> tuple[datetime, datetime]:
    """The week a summary tells of: the seven local days before its period's day."""
    zone = zone_of(goal.user)
    day = date.fromisoformat(delivery.period)
    return local_midnight(day - timedelta(days=7), zone), local_midnight(day, zone)


def address_verified() -> Exists:
    """Whether a delivery's learner has verified the address they sign in with, annotated on
    the rows a batch sends (as ``address_verified``) rather than read in a query of its own."""
    return Exists(
        EmailAddress.objects.filter(
            user=OuterRef("user"), email__iexact=OuterRef("user__email"), verified=True
        )
    )


def absolute(path: str) -> str:
    return settings.SITE_URL + path


class Composer:
    """Renders deliveries into messages. One per run: the home roadmap and its reading order
    are read once, with their own queries rather than through the process's curriculum cache
    (``curriculum_of``), so that a run costs the same queries whatever the process did before:
    that cache reads again whenever anything in the process asks for the roadmap with another
    ``content_version``, such as a ``Roadmap`` read before the last curriculum edit."""

    def __init__(self, now: datetime) -> None:
        self.now = now
        self._home: Roadmap | None = None
        self._reading_order: tuple[Resource, ...] = ()
        self._home_read = False

    @property
    def home(self) -> Roadmap | None:
        if not self._home_read:
            self._home = Roadmap.objects.published().order_by("order", "pk").first()
            if self._home is not None:
                self._reading_order = read_curriculum(self._home).resources
            self._home_read = True
        return self._home

    def load(self, deliveries: list[Delivery]) -> BatchData:
        """What the batch's messages need besides the rows themselves, which come annotated
        with ``address_verified``."""
        data = BatchData()
        users = {delivery.user_id for delivery in deliveries}
        data.verified = {d.user_id for d in deliveries if d.address_verified}
        weeks = [
            week_of(d, d.user.goal) for d in deliveries if d.kind == Delivery.Kind.WEEKLY_SUMMARY
        ]
        if weeks:
            since = min(start for start, _ in weeks)
            data.done = defaultdict(list)
            for user_id, when, resource_id, title, minutes in (
                Event.objects.filter(
                    user_id__in=users,
                    kind=Event.Kind.STATUS,
                    status=Progress.Status.DONE,
                    created_at__gte=since,
                )
                .order_by("created_at", "pk")
                .values_list(
                    "user_id",
                    "created_at",
                    "resource_id",
                    "resource__title",
                    "resource__estimated_minutes",
                )
            ):
                data.done[user_id].append((when, resource_id, title, minutes or 0))
            data.added = [
                (added_at, Item(title, absolute(f"/roadmaps/{slug}/#resource-{pk}")))
                for pk, title, slug, added_at in Resource.objects.shown()
                .filter(roadmap__is_published=True, added_at__gte=since)
                .order_by("added_at", "pk")
                .values_list("pk", "title", "roadmap__slug", "added_at")
            ]
        if self.home is not None:
            data.finished = defaultdict(set)
            for user_id, resource_id in Progress.objects.filter(
                user_id__in=users,
                resource__roadmap=self.home,
                status__in=[Progress.Status.DONE, Progress.Status.SKIPPED],
            ).values_list("user_id", "resource_id"):
                data.finished[user_id].add(resource_id)
        return data

    def next_up(self, data: BatchData, user_id: int) -> Item | None:
        if self.home is None:
            return None
        finished = data.finished.get(user_id, set())
        for resource in self._reading_order:
            if resource.pk not in finished:
                # From the home roadmap's own address: the resource's would read its roadmap.
                url = f"{self.home.get_absolute_url()}#{resource.anchor}"
                return Item(resource.title, absolute(url))
        return None

    def message(self, delivery: Delivery, data: BatchData) -> EmailMultiAlternatives | None:
        """The email for ``delivery``, or None when it must not go (unverified address, or the
        learner no longer wants it)."""
        goal = delivery.user.goal
        user = delivery.user
        if user.pk not in data.verified or not user.is_active:
            return None
        if delivery.kind == Delivery.Kind.WEEKLY_SUMMARY and not goal.weekly_summary:
            return None
        if delivery.kind == Delivery.Kind.INACTIVITY and goal.inactivity_reminder_days is None:
            return None
        with translation.override(user.language or settings.LANGUAGE_CODE):
            context = {
                "language": translation.get_language(),
                "site_name": settings.SITE_NAME,
                "site_url": settings.SITE_URL + "/",
                "settings_url": absolute("/accounts/settings/#goals"),
                "unsubscribe_url": unsubscribe_url(goal, delivery.kind),
                "goal": goal,
                "next_up": self.next_up(data, user.pk),
            }
            if delivery.kind == Delivery.Kind.WEEKLY_SUMMARY:
                context.update(self._summary(delivery, goal, data))
                subject = _("Your week on %(site)s") % {"site": settings.SITE_NAME}
                template = "goals/email/weekly_summary"
            else:
                since = datetime.fromisoformat(delivery.period.replace("Z", "+00:00"))
                context["days"] = max(goal.inactivity_reminder_days, (self.now - since).days)
                subject = _("Pick up where you left off on %(site)s") % {"site": settings.SITE_NAME}
                template = "goals/email/inactivity"
            text = render_to_string(f"{template}.txt", context)
            html = render_to_string(f"{template}.html", context)
        url = context["unsubscribe_url"]
        message = EmailMultiAlternatives(
            subject=subject,
            body=text,
            to=[user.email],
            headers={
                "List-Unsubscribe": f"<{url}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Auto-Submitted": "auto-generated",
            },
        )
        message.attach_alternative(html, "text/html")
        return message

    def _summary(self, delivery: Delivery, goal: Goal, data: BatchData) -> dict:
        start, end = week_of(delivery, goal)
        seen, done, minutes = set(), [], 0
        for when, resource_id, title, resource_minutes in data.done.get(delivery.user_id, []):
            if start <= when < end and resource_id not in seen:
                seen.add(resource_id)
                done.append(title)
                minutes += resource_minutes
        added = [item for when, item in data.added if start <= when < end]
        in_hours = goal.weekly_goal_unit == Goal.Unit.HOURS
        amount = minutes if in_hours else len(done)
        zone = zone_of(delivery.user)
        return {
            "week_start": timezone.localtime(start, zone).date(),
            "week_end": timezone.localtime(end, zone).date() - timedelta(days=1),
            "done_count": len(done),
            "done_titles": done[:LISTED],
            "done_more": max(len(done) - LISTED, 0),
            "done_hours": hours_text(minutes),
            "in_hours": in_hours,
            "goal_met": bool(goal.weekly_goal)
            and amount >= goal.weekly_goal * (60 if in_hours else 1),
            "added_count": len(added),
            "added": added[:LISTED],
            "added_more": max(len(added) - LISTED, 0),
        }
