"""Each submission and approval rule refuses on its own, with its message (rules M1–M6)."""
from datetime import timedelta
from decimal import Decimal

import pytest

from applications.models import Application, FundingCall, Organisation
from core.errors import RuleViolation
from services import drafting, lifecycle
from tests.factories import MunicipalityFactory, OrganisationFactory, PartnerFactory


def submit_problems(application, applicant):
    with pytest.raises(RuleViolation) as info:
        lifecycle.transition(application, "submit", by=applicant)
    assert Application.objects.get(pk=application.pk).state == Application.State.DRAFT
    return info.value.messages


@pytest.mark.django_db
def test_valid_draft_submits(draft, applicant, officer):
    lifecycle.transition(draft, "submit", by=applicant)
    assert Application.objects.get(pk=draft.pk).state == Application.State.SUBMITTED


@pytest.mark.django_db
def test_submit_refuses_a_non_public_applicant(draft, applicant):
    # rule M1
    Organisation.objects.filter(pk=draft.applicant_id).update(kind=Organisation.Kind.COMPANY)
    assert any("must be a public actor" in m for m in submit_problems(draft, applicant))


@pytest.mark.django_db
def test_submit_requires_a_company_partner(draft, applicant):
    # rule M1
    draft.partners.all().delete()
    assert any("At least one partner must be a company" in m for m in submit_problems(draft, applicant))


@pytest.mark.django_db
def test_submit_refuses_a_public_partner(draft, applicant):
    # rule M2: in-kind hours come from companies only
    PartnerFactory(application=draft, company=MunicipalityFactory(name="Grannkommunen"),
                   planned_hours=Decimal("10"), hourly_rate=Decimal("100"))
    assert any("Grannkommunen is not a company" in m for m in submit_problems(draft, applicant))


@pytest.mark.django_db
def test_submit_refuses_inkind_below_ratio(draft, applicant):
    # rule M4: K = 499 h × 800 = 399 200 < 1.00 × 400 000
    draft.partners.update(planned_hours=Decimal("499.00"))
    messages = submit_problems(draft, applicant)
    assert any("in-kind value" in m and "399" in m and "400" in m for m in messages)


@pytest.mark.django_db
def test_submit_accepts_inkind_exactly_at_ratio(draft, applicant):
    draft.partners.update(planned_hours=Decimal("500.00"), hourly_rate=Decimal("800.00"))
    lifecycle.transition(draft, "submit", by=applicant)


@pytest.mark.django_db
def test_submit_refuses_requested_fund_above_call_maximum(draft, applicant):
    # rule M3/M6: F = 1.00 × 2 000 000.01 > 2 000 000
    Application.objects.filter(pk=draft.pk).update(public_cash=Decimal("2000000.01"))
    draft.partners.update(planned_hours=Decimal("3000"))
    assert any("above the call's maximum" in m for m in submit_problems(draft, applicant))


@pytest.mark.django_db
def test_submit_uses_the_call_fund_ratio(draft, applicant, call):
    # rule M3 with f = 0.40 (T4): F = 0.40 × 400 000 = 160 000 ≤ 150 000? No → refused
    FundingCall.objects.filter(pk=call.pk).update(fund_ratio=Decimal("0.40"), max_grant=Decimal("150000.00"))
    messages = submit_problems(Application.objects.get(pk=draft.pk), applicant)
    assert any("requested fund amount 160" in m for m in messages)


@pytest.mark.django_db
def test_submit_refuses_rate_above_call_cap(draft, applicant):
    # rule M5
    draft.partners.update(hourly_rate=Decimal("900.01"))
    assert any("above the call's cap" in m for m in submit_problems(draft, applicant))


@pytest.mark.django_db
def test_submit_refuses_dates_outside_eligibility(draft, applicant, call):
    Application.objects.filter(pk=draft.pk).update(end_date=call.eligible_until + timedelta(days=1))
    assert any("eligibility period" in m for m in submit_problems(draft, applicant))


@pytest.mark.django_db
def test_submit_refuses_when_call_not_open(draft, applicant, call):
    FundingCall.objects.filter(pk=call.pk).update(state=FundingCall.State.CLOSED)
    assert any("not open" in m for m in submit_problems(draft, applicant))


