"""Start every Python process of a test run at the instant in ``ROADMAP_TEST_NOW``.

``make test-dates`` puts this folder first on ``PYTHONPATH``, so the pytest process and
every process the tests start (gunicorn, ``manage.py`` commands, task workers) import it
before anything else and see the machine's clock at that instant, ticking on from there.
time-machine moves only what Python reads as the wall clock: monotonic time, sleeps and
socket timeouts stay real, which the server and link-checker tests rely on.

The folder is on no path outside such a run; ``tests/conftest.py`` starts the same travel
in the pytest process when the variable is set without it.
"""

import os


def travel_to_test_now() -> None:
    destination = os.environ.get("ROADMAP_TEST_NOW", "").strip()
    if not destination:
        return
    import time_machine

    if time_machine.traveller_stack:
        return
    time_machine.travel(destination, tick=True).start()


travel_to_test_now()
