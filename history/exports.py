"""A learner's data out: the JSON export (schema 1) and the Markdown study document.

Schema 1 (docs/your-data.md, "Export format"): resources are named by their roadmap's slug and
their URL, never by database ids, so a file moves between instances (history/imports.py reads
it back).
"""

import json
from collections.abc import Iterator
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from groups.exports import groups_of
from history import settings_parts
from history.activity import zone_of
from history.models import Event, PublicProfile
from roadmap.models import Note, Progress, Resource, Roadmap
from roadmap.outline import curriculum_of

SCHEMA = 1
Status = Progress.Status


def _when(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _ref(slug: str, url: str, title: str) -> dict[str, str]:
    return {"roadmap": slug, "url": url, "title": title}


def exported_on(user, *, now: datetime | None = None) -> date:
    """The date an export bears (its file name, its heading): the learner's own date, which
    near midnight is not the server's."""
    return timezone.localdate(now or timezone.now(), zone_of(user))


def export_json(user, *, now: datetime | None = None) -> Iterator[str]:
    """The learner's export as JSON text, in pieces: events are streamed, not held in memory."""
    resource_fields = ("resource__roadmap__slug", "resource__url", "resource__title")
    public = PublicProfile.objects.filter(user=user).first()
    head = {
        "schema": SCHEMA,
        # The learner's local time: the same instant, with the offset of the date it bears.
        "exported_at": timezone.localtime(now or timezone.now(), zone_of(user)).isoformat(),
        "site": settings.SITE_NAME,
        "account": {"email": user.email, "date_joined": _when(user.date_joined)},
        "settings": {
            "time_zone": user.time_zone,
            "count_skipped_as_done": user.count_skipped_as_done,
            "public_page": {
                "handle": public.handle,
                "enabled": public.is_enabled,
                "allow_indexing": public.allow_indexing,
                "show_map": public.show_map,
            }
            if public
            else None,
        },
        "progress": [
            {
                "resource": _ref(slug, url, title),
                "status": status,
                "bookmark": bookmark,
                "updated_at": _when(updated),
            }
            for status, bookmark, updated, slug, url, title in Progress.objects.for_user(user)
            .order_by("resource__roadmap__order", "resource__section__order", "resource__order")
            .values_list("status", "bookmark", "updated_at", *resource_fields)
        ],
        "notes": [
            {
                "resource": _ref(slug, url, title),
                "body": body,
                "public": is_public,
                "created_at": _when(created),
                "updated_at": _when(updated),
            }
            for body, is_public, created, updated, slug, url, title in Note.objects.for_user(user)
            .order_by("resource__roadmap__order", "resource__section__order", "resource__order")
            .values_list("body", "public__pk", "created_at", "updated_at", *resource_fields)
        ],
    }
    for note in head["notes"]:
        note["public"] = note["public"] is not None
    for part in settings_parts.parts():
        head["settings"][part.key] = part.export(user)
    head["groups"] = groups_of(user)
    text = json.dumps(head, ensure_ascii=False, indent=1)
    yield text[: text.rindex("}")].rstrip() + ',\n "events": ['
    events = (
        Event.objects.for_user(user)
        .order_by("created_at", "pk")
        .values_list("kind", "status", "created_at", *resource_fields)
        .iterator(chunk_size=2000)
    )
    separator = "\n  "
    for kind, status, created, slug, url, title in events:
        row = {"resource": _ref(slug, url, title), "kind": kind, "status": status}
        row["created_at"] = _when(created)
        yield separator + json.dumps(row, ensure_ascii=False)
        separator = ",\n  "
    yield "\n ]\n}\n"


def _status_box(status: str | None) -> str:
    return {Status.DONE: "[x]", Status.IN_PROGRESS: "[~]", Status.SKIPPED: "[-]"}.get(status, "[ ]")


def export_markdown(user, *, now: datetime | None = None) -> str:
    """Notes and progress as one study document, in the order the roadmaps teach."""
    states = {
        resource_id: (status, bookmark)
        for resource_id, status, bookmark in Progress.objects.for_user(user).values_list(
            "resource_id", "status", "bookmark"
        )
    }
    notes = {note.resource_id: note for note in Note.objects.for_user(user)}
    labels = dict(Status.choices)
    lines = [
        "# " + gettext("My study notes · %(site)s") % {"site": settings.SITE_NAME},
        "",
        gettext("Exported %(date)s. [x] done, [~] in progress, [-] skipped.")
        % {"date": date_format(exported_on(user, now=now), "DATE_FORMAT")},
    ]
    for part in settings_parts.parts():
        if part_lines := part.markdown(user):
            lines += ["", *part_lines]
    shown: set[int] = set()
    for roadmap in Roadmap.objects.published():
        curriculum = curriculum_of(roadmap)
        lines += ["", f"## {roadmap.title}"]
        for entry in curriculum.entries:
            lines += ["", f"{'#' * min(3 + entry.depth, 6)} {entry.section.title}", ""]
            for group in entry.groups:
                for resource in group.resources:
                    shown.add(resource.pk)
                    lines += _resource_lines(resource, states, notes, labels)
    leftovers = [pk for pk in (*states, *notes) if pk not in shown]
    if leftovers:
        lines += ["", "## " + gettext("No longer on the roadmap"), ""]
        for resource in Resource.objects.filter(pk__in=set(leftovers)).order_by("title"):
            lines += _resource_lines(resource, states, notes, labels)
    return "\n".join(lines).rstrip() + "\n"


def _resource_lines(resource, states, notes, labels) -> list[str]:
    status, bookmark = states.get(resource.pk, (None, ""))
    title = resource.title.replace("[", "\\[").replace("]", "\\]")
    line = f"- {_status_box(status)} [{title}]({resource.url})"
    if resource.author:
        line += f" · {resource.author}"
    if status and status != Status.NOT_STARTED:
        line += f" · {labels[status].lower()}"
    lines = [line]
    if bookmark:
        lines.append(f"  - Bookmark: {bookmark}")
    note = notes.get(resource.pk)
    if note is not None:
        lines.append("")
        lines += [f"  {line}".rstrip() for line in note.body.strip().splitlines()]
        lines.append("")
    return lines


# Import: validation.
