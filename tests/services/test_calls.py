"""Setting up a call: officers of its regional body create it, edit it while a draft, open, close and
archive it; everyone else is refused, and every field is checked with a readable message."""
from datetime import date
from decimal import Decimal

import pytest

from applications import rules
from applications.models import AuditEvent, FundingCall
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from ledger.models import Book
from services import calls
from tests.factories import RegionalBodyFactory, member

pytestmark = pytest.mark.django_db


def fields(**overrides):
    values = {
        "title": "Testbäddar 2027", "fund_project_reference": "20300001", "fund_budget": "5000000",
        "opens_on": date(2027, 1, 1), "closes_on": date(2027, 6, 30), "eligible_from": date(2027, 1, 1),
        "eligible_until": date(2029, 12, 31), "fund_ratio": "0.40", "inkind_ratio": "0.50",
        "max_hourly_rate": "900", "max_grant": "2000000", "max_hours_per_person_month": "160",
        "four_eyes_threshold": "1000000", "reporting_period_months": 4, "grace_days": 20,
        "attestation_by_second_user": True,
    }
    values.update(overrides)
    return values


def test_an_officer_creates_a_draft_call_with_every_setting(region, officer):
    call = calls.create_call(regional_body=region, by=officer, **fields())
    call = FundingCall.objects.get(pk=call.pk)
    assert call.state == FundingCall.State.DRAFT
    assert (call.fund_ratio, call.inkind_ratio, call.max_hours_per_person_month) == (
        Decimal("0.4000"), Decimal("0.5000"), Decimal("160.00"))
    assert (call.four_eyes_threshold, call.reporting_period_months, call.grace_days) == (Decimal("1000000.00"), 4, 20)
    assert call.attestation_by_second_user is True
    event = AuditEvent.objects.get(action="create", object_type="fundingcall")
    assert event.actor == officer and event.changes["fund_ratio"] == [None, "0.40"]


def test_defaults_apply_to_fields_left_out(region, officer):
    values = fields()
    for name in ("reporting_period_months", "grace_days", "four_eyes_threshold", "attestation_by_second_user",
                 "max_hours_per_person_month"):
        values.pop(name)
    call = calls.create_call(regional_body=region, by=officer, **values)
    assert (call.reporting_period_months, call.grace_days, call.four_eyes_threshold) == (6, 30, None)
    assert call.max_hours_per_person_month == Decimal("200.00") and call.four_eyes is True
    assert (call.max_advance, call.max_advance_ratio) == (Decimal("400000.00"), Decimal("0.5"))  # rule T6


def test_a_call_sets_stricter_advance_limits_that_the_advance_obeys(region, officer):
    # rule T6: 100 000 and a quarter of the grant, stored and used by advance_limit
    call = calls.create_call(regional_body=region, by=officer,
                             **fields(max_advance="100000.00", max_advance_ratio="0.25"))
    assert (call.max_advance, call.max_advance_ratio) == (Decimal("100000.00"), Decimal("0.25"))


def test_an_officer_of_another_body_may_not_create_or_edit(region, officer):
    other = member("officer", RegionalBodyFactory(name="Region Jönköping"), "other-officer")
    with pytest.raises(NotPermitted):
        calls.create_call(regional_body=region, by=other, **fields())
    call = calls.create_call(regional_body=region, by=officer, **fields())
    with pytest.raises(NotPermitted):
        calls.update_call(call, by=other, title="Kapad")
    with pytest.raises(NotPermitted):
        calls.transition_call(call, "open", by=other)
    assert FundingCall.objects.get(pk=call.pk).title == "Testbäddar 2027"


def test_applicants_and_companies_may_not_create_calls(region, applicant, company_rep, municipality):
    for user in (applicant, company_rep):
        with pytest.raises(NotPermitted):
            calls.create_call(regional_body=region, by=user, **fields())
    # an applicant organisation is no regional body, even for its own members
    with pytest.raises(NotPermitted):
        calls.create_call(regional_body=municipality, by=applicant, **fields())


