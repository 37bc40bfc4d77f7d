"""Amendments and advances on the web (rules A1–A3, T6): request beside the current plan, decide, pay."""
from decimal import Decimal

import pytest
from django.urls import reverse

from applications.models import Amendment, Partner
from ledger.selectors import application_balances
from tests.factories import CompanyFactory

D = Decimal


def _request(client, application, **changes):
    partner = application.partners.get()
    data = {"reason": "Större pilot", "public_cash": "450 000", "end_date": application.end_date.isoformat(),
            f"partner_{partner.pk}_hours": "600", f"partner_{partner.pk}_hourly_rate": "800"}
    data.update(changes)
    return client.post(reverse("web:amendment_create", args=[application.reference]), data)


@pytest.mark.django_db
def test_applicant_requests_and_officer_approves_an_amendment(as_user, applicant, officer, active):
    # rules A1, A2
    response = _request(as_user(applicant), active)
    amendment = Amendment.objects.get()
    assert response["Location"] == reverse("web:amendment_detail", args=[active.reference, 1])
    page = as_user(officer).get(response["Location"]).content.decode()
    assert "400,000.00 kr" in page and "450,000.00 kr" in page  # current beside proposed
    as_user(officer).post(reverse("web:amendment_decide", args=[active.reference, 1]),
                          {"decision": "approve", "granted": "450000", "comment": "Ryms i budgeten"})
    amendment.refresh_from_db()
    assert amendment.state == Amendment.State.APPROVED
    assert application_balances(active).approved == D("450000.00")


@pytest.mark.django_db
def test_officer_refuses_with_a_reason(as_user, applicant, officer, active):
    _request(as_user(applicant), active)
    response = as_user(officer).post(reverse("web:amendment_decide", args=[active.reference, 1]),
                                     {"decision": "refuse", "comment": ""})
    assert response.status_code == 400
    as_user(officer).post(reverse("web:amendment_decide", args=[active.reference, 1]),
                          {"decision": "refuse", "comment": "Ej motiverat"})
    assert Amendment.objects.get().state == Amendment.State.REFUSED


@pytest.mark.django_db
def test_amendment_without_reason_is_a_form_error(as_user, applicant, active):
    response = _request(as_user(applicant), active, reason="")
    assert response.status_code == 400 and not Amendment.objects.exists()


@pytest.mark.django_db
def test_company_rep_cannot_open_the_amendment_form(as_user, company_rep, active):
    assert as_user(company_rep).get(reverse("web:amendment_create", args=[active.reference])).status_code == 404


@pytest.mark.django_db
def test_officer_pays_an_advance_within_the_limit(as_user, officer, active):
    # rule T6
    client = as_user(officer)
    url = reverse("web:advance_create", args=[active.reference])
    assert client.post(url, {"amount": "999999999", "reason": "För mycket"}).status_code == 400
    client.post(url, {"amount": "100 000", "reason": "Uppstart"})
    assert application_balances(active).advanced == D("100000.00")


@pytest.mark.django_db
def test_applicant_cannot_pay_an_advance(as_user, applicant, active):
    response = as_user(applicant).post(reverse("web:advance_create", args=[active.reference]),
                                       {"amount": "1", "reason": "x"})
    assert response.status_code == 404


@pytest.mark.django_db
def test_applicant_replaces_a_partner_on_the_form(as_user, applicant, officer, active):
    # rule A1: the leaving partner is ticked, the joining company chosen; the page shows both
    leaving = active.partners.get()
    joining = CompanyFactory(name="Ersättaren AB")
    response = _request(as_user(applicant), active, public_cash="400 000", **{
        f"partner_{leaving.pk}_hours": "0", f"partner_{leaving.pk}_leaves": "on",
        "added_0_company": str(joining.pk), "added_0_hours": "500", "added_0_hourly_rate": "800",
        "added_0_role_description": "Driftar testbädden"})
    assert response.status_code == 302, response.content.decode()[:2000]
    page = as_user(officer).get(response["Location"]).content.decode()
    assert "Ersättaren AB" in page and "joins" in page and "leaves" in page
    as_user(officer).post(reverse("web:amendment_decide", args=[active.reference, 1]),
                          {"decision": "approve", "granted": "", "comment": "Ersättare godtas"})
    assert Amendment.objects.get().state == Amendment.State.APPROVED
    assert Partner.objects.get(pk=leaving.pk).left_on is not None
    detail = as_user(applicant).get(reverse("web:application_detail", args=[active.reference])).content.decode()
    assert "Ersättaren AB" in detail and "left on" in detail


@pytest.mark.django_db
def test_joining_company_without_hours_is_a_form_error(as_user, applicant, active):
    # rule A1: the error sits on the joining company's hours field and nothing is stored
    response = _request(as_user(applicant), active, added_0_company=str(CompanyFactory().pk), added_0_hours="0",
                        added_0_hourly_rate="800")
    assert response.status_code == 400
    assert "more than zero hours" in response.content.decode()
    assert not Amendment.objects.exists()
