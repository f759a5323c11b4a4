"""The roadmap page in another language (issue 21): French costs what English costs.

Translations must not make the page dearer: the signed-in roadmap page in French makes the same
queries as in English, at 1x and at 10x, and its render at 10x with nothing cached (curricula,
items and pages rebuilt for each request, in that language) stays within a few per cent of the
English one. The two languages are timed in alternation, so a busy machine slows both alike.
"""

from __future__ import annotations

import statistics

from django.test import Client

from bench.pages import Context, Line

ROUNDS = 3
SAMPLES = 10  # per round and language
BUDGET_RATIO = 1.15  # French's median render over English's


def measure(ctx: Context) -> list[Line]:
    from roadmap import caches

    french = Client(SERVER_NAME="127.0.0.1", HTTP_ACCEPT_LANGUAGE="fr")
    french.force_login(ctx.learner)
    clients = {"en": ctx.client, "fr": french}
    small, big = ctx.roadmap_1x.get_absolute_url(), ctx.roadmap_10x.get_absolute_url()
    spoken = {lang: client.get(small)["Content-Language"] for lang, client in clients.items()}
    queries = {
        (lang, scale): ctx.queries(client, url)
        for lang, client in clients.items()
        for scale, url in (("1x", small), ("10x", big))
    }
    times: dict[str, list[float]] = {"en": [], "fr": []}
    for _ in range(ROUNDS):
        for lang, client in clients.items():
            times[lang] += ctx.render_ms(client, big, SAMPLES, forget=(caches.clear_all,))
    median = {lang: statistics.median(values) for lang, values in times.items()}
    ratio = median["fr"] / median["en"]
    ctx.details["languages"] = {
        "content_language": spoken,
        "queries": {f"{lang} {scale}": n for (lang, scale), n in queries.items()},
        "render_ms": times,
    }
    return [
        Line(
            "roadmap page's queries at 1x and 10x, English and French",
            ", ".join(f"{lang} {scale}: {n}" for (lang, scale), n in queries.items()),
            "all equal, each page in its language",
            len(set(queries.values())) == 1 and spoken == {"en": "en", "fr": "fr"},
        ),
        Line(
            "roadmap page's render at 10x in French, nothing cached",
            f"{median['fr']:.1f} ms against {median['en']:.1f} ms in English ({ratio:.2f}x)",
            f"<= {BUDGET_RATIO:g}x English",
            ratio <= BUDGET_RATIO,
        ),
    ]
