"""Settings of the benchmark: the project's own, plus the bench URLs and production-like DEBUG off.

DEBUG stays on in config.settings' eyes (so no secret key, HTTPS redirect or static manifest is
needed), then is switched off here so Django does not log every query the way it does in development.
"""
from config.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"
