"""Life after approval, through the real services: advance, partial verification, parking, amendment,
correction and termination, to the öre (rules T6, V1–V3, A1–A3, M7, E7)."""
from decimal import Decimal

import pytest
from django.core.management import call_command

from applications.models import Application, AuditEvent, FundingCall
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from ledger import grants
from ledger.models import Claim, JournalEntry, ReviewStatus
from ledger.selectors import application_balances, call_uncommitted
from services import advances, amendments, corrections, lifecycle
from services import claims as claim_services
from tests.scenarios import cash, months, report

D = Decimal


def _claim(application, applicant):
    claim = claim_services.create_claim(application, by=applicant, period_start=application.start_date,
                                        period_end=application.end_date)
    return claim_services.submit_claim(claim, by=applicant)


def _item(claim, voucher=None, person=None, month=None):
    if voucher:
        return claim.cash_contributions.get(voucher_reference=voucher)
    return claim.time_reports.get(person_name=person, month=month)


@pytest.mark.django_db
def test_worked_example_with_advance_amendment_and_partial_verification(
        example, applicant, officer, second_officer):
    application, x, y, reps = example
    call = application.call
    # Grant 400 000 (C 400 000; X 300 h × 800, Y 250 h × 700 → K 415 000).
    assert application_balances(application).approved == D("400000.00")

    # Advance (rule T6): limit min(50 % × 400 000, 400 000) = 200 000; 150 000 paid at once.
    assert advances.advance_limit(application) == D("200000.00")
    advances.pay_advance(application, by=officer, amount="150000.00", reason="Uppstart av testbädden.")
    assert application_balances(application).net_paid == D("150000.00")

    # Claim 1: cash V1 120 000 → 100 000 eligible (20 000 missing evidence); X Anna 100 h → 80 h eligible
    # (16 000 ineligible period); Y Bo 60 h × 700 = 42 000 in full; X Anna 10 h of month 1 parked (8 000).
    cash(application, applicant, "120000.00", "V1")
    report(x, reps, months(application, 0), "100")
    report(y, reps, months(application, 0), "60", person="Bo")
    report(x, reps, months(application, 1), "10")
    first = _claim(application, applicant)
    claim_services.review_item(first, _item(first, voucher="V1"), by=officer, decision="accept",
                               eligible="100000.00", deduction_type="missing_evidence", reason="Kvitto saknas.",
                               sampled=True)
    claim_services.review_item(first, _item(first, person="Anna", month=months(application, 0)), by=officer,
                               decision="accept", eligible="80", deduction_type="ineligible_period",
                               reason="20 h före projektstart.")
    claim_services.review_item(first, _item(first, person="Anna", month=months(application, 1)), by=officer,
                               decision="park", reason="Underlag kommer i nästa rekvisition.")
    assert claim_services.bulk_accept(first, list(first.time_reports.all()), by=officer) == 1  # Bo
    totals = grants.claim_totals(first)
    assert (totals.claimed, totals.accepted, totals.deducted, totals.parked, totals.rejected) == (
        D("250000.00"), D("206000.00"), D("36000.00"), D("8000.00"), D("0.00"))
    first = claim_services.verify_claim(first, by=officer)
    # Cv 100 000, Kv 64 000 + 42 000 = 106 000 → P = 100 000 < 150 000 already paid: pays 0, recovers 0.
    first = claim_services.pay_claim(first, by=second_officer)
    assert (first.payable_amount, first.recovery_amount) == (D("0.00"), D("0.00"))
    balances = application_balances(application)
    assert (balances.verified_cash, balances.verified_inkind, balances.verified_hours) == (
        D("100000.00"), D("106000.00"), D("140.00"))
    totals = grants.claim_totals(first)
    assert (totals.items, totals.checked, totals.parked) == (4, 1, D("8000.00"))

    # Amendment (rules A1, A2): cash 450 000, X 350 h → K 455 000, F 450 000; granted 450 000: +50 000.
    uncommitted = call_uncommitted(call)
    amendment = amendments.request_amendment(
        application, by=applicant, reason="Utökad pilot i två skolor.", public_cash="450000.00", end_date=None,
        partners={x.pk: {"hours": "350", "hourly_rate": "800"}})
    before, after = amendments.sides(amendment)
    assert (before.budget.inkind_value, after.budget.inkind_value) == (D("415000.00"), D("455000.00"))
    decision = amendments.approve_amendment(amendment, by=officer, rationale="Ryms i budgeten.",
                                            granted="450000.00")
    assert decision.amends is not None and decision.granted_amount == D("450000.00")
    assert call_uncommitted(call) == uncommitted - D("50000.00")
    assert application_balances(application).approved == D("450000.00")

    # Claim 2: cash V2 300 000; the parked 10 h (8 000); X Anna 150 h (120 000); Y Bo 100 h → 90 h (63 000).
    cash(application, applicant, "300000.00", "V2")
    report(x, reps, months(application, 2), "150")
    report(y, reps, months(application, 1), "100", person="Bo")
    second = _claim(application, applicant)
    assert second.time_reports.count() == 3
    bo = _item(second, person="Bo", month=months(application, 1))
    claim_services.review_item(second, bo, by=officer, decision="accept", eligible="90",
                               deduction_type="arithmetic_error", reason="Summeringsfel.")
    claim_services.bulk_accept(second, list(second.time_reports.all()) + list(second.cash_contributions.all()),
                               by=officer)
    second = claim_services.verify_claim(second, by=officer)
    # Cv 400 000, Kv 106 000 + 8 000 + 120 000 + 63 000 = 297 000 → P 297 000 − 150 000 paid = 147 000.
    second = claim_services.pay_claim(second, by=second_officer)
    assert second.payable_amount == D("147000.00")
    balances = application_balances(application)
    assert (balances.verified_cash, balances.verified_inkind, balances.net_paid) == (
        D("400000.00"), D("297000.00"), D("297000.00"))

    # Correction (rule E7): 15 h of Anna's 150 h are ineligible → Kv 285 000 → 12 000 recovered.
    entry = second.journal_entries.get(kind=JournalEntry.Kind.INKIND_CONTRIBUTION, payload__hours="150.00")
    corrections.record_correction(entry, by=officer, amount="12000.00", hours="15", reason="Semester.")
    balances = application_balances(application)
    assert (balances.verified_inkind, balances.recovered, balances.net_paid) == (
        D("285000.00"), D("12000.00"), D("285000.00"))

    # Termination: nothing more to recover; 450 000 − 285 000 = 165 000 released to the call.
    before_release = call_uncommitted(call)
    lifecycle.transition(application, "terminate", by=officer, comment="Projektet avslutas i förtid.")
    balances = application_balances(application)
    assert balances.released == D("165000.00") and balances.committed == D("0.00")
    assert call_uncommitted(call) - before_release == D("165000.00")
    call_command("verify_ledger")


