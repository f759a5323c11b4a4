"""Estimated time: reading and writing ``(~1 h 30 min)``, and how much of a roadmap is left.

A resource's estimate is the length it states itself (a video's or a course's duration), in
whole minutes; most resources have none, and nothing here ever guesses one.

Two parts with the outline's two lifetimes (see roadmap/outline.py):

- ``CurriculumTimes`` sums each section's estimates (its subsections' included) once per
  content version, as a cached property of the curriculum;
- ``LearnerTimes`` takes one learner's finished resources (done or skipped) away from those
  sums in Python, so the figures cost no query at any size.

How a figure reads: minutes under an hour ("about 45 minutes"), then hours to the nearest half
("about 14 hours", "about 2.5 hours"). A section says how many of its unfinished resources
have no estimate ("about 14 hours left, 6 resources without an estimate"). A roadmap that has
no estimate at all says nothing about time anywhere: "31 resources without an estimate" on
every section would only be noise. Once it has some, every section with unfinished resources
speaks, saying plainly when none of them has an estimate.
"""

import re
from dataclasses import dataclass, fields
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property

from django.utils.formats import number_format
from django.utils.translation import gettext, ngettext, npgettext

MIN_MINUTES = 1
MAX_HOURS = 1000
MAX_MINUTES = MAX_HOURS * 60

# "(~" opens an estimate; what follows must be one of the forms below, up to the ")". Linear:
# each part is a run of one character class, anchored, with no overlap between the runs.
_FORM = re.compile(
    r"(?:(?P<hours>\d+(?:\.\d+)?)\s*(?:h|hr|hrs|hours?)"
    r"(?:\s+(?P<and_minutes>\d+)\s*(?:min|mins|minutes?))?"
    r"|(?P<minutes>\d+)\s*(?:min|mins|minutes?))",
    re.IGNORECASE,
)
EXAMPLES = "(~45 min), (~3 h), (~1 h 30 min) or (~1.5 h)"


class EstimateError(ValueError):
    """An estimate that cannot be read; ``message`` ends "the estimated time … " in words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def parse_estimate(text: str) -> int:
    """Minutes from the inside of ``(~…)``: "3 h", "45 min", "1 h 30 min", "1.5 h"."""
    match = _FORM.fullmatch(text.strip())
    if match is None:
        raise EstimateError(f"is not understood: write {EXAMPLES}")
    if match["minutes"] is not None:
        minutes = int(match["minutes"])
    else:
        hours = Decimal(match["hours"])  # exact: "1.1 h" is 66 minutes, not 66.00000001
        extra = int(match["and_minutes"] or 0)
        if match["and_minutes"] is not None and (extra >= 60 or "." in match["hours"]):
            raise EstimateError(
                "mixes its units: write whole hours and under 60 minutes, as in (~1 h 30 min)"
            )
        if hours > MAX_HOURS:  # before multiplying: "99999999999 h" is refused, not computed
            raise EstimateError(f"is over {MAX_HOURS} h: at most (~{MAX_HOURS} h)")
        minutes = int((hours * 60).to_integral_value(ROUND_HALF_UP)) + extra
    if minutes < MIN_MINUTES:
        raise EstimateError("is less than a minute: at least (~1 min)")
    if minutes > MAX_MINUTES:
        raise EstimateError(f"is over {MAX_HOURS} h: at most (~{MAX_HOURS} h)")
    return minutes


def is_valid(minutes: int | None) -> bool:
    return minutes is not None and MIN_MINUTES <= minutes <= MAX_MINUTES


def format_estimate(minutes: int) -> str:
    """The canonical short form, as the exporter writes it: "45 min", "3 h", "1 h 30 min"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} min"
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def spoken_estimate(minutes: int) -> str:
    """The same, in words, for screen readers: "about 1 hour 30 minutes"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return gettext("about %(minutes)s") % {"minutes": _minutes(rest)}
    if not rest:
        return gettext("about %(hours)s") % {"hours": _hours(hours)}
    return gettext("about %(hours)s %(minutes)s") % {
        "hours": _hours(hours),
        "minutes": _minutes(rest),
    }


def rounded_duration(minutes: int) -> str:
    """A sum as people say it: "45 minutes", then hours to the half: "1 hour", "2.5 hours"."""
    if minutes < 60:
        return _minutes(minutes)
    halves = int((Decimal(minutes) / 30).to_integral_value(ROUND_HALF_UP))
    whole, half = divmod(halves, 2)
    if not half:
        return _hours(whole)
    # "2.5 hours": the number in the locale's own form; the plural form is the whole part's
    # (English says "1.5 hours", French "1,5 heure": each language's catalog says which).
    number = number_format(Decimal(halves) / 2, 1)
    return npgettext(
        "a number of hours with a decimal", "%(number)s hours", "%(number)s hours", whole
    ) % {"number": number}


def _minutes(count: int) -> str:
    return ngettext("%(count)d minute", "%(count)d minutes", count) % {"count": count}


def _hours(count: int) -> str:
    return ngettext("%(count)d hour", "%(count)d hours", count) % {"count": count}


# --- Sums ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SectionTimes:
    minutes: int  # the sum of its resources' estimates, subsections included
    unestimated: int  # how many of its resources have none


@dataclass(frozen=True)
class CurriculumTimes:
    """Estimates of one content version of a roadmap, shared by every request."""

    minutes_of: dict[int, int]  # resource pk -> minutes, for resources with an estimate
    sections: dict[int, SectionTimes]  # section pk -> its sums
    whole: SectionTimes

    @property
    def has_estimates(self) -> bool:
        return bool(self.minutes_of)

    @cached_property
    def estimated_ids(self) -> frozenset[int]:
        return frozenset(self.minutes_of)


def curriculum_times(entries, resources) -> CurriculumTimes:
    """Sum every section's estimates once: ``entries`` and ``resources`` of a ``Curriculum``."""
    minutes_of = {r.pk: r.estimated_minutes for r in resources if is_valid(r.estimated_minutes)}
    sections = {
        entry.section.pk: SectionTimes(
            minutes=sum(minutes_of.get(pk, 0) for pk in entry.resource_ids),
            unestimated=sum(1 for pk in entry.resource_ids if pk not in minutes_of),
        )
        for entry in entries
    }
    whole = SectionTimes(
        minutes=sum(minutes_of.values()), unestimated=len(resources) - len(minutes_of)
    )
    return CurriculumTimes(minutes_of=minutes_of, sections=sections, whole=whole)


