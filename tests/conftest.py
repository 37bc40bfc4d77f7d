"""Shared fixtures: the people and organisations of a typical call, built with the factories."""
import os
from decimal import Decimal

import pytest

from applications.models import Membership
from services import lifecycle
from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    FundingCallFactory,
    MunicipalityFactory,
    PartnerFactory,
    RegionalBodyFactory,
    member,
)

ROLES = Membership.Role


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow on purpose; tests hash many passwords and need no protection."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def immediate_tasks(settings):
    """Background jobs run in-line in tests; tests/test_worker.py runs the real database worker."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session")
def ledger_key_file(tmp_path_factory):
    """One signing key for the whole run, outside the database like in production (DESIGN §7)."""
    path = tmp_path_factory.mktemp("ledger-key") / "signing.key"
    path.write_text(os.urandom(32).hex() + "\n")
    return path


@pytest.fixture(autouse=True)
def ledger_witness(settings, tmp_path, ledger_key_file):
    """Each test gets its own witness directory, so no test sees another's checkpoints; audit
    events are checkpointed as soon as they exist (no settle time: no concurrent writers here)."""
    settings.LEDGER_SIGNING_KEY = ""
    settings.LEDGER_SIGNING_KEY_FILE = str(ledger_key_file)
    settings.LEDGER_WITNESS_DIR = str(tmp_path / "witness")
    settings.LEDGER_AUDIT_SETTLE_SECONDS = 0
    return tmp_path / "witness"
class FixedClock:
    """A clock that stands still until moved: `clock.set(date)`, `clock.advance(days=3)`."""

    def __init__(self, moment):
        self.moment = moment

    def now(self):
        return self.moment

    def today(self):
        from django.utils import timezone

        return timezone.localdate(self.moment)

    def set(self, day, hour=12):
        from datetime import datetime

        from django.utils import timezone

        self.moment = timezone.make_aware(datetime(day.year, day.month, day.day, hour))

    def advance(self, **delta):
        from datetime import timedelta

        self.moment += timedelta(**delta)


@pytest.fixture
def fixed_clock(monkeypatch):
    """Time travel: every `timezone.now()` (core.clock, services, auto_now fields) reads this clock,
    which stands still at the moment the test started and moves only when told to (the factories'
    dates are relative to the real today, so tests move the clock relative to them)."""
    from django.utils import timezone

    fixed = FixedClock(timezone.now())
    monkeypatch.setattr(timezone, "now", fixed.now)
    return fixed


@pytest.fixture
def region():
    return RegionalBodyFactory(name="Region Kalmar län")


@pytest.fixture
def call(region):
    return FundingCallFactory(regional_body=region)


@pytest.fixture
def municipality():
    return MunicipalityFactory(name="Oskarshamns kommun")


@pytest.fixture
def company():
    return CompanyFactory(name="Sensorbolaget AB")


@pytest.fixture
def applicant(municipality):
    return member(ROLES.APPLICANT, municipality, "applicant")


@pytest.fixture
def company_rep(company):
    return member(ROLES.COMPANY, company, "company")


@pytest.fixture
def officer(region):
    return member(ROLES.OFFICER, region, "officer")


@pytest.fixture
def second_officer(region):
    return member(ROLES.OFFICER, region, "officer2")


@pytest.fixture
def auditor():
    from tests.factories import OrganisationFactory

    authority = OrganisationFactory(name="Ekonomistyrningsverket", kind="audit_authority")
    return member(ROLES.AUDITOR, authority, "auditor")


@pytest.fixture
def outsider():
    return member(ROLES.APPLICANT, MunicipalityFactory(name="Annan kommun"), "outsider")


@pytest.fixture
def draft(call, municipality, company):
    """A draft that satisfies every submission rule: C 400 000, K 500 h × 800 = 400 000."""
    application = ApplicationFactory(call=call, applicant=municipality, public_cash=Decimal("400000.00"))
    PartnerFactory(application=application, company=company, planned_hours=Decimal("500.00"),
                   hourly_rate=Decimal("800.00"))
    return application


def move(application, *steps, by_applicant, by_officer, granted=None):
    """Drive an application through transitions by name, with the right actor for each."""
    officer_steps = {"start_review", "request_changes", "approve", "reject", "close", "terminate"}
    for step in steps:
        actor = by_officer if step in officer_steps else by_applicant
        if step == "approve":
            lifecycle.approve(application, by=actor, granted=granted, rationale="Uppfyller kriterierna.")
        else:
            lifecycle.transition(application, step, by=actor, comment="Kommentar.")
    return type(application).objects.get(pk=application.pk)


@pytest.fixture
def example(draft, applicant, officer):
    """The worked example of the ledger issue, approved and active (see tests/scenarios.py)."""
    from tests.scenarios import worked_example

    return worked_example(draft, applicant, officer)


@pytest.fixture
def paid(example, applicant, officer, second_officer):
    """The worked example with one claim paid: cash 150 000, X 100 h (× 800 = 80 000) → pays 80 000."""
    from tests.scenarios import cash, claim_and_pay, months, report

    application, x, _y, reps = example
    cash(application, applicant, "150000.00", "VER-1")
    report(x, reps, months(application, 0), "100")
    claim_and_pay(application, applicant, officer, second_officer)
    return application


@pytest.fixture
def active(draft, applicant, officer):
    """The draft, approved for its full requested amount and accepted by the applicant."""
    return move(draft, "submit", "start_review", "approve", "activate", by_applicant=applicant, by_officer=officer)


@pytest.fixture(autouse=True)
def _journal_flushable(request):
    """Transactional tests end with a flush, which the append-only triggers refuse.

    Lift the triggers just for that flush (this fixture's teardown runs before the
    flush) and put them back before the next test starts.
    """
    marker = request.node.get_closest_marker("django_db")
    transactional = bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))
    if not transactional and not {"transactional_db", "live_server"} & set(request.fixturenames):
        yield
        return
    from django.db import connection

    from ledger import retention_triggers, triggers

    request.getfixturevalue("transactional_db")
    triggers.install(connection)
    retention_triggers.install(connection)
    yield
    triggers.remove(connection)
    retention_triggers.remove(connection)


def pytest_collection_modifyitems(config, items):
    """Concurrency tests need PostgreSQL's row locks: deselect them (not skip) on SQLite.

    `make test` runs the suite on SQLite and then on PostgreSQL, where they run.
    """
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        return
    selected = [item for item in items if "postgres" not in item.keywords]
    deselected = [item for item in items if "postgres" in item.keywords]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected
