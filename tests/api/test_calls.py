"""POST/PATCH /api/v1/calls/ and POST /api/v1/calls/{id}/transitions/{name}/: officers of the body set up
their calls; every field is checked with a readable message; a call cannot change once it is open."""
import pytest

from applications.models import AuditEvent, FundingCall
from ledger.models import Book
from tests.api.helpers import expect, url
from tests.factories import FundingCallFactory

pytestmark = pytest.mark.django_db

BODY = {"title": "Testbäddar 2027", "fund_project_reference": "20377777", "fund_budget": "5000000.00",
        "opens_on": "2027-01-01", "closes_on": "2027-06-30", "eligible_from": "2027-01-01",
        "eligible_until": "2029-12-31", "fund_ratio": "0.4", "inkind_ratio": "0.5", "max_hourly_rate": "900.00",
        "max_grant": "2000000.00", "four_eyes_threshold": "1000000.00", "attestation_by_second_user": True,
        "reporting_period_months": 4, "grace_days": 20}


def test_an_officer_creates_a_draft_call_with_every_setting(api, officer, region):
    body = expect(api(officer).post(url("calls"), {**BODY, "regional_body": region.pk}, format="json"), 201)
    assert body["state"] == "draft" and body["fund_ratio"] == "0.4000" and body["reporting_period_months"] == 4
    assert body["attestation_by_second_user"] is True and body["four_eyes_threshold"] == "1000000.00"
    assert AuditEvent.objects.filter(action="create", object_type="fundingcall", actor=officer).exists()


def test_every_bad_field_is_named_with_a_readable_message(api, officer, region):
    bad = {**BODY, "regional_body": region.pk, "fund_ratio": "1.5", "closes_on": "2026-12-01",
           "max_grant": "9000000.00"}
    body = expect(api(officer).post(url("calls"), bad, format="json"), 400)
    assert set(body["fields"]) >= {"fund_ratio", "closes_on", "max_grant"}
    assert any("at most 1" in m for m in body["fields"]["fund_ratio"])  # rule E1


def test_patch_changes_a_draft_and_is_refused_after_opening(api, officer, region):
    call = FundingCallFactory(regional_body=region, state="draft")
    client = api(officer)
    assert expect(client.patch(url("calls", call.pk), {"grace_days": 10}, format="json"), 200)["grace_days"] == 10
    expect(client.post(url("calls", call.pk, "transitions", "open"), format="json"), 200)
    assert Book.objects.filter(call=call).exists()  # opening opens the call's book
    body = expect(client.patch(url("calls", call.pk), {"title": "Sent"}, format="json"), 409)
    assert "only while it is a draft" in body["detail"]
    assert FundingCall.objects.get(pk=call.pk).title != "Sent"


def test_transitions_follow_the_life_cycle(api, officer, region):
    call = FundingCallFactory(regional_body=region, state="draft")
    client = api(officer)
    expect(client.post(url("calls", call.pk, "transitions", "close"), format="json"), 409)
    for name, state in (("open", "open"), ("close", "closed"), ("archive", "archived")):
        assert expect(client.post(url("calls", call.pk, "transitions", name), format="json"), 200)["state"] == state
    expect(client.post(url("calls", call.pk, "transitions", "explode"), format="json"), 404)
