"""A learner's JSON export (schema 1, history/exports.py) brought back in.

Import validates the whole file before anything else happens (``parse_export``), previews what
it would change against the learner's current state (``plan_import``), and applies it in one
transaction (``apply_import``), writing progress through the same rule as every other write
(``roadmap.learning.write_progress``); applying the same file again changes nothing.
"""

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import available_timezones

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from history import settings_parts
from history.exports import SCHEMA
from history.models import Event, PublicNote
from insights import section_activity
from roadmap import learning
from roadmap.markdown import render_markdown
from roadmap.models import Note, Progress, Resource

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_ITEMS = 100_000  # rows of one kind in one file: far beyond a real learner, bounds the work
# The dates a file may hold: nothing before anyone could have learned here, nothing from the
# future beyond a day's slack for wrong clocks. Year 1 or 9999 is a mistake or an attack.
EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
AHEAD = timedelta(days=1)
Status = Progress.Status


class InvalidExportFile(ValueError):
    """The file cannot be imported; the message says why, in words for the learner."""


def _text(value: Any, where: str, *, max_length: int, blank: bool = True) -> str:
    if not isinstance(value, str):
        raise InvalidExportFile(_("%(where)s must be text.") % {"where": where})
    if "\x00" in value:
        raise InvalidExportFile(_("%(where)s contains a NUL character.") % {"where": where})
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidExportFile(
            _("%(where)s is not valid Unicode text.") % {"where": where}
        ) from None
    if len(value) > max_length:
        raise InvalidExportFile(
            _("%(where)s is longer than %(limit)d characters.")
            % {"where": where, "limit": max_length}
        )
    if not blank and not value.strip():
        raise InvalidExportFile(_("%(where)s is empty.") % {"where": where})
    return value


def _moment(value: Any, where: str, *, latest: datetime, required: bool = True) -> str | None:
    if value is None and not required:
        return None
    text = _text(value, where, max_length=40)
    try:
        parsed = parse_datetime(text)
    except ValueError:
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidExportFile(
            _("%(where)s is not a date and time with a time zone: %(value)r.")
            % {"where": where, "value": text[:40]}
        )
    if not EARLIEST <= parsed <= latest:
        raise InvalidExportFile(
            _(
                "%(where)s is %(value)r, outside the dates an export can hold: from 1 January "
                "2000 to a day from now."
            )
            % {"where": where, "value": text}
        )
    return parsed.isoformat()


def _resource_ref(value: Any, where: str) -> tuple[str, str, str]:
    if not isinstance(value, dict):
        raise InvalidExportFile(
            _("%(where)s: the resource must name its roadmap and URL.") % {"where": where}
        )
    return (
        _text(
            value.get("roadmap"),
            _("%(where)s: the roadmap") % {"where": where},
            max_length=80,
            blank=False,
        ),
        _text(
            value.get("url"),
            _("%(where)s: the URL") % {"where": where},
            max_length=500,
            blank=False,
        ),
        _text(value.get("title", ""), _("%(where)s: the title") % {"where": where}, max_length=300),
    )


def _rows(data: dict, key: str) -> list:
    rows = data.get(key, [])
    if not isinstance(rows, list):
        raise InvalidExportFile(_("“%(key)s” must be a list.") % {"key": key})
    if len(rows) > MAX_ITEMS:
        raise InvalidExportFile(
            _("“%(key)s” has more than %(limit)d entries.") % {"key": key, "limit": MAX_ITEMS}
        )
    for n, row in enumerate(rows, 1):
        if not isinstance(row, dict):
            raise InvalidExportFile(
                _("%(key)s entry %(n)d must be an object.") % {"key": key, "n": n}
            )
    return rows


