"""The bench's own PostgreSQL database, and the environment every bench process runs in.

The database is recreated at the start of a run and dropped at its end. Its name comes from
``--database``, else ``BENCH_DATABASE``, else ``llm_roadmap_bench``: several people (or helpers)
can bench at once on one server, each with a name of their own.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from bench import HOST, ROOT, VENV_BIN, BenchError

PG_PORT = 5432
PG_USER = "postgres"
DEFAULT_DATABASE = "llm_roadmap_bench"


def database_name(given: str | None) -> str:
    name = given or os.environ.get("BENCH_DATABASE") or DEFAULT_DATABASE
    # It is dropped WITH (FORCE) and quoted into SQL: a plain identifier only.
    if not re.fullmatch(r"[a-z_][a-z0-9_]{0,62}", name):
        raise BenchError(
            f"{name!r} is not a database name the bench will drop: use lower-case letters, "
            "digits and underscores (at most 63, not starting with a digit)."
        )
    return name


def database_url(name: str) -> str:
    return f"postgres://{PG_USER}@{HOST}:{PG_PORT}/{name}"


def bench_env(tmp: Path, secret_key: str, database: str) -> dict[str, str]:
    """Production settings from scratch: nothing from the caller's shell but the basics."""
    env = {k: os.environ[k] for k in ("HOME", "LANG", "LC_ALL", "TMPDIR", "TZ") if k in os.environ}
    # Tuning knobs pass through, so that variants can be compared: GUNICORN_THREADS=8 make bench.
    env |= {k: v for k, v in os.environ.items() if k.startswith(("GUNICORN_", "DB_"))}
    env |= {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(ROOT),
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": HOST,
        # Plain HTTP on loopback: no redirect to HTTPS, no HSTS. Session and CSRF cookies stay
        # Secure (settings.py has no switch for that): wrk and the test client send them anyway.
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": database_url(database),
        "STATIC_ROOT": str(tmp / "staticfiles"),
    }
    return env


def admin_connection():
    import psycopg

    try:
        return psycopg.connect(
            host=HOST, port=PG_PORT, user=PG_USER, dbname="postgres", connect_timeout=5,
            autocommit=True,
        )  # fmt: skip
    except psycopg.OperationalError as exc:
        raise BenchError(
            f"PostgreSQL does not answer at {HOST}:{PG_PORT} as {PG_USER}: {exc}".strip()
        ) from exc


def recreate_database(name: str) -> str:
    """Drop and create the database; the server's version string, for the report."""
    with admin_connection() as conn:
        conn.execute("SET statement_timeout = '30s'")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        return conn.execute("SELECT version()").fetchone()[0]


def drop_database(name: str) -> None:
    with admin_connection() as conn:
        conn.execute("SET statement_timeout = '30s'")
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
