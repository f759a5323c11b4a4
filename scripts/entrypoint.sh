#!/usr/bin/env bash
# Start of the web container (and of any deployment without Docker): wait for the database,
# migrate, apply the curriculum if it changed, then run the command, gunicorn by default.
# Every step is safe to repeat, so restarting or upgrading a container needs nothing else.
set -euo pipefail
cd "$(dirname "$0")/.."

if [[ $# -eq 0 ]]; then
    set -- gunicorn -c python:config.gunicorn_conf config.wsgi
fi

export DB_WAIT_SECONDS="${DB_WAIT_SECONDS:-60}"
if [[ ! $DB_WAIT_SECONDS =~ ^[0-9]+$ ]]; then
    echo "entrypoint: DB_WAIT_SECONDS must be a whole number of seconds, not '$DB_WAIT_SECONDS'" >&2
    exit 2
fi

echo "entrypoint: waiting up to ${DB_WAIT_SECONDS}s for the database"
python - <<'PY'
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()
from django.db import OperationalError, connection  # noqa: E402

if connection.vendor == "postgresql":
    # A host that drops packets must not hold one attempt past the deadline.
    connection.settings_dict["OPTIONS"].setdefault("connect_timeout", 5)
deadline = time.monotonic() + int(os.environ["DB_WAIT_SECONDS"])
while True:
    try:
        connection.ensure_connection()
        break
    except OperationalError as exc:
        if time.monotonic() >= deadline:
            sys.exit(
                f"entrypoint: gave up: the database did not answer within "
                f"{os.environ['DB_WAIT_SECONDS']}s (check DATABASE_URL): {exc}".strip()
            )
        time.sleep(1)
connection.close()
PY

python manage.py migrate --no-input
python manage.py sync_curriculum
# Django never deletes expired sessions by itself; every start (and every upgrade) does.
python manage.py clearsessions

exec "$@"
