"""Payment claims (rules E4, S3, T10): the applicant gathers attested items and submits; an officer
reviews each item and verifies, which posts the accepted items; another officer pays what the
matching engine allows (rule M7), and an excess after corrections is recovered (rule E7)."""
from datetime import date

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from applications.models import Application
from applications.permissions import is_applicant_of, is_officer_of_call
from core.display import sek
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update
from core.money import ZERO
from ledger import grants, journal
from ledger.journal import Leg
from ledger.models import Account, CashContribution, Claim, JournalEntry, ReviewStatus, TimeReport
from ledger.selectors import claimable_items

from . import deadlines, lifecycle, settlement
from .effects import log_event, state_changed
from .values import raise_if

CLAIMING_STATES = {Application.State.ACTIVE, Application.State.CLOSING}


def _lock_claim(claim: Claim, name: str, by) -> Claim:
    locked = for_update(Claim.objects.select_related("application__call")).get(pk=claim.pk)
    if not any(t.name == name for t in locked.get_available_state_transitions()):
        raise TransitionConflict(
            _("This claim is now %(state)s; someone may have acted on it already.")
            % {"state": locked.get_state_display()})
    if not has_transition_perm(getattr(locked, name), by):
        raise NotPermitted(_("Your role does not allow this action on this claim."))
    return locked


def _claim_transition(claim: Claim, name: str, *, by, comment: str = "") -> None:
    before = claim.state
    getattr(claim, name)()
    claim.save()
    state_changed(claim, by=by, application=claim.application, from_state=before, to_state=claim.state,
                  comment=comment, name=name)


