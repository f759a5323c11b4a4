"""Settings for ``python -m bench``: production settings plus a bare view to measure against.

Everything else comes from the environment exactly as in production (``DEBUG=0`` and so on).
"""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
