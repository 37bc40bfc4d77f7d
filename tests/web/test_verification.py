"""Verification as auditors expect it, in the browser's terms: accept in part, park, bulk accept, totals
and "checked N of M" on the page, item decisions in the timeline (rules V1–V3, E5)."""
from decimal import Decimal

import pytest
from django.urls import reverse

from ledger.models import ReviewStatus

D = Decimal


def claim_url(claim, name="claim_detail", *extra):
    return reverse(f"web:{name}", args=[claim.application.reference, claim.number, *extra])


@pytest.mark.django_db
def test_officer_accepts_in_part_from_the_claim_page(as_user, officer, submitted_claim):
    # rule V1: 100 h claimed, 90 h eligible, 8 000 deducted
    item = submitted_claim.time_reports.get()
    client = as_user(officer)
    response = client.post(claim_url(submitted_claim, "claim_review_item", "time", item.pk), {
        "decision": "accept", "eligible": "90", "deduction_type": "missing_evidence", "reason": "Underlag saknas",
        "sampled": "on"})
    assert response.status_code == 302
    item.refresh_from_db()
    assert (item.eligible_hours, item.deduction, item.sampled) == (D("90.00"), D("8000.00"), True)
    page = client.get(claim_url(submitted_claim)).content.decode()
    assert 'data-total="deducted">8,000.00 kr' in page
    assert "Checked on the spot or in a sample: 1 of 2 items." in page
    assert "Accepted in part" in page and "deduction 8,000.00 kr" in page


@pytest.mark.django_db
def test_partial_accept_without_error_type_shows_the_error_at_the_item(as_user, officer, submitted_claim):
    item = submitted_claim.time_reports.get()
    response = as_user(officer).post(claim_url(submitted_claim, "claim_review_item", "time", item.pk),
                                     {"decision": "accept", "eligible": "90"})
    assert response.status_code == 400
    assert "Choose the error type" in response.content.decode()


@pytest.mark.django_db
def test_officer_accepts_the_selected_items_at_once(as_user, officer, submitted_claim):
    item = submitted_claim.time_reports.get()
    cash = submitted_claim.cash_contributions.get()
    as_user(officer).post(claim_url(submitted_claim, "claim_bulk_accept"), {"time": [item.pk], "cash": [cash.pk]})
    item.refresh_from_db()
    cash.refresh_from_db()
    assert item.review_status == cash.review_status == ReviewStatus.ACCEPTED


@pytest.mark.django_db
def test_parked_item_is_shown_on_the_claim_it_left(as_user, officer, second_officer, submitted_claim):
    # rule V2
    item = submitted_claim.time_reports.get()
    client = as_user(officer)
    client.post(claim_url(submitted_claim, "claim_review_item", "time", item.pk),
                {"decision": "park", "reason": "Attest saknas"})
    client.post(claim_url(submitted_claim, "claim_bulk_accept"),
                {"cash": [submitted_claim.cash_contributions.get().pk]})
    client.post(claim_url(submitted_claim, "claim_verify"))
    page = client.get(claim_url(submitted_claim)).content.decode()
    assert 'data-total="parked">80,000.00 kr' in page
    assert "reviewed" in page and "Parked to the next claim" in page


@pytest.mark.django_db
def test_applicant_cannot_accept_items(as_user, applicant, submitted_claim):
    item = submitted_claim.time_reports.get()
    response = as_user(applicant).post(claim_url(submitted_claim, "claim_bulk_accept"), {"time": [item.pk]})
    assert response.status_code in (403, 404)
    item.refresh_from_db()
    assert item.review_status == ReviewStatus.PENDING


@pytest.mark.django_db
def test_officer_corrects_a_paid_item_from_the_claim_page(as_user, officer, second_officer, auditor, verified_claim):
    # rule E7: the correction and its recovery are shown next to the item they correct
    from services import claims as claim_services
    claim_services.pay_claim(verified_claim, by=second_officer)
    item = verified_claim.time_reports.get()
    response = as_user(officer).post(claim_url(verified_claim, "claim_correct_item", "time", item.pk),
                                     {"amount": "8000", "hours": "10", "reason": "Semester"})
    assert response.status_code == 302
    page = as_user(auditor).get(claim_url(verified_claim)).content.decode()
    assert "8,000.00 kr declared ineligible" in page and "Semester" in page
    assert "was recovered (entry #" in page
