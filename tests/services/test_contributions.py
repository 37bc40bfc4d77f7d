"""Time reports, cash contributions and claims: every rule refuses on its own (M2, M5, S1, E4, T10)."""
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from applications.models import FundingCall
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from ledger import grants
from ledger.models import CashContribution, Claim, JournalEntry, ReviewStatus, TimeReport
from services import claims as claim_services
from services import contributions
from tests.factories import receipt_pdf

D = Decimal
PDF = receipt_pdf()


@pytest.fixture
def partner(active):
    return active.partners.get()


def a_month(application):
    return application.start_date.replace(day=1)


def report(partner, rep, **overrides):
    values = dict(person_name="Anna", month=a_month(partner.application), hours="100", hourly_rate="800",
                  description="Utveckling")
    values.update(overrides)
    return contributions.report_time(partner, by=rep, **values)


@pytest.mark.django_db
def test_time_report_is_created_unattested(partner, company_rep):
    item = report(partner, company_rep)
    assert (item.hours, item.hourly_rate, item.is_attested) == (D("100.00"), D("800.00"), False)
    assert item.value == D("80000.00")


@pytest.mark.django_db
def test_rate_above_partner_rate_is_refused(partner, company_rep):
    # rule M5: ≤ the rate approved for the partner (800)
    with pytest.raises(RuleViolation) as info:
        report(partner, company_rep, hourly_rate="800.01")
    assert "approved for this partner" in info.value.field_errors["hourly_rate"][0]


@pytest.mark.django_db
def test_rate_above_call_cap_is_refused(partner, company_rep, call):
    # rule M5: ≤ the call's cap, even if the partner's rate were higher
    FundingCall.objects.filter(pk=call.pk).update(max_hourly_rate=D("700.00"))
    with pytest.raises(RuleViolation) as info:
        report(partner, company_rep, hourly_rate="750")
    assert any("call's cap" in m for m in info.value.field_errors["hourly_rate"])


@pytest.mark.django_db
def test_month_outside_project_is_refused(partner, company_rep):
    before = a_month(partner.application) - timedelta(days=1)
    with pytest.raises(RuleViolation) as info:
        report(partner, company_rep, month=before)
    assert "project period" in info.value.field_errors["month"][0]


@pytest.mark.django_db
def test_hours_per_person_and_month_are_capped(partner, company_rep):
    # rule S1 practice: at most 200 h per person and month by default
    with pytest.raises(RuleViolation) as info:
        report(partner, company_rep, hours="200.01")
    assert "at most 200" in info.value.field_errors["hours"][0]
    report(partner, company_rep, hours="200", person_name="Bertil")


@pytest.mark.django_db
def test_call_can_lower_the_monthly_cap(partner, company_rep, call):
    FundingCall.objects.filter(pk=call.pk).update(max_hours_per_person_month=D("160"))
    with pytest.raises(RuleViolation, match="160"):
        report(partner, company_rep, hours="161")


@pytest.mark.django_db
def test_only_the_partner_company_reports_its_hours(partner, applicant, outsider):
    # rule M2: in-kind hours by company partners only
    for user in (applicant, outsider):
        with pytest.raises(NotPermitted):
            report(partner, user)


@pytest.mark.django_db
def test_hours_only_while_active(draft, company_rep):
    with pytest.raises(RuleViolation, match="active"):
        report(draft.partners.get(), company_rep)


@pytest.mark.django_db
def test_attestation_once(partner, company_rep):
    item = contributions.attest_time_report(report(partner, company_rep), by=company_rep)
    assert item.is_attested
    with pytest.raises(TransitionConflict):
        contributions.attest_time_report(item, by=company_rep)


@pytest.mark.django_db
def test_idempotent_time_report(partner, company_rep):
    first = report(partner, company_rep, idempotency_key="tr-1")
    again = report(partner, company_rep, idempotency_key="tr-1")
    assert first.pk == again.pk and TimeReport.objects.count() == 1


@pytest.mark.django_db
def test_cash_only_by_the_applicant(active, company_rep):
    # rule M2: public cash by the applicant only
    with pytest.raises(NotPermitted):
        contributions.report_cash(active, by=company_rep, amount="1", paid_on=active.start_date, voucher_reference="V")


