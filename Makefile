# Everything installs into the project: uv into .tools/, the app and its tools into .venv/.
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := .venv

.PHONY: run test test-fast test-dates lint format bench clean messages

$(UV):
	$(PYTHON) -m venv .tools
	.tools/bin/pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --locked --quiet
	@touch $@

run: .venv/.synced
	$(UV) run --no-sync python manage.py migrate --no-input
	$(UV) run --no-sync python manage.py sync_curriculum
	$(UV) run --no-sync python manage.py runserver 127.0.0.1:$(PORT)

test: .venv/.synced
	$(UV) run --no-sync pytest $(PYTEST_ARGS)

# Everything but the browser tests and those that start the app in processes of its own.
test-fast: .venv/.synced
	$(UV) run --no-sync pytest -m "not browser and not processes" $(PYTEST_ARGS)

# The suite but the browser tests, with every process's clock started at instants where date
# arithmetic goes wrong: a minute before a month and year end, two minutes into 29 February.
# Too slow for .ci/run; run it when you touch anything that computes with dates.
TEST_DATES_INSTANTS ?= 2027-01-31T23:58:00Z 2028-02-29T00:02:00Z
test-dates: .venv/.synced
	@failed=""; for instant in $(TEST_DATES_INSTANTS); do \
		echo "== the suite with the clock at $$instant"; \
		ROADMAP_TEST_NOW=$$instant PYTHONPATH=$(CURDIR)/tests/clock$${PYTHONPATH:+:$$PYTHONPATH} \
			$(UV) run --no-sync pytest -m "not browser" -p no:cacheprovider \
			-W "ignore:Module already imported so cannot be rewritten:pytest.PytestAssertRewriteWarning" \
			$(PYTEST_ARGS) || failed="$$failed $$instant"; \
	done; \
	if [ -n "$$failed" ]; then echo "== failed at:$$failed"; exit 1; fi

lint: .venv/.synced
	$(UV) run --no-sync ruff check .
	$(UV) run --no-sync ruff format --check .
	$(UV) run --no-sync python manage.py makemigrations --check --dry-run
	$(UV) run --no-sync lint-imports --no-cache
	$(UV) run --no-sync hadolint Dockerfile
	$(UV) run --no-sync python scripts/messages.py check

# Update every language's .po from the strings the code marks, then compile the .mo files
# (pure Python: no GNU gettext needed). docs/translating.md.
messages: .venv/.synced
	$(UV) run --no-sync python scripts/messages.py extract
	$(UV) run --no-sync python scripts/messages.py compile

format: .venv/.synced
	$(UV) run --no-sync ruff check --fix .
	$(UV) run --no-sync ruff format .

bench: .venv/.synced
	$(UV) run --no-sync python -m bench

clean:
	rm -rf .venv .tools staticfiles .pytest_cache .ruff_cache