@transaction.atomic
def create_claim(application: Application, *, by, period_start: date, period_end: date, is_final: bool = False,
                 time_report_ids=None, cash_ids=None) -> Claim:
    application = for_update(Application.objects).get(pk=application.pk)
    if not is_applicant_of(by, application):
        raise NotPermitted(_("Only the applicant organisation can claim payment."))
    errors: dict[str, list] = {}
    if application.state not in CLAIMING_STATES:
        errors.setdefault("__all__", []).append(_("Payment can be claimed only for an active project."))
    if application.claims.exclude(state=Claim.State.PAID).exists():
        errors.setdefault("__all__", []).append(
            _("An earlier claim is still open; it must be paid before the next one is made."))
    if period_start is None or period_end is None or period_end < period_start:
        errors.setdefault("period_end", []).append(_("The period must end on or after its start."))
    reports, cash = claimable_items(application)
    if time_report_ids is not None:
        reports = reports.filter(pk__in=time_report_ids)
    if cash_ids is not None:
        cash = cash.filter(pk__in=cash_ids)
    report_ids, cash_item_ids = list(reports.values_list("pk", flat=True)), list(cash.values_list("pk", flat=True))
    if not report_ids and not cash_item_ids:
        errors.setdefault("__all__", []).append(_("A claim needs at least one attested time report or cash item."))
    raise_if(errors)
    number = (application.claims.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    claim = Claim.objects.create(application=application, number=number, period_start=period_start,
                                 period_end=period_end, is_final=is_final, created_by=by)
    TimeReport.objects.filter(pk__in=report_ids).update(claim=claim)
    CashContribution.objects.filter(pk__in=cash_item_ids).update(claim=claim)
    log_event(by=by, action="create", obj=claim, application=application,
              changes={"time_reports": [None, len(report_ids)], "cash_items": [None, len(cash_item_ids)]})
    return claim


@transaction.atomic
def submit_claim(claim: Claim, *, by) -> Claim:
    claim = _lock_claim(claim, "submit", by)
    if not claim.time_reports.exists() and not claim.cash_contributions.exists():
        raise RuleViolation([_("A claim needs at least one item.")])
    # A resubmitted claim goes back to review in full.
    claim.time_reports.update(review_status=ReviewStatus.PENDING, review_reason="")
    claim.cash_contributions.update(review_status=ReviewStatus.PENDING, review_reason="")
    claim.submitted_at = timezone.now()
    deadlines.start_clock(claim, claim.submitted_at)  # rules T5, D2: the 80 days start or resume
    _claim_transition(claim, "submit", by=by)
    if claim.is_final and claim.application.state == Application.State.ACTIVE:
        lifecycle.transition(claim.application, "begin_closing", by=by,
                                comment=_("Final claim %(number)s submitted.") % {"number": claim.number})
    return claim


def _officer_of(claim: Claim, by) -> None:
    if not is_officer_of_call(by, claim.application.call):
        raise NotPermitted(_("Only an officer of the call's regional body can verify claims."))


@transaction.atomic
def review_item(claim: Claim, item, *, by, accept: bool, reason: str = "") -> None:
    """Accept or reject one time report or cash item of a submitted claim (rule E4)."""
    claim = for_update(Claim.objects.select_related("application__call")).get(pk=claim.pk)
    _officer_of(claim, by)
    if claim.state != Claim.State.SUBMITTED:
        raise TransitionConflict(_("Items can be reviewed only while the claim is submitted."))
    if item.claim_id != claim.pk:
        raise RuleViolation([_("That item does not belong to this claim.")])
    if not accept and not (reason or "").strip():
        raise RuleViolation([_("Give a reason for rejecting the item.")], {"reason": [_("Give a reason for rejecting the item.")]})
    item.review_status = ReviewStatus.ACCEPTED if accept else ReviewStatus.REJECTED
    item.review_reason = (reason or "").strip()
    type(item).objects.filter(pk=item.pk).update(review_status=item.review_status, review_reason=item.review_reason)
    log_event(by=by, action="review", obj=item, application=claim.application,
              changes={"review_status": ["pending", item.review_status]}, comment=item.review_reason)


@transaction.atomic
def return_claim(claim: Claim, *, by, reason: str) -> Claim:
    claim = _lock_claim(claim, "return_to_applicant", by)
    if not (reason or "").strip():
        raise RuleViolation([_("Say what the applicant must add or change.")], {"reason": [_("Say what the applicant must add or change.")]})
    claim.return_reason = reason.strip()
    deadlines.pause_clock(claim, timezone.now())  # rule T5: the clock waits for the applicant
    _claim_transition(claim, "return_to_applicant", by=by, comment=reason)
    return claim


@transaction.atomic
def verify_claim(claim: Claim, *, by) -> Claim:
    """Post every accepted item and fix the payable amount (rules E4, M7, T3)."""
    claim = _lock_claim(claim, "verify", by)
    reports = list(claim.time_reports.select_related("partner__company"))
    cash = list(claim.cash_contributions.all())
    pending = [i for i in reports + cash if i.review_status == ReviewStatus.PENDING]
    if pending:
        raise RuleViolation([_("%(count)s item(s) are not yet accepted or rejected.") % {"count": len(pending)}])
    application = claim.application
    book = journal.book_for_call(application.call)
    cost = journal.account(book, Account.Kind.TESTBED_COST, application=application)
    cash_account = journal.account(book, Account.Kind.PUBLIC_CASH, application=application)
    for item in cash:
        if item.review_status == ReviewStatus.ACCEPTED:
            journal.append(book, kind=JournalEntry.Kind.CASH_CONTRIBUTION, by=by, application=application,
                           claim=claim, legs=[Leg(cost, item.amount), Leg(cash_account, -item.amount)],
                           memo=f"Cash {item.voucher_reference}", payload={"cash_contribution": item.pk},
                           idempotency_key=f"cash:{item.pk}")
    for report in reports:
        if report.review_status == ReviewStatus.ACCEPTED:
            inkind = journal.account(book, Account.Kind.INKIND, application=application, partner=report.partner)
            value = report.value
            # rule T3: non-cash cost equals non-cash financing
            journal.append(book, kind=JournalEntry.Kind.INKIND_CONTRIBUTION, by=by, application=application,
                           claim=claim, legs=[Leg(cost, value, report.hours), Leg(inkind, -value, report.hours)],
                           memo=f"{report.partner.company.name}: {report.person_name} {report.month:%Y-%m}",
                           payload={"time_report": report.pk, "hours": str(report.hours),
                                    "hourly_rate": str(report.hourly_rate)},
                           idempotency_key=f"time:{report.pk}")
    payout = grants.payout(application)
    claim.payable_amount, claim.recovery_amount = payout.payment, payout.recovery
    claim.verified_by, claim.verified_at = by, timezone.now()
    _claim_transition(claim, "verify", by=by,
                      comment=_("Payable %(amount)s") % {"amount": sek(payout.payment)})
    return claim


@transaction.atomic
def pay_claim(claim: Claim, *, by, idempotency_key: str | None = None) -> Claim:
    """Pay what the matching engine allows now (rule M7); a negative result is a recovery (E7)."""
    current = Claim.objects.filter(pk=claim.pk).values_list("state", flat=True).first()
    if current == Claim.State.PAID and idempotency_key:
        paid = JournalEntry.objects.filter(claim=claim, idempotency_key=f"pay:{claim.pk}").exists()
        if paid:
            return Claim.objects.get(pk=claim.pk)
    claim = _lock_claim(claim, "pay", by)
    application = claim.application
    if application.call.four_eyes and claim.verified_by_id == by.pk:
        raise RuleViolation([_("The officer who verified this claim may not also pay it (four eyes).")])
    payout = grants.payout(application)
    book = journal.book_for_call(application.call)
    if payout.payment > ZERO:
        journal.append(
            book, kind=JournalEntry.Kind.FUND_PAYMENT, by=by, application=application, claim=claim,
            legs=[Leg(journal.account(book, Account.Kind.FUND_PAID, application=application), payout.payment),
                  Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application), -payout.payment)],
            memo=f"Payment of claim {claim.number} of {application.reference}",
            payload={"matched_cash": str(payout.matched_cash), "cumulative_payable": str(payout.cumulative_payable)},
            idempotency_key=f"pay:{claim.pk}",
        )
    elif payout.recovery > ZERO:
        settlement.recover_excess(application, by=by, reason=f"claim {claim.number}", claim=claim, key=f"pay:{claim.pk}")
    claim.payable_amount, claim.recovery_amount = payout.payment, payout.recovery
    claim.paid_by, claim.paid_at = by, timezone.now()
    _claim_transition(claim, "pay", by=by, comment=_("Paid %(amount)s") % {"amount": sek(payout.payment)})
    return claim
