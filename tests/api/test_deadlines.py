"""Due dates and the payment clock in the API (rules D1, D2, T5)."""
from datetime import timedelta

import pytest
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def _client(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_an_application_lists_its_reporting_periods_with_days_until_due(applicant, active, fixed_clock):  # D1
    first = active.reporting_periods.get(number=1)
    fixed_clock.set(first.due_on - timedelta(days=12))
    body = _client(applicant).get(f"/api/v1/applications/{active.pk}/").json()
    periods = body["reporting_periods"]
    assert periods[0] == {"number": 1, "starts_on": first.starts_on.isoformat(), "ends_on": first.ends_on.isoformat(),
                          "due_on": first.due_on.isoformat(), "is_final": False, "days_until_due": 12}
    assert periods[-1]["is_final"] and periods[-1]["ends_on"] == active.end_date.isoformat()


def test_a_draft_has_no_reporting_periods_yet(applicant, draft):
    assert _client(applicant).get(f"/api/v1/applications/{draft.pk}/").json()["reporting_periods"] == []


def test_a_submitted_claim_shows_its_payment_clock(officer, applicant, active, fixed_clock):  # D2, T5
    from services import claims as claim_services
    from tests.scenarios import cash

    cash(active, applicant, "1000", "VER-1")
    claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date,
                                        period_end=active.start_date + timedelta(days=30))
    assert _client(officer).get(f"/api/v1/claims/{claim.pk}/").json()["payment_clock"] is None
    claim_services.submit_claim(claim, by=applicant)
    fixed_clock.advance(days=61)
    clock = _client(officer).get(f"/api/v1/claims/{claim.pk}/").json()["payment_clock"]
    assert {k: clock[k] for k in ("days_elapsed", "days_left", "paused", "warning", "overdue")} == {
        "days_elapsed": 61, "days_left": 19, "paused": False, "warning": True, "overdue": False}


def test_a_partner_company_gets_no_claim_due_dates(company_rep, active):  # rule P1, as on the page
    body = _client(company_rep).get(f"/api/v1/applications/{active.pk}/").json()
    assert body["reporting_periods"] is None and body["reference"] == active.reference