@pytest.mark.django_db
def test_cash_with_pdf_receipt(active, applicant, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        item = contributions.report_cash(active, by=applicant, amount="1000,50", paid_on=active.start_date,
                                    voucher_reference="VER-1",
                                    receipt=SimpleUploadedFile("kvitto.pdf", PDF, "application/pdf"))
        assert item.amount == D("1000.50") and item.receipt.name.endswith(".pdf")


@pytest.mark.django_db
def test_receipt_content_is_checked_not_its_name(active, applicant, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path), pytest.raises(RuleViolation) as info:
        contributions.report_cash(active, by=applicant, amount="10", paid_on=active.start_date, voucher_reference="V",
                             receipt=SimpleUploadedFile("kvitto.pdf", b"MZ\x90\x00 not a pdf", "application/pdf"))
    assert "PDF, PNG or JPEG" in info.value.field_errors["receipt"][0]
    assert not CashContribution.objects.exists()


@pytest.mark.django_db
def test_receipt_size_is_limited(active, applicant, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path, RECEIPT_MAX_BYTES=100), pytest.raises(RuleViolation) as info:
        contributions.report_cash(active, by=applicant, amount="10", paid_on=active.start_date, voucher_reference="V",
                             receipt=SimpleUploadedFile("k.pdf", PDF + b"x" * 200, "application/pdf"))
    assert "larger than" in info.value.field_errors["receipt"][0]


@pytest.mark.django_db
def test_cash_needs_a_unique_voucher_and_a_date_in_the_project(active, applicant):
    contributions.report_cash(active, by=applicant, amount="10", paid_on=active.start_date, voucher_reference="V1")
    with pytest.raises(RuleViolation) as info:
        contributions.report_cash(active, by=applicant, amount="-5", paid_on=active.end_date + timedelta(days=1),
                             voucher_reference="V1")
    assert set(info.value.field_errors) == {"amount", "paid_on", "voucher_reference"}


@pytest.mark.django_db
def test_cash_refuses_floats(active, applicant):
    with pytest.raises(RuleViolation, match="floating point"):
        contributions.report_cash(active, by=applicant, amount=0.1, paid_on=active.start_date, voucher_reference="F")


@pytest.fixture
def submitted_claim(active, applicant, company_rep, partner):
    contributions.attest_time_report(report(partner, company_rep), by=company_rep)
    contributions.report_cash(active, by=applicant, amount="100000", paid_on=active.start_date, voucher_reference="V1")
    claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date, period_end=active.end_date)
    return claim_services.submit_claim(claim, by=applicant)


@pytest.mark.django_db
def test_unattested_hours_are_not_claimable(active, applicant, company_rep, partner):
    report(partner, company_rep)
    with pytest.raises(RuleViolation, match="at least one attested"):
        claim_services.create_claim(active, by=applicant, period_start=active.start_date, period_end=active.end_date)


@pytest.mark.django_db
def test_verification_needs_every_item_reviewed(submitted_claim, officer):
    # rule E4
    with pytest.raises(RuleViolation, match="not yet accepted or rejected"):
        claim_services.verify_claim(submitted_claim, by=officer)


@pytest.mark.django_db
def test_rejecting_an_item_needs_a_reason(submitted_claim, officer):
    item = submitted_claim.cash_contributions.get()
    with pytest.raises(RuleViolation, match="reason"):
        claim_services.review_item(submitted_claim, item, by=officer, accept=False, reason="")


@pytest.mark.django_db
def test_only_accepted_items_post(submitted_claim, officer):
    claim_services.review_item(submitted_claim, submitted_claim.cash_contributions.get(), by=officer, accept=False,
                         reason="Kvitto saknas.")
    claim_services.review_item(submitted_claim, submitted_claim.time_reports.get(), by=officer, accept=True)
    preview = grants.preview_payout(submitted_claim)
    claim = claim_services.verify_claim(submitted_claim, by=officer)
    kinds = list(claim.journal_entries.exclude(kind=JournalEntry.Kind.TRANSITION).values_list("kind", flat=True))
    assert kinds == [JournalEntry.Kind.INKIND_CONTRIBUTION]
    # No verified cash: nothing is matched, nothing payable (rule M7).
    assert claim.payable_amount == preview.payment == D("0.00")


@pytest.mark.django_db
def test_four_eyes_verifier_may_not_pay(submitted_claim, officer, second_officer):
    for item in list(submitted_claim.time_reports.all()) + list(submitted_claim.cash_contributions.all()):
        claim_services.review_item(submitted_claim, item, by=officer, accept=True)
    claim = claim_services.verify_claim(submitted_claim, by=officer)
    with pytest.raises(RuleViolation, match="four eyes"):
        claim_services.pay_claim(claim, by=officer)
    paid = claim_services.pay_claim(claim, by=second_officer)
    assert paid.state == Claim.State.PAID and paid.payable_amount == D("80000.00")


@pytest.mark.django_db
def test_paying_twice_pays_once(submitted_claim, officer, second_officer):
    for item in list(submitted_claim.time_reports.all()) + list(submitted_claim.cash_contributions.all()):
        claim_services.review_item(submitted_claim, item, by=officer, accept=True)
    claim = claim_services.verify_claim(submitted_claim, by=officer)
    claim_services.pay_claim(claim, by=second_officer, idempotency_key="pay-1")
    claim_services.pay_claim(claim, by=second_officer, idempotency_key="pay-1")
    with pytest.raises(TransitionConflict):
        claim_services.pay_claim(claim, by=second_officer)
    assert JournalEntry.objects.filter(kind=JournalEntry.Kind.FUND_PAYMENT).count() == 1


@pytest.mark.django_db
def test_submitted_claim_items_cannot_be_reviewed_by_applicant(submitted_claim, applicant):
    with pytest.raises(NotPermitted):
        claim_services.review_item(submitted_claim, submitted_claim.cash_contributions.get(), by=applicant, accept=True)


