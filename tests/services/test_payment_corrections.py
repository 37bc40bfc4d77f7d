"""Correcting a payment or an advance that did not reach the beneficiary (rule E7): a reversing entry
that puts the amount back in the commitment, so the next payment pays it again."""
from decimal import Decimal

import pytest
from django.core.management import call_command

from applications.models import Application
from core.errors import RuleViolation
from ledger.models import JournalEntry
from ledger.selectors import application_balances, left_to_correct, payment_records
from services import advances, corrections, lifecycle
from tests.scenarios import cash, claim_and_pay, months, report

D = Decimal


def _first_claim_paid(example, applicant, officer, second_officer):
    """Cv 100 000, Kv 80 h × 800 = 64 000 → P = 64 000 paid."""
    application, x, _y, reps = example
    cash(application, applicant, "100000.00", "V1")
    report(x, reps, months(application, 0), "80")
    claim = claim_and_pay(application, applicant, officer, second_officer)
    return application, claim, claim.journal_entries.get(kind=JournalEntry.Kind.FUND_PAYMENT)


@pytest.mark.django_db
def test_returned_payment_goes_back_to_the_commitment_and_is_paid_again(
        example, applicant, officer, second_officer):
    # rule E7: 14 000 of the 64 000 came back from the bank; the next claim pays it again
    application, claim, payment = _first_claim_paid(example, applicant, officer, second_officer)
    assert claim.payable_amount == D("64000.00")
    before = application_balances(application)

    correction = corrections.record_correction(payment, by=officer, amount="14000.00",
                                               reason="Returnerad av banken: fel kontonummer.")

    assert (correction.kind, correction.corrects, correction.claim) == (JournalEntry.Kind.CORRECTION, payment, claim)
    after = application_balances(application)
    assert after.net_paid == before.net_paid - D("14000.00") == D("50000.00")
    assert after.committed == before.committed + D("14000.00")
    assert left_to_correct(payment) == D("50000.00")
    [record] = payment_records(claim.journal_entries.all())
    assert (record.paid, record.standing, record.corrections) == (D("64000.00"), D("50000.00"), [correction])
    # no recovery: nothing was paid beyond what the rules allow
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.RECOVERY).exists()

    # the next claim (X 10 h = 8 000 more in-kind) pays the 8 000 new and the 14 000 returned
    _application, x, _y, reps = example
    report(x, reps, months(application, 1), "10")
    second = claim_and_pay(application, applicant, officer, second_officer)
    assert second.payable_amount == D("22000.00")
    assert application_balances(application).net_paid == D("72000.00")
    call_command("verify_ledger")


@pytest.mark.django_db
def test_payment_correction_is_bounded_by_what_still_stands(example, applicant, officer, second_officer):
    # rule E7: a reversal never exceeds what it reverses, across corrections
    _application, _claim, payment = _first_claim_paid(example, applicant, officer, second_officer)
    corrections.record_correction(payment, by=officer, amount="60000.00", reason="Returnerad.")
    with pytest.raises(RuleViolation) as exc:
        corrections.record_correction(payment, by=officer, amount="4000.01", reason="Returnerad igen.")
    assert "At most 4,000.00 kr" in exc.value.field_errors["amount"][0]
    with pytest.raises(RuleViolation) as exc:
        corrections.record_correction(payment, by=officer, amount="10.00", reason="x", hours="1")
    assert "no hours" in exc.value.field_errors["hours"][0]


@pytest.mark.django_db
def test_payment_of_a_closed_project_cannot_be_corrected(example, applicant, officer, second_officer):
    # rule E7: after closing the unused commitment is released, so nothing would pay the amount again
    application, _claim, payment = _first_claim_paid(example, applicant, officer, second_officer)
    lifecycle.transition(application, "terminate", by=officer, comment="Avslutas.")
    assert Application.objects.get(pk=application.pk).state == Application.State.TERMINATED
    with pytest.raises(RuleViolation, match="only while the project runs"):
        corrections.record_correction(payment, by=officer, amount="1000.00", reason="Returnerad.")


@pytest.mark.django_db
def test_returned_advance_lowers_the_advance(example, officer):
    # rules E7, T6: 50 000 of a 150 000 advance came back; the project has 100 000 advanced
    application, _x, _y, _reps = example
    advance = advances.pay_advance(application, by=officer, amount="150000.00", reason="Uppstart.")
    corrections.record_correction(advance, by=officer, amount="50000.00", reason="Fel konto.")
    balances = application_balances(application)
    assert (balances.advanced, balances.net_paid) == (D("100000.00"), D("100000.00"))