@pytest.mark.django_db
def test_termination_recovers_an_advance_that_costs_do_not_cover(example, applicant, officer, second_officer):
    # rule T6: advance 150 000, verified costs allow 100 000 → 50 000 recovered on termination
    application, x, _y, reps = example
    advances.pay_advance(application, by=officer, amount="150000.00", reason="Uppstart.")
    cash(application, applicant, "100000.00", "V1")
    report(x, reps, months(application, 0), "100")
    report(x, reps, months(application, 0), "40", person="Bo")
    claim = _claim(application, applicant)
    claim_services.bulk_accept(claim, list(claim.time_reports.all()) + list(claim.cash_contributions.all()),
                               by=officer)
    claim_services.pay_claim(claim_services.verify_claim(claim, by=officer), by=second_officer)
    lifecycle.transition(application, "terminate", by=officer, comment="Avbrutet.")
    balances = application_balances(application)
    assert (balances.recovered, balances.net_paid) == (D("50000.00"), D("100000.00"))


@pytest.mark.django_db
def test_advance_above_half_the_grant_is_refused(example, officer):
    # rule T6: at most 50 % of 400 000
    application = example[0]
    with pytest.raises(RuleViolation) as info:
        advances.pay_advance(application, by=officer, amount="200000.01", reason="För mycket.")
    assert "200,000.00" in info.value.field_errors["amount"][0]


@pytest.mark.django_db
def test_advance_above_the_calls_maximum_is_refused(example, officer):
    # rule T6: the call's maximum (400 000 by default, here lowered to 100 000)
    application = example[0]
    FundingCall.objects.filter(pk=application.call_id).update(max_advance=D("100000.00"))
    application = Application.objects.get(pk=application.pk)
    with pytest.raises(RuleViolation):
        advances.pay_advance(application, by=officer, amount="100000.01", reason="För mycket.")


