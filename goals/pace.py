"""A learner's pace: this week's progress toward the goal, weeks in a row it was met, and, with
a finish date, whether they are on track and what weekly pace would get them there.

Weeks start on the learner's chosen day (``Goal.summary_day``) at midnight in their time zone,
and are counted in local dates, so a week that spans a daylight-saving change is still seven
days (167 or 169 hours). A resource counts toward the week in which it was marked done (the
``done`` events history records; marking it done again in another week counts there too, once
per week); hours are the estimated minutes of those resources (one without an estimate adds
none).

Everything comes from one query besides the goal's, whatever the learner's history: the done
events of the last year, with what is left of the roadmaps as one more row (a UNION).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import models
from django.db.models import DateTimeField, Exists, OuterRef, Subquery, Value
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from goals.models import Goal
from history.activity import zone_of
from history.models import Event
from roadmap.models import Progress, Resource

# How far back "weeks in a row" looks.
LOOKBACK_WEEKS = 52
# The weeks whose average is the learner's recent pace, for "on track".
RECENT_WEEKS = 4


def week_start(day: date, first_weekday: int) -> date:
    """The first day of the week ``day`` is in, for weeks starting on ``first_weekday``."""
    return day - timedelta(days=(day.weekday() - first_weekday) % 7)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def weeks_back(day: date, start: date) -> int:
    """0 for the week beginning at ``start`` (or later), 1 for the one before it, and so on."""
    diff = (start - day).days
    return 0 if diff <= 0 else (diff - 1) // 7 + 1


def hours_text(minutes: int) -> str:
    """Minutes as hours to the nearest half: "1.5", "3"."""
    halves = round(minutes / 30)
    return f"{halves // 2}" if halves % 2 == 0 else f"{halves / 2:.1f}"


@dataclass(frozen=True)
class Pace:
    """What the pages show of a goal. Hashable: the roadmap page's cache key holds it."""

    unit: str  # Goal.Unit
    goal: int | None  # per week, in resources or hours
    done_this_week: int  # resources, or minutes for an hours goal
    weeks_in_a_row: int
    week_starts: date
    finish_by: date | None = None
    remaining: int = 0  # resources, or minutes
    needed_per_week: int = 0  # resources, or minutes
    on_track: bool = False
    overdue: bool = False

    @property
    def in_hours(self) -> bool:
        return self.unit == Goal.Unit.HOURS

    @property
    def goal_amount(self) -> int:
        """The goal in the unit ``done_this_week`` counts (minutes for hours)."""
        return (self.goal or 0) * (60 if self.in_hours else 1)

    @property
    def met_this_week(self) -> bool:
        return bool(self.goal) and self.done_this_week >= self.goal_amount

    @property
    def percent(self) -> int:
        if not self.goal:
            return 0
        return min(100, self.done_this_week * 100 // self.goal_amount)

    @property
    def progress_text(self) -> str:
        """ "2 of 3 this week", "1.5 of 4 hours this week"."""
        if self.in_hours:
            return ngettext(
                "%(done)s of %(goal)d hour this week",
                "%(done)s of %(goal)d hours this week",
                self.goal,
            ) % {"done": hours_text(self.done_this_week), "goal": self.goal}
        return ngettext(
            "%(done)d of %(goal)d resource this week",
            "%(done)d of %(goal)d resources this week",
            self.goal,
        ) % {"done": self.done_this_week, "goal": self.goal}

    @property
    def streak_text(self) -> str:
        return ngettext(
            "Goal met %(count)d week in a row",
            "Goal met %(count)d weeks in a row",
            self.weeks_in_a_row,
        ) % {"count": self.weeks_in_a_row}

    @property
    def needed_text(self) -> str:
        """ "about 2 resources a week from now"."""
        if self.in_hours:
            halves = max(1, round(self.needed_per_week / 30))
            return ngettext(
                "about %(hours)s hour a week from now",
                "about %(hours)s hours a week from now",
                math.ceil(halves / 2),
            ) % {"hours": hours_text(halves * 30)}
        return ngettext(
            "about %(count)d resource a week from now",
            "about %(count)d resources a week from now",
            self.needed_per_week,
        ) % {"count": self.needed_per_week}

    @property
    def finish_text(self) -> str:
        if self.remaining == 0:
            return _("Everything is done: nothing is left to finish.")
        if self.overdue:
            return _("The date you chose to finish by has passed; choose a new one in settings.")
        if self.on_track:
            return _("On track to finish by %(date)s: %(pace)s.") % {
                "date": self.finish_by.isoformat(),
                "pace": self.needed_text,
            }
        return _("Behind to finish by %(date)s: it takes %(pace)s.") % {
            "date": self.finish_by.isoformat(),
            "pace": self.needed_text,
        }


def _left_to_finish() -> tuple[Subquery, Subquery]:
    """Subqueries over a Goal row: the resources (and their minutes) the learner has yet to
    finish on every published roadmap. Skipped resources count as finished."""
    left = (
        Resource.objects.shown()
        .filter(
            ~Exists(
                Progress.objects.filter(
                    user=OuterRef(OuterRef("user")),
                    resource=OuterRef("pk"),
                    status__in=[Progress.Status.DONE, Progress.Status.SKIPPED],
                )
            ),
            roadmap__is_published=True,
        )
        .order_by()
    )
    count = models.Func(models.F("pk"), function="COUNT")
    minutes = models.Func(models.F("estimated_minutes"), function="SUM")
    return (
        Subquery(left.annotate(n=count).values("n")[:1]),
        Subquery(left.annotate(m=minutes).values("m")[:1]),
    )


def goal_of(user) -> Goal | None:
    """The learner's goal: no query when it came with the user (accounts' user manager loads
    it in the same query), one otherwise."""
    if user.__class__.goal.is_cached(user):
        try:
            return user.goal
        except Goal.DoesNotExist:
            return None
    return Goal.objects.filter(user=user).first()


def done_and_left(
    user, goal: Goal, zone: ZoneInfo, start: date, weeks: int
) -> tuple[list[tuple[int, int]], tuple[int, int] | None]:
    """(resources, minutes) done in each of the ``weeks`` weeks up to the one that begins on
    ``start`` (index 0), from the learner's done events; and with a finish date, (resources,
    minutes) left to finish. One query: the events, and what is left as one more row."""
    since = local_midnight(start - timedelta(weeks=weeks - 1), zone)
    rows = (
        Event.objects.for_user(user)
        .filter(kind=Event.Kind.STATUS, status=Progress.Status.DONE, created_at__gte=since)
        .order_by()
        .values_list("resource_id", "created_at", "resource__estimated_minutes")
    )
    if goal.finish_by:
        count, minutes = _left_to_finish()
        left_row = (
            Goal.objects.filter(pk=goal.pk)
            .order_by()
            .annotate(n=count, nothing=Value(None, output_field=DateTimeField()), m=minutes)
            .values_list("n", "nothing", "m")
        )
        rows = rows.union(left_row, all=True).order_by()
    seen: set[tuple[int, int]] = set()
    tally = [[0, 0] for _ in range(weeks)]
    left = None
    for resource_id, created_at, minutes in rows:
        if created_at is None:  # the row of what is left
            left = (resource_id or 0, minutes or 0)
            continue
        week = weeks_back(timezone.localtime(created_at, zone).date(), start)
        if week >= weeks or (week, resource_id) in seen:
            continue
        seen.add((week, resource_id))
        tally[week][0] += 1
        tally[week][1] += minutes or 0
    return [(resources, minutes) for resources, minutes in tally], left


def pace_for(user, *, now: datetime | None = None, goal: Goal | None = None) -> Pace | None:
    """The learner's pace now, or None when they set neither a weekly goal nor a finish date.

    One query at most besides the goal's (see ``goal_of``).
    """
    goal = goal if goal is not None else goal_of(user)
    if goal is None or (not goal.weekly_goal and not goal.finish_by):
        return None
    zone = zone_of(user)
    local = timezone.localtime(now or timezone.now(), zone)
    start = week_start(local.date(), goal.summary_day)
    weeks, left = done_and_left(user, goal, zone, start, LOOKBACK_WEEKS + 1)
    in_hours = goal.weekly_goal_unit == Goal.Unit.HOURS
    amounts = [minutes if in_hours else resources for resources, minutes in weeks]
    streak = 0
    if goal.weekly_goal:
        target = goal.weekly_goal * (60 if in_hours else 1)
        for amount in amounts[1:]:
            if amount < target:
                break
            streak += 1
        streak += amounts[0] >= target
    pace = Pace(
        unit=goal.weekly_goal_unit,
        goal=goal.weekly_goal,
        done_this_week=amounts[0],
        weeks_in_a_row=streak,
        week_starts=start,
    )
    if not goal.finish_by:
        return pace
    left_count, left_minutes = left or (0, 0)
    remaining = left_minutes if in_hours else left_count
    days_left = (goal.finish_by - local.date()).days + 1  # the finish day itself included
    if days_left <= 0:
        overdue, needed, on_track = remaining > 0, 0, remaining == 0
    else:
        weeks_left = days_left / 7
        needed = math.ceil(remaining / max(weeks_left, 1))
        recent = sum(amounts[1 : RECENT_WEEKS + 1]) / RECENT_WEEKS
        on_track = remaining == 0 or max(recent, amounts[0]) >= needed
        overdue = False
    return Pace(
        unit=pace.unit,
        goal=pace.goal,
        done_this_week=pace.done_this_week,
        weeks_in_a_row=pace.weeks_in_a_row,
        week_starts=start,
        finish_by=goal.finish_by,
        remaining=remaining,
        needed_per_week=needed,
        on_track=on_track,
        overdue=overdue,
    )
