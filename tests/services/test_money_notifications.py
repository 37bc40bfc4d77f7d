"""Who hears about life after approval: amendments (rules A1, A2), an advance (T6) and a reversed payment
(E7) are told to the other side, in their language, with the amount."""
from decimal import Decimal

import pytest
from django.utils import translation

from applications.models import Notification
from services import advances, amendments, corrections, notifications
from tests.scenarios import cash, claim_and_pay, months, report

D = Decimal


@pytest.mark.django_db
def test_amendment_request_tells_officers_and_the_decision_tells_the_applicant(example, applicant, officer):
    application, x, _y, _reps = example
    amendment = amendments.request_amendment(application, by=applicant, reason="Mer tid.", public_cash=None,
                                             end_date=None, partners={x.pk: {"hours": "300"}})
    told = Notification.objects.get(event="amendment_requested")
    assert told.user == officer and told.link.endswith(f"/amendments/{amendment.number}/")
    amendments.refuse_amendment(amendment, by=officer, rationale="Ej motiverat.")
    decided = Notification.objects.get(event="amendment_decided")
    assert decided.user == applicant
    with translation.override("sv"):
        subject, _body = notifications.render(decided)
    assert subject == f"{application.reference}: ändringsansökan avslagen"


@pytest.mark.django_db
def test_advance_tells_the_applicant_the_amount(example, applicant, officer):
    application, _x, _y, _reps = example
    advances.pay_advance(application, by=officer, amount="150000.00", reason="Uppstart.")
    told = Notification.objects.get(event="advance_paid")
    assert told.user == applicant
    with translation.override("sv"):
        subject, body = notifications.render(told)
    assert subject == f"{application.reference}: förskott på 150\u00a0000,00 kr utbetalt"
    assert "kvittas" in body


@pytest.mark.django_db
def test_reversed_payment_tells_the_applicant_the_amount(example, applicant, officer, second_officer):
    application, x, _y, reps = example
    cash(application, applicant, "100000.00", "V1")
    report(x, reps, months(application, 0), "80")
    claim = claim_and_pay(application, applicant, officer, second_officer)
    payment = claim.journal_entries.get(kind="fund_payment")
    corrections.record_correction(payment, by=officer, amount="1000.00", reason="Returnerad.")
    reversed_ = Notification.objects.get(event="payment_corrected")
    assert reversed_.user == applicant
    subject, _body = notifications.render(reversed_)
    assert subject == f"{application.reference}: 1,000.00 kr of a payment reversed"