@dataclass(slots=True)  # not frozen: made per section on every view, and frozen inits are slow
class TimeLeft:
    """One section's (or the roadmap's) time for one learner, or for a visitor."""

    minutes: int  # estimated minutes of what is neither done nor skipped
    unestimated: int  # how many of those have no estimate
    spoken: bool  # False when the roadmap has no estimate at all: then nothing is said

    @property
    def is_finished(self) -> bool:
        return not self.minutes and not self.unestimated

    def key(self) -> tuple:
        """Every field, for a cache's key (``dataclasses.astuple`` without its deep copies)."""
        return tuple(getattr(self, name) for name in _TIME_FIELDS)

    def left(self) -> str:
        """For a learner: "About 14 hours left, 6 resources without an estimate"."""
        if not self.spoken or self.is_finished:
            return ""
        if not self.minutes:
            return ngettext(
                "No time estimate for the resource left",
                "No time estimate for the %(count)d resources left",
                self.unestimated,
            ) % {"count": self.unestimated}
        duration = rounded_duration(self.minutes)
        if not self.unestimated:
            return gettext("About %(duration)s left") % {"duration": duration}
        return ngettext(
            "About %(duration)s left, %(count)d resource without an estimate",
            "About %(duration)s left, %(count)d resources without an estimate",
            self.unestimated,
        ) % {"duration": duration, "count": self.unestimated}

    def in_all(self) -> str:
        """For a visitor, who has finished nothing: "About 20 hours in all, …"."""
        if not self.spoken or self.is_finished:
            return ""
        if not self.minutes:
            return gettext("No time estimate for these resources")
        duration = rounded_duration(self.minutes)
        if not self.unestimated:
            return gettext("About %(duration)s in all") % {"duration": duration}
        return ngettext(
            "About %(duration)s in all, %(count)d resource without an estimate",
            "About %(duration)s in all, %(count)d resources without an estimate",
            self.unestimated,
        ) % {"duration": duration, "count": self.unestimated}


_TIME_FIELDS = tuple(f.name for f in fields(TimeLeft))


class LearnerTimes:
    """One learner's finished resources (done or skipped), to take away from the sums."""

    def __init__(self, times: CurriculumTimes, finished_ids: frozenset[int]) -> None:
        self.times = times
        self.finished_ids = finished_ids
        self.finished_estimated = finished_ids & times.estimated_ids

    def left_of(self, sums: SectionTimes, resource_ids: frozenset[int]) -> TimeLeft:
        """``sums`` of ``resource_ids`` less what this learner finished among them."""
        minutes, unestimated = sums.minutes, sums.unestimated
        if self.finished_ids and (finished := resource_ids & self.finished_ids):
            # Set operations and map run in C: this is per section, on every page view.
            estimated = finished & self.finished_estimated
            minutes -= sum(map(self.times.minutes_of.__getitem__, estimated))
            unestimated -= len(finished) - len(estimated)
        return TimeLeft(minutes=minutes, unestimated=unestimated, spoken=self.times.has_estimates)