@pytest.mark.parametrize(("overrides", "field", "message"), [
    ({"title": ""}, "title", "required"),
    ({"fund_budget": "0"}, "fund_budget", "more than zero"),
    ({"fund_budget": "100.005"}, "fund_budget", "two decimals"),
    ({"fund_ratio": "1.2"}, "fund_ratio", "at most 1"),
    ({"fund_ratio": "0"}, "fund_ratio", "more than zero"),
    ({"fund_ratio": "0.123456"}, "fund_ratio", "four decimals"),
    ({"inkind_ratio": "-1"}, "inkind_ratio", "more than zero"),
    ({"max_hourly_rate": "0"}, "max_hourly_rate", "more than zero"),
    ({"max_grant": "6000000"}, "max_grant", "more than the fund budget"),
    ({"max_hours_per_person_month": "800"}, "max_hours_per_person_month", "744"),
    ({"four_eyes_threshold": "-1"}, "four_eyes_threshold", "negative"),
    ({"max_advance": "400000.01"}, "max_advance", "at most 400,000.00 kr"),  # rule T6
    ({"max_advance": "-1"}, "max_advance", "negative"),
    ({"max_advance_ratio": "0.51"}, "max_advance_ratio", "half the grant"),  # rule T6
    ({"max_advance_ratio": "-0.1"}, "max_advance_ratio", "half the grant"),
    ({"reporting_period_months": 12}, "reporting_period_months", "3 to 6"),
    ({"reporting_period_months": 2}, "reporting_period_months", "3 to 6"),
    ({"grace_days": 400}, "grace_days", "0 to 365"),
    ({"grace_days": "soon"}, "grace_days", "valid value"),
    ({"closes_on": date(2026, 12, 1)}, "closes_on", "before it opens"),
    ({"eligible_until": date(2026, 1, 1)}, "eligible_until", "end after it starts"),
    ({"closes_on": date(2030, 6, 1), "eligible_until": date(2030, 1, 1)}, "closes_on", "eligibility period ends"),
])
def test_every_field_is_checked_with_a_readable_message(region, officer, overrides, field, message):
    with pytest.raises(RuleViolation) as refused:
        calls.create_call(regional_body=region, by=officer, **fields(**overrides))
    assert any(message in m for m in refused.value.field_errors[field])
    assert not FundingCall.objects.exists()


def test_a_project_reference_is_used_once(region, officer):
    calls.create_call(regional_body=region, by=officer, **fields())
    with pytest.raises(RuleViolation, match="already has this project reference"):
        calls.create_call(regional_body=region, by=officer, **fields(title="Annan"))


def test_a_draft_is_edited_and_the_change_audited(region, officer):
    call = calls.create_call(regional_body=region, by=officer, **fields())
    calls.update_call(call, by=officer, fund_ratio="0.5", grace_days=10)
    call = FundingCall.objects.get(pk=call.pk)
    assert (call.fund_ratio, call.grace_days) == (Decimal("0.5000"), 10)
    event = AuditEvent.objects.get(action="update", object_type="fundingcall")
    assert event.changes == {"fund_ratio": ["0.4000", "0.5"], "grace_days": ["20", "10"]}
    with pytest.raises(RuleViolation, match="at most 1"):
        calls.update_call(call, by=officer, fund_ratio="2")


def test_a_call_cannot_be_edited_after_opening(region, officer):
    call = calls.create_call(regional_body=region, by=officer, **fields())
    calls.transition_call(call, "open", by=officer)
    assert Book.objects.filter(call=call).exists()
    with pytest.raises(TransitionConflict, match="only while it is a draft"):
        calls.update_call(call, by=officer, title="Ändrad")
    assert FundingCall.objects.get(pk=call.pk).title == "Testbäddar 2027"


def test_open_close_archive_in_order(region, officer):
    call = calls.create_call(regional_body=region, by=officer, **fields())
    with pytest.raises(TransitionConflict):
        calls.transition_call(call, "close", by=officer)
    for name, state in (("open", "open"), ("close", "closed"), ("archive", "archived")):
        call = calls.transition_call(call, name, by=officer)
        assert call.state == state
    assert AuditEvent.objects.filter(object_type="fundingcall", action="transition").count() == 3


def test_the_matching_rule_in_words():
    text = rules.matching_rule_in_words(Decimal("0.40"), Decimal("0.5"))
    assert text == ("The fund pays 40\u00a0% of the matched public cash; the companies' in-kind time must be worth "
                    "at least 50\u00a0% of the cash.")
    assert "12.5\u00a0%" in rules.matching_rule_in_words(Decimal("0.125"), Decimal("1"))