@pytest.mark.django_db
def test_submit_reports_every_unmet_rule_at_once(draft, applicant):
    Organisation.objects.filter(pk=draft.applicant_id).update(kind=Organisation.Kind.COMPANY)
    draft.partners.update(hourly_rate=Decimal("1000.00"), planned_hours=Decimal("1"))
    messages = submit_problems(draft, applicant)
    assert len(messages) >= 3


def reviewed(draft, applicant, officer):
    lifecycle.transition(draft, "submit", by=applicant)
    lifecycle.transition(draft, "start_review", by=officer)
    return Application.objects.get(pk=draft.pk)


@pytest.mark.django_db
def test_approve_records_decision_and_commits_budget(draft, applicant, officer):
    from ledger.selectors import application_balances, call_uncommitted

    application = reviewed(draft, applicant, officer)
    decision = lifecycle.approve(application, by=officer, granted="350000.00", rationale="Bra.")
    assert decision.granted_amount == Decimal("350000.00")
    assert decision.partner_rates == {draft.partners.get().company.org_number: "800.00"}
    assert application_balances(application).approved == Decimal("350000.00")
    assert call_uncommitted(application.call) == Decimal("9650000.00")


@pytest.mark.django_db
def test_approve_refuses_more_than_requested(draft, applicant, officer):
    # rule M6
    application = reviewed(draft, applicant, officer)
    with pytest.raises(RuleViolation, match="more than the requested"):
        lifecycle.approve(application, by=officer, granted="400000.01", rationale="Bra.")


@pytest.mark.django_db
def test_approve_refuses_more_than_remaining_budget(draft, applicant, officer, call):
    # rule M6: budget exhausted
    FundingCall.objects.filter(pk=call.pk).update(fund_budget=Decimal("300000.00"))
    application = reviewed(draft, applicant, officer)
    with pytest.raises(RuleViolation, match="budget is insufficient: 300,000.00 kr remains, 400,000.00 kr was asked for"):
        lifecycle.approve(application, by=officer, granted="400000.00", rationale="Bra.")
    assert Application.objects.get(pk=draft.pk).state == Application.State.UNDER_REVIEW
    assert not application.decisions.exists()


@pytest.mark.django_db
def test_approve_needs_a_rationale(draft, applicant, officer):
    application = reviewed(draft, applicant, officer)
    with pytest.raises(RuleViolation, match="rationale"):
        lifecycle.approve(application, by=officer, granted="400000.00", rationale="")


@pytest.mark.django_db
def test_decision_is_immutable(draft, applicant, officer):
    from django.core.exceptions import ValidationError

    decision = lifecycle.approve(reviewed(draft, applicant, officer), by=officer, granted="1", rationale="Ok.")
    decision.rationale = "Changed"
    with pytest.raises(ValidationError):
        decision.save()


@pytest.mark.django_db
def test_only_a_member_can_create_an_application(call, municipality, outsider):
    from core.errors import NotPermitted

    with pytest.raises(NotPermitted):
        drafting.create_application(call=call, applicant=municipality, by=outsider, title="X",
                                    start_date=call.eligible_from, end_date=call.eligible_until, public_cash="1")


@pytest.mark.django_db
def test_editing_is_refused_after_submission(draft, applicant):
    from core.errors import TransitionConflict

    lifecycle.transition(draft, "submit", by=applicant)
    with pytest.raises(TransitionConflict, match="draft or changes are requested"):
        drafting.update_application(draft, by=applicant, title="Nytt namn")


@pytest.mark.django_db
def test_partner_must_be_a_company(draft, applicant):
    with pytest.raises(RuleViolation) as info:
        drafting.add_partner(draft, by=applicant, company=OrganisationFactory(kind="municipality", name="K"),
                             planned_hours="1", hourly_rate="1")
    assert "company" in info.value.field_errors


@pytest.mark.django_db
def test_submission_notifies_the_call_officers(draft, applicant, officer, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(draft, "submit", by=applicant)
    assert [m.to for m in mailoutbox] == [[officer.email]]
    assert draft.reference in mailoutbox[0].subject


@pytest.mark.django_db
def test_request_changes_notifies_the_applicant(draft, applicant, officer, mailoutbox,
                                                django_capture_on_commit_callbacks):
    reviewed(draft, applicant, officer)
    with django_capture_on_commit_callbacks(execute=True):
        lifecycle.transition(draft, "request_changes", by=officer, comment="Beskriv utvärderingen.")
    assert [m.to for m in mailoutbox] == [[applicant.email]]
    assert "Beskriv utvärderingen." in mailoutbox[0].body