def parse_export(raw: bytes, *, user=None, now: datetime | None = None) -> dict:
    """Validate an uploaded export and return it normalised, or raise InvalidExportFile.

    ``user`` is the learner importing, for the checks that depend on them (the settings parts
    of other apps, history/settings_parts.py); without one, they check as for a new learner.
    """
    latest = (now or timezone.now()) + AHEAD
    if len(raw) > MAX_IMPORT_BYTES:
        raise InvalidExportFile(
            _("The file is larger than %(limit)d MB.")
            % {"limit": MAX_IMPORT_BYTES // (1024 * 1024)}
        )
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise InvalidExportFile(
            _("The file is not JSON: upload the export.json you downloaded.")
        ) from None
    if not isinstance(data, dict) or "schema" not in data:
        raise InvalidExportFile(
            _("This JSON file is not an export from LLM Roadmap (no “schema”).")
        )
    if data["schema"] != SCHEMA or isinstance(data["schema"], bool):
        raise InvalidExportFile(
            _("This export uses schema %(found)r; this instance reads schema %(schema)d.")
            % {"found": str(data["schema"])[:20], "schema": SCHEMA}
        )
    out: dict = {
        "schema": SCHEMA,
        "settings": {},
        "parts": {},
        "progress": [],
        "notes": [],
        "events": [],
    }

    found_settings = data.get("settings") or {}
    if not isinstance(found_settings, dict):
        raise InvalidExportFile(_("“settings” must be an object."))
    if "time_zone" in found_settings:
        zone = _text(found_settings["time_zone"], _("The time zone"), max_length=64)
        if zone not in available_timezones():
            raise InvalidExportFile(
                _("The time zone %(zone)r is not one this server knows.") % {"zone": zone[:64]}
            )
        out["settings"]["time_zone"] = zone
    if "count_skipped_as_done" in found_settings:
        if not isinstance(found_settings["count_skipped_as_done"], bool):
            raise InvalidExportFile(_("“count_skipped_as_done” must be true or false."))
        out["settings"]["count_skipped_as_done"] = found_settings["count_skipped_as_done"]
    for part in settings_parts.parts():
        if part.key in found_settings:
            try:
                out["parts"][part.key] = part.parse(found_settings[part.key], user)
            except ValueError as error:
                raise InvalidExportFile(str(error)) from None

    statuses = set(Status.values)
    for n, row in enumerate(_rows(data, "progress"), 1):
        where = _("Progress entry %(n)d") % {"n": n}
        status = row.get("status", Status.NOT_STARTED)
        if status not in statuses:
            raise InvalidExportFile(
                _("%(where)s: unknown status %(value)r.")
                % {"where": where, "value": str(status)[:30]}
            )
        out["progress"].append(
            {
                "resource": _resource_ref(row.get("resource"), where),
                "status": status,
                "bookmark": _text(
                    row.get("bookmark", ""),
                    _("%(where)s: the bookmark") % {"where": where},
                    max_length=200,
                ).strip(),
            }
        )
    for n, row in enumerate(_rows(data, "notes"), 1):
        where = _("Note %(n)d") % {"n": n}
        out["notes"].append(
            {
                "resource": _resource_ref(row.get("resource"), where),
                "body": _text(row.get("body"), where, max_length=settings.NOTE_MAX_LENGTH),
                "created_at": _moment(
                    row.get("created_at"),
                    _("%(where)s: created") % {"where": where},
                    latest=latest,
                    required=False,
                ),
                "updated_at": _moment(
                    row.get("updated_at"),
                    _("%(where)s: updated") % {"where": where},
                    latest=latest,
                    required=False,
                ),
            }
        )
    kinds = set(Event.Kind.values)
    for n, row in enumerate(_rows(data, "events"), 1):
        where = _("Event %(n)d") % {"n": n}
        kind = row.get("kind")
        if kind not in kinds:
            raise InvalidExportFile(
                _("%(where)s: unknown kind %(value)r.") % {"where": where, "value": str(kind)[:30]}
            )
        status = row.get("status") or ""
        if (kind == Event.Kind.STATUS) != (status in statuses):
            raise InvalidExportFile(
                _("%(where)s: a status change needs a status, a note edit none.") % {"where": where}
            )
        out["events"].append(
            {
                "resource": _resource_ref(row.get("resource"), where),
                "kind": kind,
                "status": status,
                "created_at": _moment(
                    row.get("created_at"),
                    _("%(where)s: created_at") % {"where": where},
                    latest=latest,
                ),
            }
        )
    return out


# Import: what it would change, and applying it.


@dataclass
class Plan:
    """What importing a file would do to one learner's data, found by comparing, not writing."""

    progress_added: list = field(default_factory=list)  # (resource, status, bookmark)
    progress_changed: list = field(default_factory=list)  # (resource, old, new, row | None)
    progress_skipped: int = 0
    notes_added: list = field(default_factory=list)  # (resource, entry)
    notes_changed: list = field(default_factory=list)  # (resource, entry, note)
    notes_skipped: int = 0
    events_added: list = field(default_factory=list)  # Event, unsaved
    events_skipped: int = 0
    settings_changed: list = field(default_factory=list)  # (field, label, old, new)
    parts_changed: list = field(default_factory=list)  # (SettingsPart, value, [(label, old, new)])
    missing: list = field(default_factory=list)  # (roadmap slug, url, title), once each

    @property
    def changes(self) -> int:
        return (
            len(self.progress_added)
            + len(self.progress_changed)
            + len(self.notes_added)
            + len(self.notes_changed)
            + len(self.events_added)
            + len(self.settings_changed)
            + sum(len(rows) for _part, _value, rows in self.parts_changed)
        )


def _resolve(data: dict) -> dict[tuple[str, str], Resource]:
    """This instance's resources for the file's (roadmap slug, URL) pairs.

    Only what a learner could mark here: a resource the roadmap page shows, in a published
    roadmap. Anything else (a draft, an unpublished course) is missing, like an unknown URL,
    or its title would appear on the learner's pages. Another instance may call its roadmap
    differently: a URL found in exactly one roadmap here is the same resource.
    """
    sections = ("progress", "notes", "events")
    refs = {tuple(row["resource"][:2]) for key in sections for row in data[key]}
    # The curriculum bounds this query, not the file: a file may name 100,000 unknown URLs.
    shown = Resource.objects.shown().filter(roadmap__is_published=True)
    by_url: dict[str, list[tuple[int, str]]] = {}
    for pk, url, roadmap_slug in shown.values_list("pk", "url", "roadmap__slug"):
        by_url.setdefault(url, []).append((pk, roadmap_slug))
    wanted: dict[tuple[str, str], int] = {}
    for slug, url in refs:
        candidates = by_url.get(url, [])
        exact = [pk for pk, roadmap_slug in candidates if roadmap_slug == slug]
        if exact or len(candidates) == 1:
            wanted[(slug, url)] = (exact or [candidates[0][0]])[0]
    resources = Resource.objects.select_related("roadmap").in_bulk(set(wanted.values()))
    return {ref: resources[pk] for ref, pk in wanted.items()}


def plan_import(user, data: dict) -> Plan:
    plan = Plan()
    resources = _resolve(data)
    missing: dict[tuple[str, str], str] = {}

    def resource_for(ref) -> Resource | None:
        resource = resources.get((ref[0], ref[1]))
        if resource is None:
            missing.setdefault((ref[0], ref[1]), ref[2])
        return resource

    labels = {"time_zone": _("Time zone"), "count_skipped_as_done": _("Count skipped as done")}
    for name, value in data["settings"].items():
        if getattr(user, name) != value:
            plan.settings_changed.append((name, labels[name], getattr(user, name), value))
    # Uploads kept from before parts existed hold none.
    found_parts = data.get("parts", {})
    for part in settings_parts.parts():
        if part.key in found_parts and (rows := part.changes(user, found_parts[part.key])):
            plan.parts_changed.append((part, found_parts[part.key], rows))

    rows = {row.resource_id: row for row in Progress.objects.for_user(user)}
    wanted: dict[int, tuple[Resource, str, str]] = {}
    for entry in data["progress"]:
        resource = resource_for(entry["resource"])
        if resource is not None:
            wanted[resource.pk] = (resource, entry["status"], entry["bookmark"])
    for resource, status, bookmark in wanted.values():
        row = rows.get(resource.pk)
        says_nothing = status == Status.NOT_STARTED and not bookmark
        if row is None and says_nothing:
            plan.progress_skipped += 1
        elif row is None:
            plan.progress_added.append((resource, status, bookmark))
        elif (row.status, row.bookmark) == (status, bookmark):
            plan.progress_skipped += 1
        else:
            old = (row.status, row.bookmark)
            plan.progress_changed.append((resource, old, (status, bookmark), row))

    notes = {note.resource_id: note for note in Note.objects.for_user(user)}
    wanted_notes: dict[int, tuple[Resource, dict]] = {}
    for entry in data["notes"]:
        resource = resource_for(entry["resource"])
        if resource is not None and entry["body"].strip():
            wanted_notes[resource.pk] = (resource, entry)
    for resource, entry in wanted_notes.values():
        note = notes.get(resource.pk)
        if note is None:
            plan.notes_added.append((resource, entry))
        elif note.body == entry["body"]:
            plan.notes_skipped += 1
        else:
            plan.notes_changed.append((resource, entry, note))

    seen = set(
        Event.objects.for_user(user).values_list("resource_id", "kind", "status", "created_at")
    )
    for entry in data["events"]:
        resource = resource_for(entry["resource"])
        if resource is None:
            continue
        created = parse_datetime(entry["created_at"])
        key = (resource.pk, entry["kind"], entry["status"], created)
        if key in seen:
            plan.events_skipped += 1
            continue
        seen.add(key)
        plan.events_added.append(
            Event(
                user=user,
                resource=resource,
                kind=entry["kind"],
                status=entry["status"],
                created_at=created,
            )
        )
    plan.missing = [(slug, url, title) for (slug, url), title in missing.items()]
    return plan


def apply_import(user, data: dict) -> Plan:
    """Apply the file in one transaction; the plan is made again under a lock on the learner.

    Locking the learner's row makes a double-clicked confirm wait for the first one, then find
    nothing left to do. Writes are bulk, and record no events of their own: the file's events
    are the history. Progress goes through ``learning.write_progress``, so the write path's
    rule (a row saying "not started, no bookmark" is deleted) is the one rule.
    """
    with transaction.atomic():
        learning.lock_learner(user)  # before any row lock (roadmap/learning.py)
        get_user_model().objects.select_for_update().filter(pk=user.pk).first()
        plan = plan_import(user, data)

        if plan.settings_changed:
            for name, _label, _old, value in plan.settings_changed:
                setattr(user, name, value)
            user.save(update_fields=[name for name, *_ in plan.settings_changed])
        for part, value, _rows in plan.parts_changed:
            part.apply(user, value)

        # A check-off in another tab may have made a row since the plan: the file still wins.
        learning.write_progress(
            user,
            [
                *plan.progress_added,
                *((resource, *new) for resource, _old, new, _row in plan.progress_changed),
            ],
        )
        now = timezone.now()

        new_notes = Note.objects.bulk_create(
            [
                Note(
                    user=user,
                    resource=resource,
                    body=entry["body"],
                    body_html=render_markdown(entry["body"]),
                )
                for resource, entry in plan.notes_added
            ],
            update_conflicts=True,
            unique_fields=["user", "resource"],
            update_fields=["body", "body_html"],
        )
        # Keep the notes' own dates (bulk_create set them to now).
        for note, (_resource, entry) in zip(new_notes, plan.notes_added, strict=True):
            note.created_at = parse_datetime(entry["created_at"] or "") or now
            note.updated_at = parse_datetime(entry["updated_at"] or "") or now
        Note.objects.bulk_update(new_notes, ["created_at", "updated_at"])
        edited = []
        for _resource, entry, note in plan.notes_changed:
            note.body = entry["body"]
            note.body_html = render_markdown(entry["body"])
            note.updated_at = parse_datetime(entry["updated_at"] or "") or now
            edited.append(note)
        Note.objects.bulk_update(edited, ["body", "body_html", "updated_at"])
        # The text changed: whether it is public is a choice made again, on this instance.
        PublicNote.objects.filter(note__in=edited).delete()

        Event.objects.bulk_create(plan.events_added, batch_size=2000)
        if plan.changes:
            section_activity.refresh_learner(user)
    return plan
