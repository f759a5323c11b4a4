# syntax=docker/dockerfile:1
# LLM Roadmap: docker build -t llm-roadmap . (or docker compose build; see the README).
# Its steps are the ones tests/test_entrypoint.py runs outside Docker.

# Build: the locked dependencies in /app/.venv, the code, and the collected static files.
FROM python:3.13-slim-bookworm AS build

ENV PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PIP_ROOT_USER_ACTION=ignore \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PYTHON_DOWNLOADS=never \
    UV_PROJECT_ENVIRONMENT=/app/.venv
RUN pip install --no-cache-dir uv==0.13.9

WORKDIR /app
COPY pyproject.toml uv.lock .python-version ./
RUN --mount=type=cache,target=/root/.cache/uv \
    uv sync --locked --no-dev --no-install-project

COPY . .
# Settings refuse DEBUG=0 without a secret key; this one exists for this line only.
RUN DEBUG=0 SECRET_KEY=collectstatic-at-build-time-only .venv/bin/python manage.py collectstatic --no-input

# Run: the same Python, no build tools, a user that cannot write the code.
FROM python:3.13-slim-bookworm

# Production unless the operator says otherwise: without SECRET_KEY the app refuses to start.
ENV DEBUG=0 \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PATH="/app/.venv/bin:$PATH"
RUN groupadd --system --gid 999 app \
    && useradd --system --uid 999 --gid app --no-log-init --no-create-home app

WORKDIR /app
COPY --from=build /app /app

USER 999:999
EXPOSE 8000
HEALTHCHECK --start-period=60s --interval=30s --timeout=5s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(f\"http://127.0.0.1:{os.environ.get('PORT', '8000')}/healthz\", timeout=4)"]
ENTRYPOINT ["/app/scripts/entrypoint.sh"]
CMD ["gunicorn", "-c", "python:config.gunicorn_conf", "config.wsgi"]
