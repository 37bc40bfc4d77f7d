"""Claims in the browser's terms: assemble, submit, review item by item, see the payout, verify, pay (four eyes)."""
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import Claim, ReviewStatus, TimeReport
from services import contributions
from tests.scenarios import report

D = Decimal


def claim_url(claim, name="claim_detail", *extra):
    return reverse(f"web:{name}", args=[claim.application.reference, claim.number, *extra])


@pytest.mark.django_db
def test_claim_form_offers_only_attested_unclaimed_items(as_user, applicant, active, partner, reps, company_rep):
    attested = report(partner, reps, active.start_date, "10", person="Anna")
    contributions.report_time(partner, by=company_rep, person_name="Bertil", month=active.start_date, hours="5",
                         hourly_rate="800", description="Ej attesterad")
    form = as_user(applicant).get(reverse("web:claim_create", args=[active.reference])).context["form"]
    assert list(form.fields["time_reports"].queryset) == [attested]


@pytest.mark.django_db
def test_applicant_assembles_a_claim_from_chosen_items(as_user, applicant, active, partner, reps):
    first = report(partner, reps, active.start_date, "10", person="Anna")
    report(partner, reps, active.start_date, "20", person="Bertil")
    data = {"period_start": active.start_date.isoformat(), "period_end": active.end_date.isoformat(),
            "time_reports": [first.pk]}
    response = as_user(applicant).post(reverse("web:claim_create", args=[active.reference]), data)
    claim = Claim.objects.get()
    assert response["Location"] == claim_url(claim)
    assert list(claim.time_reports.all()) == [first]
    assert TimeReport.objects.filter(claim__isnull=True).count() == 1


@pytest.mark.django_db
def test_empty_claim_is_refused_above_the_form(as_user, applicant, active):
    data = {"period_start": active.start_date.isoformat(), "period_end": active.end_date.isoformat()}
    response = as_user(applicant).post(reverse("web:claim_create", args=[active.reference]), data)
    assert any("at least one attested" in e for e in response.context["form"].non_field_errors())


@pytest.mark.django_db
def test_period_ending_before_it_starts_is_an_error_on_the_end(as_user, applicant, claim):
    from tests.scenarios import cash

    cash(claim.application, applicant, "5", "VER-2")
    data = {"period_start": claim.application.end_date.isoformat(),
            "period_end": claim.application.start_date.isoformat()}
    response = as_user(applicant).post(reverse("web:claim_create", args=[claim.application.reference]), data)
    assert "period_end" in response.context["form"].errors


@pytest.mark.django_db
def test_applicant_submits_the_claim(as_user, applicant, claim):
    client = as_user(applicant)
    assert client.get(claim_url(claim)).context["can_submit"] is True
    response = client.post(claim_url(claim, "claim_submit"))
    assert response.status_code == 302 and Claim.objects.get().state == "submitted"


@pytest.mark.django_db
def test_officer_reviews_items_and_sees_the_payable_amount_before_verifying(as_user, officer, submitted_claim):
    client = as_user(officer)
    report_item = submitted_claim.time_reports.get()
    cash_item = submitted_claim.cash_contributions.get()
    client.post(claim_url(submitted_claim, "claim_review_item", "time", report_item.pk), {"decision": "accept"})
    page = client.get(claim_url(submitted_claim))
    assert page.context["pending"] == 1 and page.context["preview"].payment == D("0.00")
    client.post(claim_url(submitted_claim, "claim_review_item", "cash", cash_item.pk), {"decision": "accept"})
    page = client.get(claim_url(submitted_claim))
    # rule M7: min(cash 100 000, in-kind 80 000) = 80 000
    assert page.context["pending"] == 0 and page.context["preview"].payment == D("80000.00")
    assert 'id="confirm-verify"' in page.content.decode()
    assert client.post(claim_url(submitted_claim, "claim_verify")).status_code == 302
    claim = Claim.objects.get()
    assert (claim.state, claim.payable_amount) == ("verified", D("80000.00"))


