"""The benchmark's plug-in point for feature budgets (``bench/pages/``) and its database name.

The bench itself runs with ``make bench``; these tests cover what other features rely on when
they add a module: discovery, name order, one failed line for a module that breaks, and the
``Context`` helpers measuring real requests.
"""

import sys

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

import bench.pages
from bench import BenchError
from bench.database import DEFAULT_DATABASE, database_name
from bench.pages import Context, Line, discover, measure_all
from bench.report import feature_budgets
from tests.conftest import make_resource, make_roadmap, make_section


@pytest.fixture
def pages_dir(tmp_path, monkeypatch):
    """bench/pages/ replaced by an empty folder the test writes modules into."""
    monkeypatch.setattr(bench.pages, "__path__", [str(tmp_path)])
    yield tmp_path
    for name in [m for m in sys.modules if m.startswith("bench.pages.") and "_t_" in m]:
        del sys.modules[name]


def write_module(folder, name: str, body: str) -> None:
    (folder / f"{name}.py").write_text(
        "from bench.pages import Line\n\n\ndef measure(ctx):\n" + body + "\n"
    )


def context(client, anon, learner=None, roadmap=None) -> Context:
    return Context(
        learner=learner,
        client=client,
        anon=anon,
        roadmap_1x=roadmap,
        roadmap_10x=roadmap,
        scale=1,
    )


def test_the_roadmap_page_module_is_found_without_a_list_to_edit():
    assert "roadmap" in discover()


def test_modules_run_in_name_order_and_private_ones_are_skipped(pages_dir, anon):
    write_module(pages_dir, "z_t_last", "    return [Line('last', '1', '≤ 1', True)]")
    write_module(pages_dir, "a_t_first", "    return [Line('first', '2', '≤ 1', False)]")
    write_module(pages_dir, "_t_helper", "    raise AssertionError('never run')")

    results = measure_all(context(anon, anon))

    assert list(results) == ["a_t_first", "z_t_last"]
    assert results["a_t_first"] == [Line("first", "2", "≤ 1", False)]
    assert results["z_t_last"] == [Line("last", "1", "≤ 1", True)]


def test_a_module_that_breaks_is_one_failed_line_and_the_others_still_run(pages_dir, anon):
    write_module(pages_dir, "a_t_raises", "    raise ValueError('no such page')")
    write_module(pages_dir, "b_t_wrong_type", "    return 'PASS'")
    (pages_dir / "c_t_no_measure.py").write_text("X = 1\n")
    write_module(pages_dir, "d_t_fine", "    return [Line('fine', '0', '= 0', True)]")

    results = measure_all(context(anon, anon))

    [raised] = results["a_t_raises"]
    assert raised.ok is False
    assert "ValueError: no such page" in raised.figure
    assert "a_t_raises.py" in raised.figure
    [wrong] = results["b_t_wrong_type"]
    assert wrong.ok is False
    assert "not list[Line]" in wrong.figure
    [missing] = results["c_t_no_measure"]
    assert missing.ok is False
    assert "AttributeError" in missing.figure
    assert results["d_t_fine"] == [Line("fine", "0", "= 0", True)]


@pytest.mark.django_db
def test_ctx_queries_counts_the_sql_of_one_warm_get(alice, alice_client, anon):
    roadmap = make_roadmap()
    make_resource(make_section(roadmap))
    url = roadmap.get_absolute_url()
    ctx = context(alice_client, anon, alice, roadmap)

    counted = ctx.queries(alice_client, url)

    with CaptureQueriesContext(connection) as warm:
        assert alice_client.get(url).status_code == 200
    assert counted == len(warm.captured_queries)
    assert counted > 0


@pytest.mark.django_db
def test_ctx_queries_refuses_a_page_that_does_not_answer_200(alice_client, anon):
    ctx = context(alice_client, anon)

    with pytest.raises(BenchError, match="answered 404"):
        ctx.queries(alice_client, "/roadmaps/no-such-roadmap/")


@pytest.mark.django_db
def test_ctx_render_ms_times_each_sample_after_clearing_the_caches_named(alice_client, anon):
    roadmap = make_roadmap()
    make_resource(make_section(roadmap))
    cleared = []
    ctx = context(alice_client, anon, roadmap=roadmap)

    times = ctx.render_ms(
        alice_client, roadmap.get_absolute_url(), samples=3, forget=[lambda: cleared.append(1)]
    )

    assert len(times) == 3
    assert all(t > 0 for t in times)
    assert len(cleared) == 3


def test_feature_budgets_list_every_module_but_the_roadmaps_and_count_failures(capsys):
    feature_budgets(
        {
            "pages": {
                "notes": [
                    {"name": "notes page queries", "figure": "3", "budget": "≤ 4", "ok": True},
                    {"name": "notes render", "figure": "40.0 ms", "budget": "< 25 ms", "ok": False},
                ],
                "roadmap": [
                    {"name": "render at 10x", "figure": "9 ms", "budget": "< 25 ms", "ok": True}
                ],
            }
        }
    )

    out = capsys.readouterr().out
    assert "Feature budgets" in out
    assert "PASS  notes  notes page queries  ≤ 4" in out
    assert "FAIL  notes  notes render" in out
    assert "render at 10x" not in out
    assert "=> 1 of 2 feature budgets met, 1 FAILED" in out


def test_the_bench_database_comes_from_the_flag_then_the_environment(monkeypatch):
    monkeypatch.delenv("BENCH_DATABASE", raising=False)
    assert database_name(None) == DEFAULT_DATABASE == "llm_roadmap_bench"
    monkeypatch.setenv("BENCH_DATABASE", "llm_roadmap_bench_env")
    assert database_name(None) == "llm_roadmap_bench_env"
    assert database_name("llm_roadmap_bench_flag") == "llm_roadmap_bench_flag"


@pytest.mark.parametrize("name", ['bench"; drop', "Bench", "1bench", "x" * 64, "a-b"])
def test_the_bench_refuses_a_database_name_it_could_not_quote_safely(name):
    with pytest.raises(BenchError, match="not a database name"):
        database_name(name)
