"""A learner's activity by day, in their own time zone: the heatmap, streaks and monthly figures.

Everything comes from two aggregate queries, whatever the number of events:

- events per local day over the learner's whole history (one row per active day, so a year of
  daily use is ~365 rows however many events each day holds): the heatmap, the streaks, active
  days this month;
- distinct resources marked done per local month over the last year.

The figures are not cached: both queries read the ``history_event_user_time`` index. What is
kept, in this process, is the words of the calendar's days (``heatmap dates`` in
roadmap/caches.py): the same dates show on every learner's calendar, and formatting a date costs
Django more than all the rest of its square.
"""

import html
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncDate, TruncMonth
from django.utils import dateformat, timezone
from django.utils.formats import date_format, get_format
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext, ngettext

from history.models import Event
from roadmap import caches
from roadmap.models import Progress

LEVELS = 4  # shades above "nothing", as in every contribution calendar
# The calendar's geometry, in SVG units: a square per day, a column per week, the month labels
# in a band above (site.css sizes the labels and keeps the drawing wide enough to read them).
CELL = 10
LABELS_BAND = 14


def zone_of(user) -> ZoneInfo:
    try:
        return ZoneInfo(user.time_zone or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


@dataclass(frozen=True)
class Day:
    date: date
    count: int
    level: int  # 0 (nothing) to LEVELS
    week: int  # column in the calendar
    weekday: int  # row: 0 = Monday

    @property
    def label(self) -> str:
        return _DayLabels().label(self)


# Room for two years of days in every language: every calendar shown today and tomorrow (whatever
# the learners' time zones), without growing for ever.
DAY_WORDS_KEPT = 2 * 366 * len(settings.LANGUAGES)


@lru_cache(maxsize=DAY_WORDS_KEPT)
def _day_words(language: str, format_string: str, day: date) -> tuple[str, str]:
    """The weekday and the date of ``day`` as a label shows them ("Sat", "Jan. 10, 2026"), in
    ``language`` (the active one) with ``format_string`` (what DATE_FORMAT resolves to there):
    the words depend on nothing else, so that is the key."""
    return dateformat.format(day, "D"), dateformat.format(day, format_string)


def forget_day_words() -> None:
    _day_words.cache_clear()


def day_words_kept() -> int:
    return _day_words.cache_info().currsize


class _DayLabels:
    """The days' labels, their sentences looked up once per number of events rather than once
    a day."""

    def __init__(self) -> None:
        self.language = caches.language()
        self.format_string = get_format("DATE_FORMAT")
        self.sentences: dict[int, str] = {}

    def label(self, day: "Day") -> str:
        weekday, when = _day_words(self.language, self.format_string, day.date)
        sentence = self.sentences.get(day.count)
        if sentence is None:
            if not day.count:
                sentence = gettext("no activity on %(weekday)s %(date)s")
            else:
                sentence = ngettext(
                    "%(count)d event on %(weekday)s %(date)s",
                    "%(count)d events on %(weekday)s %(date)s",
                    day.count,
                )
            self.sentences[day.count] = sentence
        if not day.count:
            return sentence % {"weekday": weekday, "date": when}
        return sentence % {"count": day.count, "weekday": weekday, "date": when}


@dataclass(frozen=True)
class Month:
    start: date
    done: int


@dataclass(frozen=True)
class Activity:
    today: date
    days: list[Day]  # the last year, oldest first, one per day
    month_labels: list[tuple[int, str]]  # (week column, "Jan") where a month starts
    active_days_last_year: int
    active_days_this_month: int
    events_last_year: int
    current_streak: int
    longest_streak: int
    months: list[Month]  # the last 12 months, oldest first

    @property
    def weeks(self) -> int:
        return self.days[-1].week + 1 if self.days else 0

    @property
    def heatmap_view_box(self) -> str:
        """The drawing's extent: every week and a little room for the last label, seven days."""
        return f"0 0 {(self.weeks + 2) * CELL} {LABELS_BAND + 7 * CELL}"

    @property
    def heatmap_cells(self) -> SafeString:
        """The calendar's month labels and day squares, as SVG.

        Built here rather than in a template loop: 365 squares cost a Django template several
        milliseconds, this well under one. Every string is the server's own (dates, numbers,
        translations), escaped all the same.
        """
        parts = [
            f'<text x="{week * CELL}" y="{LABELS_BAND - 4}" class="heatmap-month">'
            f"{escape(label)}</text>"
            for week, label in self.month_labels
        ]
        labels = _DayLabels()
        # The labels are plain strings: html.escape is what Django's escape does to them, without
        # its check for lazy strings at each of the 365.
        parts += [
            f'<rect x="{day.week * CELL}" y="{day.weekday * CELL + LABELS_BAND}" '
            f'width="{CELL - 1}" height="{CELL - 1}" rx="2" '
            f'class="level-{day.level}"><title>{html.escape(labels.label(day))}</title></rect>'
            for day in self.days
        ]
        return mark_safe("".join(parts))  # noqa: S308

    @property
    def max_done_in_a_month(self) -> int:
        return max((month.done for month in self.months), default=0)


def _level(count: int, busiest: int) -> int:
    if count == 0 or busiest == 0:
        return 0
    return max(1, min(LEVELS, -(-count * LEVELS // busiest)))  # ceiling: any activity shows


def _months_before(first_of_month: date, n: int) -> date:
    """The first day of the month ``n`` months before ``first_of_month``'s (counted in months:
    a number of days lands a month off in some months)."""
    year, month = divmod(first_of_month.year * 12 + first_of_month.month - 1 - n, 12)
    return date(year, month + 1, 1)


def _streaks(active: list[date], today: date) -> tuple[int, int]:
    """(current, longest) runs of consecutive active days; today may still be to come."""
    longest = run = 0
    previous = None  # as an ordinal: consecutive days are consecutive numbers
    for day in active:
        ordinal = day.toordinal()
        run = run + 1 if previous is not None and ordinal - previous == 1 else 1
        if run > longest:
            longest = run
        previous = ordinal
    # The current streak is alive if it reached today, or yesterday (today is not over yet).
    current = run if previous is not None and today.toordinal() - previous <= 1 else 0
    return current, longest


def activity_for(user, *, now: datetime | None = None) -> Activity:
    zone = zone_of(user)
    now = timezone.localtime(now or timezone.now(), zone)
    today = now.date()
    first_day = today - timedelta(days=364)

    per_day = dict(
        Event.objects.for_user(user)
        .annotate(day=TruncDate("created_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("id"))
        .order_by("day")
        .values_list("day", "n")
    )
    active = sorted(day for day in per_day if day <= today)
    current, longest = _streaks(active, today)

    last_year = {day: n for day, n in per_day.items() if first_day <= day <= today}
    busiest = max(last_year.values(), default=0)
    level_of = {count: _level(count, busiest) for count in {0, *last_year.values()}}
    days: list[Day] = []
    month_labels: list[tuple[int, str]] = []
    # The calendar starts on the Monday of the first week so every column is a whole week:
    # the first day sits that many squares down its column.
    first_ordinal, lead = first_day.toordinal(), first_day.weekday()
    for offset in range((today - first_day).days + 1):
        day = date.fromordinal(first_ordinal + offset)
        week, weekday = divmod(lead + offset, 7)
        if (day.day == 1 or not offset) and (not month_labels or month_labels[-1][0] < week - 1):
            month_labels.append((week, date_format(day, "M")))
        count = last_year.get(day, 0)
        days.append(Day(day, count, level_of[count], week, weekday))

    month_start = today.replace(day=1)
    twelve_ago = _months_before(month_start, 11)
    done_per_month = dict(
        Event.objects.for_user(user)
        .filter(
            kind=Event.Kind.STATUS,
            status=Progress.Status.DONE,
            created_at__gte=datetime.combine(twelve_ago, datetime.min.time(), tzinfo=zone),
        )
        .annotate(month=TruncMonth("created_at", tzinfo=zone))
        .values("month")
        .annotate(n=Count("resource", distinct=True))
        .order_by("month")
        .values_list("month", "n")
    )
    # TruncMonth gives a date on SQLite and an aware datetime on PostgreSQL.
    done_per_month = {
        (m.date() if isinstance(m, datetime) else m): n for m, n in done_per_month.items()
    }
    months = [
        Month(start, done_per_month.get(start, 0))
        for start in (_months_before(month_start, n) for n in range(11, -1, -1))
    ]

    return Activity(
        today=today,
        days=days,
        month_labels=month_labels,
        active_days_last_year=len(last_year),
        active_days_this_month=sum(1 for day in active if day >= month_start),
        events_last_year=sum(last_year.values()),
        current_streak=current,
        longest_streak=longest,
        months=months,
    )