@pytest.mark.django_db
def test_second_advance_is_a_conflict(example, officer):
    application = example[0]
    advances.pay_advance(application, by=officer, amount="1000.00", reason="Uppstart.")
    with pytest.raises(TransitionConflict):
        advances.pay_advance(application, by=officer, amount="1000.00", reason="Igen.")


@pytest.mark.django_db
def test_applicant_cannot_pay_an_advance(example, applicant):
    with pytest.raises(NotPermitted):
        advances.pay_advance(example[0], by=applicant, amount="1000.00", reason="Själv.")


@pytest.mark.django_db
def test_amendment_cannot_lower_the_grant_below_what_is_paid(example, applicant, officer):
    # rule A3
    application = example[0]
    advances.pay_advance(application, by=officer, amount="150000.00", reason="Uppstart.")
    amendment = amendments.request_amendment(application, by=applicant, reason="Mindre.", public_cash="100000.00",
                                             end_date=None)
    with pytest.raises(RuleViolation, match="below what is already paid"):
        amendments.approve_amendment(amendment, by=officer, rationale="Ja.", granted="100000.00")


@pytest.mark.django_db
def test_amendment_decrease_releases_the_difference(example, applicant, officer):
    # rule A2: a decrease is released to the call budget
    application = example[0]
    before = call_uncommitted(application.call)
    amendment = amendments.request_amendment(application, by=applicant, reason="Mindre.", public_cash="300000.00",
                                             end_date=None)
    amendments.approve_amendment(amendment, by=officer, rationale="Ja.", granted="300000.00")
    assert call_uncommitted(application.call) - before == D("100000.00")
    assert Application.objects.get(pk=application.pk).public_cash == D("300000.00")


@pytest.mark.django_db
def test_amendment_decisions_are_chained_transitions(example, applicant, officer):
    application = example[0]
    amendment = amendments.request_amendment(application, by=applicant, reason="Förlängning.",
                                             public_cash=None, end_date=application.end_date.replace(day=1))
    amendments.refuse_amendment(amendment, by=officer, rationale="Inte motiverat.")
    chained = JournalEntry.objects.filter(kind=JournalEntry.Kind.TRANSITION, payload__object="amendment")
    assert [e.payload["to"] for e in chained.order_by("seq")] == ["requested", "refused"]
    assert AuditEvent.objects.filter(object_type="amendment", to_state="refused").exists()
    call_command("verify_ledger")


@pytest.mark.django_db
def test_amendment_with_too_little_inkind_is_refused(example, applicant, officer):
    # rule A2 re-checks M4 on the new plan: K 415 000 < 500 000
    application = example[0]
    amendment = amendments.request_amendment(application, by=applicant, reason="Mer kontanter.",
                                             public_cash="500000.00", end_date=None)
    with pytest.raises(RuleViolation, match="in-kind value"):
        amendments.approve_amendment(amendment, by=officer, rationale="Ja.", granted="400000.00")


@pytest.mark.django_db
def test_company_cannot_request_an_amendment(example):
    application, x, _y, reps = example
    with pytest.raises(NotPermitted):
        amendments.request_amendment(application, by=reps[x.pk], reason="Jag.", public_cash=None, end_date=None)


@pytest.mark.django_db
def test_partial_accept_needs_error_type_and_reason(example, applicant, officer):
    # rule V1
    application, x, _y, reps = example
    report(x, reps, months(application, 0), "100")
    claim = _claim(application, applicant)
    with pytest.raises(RuleViolation) as info:
        claim_services.review_item(claim, claim.time_reports.get(), by=officer, decision="accept", eligible="80")
    assert set(info.value.field_errors) == {"deduction_type", "reason"}


@pytest.mark.django_db
def test_eligible_above_claimed_is_refused(example, applicant, officer):
    # rule V1
    application, x, _y, reps = example
    report(x, reps, months(application, 0), "100")
    claim = _claim(application, applicant)
    with pytest.raises(RuleViolation) as info:
        claim_services.review_item(claim, claim.time_reports.get(), by=officer, decision="accept", eligible="100.01",
                                   deduction_type="other", reason="x")
    assert "eligible_hours" in info.value.field_errors


