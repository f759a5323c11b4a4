"""The bench's data, built in-process: ``bench-10x`` (the real roadmap copied ``scale`` times)
and a learner with progress on 40% and notes on 10% of both roadmaps; two resources in three of
the copy carry an estimated time.

Runs inside Django (``django.setup()`` done, bench settings) against the freshly migrated
database, after ``sync_curriculum`` loaded the real curriculum.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from bench import BIG_SLUG, LEARNER_EMAIL, BenchError

if TYPE_CHECKING:
    from accounts.models import User
    from roadmap.models import Roadmap


def copy_url(url: str, copy: int) -> str:
    parts = urlsplit(url)
    query = urlencode([*parse_qsl(parts.query, keep_blank_values=True), ("bench-copy", copy)])
    return urlunsplit(parts._replace(query=query))


def build(scale: int) -> tuple[Roadmap, Roadmap, User]:
    """The real roadmap (1x), its copy ``scale`` times over (10x), and the learner."""
    from django.db import transaction

    from accounts.models import User
    from roadmap.markdown import render_markdown
    from roadmap.models import Note, Progress, Resource, Roadmap, Section

    real = Roadmap.objects.published().first()
    if real is None:
        raise BenchError("sync_curriculum left no published roadmap to copy.")

    with transaction.atomic():
        big = Roadmap.objects.create(
            slug=BIG_SLUG,
            title=f"{real.title} ×{scale} (bench)",
            description=real.description,
            order=real.order + 1000,  # the home page stays the real, 1x roadmap
            is_published=True,
        )
        sections = list(Section.objects.filter(roadmap=real).order_by("order", "pk"))
        resources = list(Resource.objects.filter(roadmap=real).order_by("order", "pk"))
        span = max((s.order for s in sections), default=0) + 1
        copies: list[Resource] = []
        for k in range(1, scale + 1):
            mapping: dict[int, Section] = {}
            pending = sections[:]
            while pending:  # parents before their children
                ready = [s for s in pending if s.parent_id is None or s.parent_id in mapping]
                if not ready:
                    raise BenchError("The curriculum's sections nest in a cycle.")
                for s in ready:
                    mapping[s.pk] = Section.objects.create(
                        roadmap=big,
                        parent=mapping.get(s.parent_id),
                        title=s.title if k == 1 else f"{s.title} ({k})",
                        slug=f"x{k}-{s.slug}"[:80],
                        intro=s.intro,
                        group_intros=s.group_intros,
                        order=k * span + s.order,
                        is_published=s.is_published,
                    )
                    pending.remove(s)
            copies += [
                Resource(
                    roadmap=big,
                    section=mapping[r.section_id],
                    title=r.title,
                    url=copy_url(r.url, k),
                    author=r.author,
                    description=r.description,
                    kind=r.kind,
                    level=r.level,
                    # The real curriculum states no lengths; here two resources in three have
                    # an estimate, so the page computes time left as a curated one would.
                    estimated_minutes=r.estimated_minutes or (15 * (j % 8 + 1) if j % 3 else None),
                    order=r.order,
                    is_published=r.is_published,
                )
                for j, r in enumerate(resources)
            ]
        Resource.objects.bulk_create(copies)
        Roadmap.objects.filter(pk=big.pk).touch()  # bulk_create sends no signal

        learner = User.objects.create_user(email=LEARNER_EMAIL)  # no password: force_login
        progress, notes = [], []
        for roadmap in (real, big):
            ordered = Resource.objects.filter(roadmap=roadmap).order_by(
                "section__order", "order", "pk"
            )
            for i, resource in enumerate(ordered):
                # All four statuses (40% done, 10% in progress, 10% skipped, the rest not
                # started) and a bookmark on 10%: the in-progress ones, as a learner would.
                if i % 5 in (0, 1):
                    progress.append(Progress(user=learner, resource=resource))
                elif i % 10 == 2:
                    progress.append(
                        Progress(
                            user=learner,
                            resource=resource,
                            status=Progress.Status.IN_PROGRESS,
                            bookmark=f"video {i % 12 + 1}, {i % 60}:40",
                        )
                    )
                elif i % 10 == 3:
                    progress.append(
                        Progress(user=learner, resource=resource, status=Progress.Status.SKIPPED)
                    )
                if i % 10 == 2:  # 10%
                    body = f"Note {i}: the **key idea**, and [a link](https://example.com/{i})."
                    notes.append(Note(user=learner, resource=resource, body=body, body_html=""))
        for note in notes:
            note.body_html = render_markdown(note.body)
        Progress.objects.bulk_create(progress)
        Note.objects.bulk_create(notes)

    return real, big, learner


def summary(real: Roadmap, big: Roadmap, learner: User) -> dict:
    """The sizes the report states, and the resource the wrk POST checks off and on."""
    from roadmap.models import Note, Progress, Resource, Section

    big_resources = Resource.objects.published().filter(roadmap=big)
    done_ids = set(Progress.objects.filter(user=learner).values_list("resource_id", flat=True))
    candidates = [
        r.pk
        for r in big_resources.filter(section__parent__isnull=False).order_by("order", "pk")
        if r.pk in done_ids
    ]
    return {
        "roadmap_1x": real.slug,
        "resources_1x": Resource.objects.published().filter(roadmap=real).count(),
        "resources_10x": big_resources.count(),
        "sections_10x": Section.objects.published().filter(roadmap=big).count(),
        "progress_10x": Progress.objects.filter(user=learner, resource__roadmap=big).count(),
        "notes_10x": Note.objects.filter(user=learner, resource__roadmap=big).count(),
        "post_resource_id": candidates[len(candidates) // 2],
    }


def build_learners(roadmap: Roadmap, count: int) -> list[User]:
    """``count`` more learners, each with progress of their own on ``roadmap``: statuses on
    about half its resources, shifted by one resource from one learner to the next, a bookmark
    and a note, so that no two see the same page."""
    from django.contrib.auth.hashers import make_password
    from django.db import transaction

    from accounts.models import User
    from roadmap.markdown import render_markdown
    from roadmap.models import Note, Progress, Resource

    resources = list(Resource.objects.published().filter(roadmap=roadmap).order_by("order", "pk"))
    if not resources:
        raise BenchError(f"{roadmap.slug} has no published resources for the learners.")
    body = "The **key idea**, and [a link](https://example.com/)."
    html = render_markdown(body)
    with transaction.atomic():
        learners = User.objects.bulk_create(
            User(email=f"learner-{k}@bench.invalid", password=make_password(None))
            for k in range(count)
        )
        progress, notes = [], []
        for k, learner in enumerate(learners):
            for j, resource in enumerate(resources):
                turn = (j + k) % 10
                if turn in (0, 1, 4, 7):
                    status = Progress.Status.DONE
                elif turn == 3:
                    status = Progress.Status.SKIPPED
                elif turn == 2:
                    status = Progress.Status.IN_PROGRESS
                else:
                    continue
                bookmark = f"page {k % 300 + 1}" if turn == 2 and j < 10 else ""
                progress.append(
                    Progress(user=learner, resource=resource, status=status, bookmark=bookmark)
                )
            note_on = resources[k % len(resources)]
            notes.append(Note(user=learner, resource=note_on, body=body, body_html=html))
        Progress.objects.bulk_create(progress, batch_size=5000)
        Note.objects.bulk_create(notes, batch_size=5000)
    return learners


def signed_in_sessions(learners: list[User]) -> list[str]:
    """A session key for each learner, signed in as ``force_login`` would, and seen just now
    (so that the first request does not record the browser, as a returning learner's)."""
    import time
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY

    from accounts.middleware import ACTIVITY_KEY

    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    keys = []
    for learner in learners:
        session = store()
        session[SESSION_KEY] = learner._meta.pk.value_to_string(learner)
        session[BACKEND_SESSION_KEY] = backend
        session[HASH_SESSION_KEY] = learner.get_session_auth_hash()
        session[ACTIVITY_KEY] = int(time.time())
        session.create()
        keys.append(session.session_key)
    return keys
