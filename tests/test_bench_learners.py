"""The bench's many-learner line: a thousand signed-in learners taking turns, one per request,
against one learner repeating the same request (issue 19). These tests cover its parts; the
run itself is ``make bench``."""

import argparse
import re
import shutil

import pytest

from bench.data import build_learners, signed_in_sessions
from bench.load import Endpoint, WrkResult, rotating_cookies_script, run_wrk
from bench.report import many_learners_check
from roadmap.models import Note, Progress
from tests.conftest import make_resource, make_roadmap, make_section
from tests.helpers import without_tokens

pytestmark = pytest.mark.django_db


@pytest.fixture
def roadmap():
    roadmap = make_roadmap(slug="llm")
    section = make_section(roadmap)
    for n in range(12):
        make_resource(section, title=f"Resource {n}")
    return roadmap


def test_each_learner_has_progress_of_their_own_and_a_session_that_signs_them_in(
    roadmap, client, settings
):
    learners = build_learners(roadmap, 5)
    assert Note.objects.count() == 5
    by_learner = [
        set(Progress.objects.filter(user=u).values_list("resource_id", "status")) for u in learners
    ]
    assert all(by_learner) and len({frozenset(p) for p in by_learner}) == 5

    pages = set()
    for learner, key in zip(learners, signed_in_sessions(learners), strict=True):
        client.cookies[settings.SESSION_COOKIE_NAME] = key
        response = client.get("/")
        assert response.wsgi_request.user == learner
        assert "Log out" in response.content.decode()
        pages.add(without_tokens(response.content.decode()))
    assert len(pages) == 5  # five learners, five pages: the run measures many pages


def test_the_wrk_script_takes_the_cookies_in_turn_from_a_place_per_thread():
    endpoint = Endpoint(
        "many", "/", headers={"Cookie": "a", "Accept": "text/html"}, rotate_cookies=["s=1", "s=2"]
    )
    script = rotating_cookies_script(endpoint, threads=2)
    assert '"s=1",\n  "s=2"' in script
    assert 'headers["Accept"] = "text/html"' in script
    assert 'headers["Cookie"] = cookies[n]' in script
    assert '"a"' not in script  # the fixed cookie gives way to the rotating ones
    assert "started * #cookies / 2" in script


@pytest.mark.skipif(shutil.which("wrk") is None, reason="wrk is not installed")
def test_wrk_sends_every_cookie_in_turn(tmp_path):
    """Against a tiny server that counts the cookies it receives."""
    import http.server
    import threading
    from collections import Counter

    seen = Counter()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            seen[self.headers.get("Cookie")] += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.handle_error = lambda request, address: None  # wrk drops its connections at the end
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cookies = [f"sessionid={n}" for n in range(8)]
        endpoint = Endpoint("many", "/", rotate_cookies=cookies)
        args = argparse.Namespace(threads=2, connections=2, duration=1)
        result = run_wrk(shutil.which("wrk"), server.server_address[1], endpoint, args, tmp_path)
    finally:
        server.shutdown()
    assert set(seen) == set(cookies)
    assert max(seen.values()) - min(seen.values()) <= 2  # evenly, in turn
    assert result.requests > 0


def test_the_budget_is_the_median_share_of_the_pairs():
    pairs = [(WrkResult(rps=100), WrkResult(rps=r)) for r in (60, 75, 90)]
    ok, text = many_learners_check(pairs, 1000)
    assert ok
    assert re.search(r"1,000 signed-in learners .* ≥ 70% .*: 75%", text)
    ok, _ = many_learners_check([(WrkResult(rps=100), WrkResult(rps=69))], 1000)
    assert not ok
