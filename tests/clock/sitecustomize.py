"""Start every Python process of a test run on one clock, set to ``ROADMAP_TEST_NOW``.

``make test-dates`` puts this folder first on ``PYTHONPATH``, so the pytest process and
every process the tests start (gunicorn, ``manage.py`` commands, task workers) import it
before anything else and see the machine's clock at that instant, ticking on from there.
time-machine moves only what Python reads as the wall clock: monotonic time, sleeps and
socket timeouts stay real, which the server and link-checker tests rely on.

The first process notes in ``ROADMAP_TEST_NOW_FROM`` the real time at which its clock read
the instant; the processes it starts travel to the instant plus the real time since, so a
worker started minutes into the run agrees with the tests on what "now" is.

The folder is on no path outside such a run; ``tests/conftest.py`` calls the same function
in the pytest process when the variable is set without it.
"""

import os
import time
from datetime import datetime, timedelta


def travel_to_test_now() -> None:
    destination = os.environ.get("ROADMAP_TEST_NOW", "").strip()
    if not destination:
        return
    import time_machine

    if time_machine.traveller_stack:
        return
    instant = datetime.fromisoformat(destination)
    real_now = time.time()
    since = os.environ.get("ROADMAP_TEST_NOW_FROM")
    if since:
        instant += timedelta(seconds=real_now - float(since))
    else:
        os.environ["ROADMAP_TEST_NOW_FROM"] = repr(real_now)
    time_machine.travel(instant, tick=True).start()
    time.time()  # time-machine ticks from the first reading: start it now, not when first asked


travel_to_test_now()