@pytest.mark.django_db
def test_rejecting_without_a_reason_is_an_error_next_to_the_item(as_user, officer, submitted_claim):
    item = submitted_claim.cash_contributions.get()
    response = as_user(officer).post(claim_url(submitted_claim, "claim_review_item", "cash", item.pk),
                                     {"decision": "reject", "reason": ""})
    html = response.content.decode()
    assert response.status_code == 400
    assert f'id="reason-cash-{item.pk}_error"' in html and "Give a reason for rejecting the item." in html
    assert submitted_claim.cash_contributions.get().review_status == ReviewStatus.PENDING


@pytest.mark.django_db
def test_rejected_item_keeps_its_reason(as_user, officer, submitted_claim):
    item = submitted_claim.cash_contributions.get()
    as_user(officer).post(claim_url(submitted_claim, "claim_review_item", "cash", item.pk),
                          {"decision": "reject", "reason": "Kvitto saknas."})
    item.refresh_from_db()
    assert (item.review_status, item.review_reason) == (ReviewStatus.REJECTED, "Kvitto saknas.")


@pytest.mark.django_db
def test_verifying_with_pending_items_is_a_message(as_user, officer, submitted_claim):
    response = as_user(officer).post(claim_url(submitted_claim, "claim_verify"), follow=True)
    assert "not yet accepted or rejected" in response.content.decode()
    assert Claim.objects.get().state == "submitted"


@pytest.mark.django_db
def test_return_needs_a_reason_next_to_the_field(as_user, officer, submitted_claim):
    response = as_user(officer).post(claim_url(submitted_claim, "claim_return"), {"reason": ""})
    assert response.status_code == 400 and 'id="id_return_reason_error"' in response.content.decode()
    response = as_user(officer).post(claim_url(submitted_claim, "claim_return"), {"reason": "Bifoga lönebesked."})
    assert response.status_code == 302 and Claim.objects.get().state == "returned"


@pytest.mark.django_db
def test_the_verifier_gets_no_pay_button_and_cannot_pay(as_user, officer, verified_claim):
    # four eyes: the officer who verified may not pay
    client = as_user(officer)
    page = client.get(claim_url(verified_claim))
    assert page.context["can_pay"] is False and page.context["four_eyes_block"] is True
    response = client.post(claim_url(verified_claim, "claim_pay"), follow=True)
    assert "may not also pay it" in response.content.decode()
    assert Claim.objects.get().state == "verified"


@pytest.mark.django_db
def test_second_officer_pays_once_even_on_a_double_click(as_user, second_officer, verified_claim):
    client = as_user(second_officer)
    assert client.get(claim_url(verified_claim)).context["can_pay"] is True
    client.post(claim_url(verified_claim, "claim_pay"))
    client.post(claim_url(verified_claim, "claim_pay"))
    claim = Claim.objects.get()
    assert (claim.state, claim.paid_by) == ("paid", second_officer)
    assert claim.journal_entries.filter(kind="fund_payment").count() == 1


@pytest.mark.django_db
def test_only_officers_of_the_call_review_verify_and_pay(as_user, applicant, auditor, submitted_claim):
    item = submitted_claim.cash_contributions.get()
    for user in (applicant, auditor):
        client = as_user(user)
        assert client.post(claim_url(submitted_claim, "claim_review_item", "cash", item.pk),
                           {"decision": "accept"}).status_code == 404
        assert client.post(claim_url(submitted_claim, "claim_verify")).status_code == 404
        assert client.post(claim_url(submitted_claim, "claim_pay")).status_code == 404


@pytest.mark.django_db
def test_item_of_another_claim_is_not_found(as_user, officer, submitted_claim):
    response = as_user(officer).post(claim_url(submitted_claim, "claim_review_item", "time", 999999),
                                     {"decision": "accept"})
    assert response.status_code == 404
