"""seed_demo: loads a non-trivial verified demo, is idempotent, and refuses to run without DEBUG."""
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from applications.models import Application, AuditEvent, Organisation
from ledger.models import Claim, JournalEntry, Posting

STATES = Application.State


def counts():
    return tuple(m.objects.count() for m in (Organisation, Application, JournalEntry, Posting, Claim, AuditEvent))


@pytest.mark.django_db
@override_settings(DEBUG=True)
def test_seed_demo_is_idempotent_and_verifies(capsys):
    call_command("seed_demo")
    first = counts()
    output = capsys.readouterr().out
    for login in ("applicant", "company", "officer", "auditor", "admin"):
        assert f"  {login} " in output
    call_command("seed_demo")
    assert counts() == first
    states = set(Application.objects.values_list("state", flat=True))
    assert {STATES.DRAFT, STATES.SUBMITTED, STATES.UNDER_REVIEW, STATES.CHANGES_REQUESTED, STATES.APPROVED,
            STATES.ACTIVE, STATES.REJECTED, STATES.WITHDRAWN} <= states
    assert Application.objects.count() >= 8
    kinds = set(JournalEntry.objects.values_list("kind", flat=True))
    assert {"commitment", "cash_contribution", "inkind_contribution", "fund_payment", "correction",
            "recovery", "transition", "advance"} <= kinds
    call_command("verify_ledger")
    assert "OK:" in capsys.readouterr().out


@pytest.mark.django_db
@override_settings(DEBUG=False)
def test_seed_demo_refuses_without_debug():
    with pytest.raises(CommandError, match="DEBUG"):
        call_command("seed_demo")
    assert Application.objects.count() == 0
