"""Signs from other learners on the roadmap page: "412 learners finished this", "3 of 8 in
your group finished this", and whether those who finished a resource found it worth their time.

The roadmap page asks ``resource_signs`` once per request (``roadmap.extras``). Its cost stays
constant, and is nothing for most requests, because everything it reads is kept per process:

- the site's counts, per roadmap: one aggregated query, kept under the key
  (roadmap, content_version) for ``SITE_TTL`` (a curriculum edit changes the key at once; other
  learners' progress shows within the TTL);
- the learner's own part, their groups on this roadmap and their "worth your time" answers:
  one query, kept under (learner, ``User.groups_version``), which every write of those bumps,
  so it is exact in every process; a learner with version 0 has none and costs no query;
- the counts of the learner's groups: one query for all of them, each kept under (group,
  content_version) for ``GROUP_TTL``.

Counts under ``THRESHOLD`` are never shown, so no one can be singled out by them.
"""

import threading
import time
from collections.abc import Hashable
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import get_language, gettext, gettext_lazy, ngettext

from groups.models import Group, Membership, WorthAnswer
from roadmap.models import Progress, Resource, Roadmap

THRESHOLD = 5
SITE_TTL = 120.0  # seconds
GROUP_TTL = 60.0
MAX_ENTRIES = 10_000

# The word the "worth your time" question is named with, before the resource's title: written
# once on the page (roadmap.extras.register's words), read by each group's aria-labelledby.
WORTH_WORD = "ww"
WORDS = {WORTH_WORD: gettext_lazy("Worth your time:")}


@dataclass(frozen=True)
class SiteCounts:
    finished: dict[int, int] = field(default_factory=dict)
    worth_yes: dict[int, int] = field(default_factory=dict)
    worth_no: dict[int, int] = field(default_factory=dict)


