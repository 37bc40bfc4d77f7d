"""Settings of the benchmark: the project's own, plus the bench URLs and production-like DEBUG off.

DEBUG stays on in config.settings' eyes (so no secret key, HTTPS redirect or static manifest is
needed), then is switched off here so Django does not log every query the way it does in development.
"""
import os
import tempfile

from config.settings import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"

# The ledger key and the witness (DESIGN §7) of a bench run: its own, shared with the run's child
# processes through the environment, never the development key or witness.
if not os.environ.get("LEDGER_SIGNING_KEY"):
    os.environ["LEDGER_SIGNING_KEY"] = os.urandom(32).hex()
if not os.environ.get("LEDGER_WITNESS_DIR"):
    os.environ["LEDGER_WITNESS_DIR"] = tempfile.mkdtemp(prefix="bench-witness-")
LEDGER_SIGNING_KEY = os.environ["LEDGER_SIGNING_KEY"]
LEDGER_WITNESS_DIR = os.environ["LEDGER_WITNESS_DIR"]
