"""The worked example of the ledger issue, to the öre, through the real services (rules M7, E7)."""
from decimal import Decimal

import pytest
from django.core.management import call_command

from applications.models import Application, FundingCall
from ledger.models import JournalEntry
from ledger.selectors import application_balances, call_uncommitted
from services import corrections, lifecycle
from tests.conftest import move
from tests.factories import PartnerFactory
from tests.scenarios import cash, claim_and_pay, months, report

D = Decimal


@pytest.mark.django_db
def test_worked_example_to_the_ore(example, applicant, officer, second_officer):
    application, x, y, reps = example
    # Claim 1: cash 150 000 + 50 000; X 100 h, Y 60 h → Cv 200 000, Kv 122 000 → pays 122 000.
    cash(application, applicant, "150000.00", "V1")
    cash(application, applicant, "50000.00", "V2")
    report(x, reps, months(application, 0), "100")
    report(y, reps, months(application, 0), "60", person="Bo")
    first = claim_and_pay(application, applicant, officer, second_officer)
    balances = application_balances(application)
    assert (balances.verified_cash, balances.verified_inkind) == (D("200000.00"), D("122000.00"))
    assert first.payable_amount == D("122000.00") and balances.net_paid == D("122000.00")

    # Claim 2: cash 200 000; X 200 h, Y 190 h → Cv 400 000, Kv 415 000 → pays 278 000 (total 400 000).
    cash(application, applicant, "200000.00", "V3")
    report(x, reps, months(application, 1), "100")
    report(x, reps, months(application, 2), "100")
    report(y, reps, months(application, 1), "190", person="Bo")
    second = claim_and_pay(application, applicant, officer, second_officer)
    balances = application_balances(application)
    assert (balances.verified_cash, balances.verified_inkind) == (D("400000.00"), D("415000.00"))
    assert second.payable_amount == D("278000.00") and balances.net_paid == D("400000.00")
    assert balances.verified_hours == D("550.00")

    # Correction: 25 000 of claim 2's cash is ineligible → Cv 375 000 → recovery of 25 000.
    entry = second.journal_entries.get(kind=JournalEntry.Kind.CASH_CONTRIBUTION)
    correction = corrections.record_correction(entry, by=officer, amount="25000.00", reason="Ej stödberättigande.")
    assert correction.corrects == entry
    balances = application_balances(application)
    assert balances.verified_cash == D("375000.00")
    assert balances.recovered == D("25000.00") and balances.net_paid == D("375000.00")

    # Close: the unused 25 000 of the commitment returns to the call budget.
    before = call_uncommitted(application.call)
    _close_with_final_claim(application, applicant, officer, second_officer, reps, x)
    assert call_uncommitted(application.call) - before == D("25000.00")
    balances = application_balances(application)
    assert balances.committed == D("0.00") and balances.released == D("25000.00")
    call_command("verify_ledger")


def _close_with_final_claim(application, applicant, officer, payer, reps, x):
    # A final claim with one more hour that the matching cap makes worth nothing extra.
    report(x, reps, months(application, 3), "1")
    claim_and_pay(application, applicant, officer, payer, final=True)
    assert Application.objects.get(pk=application.pk).state == Application.State.CLOSING
    lifecycle.transition(application, "close", by=officer, comment="Slutrapport godkänd.")
    assert Application.objects.get(pk=application.pk).state == Application.State.CLOSED


@pytest.mark.django_db
def test_claim_one_with_half_inkind_ratio_pays_200000(example, applicant, officer, second_officer, call):
    # Same claim 1 with k = 0.50 pays 200 000: M = min(200 000, 122 000 / 0.5) = 200 000.
    application, x, y, reps = example
    # A decision freezes its policy, so the k = 0.50 case is a fresh application decided under k = 0.50.
    FundingCall.objects.filter(pk=call.pk).update(inkind_ratio=D("0.50"))
    fresh = PartnerFactory(company=x.company, planned_hours=D("300"), hourly_rate=D("800"),
                           application__call=FundingCall.objects.get(pk=call.pk),
                           application__applicant=application.applicant).application
    PartnerFactory(application=fresh, company=y.company, planned_hours=D("250"), hourly_rate=D("700"))
    fresh = move(fresh, "submit", "start_review", "approve", "activate", by_applicant=applicant,
                 by_officer=officer, granted="400000.00")
    x2, y2 = fresh.partners.order_by("id")
    reps2 = {x2.pk: reps[x.pk], y2.pk: reps[y.pk]}
    cash(fresh, applicant, "150000.00", "W1")
    cash(fresh, applicant, "50000.00", "W2")
    report(x2, reps2, months(fresh, 0), "100", person="Cecilia")
    report(y2, reps2, months(fresh, 0), "60", person="David")
    paid = claim_and_pay(fresh, applicant, officer, second_officer)
    assert paid.payable_amount == D("200000.00")