@dataclass(frozen=True)
class LearnerSigns:
    groups: tuple[tuple[int, str], ...] = ()  # (group id, name) of groups following the roadmap
    answers: dict[int, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class GroupCounts:
    size: int
    finished: dict[int, int]


_lock = threading.Lock()
_site: dict[Hashable, tuple[float, SiteCounts]] = {}
_learners: dict[Hashable, LearnerSigns] = {}
_groups: dict[Hashable, tuple[float, GroupCounts]] = {}
_html: dict[Hashable, str] = {}


def clear(**kwargs) -> None:
    with _lock:
        _site.clear()
        _learners.clear()
        _groups.clear()
        _html.clear()


def size() -> int:
    return len(_site) + len(_learners) + len(_groups) + len(_html)


def _keep(store: dict, key: Hashable, value) -> None:
    """Keep ``value``; a full store drops its oldest entries (by when they were kept), one at
    a time, rather than every learner's at once."""
    with _lock:
        store.pop(key, None)  # a refreshed entry counts as new
        store[key] = value
        while len(store) > MAX_ENTRIES:
            del store[next(iter(store))]


def site_counts(roadmap: Roadmap, now: float | None = None) -> SiteCounts:
    now = time.monotonic() if now is None else now
    key = (roadmap.pk, roadmap.content_version)
    kept = _site.get(key)
    if kept is not None and kept[0] > now:
        return kept[1]
    # One query: three correlated counts per resource of the roadmap.
    count = Count("pk")

    def per_resource(queryset):
        counted = queryset.filter(resource=OuterRef("pk")).order_by().values("resource")
        return Coalesce(Subquery(counted.annotate(n=count).values("n")), 0)

    rows = (
        Resource.objects.filter(roadmap=roadmap)
        .order_by()
        .annotate(
            finished=per_resource(Progress.objects.done()),
            yes=per_resource(WorthAnswer.objects.filter(worth=True)),
            no=per_resource(WorthAnswer.objects.filter(worth=False)),
        )
        .values_list("pk", "finished", "yes", "no")
    )
    counts = SiteCounts()
    for pk, finished, yes, no in rows:
        if finished:
            counts.finished[pk] = finished
        if yes:
            counts.worth_yes[pk] = yes
        if no:
            counts.worth_no[pk] = no
    _keep(_site, key, (now + SITE_TTL, counts))
    return counts


_LEARNER_SQL = (
    f"SELECT 0, g.id, g.name FROM {Membership._meta.db_table} m "  # noqa: S608 - table names only
    f"JOIN {Group._meta.db_table} g ON g.id = m.group_id "
    "WHERE m.user_id = %s AND g.roadmap_id = %s "
    "UNION ALL "
    f"SELECT CASE WHEN w.worth THEN 1 ELSE 2 END, w.resource_id, '' "
    f"FROM {WorthAnswer._meta.db_table} w "
    f"JOIN {Resource._meta.db_table} r ON r.id = w.resource_id "
    "WHERE w.user_id = %s AND r.roadmap_id = %s"
)


def learner_signs(user, roadmap: Roadmap) -> LearnerSigns:
    if not user.groups_version:
        return LearnerSigns()
    key = (user.pk, user.groups_version, roadmap.pk)
    kept = _learners.get(key)
    if kept is not None:
        return kept
    with connection.cursor() as cursor:
        cursor.execute(_LEARNER_SQL, [user.pk, roadmap.pk, user.pk, roadmap.pk])
        rows = cursor.fetchall()
    groups = tuple(sorted((pk, name) for kind, pk, name in rows if kind == 0))
    answers = {pk: kind == 1 for kind, pk, _ in rows if kind != 0}
    signs = LearnerSigns(groups=groups, answers=answers)
    _keep(_learners, key, signs)
    return signs


# Per group: its members' done rows per resource, and (as resource 0) the group's size.
_GROUP_SQL = (
    "SELECT m.group_id, p.resource_id, COUNT(*) "  # noqa: S608 - table names only
    f"FROM {Progress._meta.db_table} p "
    f"JOIN {Membership._meta.db_table} m ON m.user_id = p.user_id "
    f"JOIN {Resource._meta.db_table} r ON r.id = p.resource_id "
    "WHERE m.group_id IN ({groups}) AND p.status = %s AND r.roadmap_id = %s "
    "GROUP BY m.group_id, p.resource_id "
    f"UNION ALL SELECT group_id, 0, COUNT(*) FROM {Membership._meta.db_table} "
    "WHERE group_id IN ({groups}) GROUP BY group_id"
)


def group_counts(
    group_ids: list[int], roadmap: Roadmap, now: float | None = None
) -> dict[int, GroupCounts]:
    """Each group's size and how many of its members finished each resource: one query for
    all the groups not kept yet, whatever their number."""
    now = time.monotonic() if now is None else now
    found: dict[int, GroupCounts] = {}
    missing = []
    for group_id in group_ids:
        kept = _groups.get((group_id, roadmap.content_version))
        if kept is not None and kept[0] > now:
            found[group_id] = kept[1]
        else:
            missing.append(group_id)
    if missing:
        marks = ", ".join(["%s"] * len(missing))
        with connection.cursor() as cursor:
            cursor.execute(
                _GROUP_SQL.format(groups=marks),
                [*missing, Progress.Status.DONE, roadmap.pk, *missing],
            )
            rows = cursor.fetchall()
        for group_id in missing:
            counts = GroupCounts(size=0, finished={})
            found[group_id] = counts
        for group_id, pk, n in rows:
            if pk == 0:
                found[group_id] = GroupCounts(size=n, finished=found[group_id].finished)
            else:
                found[group_id].finished[pk] = n
        for group_id in missing:
            _keep(_groups, (group_id, roadmap.content_version), (now + GROUP_TTL, found[group_id]))
    return found


def forget_group(group_id: int) -> None:
    """Drop this process's counts of a group (its members changed here)."""
    with _lock:
        for key in [key for key in _groups if key[0] == group_id]:
            del _groups[key]


def resource_signs(request: HttpRequest, outline) -> dict[int, str]:
    """The roadmap page's provider (roadmap.extras): each resource's signs, as HTML."""
    roadmap = outline.roadmap
    site = site_counts(roadmap)
    user = request.user
    learner = user.is_authenticated
    mine = learner_signs(user, roadmap) if learner else LearnerSigns()
    counted = group_counts([pk for pk, _ in mine.groups], roadmap) if mine.groups else {}
    groups = [(name, counted[pk]) for pk, name in mine.groups]
    statuses = outline.statuses if learner else {}
    language = get_language()
    out = {}
    for resource in outline.resources:
        pk = resource.pk
        finished = site.finished.get(pk, 0)
        yes, no = site.worth_yes.get(pk, 0), site.worth_no.get(pk, 0)
        done = statuses.get(pk) == Progress.Status.DONE
        look = (
            pk,
            resource.title,
            finished if finished >= THRESHOLD else 0,
            (yes, no) if yes + no >= THRESHOLD else None,
            tuple((name, counts.finished.get(pk, 0), counts.size) for name, counts in groups),
            done,
            mine.answers.get(pk) if done else None,
            language,
        )
        if look[2] or look[3] or look[4] or done:
            html = _html.get(look)
            if html is None:
                html = _render(resource, *look[2:7])
                _keep(_html, look, html)
            out[pk] = html
    return out


def _render(resource, finished, worth, in_groups, done, answer) -> str:
    signs = []
    if finished:
        signs.append(
            ngettext(
                "%(count)s learner finished this.", "%(count)s learners finished this.", finished
            )
            % {"count": f"{finished:,}"}
        )
    for name, count, size in in_groups:
        if len(in_groups) == 1:
            text = ngettext(
                "%(count)s of %(size)s in your group finished this.",
                "%(count)s of %(size)s in your group finished this.",
                size,
            )
        else:
            text = ngettext(
                "%(count)s of %(size)s in %(group)s finished this.",
                "%(count)s of %(size)s in %(group)s finished this.",
                size,
            )
        signs.append(text % {"count": count, "size": size, "group": name})
    if worth:
        yes, no = worth
        signs.append(
            ngettext(
                "%(percent)s%% of the %(count)s learner who answered found it worth their time.",
                "%(percent)s%% of the %(count)s learners who answered found it worth their time.",
                yes + no,
            )
            % {"percent": round(100 * yes / (yes + no)), "count": yes + no}
        )
    parts = []
    if signs:
        parts.append(
            format_html(
                '<p class="signs">{}</p>',
                format_html_join(" ", "<span>{}</span>", ((sign,) for sign in signs)),
            )
        )
    if done:
        parts.append(_worth_form(resource, answer))
    return "".join(parts)


def _worth_form(resource, answer: bool | None) -> str:
    # Its buttons belong to the page's one form (roadmap/_resource.html): no form or token of
    # its own. Without JavaScript they post that form to the worth endpoint (formaction); with
    # it, static/js/roadmap.js sends their name and value there and swaps the extras region.
    # The group is named by a word written once on the page (WORDS) and the resource's title.
    # Unanswered, the two are plain buttons; once answered, toggle buttons, the answer pressed.
    if answer is None:
        said = ""
    elif answer:
        said = gettext("You said yes.")
    else:
        said = gettext("You said no.")
    return format_html(
        '<div role=group aria-labelledby="{word} t{pk}">'
        "<span aria-hidden=true>{short}</span>"
        "<button form=pf formaction={url} name=worth value=yes{yes_pressed}>"
        "{yes}</button>"
        "<button form=pf formaction={url} name=worth value=no{no_pressed}>"
        "{no}</button>"
        "{said}</div>",
        word=WORTH_WORD,
        url=reverse("groups:worth", args=[resource.pk]),
        pk=resource.pk,
        short=gettext("Worth your time?"),
        yes=gettext("Yes"),
        no=gettext("No"),
        yes_pressed=_pressed(answer, True),
        no_pressed=_pressed(answer, False),
        said=format_html("<span class=worth-said>{}</span>", said) if said else "",
    )


def _pressed(answer: bool | None, button: bool) -> str:
    return "" if answer is None else f" aria-pressed={'true' if answer is button else 'false'}"