@pytest.mark.django_db
def test_parked_item_goes_to_the_next_claim(example, applicant, officer, second_officer):
    # rule V2
    application, x, _y, reps = example
    cash(application, applicant, "1000.00", "V1")
    parked = report(x, reps, months(application, 0), "10")
    claim = _claim(application, applicant)
    claim_services.review_item(claim, claim.time_reports.get(), by=officer, decision="park", reason="Senare.")
    claim_services.bulk_accept(claim, list(claim.cash_contributions.all()), by=officer)
    claim_services.pay_claim(claim_services.verify_claim(claim, by=officer), by=second_officer)
    parked.refresh_from_db()
    assert (parked.claim_id, parked.parked_from_id, parked.review_status) == (None, claim.pk, ReviewStatus.PENDING)
    nxt = _claim(application, applicant)
    assert list(nxt.time_reports.all()) == [parked]


@pytest.mark.django_db
def test_annual_hours_above_the_limit_must_be_deducted_or_explained(example, applicant, officer):
    # rules V5, T1, T2: one month of the year in the project → 1 720 / 12 = 143.33 h; 190 h in it
    application, x, _y, reps = example
    limit = grants.annual_hours_limit(months(application, 0).year, application.start_date, application.end_date)
    assert limit <= D("1720.00")
    Application.objects.filter(pk=application.pk).update(start_date=application.start_date)
    for n in range(12):
        report(x, reps, months(application, n), "150") if months(application, n) <= months(application, 11) else None
    claim = _claim(application, applicant)
    claim_services.bulk_accept(claim, list(claim.time_reports.all()), by=officer)
    warnings = grants.claim_warnings(claim, annual_only=True)
    if not warnings:  # the project's year split leaves every year under its pro-rata limit
        pytest.fail("1 800 h in twelve months must exceed 1 720 pro rata in at least one year")
    with pytest.raises(RuleViolation, match="annual hours"):
        claim_services.verify_claim(claim, by=officer)
    for report_id in {pk for _kind, pk in warnings}:
        item = claim.time_reports.get(pk=report_id)
        claim_services.review_item(claim, item, by=officer, decision="accept", reason="Heltid, styrkt.")
    assert claim_services.verify_claim(claim, by=officer).state == Claim.State.VERIFIED


@pytest.mark.django_db
def test_hours_over_plan_warn(example, applicant, officer):
    # rule V5 (plan): 305 h against 300 planned for X
    application, x, _y, reps = example
    report(x, reps, months(application, 0), "200")
    report(x, reps, months(application, 1), "105")
    claim = _claim(application, applicant)
    claim_services.bulk_accept(claim, list(claim.time_reports.all()), by=officer)
    messages = [m for ms in grants.claim_warnings(claim).values() for m in ms]
    assert any("300.00 h planned" in m for m in messages)


@pytest.mark.django_db
def test_paying_a_paid_claim_with_another_key_is_a_conflict(example, applicant, officer, second_officer):
    application, x, _y, reps = example
    cash(application, applicant, "8000.00", "V1")
    report(x, reps, months(application, 0), "10")
    claim = _claim(application, applicant)
    claim_services.bulk_accept(claim, list(claim.cash_contributions.all()) + list(claim.time_reports.all()),
                               by=officer)
    claim = claim_services.verify_claim(claim, by=officer)
    claim_services.pay_claim(claim, by=second_officer, idempotency_key="k1")
    assert claim_services.pay_claim(claim, by=second_officer, idempotency_key="k1").state == Claim.State.PAID
    with pytest.raises(TransitionConflict, match="already paid"):
        claim_services.pay_claim(claim, by=second_officer, idempotency_key="k2")
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.FUND_PAYMENT).count() == 1


@pytest.mark.django_db
def test_item_decisions_are_in_the_audit_trail(example, applicant, officer):
    # rule E5: every item decision is recorded with what changed
    application, x, _y, reps = example
    report(x, reps, months(application, 0), "100")
    claim = _claim(application, applicant)
    item = claim.time_reports.get()
    claim_services.review_item(claim, item, by=officer, decision="accept", eligible="90",
                               deduction_type="missing_evidence", reason="Saknas.")
    event = AuditEvent.objects.get(object_type="timereport", object_id=str(item.pk), action="review")
    assert event.changes["eligible_hours"] == [None, "90.00"] and event.changes["deduction"] == [None, "8000.00"]
