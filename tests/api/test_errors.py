"""How refusals come back: 400 lists every unmet rule, 409 says why the state is wrong, 404 is JSON."""
from decimal import Decimal

import pytest

from services import lifecycle
from tests.api.helpers import expect, url


@pytest.mark.django_db
def test_transition_from_the_wrong_state_is_409_with_the_reason(api, draft, applicant, officer):
    lifecycle.transition(draft, "submit", by=applicant)
    body = expect(api(officer).post(url("applications", draft.pk, "transitions", "approve"),
                                    {"comment": "Bra.", "granted": "1.00"}, format="json"), 409)
    assert body == {"detail": "This application is now Submitted, so it cannot be approve; "
                              "someone may have acted on it already."}


@pytest.mark.django_db
def test_a_draft_is_not_found_for_the_calls_officer(api, draft, officer):
    # DESIGN §2: drafts are the applicant's working papers; officers see them from submission on.
    expect(api(officer).post(url("applications", draft.pk, "transitions", "start_review"), {}, format="json"), 404)
    expect(api(officer).get(url("applications", draft.pk)), 404)


@pytest.mark.django_db
def test_submission_lists_every_unmet_rule(api, draft, applicant, company):
    # rules M4 and M5 broken at once: rate above the cap, in-kind value below the public cash.
    draft.partners.update(planned_hours=Decimal("100.00"), hourly_rate=Decimal("950.00"))
    body = expect(api(applicant).post(url("applications", draft.pk, "transitions", "submit"), {}, format="json"),
                  400)
    assert body["fields"] == {}
    assert len(body["errors"]) == 2
    assert body["errors"][0].startswith(f"The hourly rate of {company.name}")
    assert body["errors"][1].startswith("The in-kind value")


@pytest.mark.django_db
def test_rejection_without_a_comment_is_400(api, draft, applicant, officer):
    from tests.conftest import move

    move(draft, "submit", "start_review", by_applicant=applicant, by_officer=officer)
    body = expect(api(officer).post(url("applications", draft.pk, "transitions", "reject"), {"comment": " "},
                                    format="json"), 400)
    assert body == {"errors": ["A comment is required to reject."], "fields": {}}


@pytest.mark.django_db
def test_invalid_fields_come_back_by_field_and_in_the_list(api, applicant, call, municipality):
    body = expect(api(applicant).post(url("applications"), {"call": call.pk, "applicant": municipality.pk,
                                                            "public_cash": "12.345"}, format="json"), 400)
    assert set(body["fields"]) == {"title", "start_date", "end_date", "public_cash"}
    assert "public_cash: Give at most 2 decimals." in body["errors"]
    assert len(body["errors"]) == 4


@pytest.mark.django_db
def test_rule_violation_from_a_service_names_its_fields(api, active, applicant):
    body = expect(api(applicant).post(url("cash-contributions"), {
        "application": active.pk, "amount": "0.00", "paid_on": "1990-01-01", "voucher_reference": "V1"},
        format="multipart"), 400)
    assert set(body["fields"]) == {"amount", "paid_on"}
    assert body["errors"][0] == "The amount must be more than zero."


@pytest.mark.django_db
def test_editing_a_submitted_application_is_409(api, draft, applicant, officer):
    from tests.conftest import move

    move(draft, "submit", by_applicant=applicant, by_officer=officer)
    body = expect(api(applicant).patch(url("applications", draft.pk), {"title": "Ny"}, format="json"), 409)
    assert "only be changed while it is a draft" in body["detail"]


@pytest.mark.django_db
@pytest.mark.parametrize("path", [
    "/api/v1/nothing-here/", "/api/v1/applications/abc/", "/api/v1/applications/99999999999999999999999/",
    "/api/v1/applications/1.5/", "/api/v2/applications/",
])
def test_unknown_paths_under_the_api_are_json_404(api, applicant, path):
    response = api(applicant).get(path)
    assert response.status_code == 404 and response["Content-Type"] == "application/json"


@pytest.mark.django_db
def test_unknown_transition_is_404(api, draft, applicant):
    expect(api(applicant).post(url("applications", draft.pk, "transitions", "explode"), {}, format="json"), 404)


@pytest.mark.django_db
def test_huge_ids_in_filters_and_bodies_are_refused_not_crashed(api, applicant, draft):
    client = api(applicant)
    expect(client.get(url("claims") + "?application=99999999999999999999999"), 400)
    body = expect(client.post(url("claims"), {"application": draft.pk, "period_start": "2026-01-01",
                                              "period_end": "2026-02-01", "time_reports": [2**70]},
                              format="json"), 400)
    assert list(body["fields"]) == ["time_reports.0"]


@pytest.mark.django_db
def test_page_past_the_end_is_404(api, applicant, draft):
    expect(api(applicant).get(url("applications") + "?page=9"), 404)


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["audit/events", "ledger/entries"])
def test_a_moment_with_any_offset_filters_instead_of_failing(api, officer, path):
    # Found by schemathesis on PostgreSQL: an offset of -23:54 is a valid ISO 8601 moment but not a
    # PostgreSQL time zone; the filter compares the instant in UTC.
    body = expect(api(officer).get(url(path), {"occurred_after": "2856-01-23T19:02:08.8-23:54"}), 200)
    assert body["results"] == []
