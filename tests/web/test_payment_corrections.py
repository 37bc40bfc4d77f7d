"""Correcting a payment or an advance from its page (rule E7): the officer's form, the correction shown
next to what it corrects, and nobody else may post it."""
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import JournalEntry
from ledger.selectors import application_balances
from services import advances
from tests.scenarios import cash, claim_and_pay, months, report

D = Decimal


@pytest.fixture
def paid(example, applicant, officer, second_officer):
    application, x, _y, reps = example
    cash(application, applicant, "100000.00", "V1")
    report(x, reps, months(application, 0), "80")
    return application, claim_and_pay(application, applicant, officer, second_officer)


@pytest.mark.django_db
def test_officer_corrects_a_returned_payment_from_the_claim_page(as_user, paid, officer, applicant):
    application, claim = paid
    page_url = reverse("web:claim_detail", args=[application.reference, claim.number])
    assert "Correct this payment" in as_user(officer).get(page_url).content.decode()
    response = as_user(officer).post(reverse("web:claim_correct_payment", args=[application.reference, claim.number]),
                                     {"amount": "14 000", "reason": "Returnerad av banken"}, follow=True)
    page = response.content.decode()
    assert "goes back to the commitment" in page
    assert "14,000.00 kr did not reach the beneficiary" in page and "Returnerad av banken" in page
    assert application_balances(application).net_paid == D("50000.00")
    # the applicant sees the correction beside the payment, without the form
    applicant_page = as_user(applicant).get(page_url).content.decode()
    assert "did not reach the beneficiary" in applicant_page and "Correct this payment" not in applicant_page


@pytest.mark.django_db
def test_payment_correction_beyond_the_payment_is_refused_with_the_figure(as_user, paid, officer):
    application, claim = paid
    response = as_user(officer).post(reverse("web:claim_correct_payment", args=[application.reference, claim.number]),
                                     {"amount": "64000.01", "reason": "Returnerad"}, follow=True)
    assert "At most 64,000.00 kr" in response.content.decode()
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.CORRECTION).exists()


@pytest.mark.django_db
def test_applicant_cannot_post_a_payment_correction(as_user, paid, applicant):
    application, claim = paid
    response = as_user(applicant).post(reverse("web:claim_correct_payment", args=[application.reference, claim.number]),
                                       {"amount": "100", "reason": "x"})
    assert response.status_code == 404
    assert not JournalEntry.objects.filter(kind=JournalEntry.Kind.CORRECTION).exists()


@pytest.mark.django_db
def test_officer_corrects_a_returned_advance_from_the_advance_page(as_user, example, officer):
    application, _x, _y, _reps = example
    advances.pay_advance(application, by=officer, amount="150000.00", reason="Uppstart.")
    detail = as_user(officer).get(reverse("web:application_detail", args=[application.reference])).content.decode()
    assert reverse("web:advance_create", args=[application.reference]) in detail
    response = as_user(officer).post(reverse("web:advance_correct", args=[application.reference]),
                                     {"amount": "50000", "reason": "Fel konto"}, follow=True)
    assert "50,000.00 kr did not reach the beneficiary" in response.content.decode()
    assert application_balances(application).advanced == D("100000.00")


@pytest.mark.django_db
def test_claim_page_shows_how_the_advance_is_offset(as_user, example, applicant, officer, second_officer):
    # rule T6: advance 150 000; the claim verifies Cv 100 000 and Kv 64 000, so P = 64 000 is covered,
    # 86 000 is still to be offset, and the claim pays nothing
    application, x, _y, reps = example
    advances.pay_advance(application, by=officer, amount="150000.00", reason="Uppstart.")
    cash(application, applicant, "100000.00", "V1")
    report(x, reps, months(application, 0), "80")
    claim = claim_and_pay(application, applicant, officer, second_officer)
    assert claim.payable_amount == D("0.00")
    page = as_user(applicant).get(reverse("web:claim_detail", args=[application.reference, claim.number]))
    html = page.content.decode()
    assert "advance of 150,000.00 kr" in html
    assert 'data-advance-covered>64,000.00 kr' in html and 'data-advance-uncovered>86,000.00 kr' in html
