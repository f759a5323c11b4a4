"""The in-process phase: inside Django, with the bench settings and Django's test client.

Run as ``python -m bench --internal prepare OUT`` by the orchestration: it builds the data
(``bench.data``), signs the learner in for wrk, and runs every page module (``bench.pages``).
The modules measure with ``bench.measure``, which ``bench.pages.Context`` offers them.
"""

from __future__ import annotations

import re
from dataclasses import asdict

from bench import HOST, BenchError
from bench.pages import Context, measure_all


def prepare(scale: int, learners: int) -> dict:
    """Build bench-10x and the learner, sign the learner in for wrk, run the page modules, then
    add ``learners`` more learners on the 1x roadmap, signed in, for the many-learner run."""
    import django

    django.setup()

    from django.conf import settings
    from django.test import Client

    from bench import data

    real, big, learner = data.build(scale)
    facts = data.summary(real, big, learner)

    # wrk's session and CSRF token come from a client of their own, so that no page module
    # can sign them out. Django's test client says Host: testserver; the bench allows only
    # 127.0.0.1.
    for_wrk = Client(SERVER_NAME=HOST)
    for_wrk.force_login(learner)
    big_url = big.get_absolute_url()
    page = for_wrk.get(big_url)
    if page.status_code != 200:
        raise BenchError(f"The signed-in learner got {page.status_code} from {big_url}.")
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
    session_name, csrf_name = settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME
    if match is None or csrf_name not in for_wrk.cookies:
        raise BenchError("The signed-in roadmap page carries no CSRF token.")

    client = Client(SERVER_NAME=HOST)
    client.force_login(learner)
    ctx = Context(
        learner=learner,
        client=client,
        anon=Client(SERVER_NAME=HOST),
        roadmap_1x=real,
        roadmap_10x=big,
        scale=scale,
    )
    lines = measure_all(ctx)
    # After the page modules, whose figures count learners (statistics) and must not move.
    many = data.build_learners(real, learners)
    return {
        **facts,
        # Production names them __Host-sessionid and __Host-csrftoken (settings.py).
        "session_cookie": f"{session_name}={for_wrk.cookies[session_name].value}",
        "csrf_cookie": f"{csrf_name}={for_wrk.cookies[csrf_name].value}",
        "csrf_token": match.group(1),
        "learner_cookies": [f"{session_name}={key}" for key in data.signed_in_sessions(many)],
        "page_bytes_10x_signed_in": len(page.content),
        "details": ctx.details,
        "pages": {
            name: [{**asdict(line), "ok": bool(line.ok)} for line in found]
            for name, found in lines.items()
        },
    }
