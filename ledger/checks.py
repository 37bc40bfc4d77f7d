"""System checks: the signing key and the witness directory must exist outside the database (DESIGN §7).

They run with `manage.py check`, `migrate`, `runserver` and `check --deploy`, so a production
start without them fails with one line saying what to set, not with a traceback on the first append.
"""
from django.core.checks import Error, register

from . import keys, witness


@register()
def signing_key_and_witness(app_configs, **kwargs):
    errors = []
    problem = keys.problem()
    if problem:
        errors.append(Error(problem, hint="See README, Configuration: LEDGER_SIGNING_KEY.", id="ledger.E001"))
    problem = witness.problem()
    if problem:
        errors.append(Error(problem, hint="See README, Configuration: LEDGER_WITNESS_DIR.", id="ledger.E002"))
    return errors
