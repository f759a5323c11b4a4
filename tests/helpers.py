"""Builders and measures that several test files use (personas and ``make_*`` are in conftest)."""

import hashlib
import os
import re
from pathlib import Path

from allauth.mfa.models import Authenticator
from cryptography.hazmat.primitives.asymmetric import ec
from django.db import connection
from django.test.utils import CaptureQueriesContext
from fido2.cose import ES256
from fido2.webauthn import (
    AttestationObject,
    AttestedCredentialData,
    AuthenticatorAttestationResponse,
    AuthenticatorData,
    CollectedClientData,
    RegistrationResponse,
)

from roadmap.models import Note, Progress, Resource
from tests.conftest import make_resource, make_roadmap, make_section

# The shipped curriculum's Markdown, which fixtures/curriculum.json is made from.
CURRICULUM_MARKDOWN = Path(__file__).resolve().parent.parent / "fixtures" / "llm-roadmap.md"


def build_curriculum(scale: int = 1, slug: str = "llm-roadmap"):
    """A roadmap shaped like the real one (parts with nested sections), ``scale`` times as long."""
    roadmap = make_roadmap(slug=slug, title=f"Roadmap {slug}")
    for p in range(2 * scale):
        part = make_section(roadmap, title=f"Part {p}", intro="Read *these* first.")
        for s in range(2):
            section = make_section(roadmap, title=f"Section {p}.{s}", parent=part)
            for r in range(4):
                level = ["high_level", "theoretical"][r % 2]
                make_resource(section, title=f"Resource {p}.{s}.{r}", level=level, author="Ada")
        make_resource(part, title=f"Direct {p}")
    return roadmap


def give_every_kind_of_state(alice) -> None:
    """All four statuses, bookmarks on 10% and notes on a third of the resources."""
    statuses = list(Progress.Status)
    for i, resource in enumerate(Resource.objects.order_by("pk")):
        status = statuses[i % 4]
        bookmark = f"video {i}, 12:40" if i % 10 == 0 else ""
        if status != Progress.Status.NOT_STARTED or bookmark:
            Progress.objects.create(user=alice, resource=resource, status=status, bookmark=bookmark)
        if i % 3 == 0:
            Note.objects.create(user=alice, resource=resource, body="n", body_html="<p>n</p>")


def bench_context(learner, roadmap):
    """A bench Context (bench/pages) on one small roadmap, standing for both scales: ``learner``
    signed in, and a visitor, as the bench's clients are."""
    from django.test import Client

    from bench.pages import Context

    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(learner)
    return Context(
        learner=learner,
        client=client,
        anon=Client(SERVER_NAME="127.0.0.1"),
        roadmap_1x=roadmap,
        roadmap_10x=roadmap,
        scale=1,
    )


def count_queries(client, url: str = "/", **headers) -> int:
    """The queries a GET of ``url`` makes, which must answer 200: to compare sizes of data, where
    ``django_assert_num_queries`` would pin one number."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **headers)
    assert response.status_code == 200
    return len(queries)


def add_security_key(user) -> None:
    """A registered security key, as allauth stores the browser's answer."""
    key = ec.generate_private_key(ec.SECP256R1())
    credential_id = os.urandom(16)
    attested = AttestedCredentialData.create(
        b"\0" * 16, credential_id, ES256.from_cryptography_key(key.public_key())
    )
    flags = AuthenticatorData.FLAG.UP | AuthenticatorData.FLAG.AT
    auth_data = AuthenticatorData.create(hashlib.sha256(b"testserver").digest(), flags, 0, attested)
    client_data = CollectedClientData.create(
        type="webauthn.create", challenge=b"challenge", origin="http://testserver"
    )
    response = RegistrationResponse(
        raw_id=credential_id,
        response=AuthenticatorAttestationResponse(
            client_data=client_data,
            attestation_object=AttestationObject.create("none", auth_data, {}),
        ),
    )
    Authenticator.objects.create(
        user=user,
        type=Authenticator.Type.WEBAUTHN,
        data={"name": "My key", "credential": dict(response)},
    )


_PER_REQUEST = [
    (re.compile(r'(name="csrfmiddlewaretoken" value=")[^"]+"'), r'\1CSRF"'),
    (re.compile(r'("X-CSRFToken": ")[^"]+"'), r'\1CSRF"'),
    (re.compile(r'( nonce=")[^"]+"'), r'\1NONCE"'),
]


def without_tokens(html: str) -> str:
    """A page with its per-request parts (CSRF tokens, CSP nonces) replaced by fixed text."""
    for pattern, replacement in _PER_REQUEST:
        html = pattern.sub(replacement, html)
    return html