@pytest.mark.django_db
def test_returned_claim_can_be_resubmitted(submitted_claim, officer, applicant):
    claim = claim_services.return_claim(submitted_claim, by=officer, reason="Bifoga lönespecifikation.")
    assert claim.state == Claim.State.RETURNED
    claim = claim_services.submit_claim(claim, by=applicant)
    assert claim.state == Claim.State.SUBMITTED
    assert set(claim.time_reports.values_list("review_status", flat=True)) == {ReviewStatus.PENDING}


@pytest.mark.django_db
def test_one_open_claim_at_a_time(submitted_claim, active, applicant, partner, company_rep):
    contributions.attest_time_report(report(partner, company_rep, person_name="Cilla"), by=company_rep)
    with pytest.raises(RuleViolation, match="earlier claim is still open"):
        claim_services.create_claim(active, by=applicant, period_start=active.start_date, period_end=active.end_date)


# ---------------------------------------------------------------- contribution hygiene (rules V4, V6)
@pytest.mark.django_db
def test_future_month_is_refused(partner, company_rep):
    # rule V4: work not yet done cannot be reported
    from django.utils import timezone
    today = timezone.localdate()
    nxt = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    with pytest.raises(RuleViolation) as info:
        report(partner, company_rep, month=nxt)
    assert "has not begun" in info.value.field_errors["month"][0]


@pytest.mark.django_db
def test_future_payment_date_is_refused(active, applicant):
    # rule V4: cash is reported once paid
    from django.utils import timezone
    with pytest.raises(RuleViolation) as info:
        contributions.report_cash(active, by=applicant, amount="100.00",
                                  paid_on=timezone.localdate() + timedelta(days=1), voucher_reference="F1")
    assert "future" in info.value.field_errors["paid_on"][0]


@pytest.mark.django_db
def test_second_report_for_person_partner_and_month_is_refused(partner, company_rep):
    # rule V4: one time report per person, partner and month
    report(partner, company_rep, hours="10")
    with pytest.raises(RuleViolation) as info:
        report(partner, company_rep, hours="10", person_name="anna")
    assert "already has a time report" in info.value.field_errors["month"][0]


@pytest.mark.django_db
def test_database_refuses_a_duplicate_time_report(partner, company_rep):
    # rule V4: the constraint holds even past the service
    from django.db import IntegrityError, transaction
    first = report(partner, company_rep, hours="10")
    with pytest.raises(IntegrityError), transaction.atomic():
        TimeReport.objects.create(partner=partner, person_name="ANNA", month=first.month, hours=D("1"),
                                  hourly_rate=D("1"), description="x", reported_by=company_rep)


@pytest.mark.django_db
def test_reporter_edits_and_deletes_an_unattested_report(partner, company_rep):
    # rule V4: a typo is fixed by the one who entered it
    item = report(partner, company_rep, hours="99")
    item = contributions.update_time_report(item, by=company_rep, person_name="Anna", month=item.month, hours="9",
                                            hourly_rate="800", description="Utveckling")
    assert item.hours == D("9.00")
    contributions.delete_time_report(item, by=company_rep)
    assert not TimeReport.objects.filter(pk=item.pk).exists()


@pytest.mark.django_db
def test_attested_report_cannot_be_edited(partner, company_rep):
    item = contributions.attest_time_report(report(partner, company_rep), by=company_rep)
    with pytest.raises(TransitionConflict):
        contributions.delete_time_report(item, by=company_rep)


@pytest.mark.django_db
def test_another_user_cannot_edit_a_report(partner, company_rep, company):
    from tests.factories import member
    other = member("company", company, "colleague")
    item = report(partner, company_rep)
    with pytest.raises(NotPermitted):
        contributions.delete_time_report(item, by=other)


@pytest.mark.django_db
def test_cash_in_a_submitted_claim_cannot_be_edited(active, applicant):
    item = contributions.report_cash(active, by=applicant, amount="100.00", paid_on=active.start_date,
                                     voucher_reference="E1")
    item = contributions.update_cash(item, by=applicant, amount="90.00", paid_on=active.start_date,
                                     voucher_reference="E1")
    assert item.amount == D("90.00")
    claim = claim_services.create_claim(active, by=applicant, period_start=active.start_date,
                                        period_end=active.end_date)
    claim_services.submit_claim(claim, by=applicant)
    with pytest.raises(TransitionConflict):
        contributions.delete_cash(item, by=applicant)


@pytest.mark.django_db
def test_reporter_may_not_attest_where_the_call_requires_a_second_user(partner, company_rep, company, call):
    # rule V6
    from tests.factories import member
    FundingCall.objects.filter(pk=call.pk).update(attestation_by_second_user=True)
    item = report(partner, company_rep)
    with pytest.raises(RuleViolation, match="second company user"):
        contributions.attest_time_report(item, by=company_rep)
    attested = contributions.attest_time_report(item, by=member("company", company, "colleague"))
    assert attested.is_attested
