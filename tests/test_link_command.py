"""``manage.py check_links``: what it checks, what it stores, and what it prints."""

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from linkhealth.checker import Result
from linkhealth.models import LinkCheck, LinkCheckRun
from tests.conftest import make_resource, make_section

pytestmark = pytest.mark.django_db


def check_links(*args) -> str:
    out = StringIO()
    call_command("check_links", *args, stdout=out)
    return out.getvalue()


def test_json_prints_one_object_per_url_with_its_outcome(link_server):
    section = make_section()
    for path in ("/ok", "/moved", "/missing", "/gone", "/error", "/no-head"):
        make_resource(section, url=link_server.url(path))
    rows = {row["url"]: row for row in json.loads(check_links("--json"))}
    assert len(rows) == 6
    for row in rows.values():
        assert {"url", "outcome", "http_status", "final_url", "status"} <= row.keys()
    assert rows[link_server.url("/ok")]["outcome"] == "ok"
    moved = rows[link_server.url("/moved")]
    assert (moved["outcome"], moved["final_url"]) == ("redirected", link_server.url("/ok"))
    gone = rows[link_server.url("/gone")]
    assert (gone["outcome"], gone["http_status"]) == ("broken", 410)
    assert rows[link_server.url("/no-head")]["outcome"] == "ok"


def test_a_link_counts_as_broken_only_after_two_failed_checks_in_a_row(link_server):
    url = link_server.url("/toggle")
    make_resource(url=url)
    check_links()
    first = LinkCheck.objects.get(url=url)
    assert (first.outcome, first.status, first.consecutive_failures) == ("broken", "failing", 1)
    check_links()
    second = LinkCheck.objects.get(url=url)
    assert (second.status, second.consecutive_failures, second.http_status) == ("broken", 2, 404)
    link_server.toggle_ok = True
    check_links()
    healed = LinkCheck.objects.get(url=url)
    assert (healed.status, healed.consecutive_failures) == ("ok", 0)


def test_one_failure_after_a_success_is_not_reported_as_broken(link_server):
    url = link_server.url("/toggle")
    make_resource(url=url)
    link_server.toggle_ok = True
    check_links()
    link_server.toggle_ok = False
    check_links()
    assert LinkCheck.objects.get(url=url).status == "failing"


def test_the_human_output_lists_each_link_and_a_tally(link_server):
    section = make_section()
    make_resource(section, url=link_server.url("/ok"))
    make_resource(section, url=link_server.url("/missing"))
    out = check_links()
    assert link_server.url("/ok") in out and link_server.url("/missing") in out
    assert "HTTP 404" in out
    assert "Checked 2 links: 1 failed once, 1 ok." in out


def test_roadmap_limits_the_check_to_that_roadmap(link_server):
    wanted = make_resource(url=link_server.url("/ok"))
    other = make_resource(url=link_server.url("/gone"))
    rows = json.loads(check_links("--roadmap", wanted.roadmap.slug, "--json"))
    assert [row["url"] for row in rows] == [wanted.url]
    assert not LinkCheck.objects.filter(url=other.url).exists()
    run = LinkCheckRun.objects.get()
    assert (run.trigger, run.roadmap_slug, run.checked) == ("command", wanted.roadmap.slug, 1)


def test_an_unknown_roadmap_is_a_clear_error():
    with pytest.raises(CommandError, match="No roadmap with the slug 'nope'"):
        check_links("--roadmap", "nope")


def test_unpublished_resources_and_sections_are_not_checked(link_server):
    make_resource(url=link_server.url("/ok"), is_published=False)
    make_resource(make_section(is_published=False), url=link_server.url("/gone"))
    assert json.loads(check_links("--json")) == []
    assert link_server.requests == []


def test_a_url_shared_by_two_roadmaps_is_fetched_once(link_server):
    url = link_server.url("/ok")
    make_resource(url=url)
    make_resource(url=url)
    assert len(json.loads(check_links("--json"))) == 1
    assert link_server.requests == [("HEAD", "/ok")]


def test_without_network_every_link_is_unreachable_not_broken():
    section = make_section()
    make_resource(section, url="https://one.invalid/")
    make_resource(section, url="https://two.invalid/page")
    rows = json.loads(check_links("--json"))
    assert {row["outcome"] for row in rows} == {"unreachable"}
    assert {row["http_status"] for row in rows} == {None}


def test_private_addresses_are_refused_unless_allowed(link_server, settings):
    settings.LINKCHECK_ALLOW_PRIVATE = False
    make_resource(url=link_server.url("/ok"))
    [row] = json.loads(check_links("--json"))
    assert row["outcome"] == "unreachable" and "non-public" in row["error"]
    assert link_server.requests == []


def test_a_full_check_forgets_links_no_resource_uses_any_more(link_server):
    resource = make_resource(url=link_server.url("/ok"))
    check_links()
    resource.url = link_server.url("/gone")
    resource.save()
    check_links("--roadmap", resource.roadmap.slug)  # one roadmap's check keeps the rest
    assert LinkCheck.objects.filter(url=link_server.url("/ok")).exists()
    check_links()
    assert list(LinkCheck.objects.values_list("url", flat=True)) == [resource.url]


def test_recording_the_same_url_twice_in_one_go_keeps_one_row():
    url = "https://example.com/twice"
    LinkCheck.objects.record([Result(url, "broken", 404), Result(url, "broken", 404)])
    assert LinkCheck.objects.get(url=url).consecutive_failures == 1
