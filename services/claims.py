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
from core.display import hours as show_hours
from core.display import sek
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update
from core.money import ZERO
from ledger import grants, journal
from ledger.journal import Draft, Leg
from ledger.models import Account, CashContribution, Claim, ErrorType, JournalEntry, ReviewStatus, TimeReport
from ledger.selectors import claimable_items

from . import deadlines, lifecycle, settlement
from .effects import log_event, state_changed
from .values import hours_value, money_value, raise_if

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
    claim.time_reports.update(review_status=ReviewStatus.PENDING, review_reason="", eligible_hours=None,
                              deduction_type="")
    claim.cash_contributions.update(review_status=ReviewStatus.PENDING, review_reason="", eligible_amount=None,
                                    deduction_type="")
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


DECISIONS = ("accept", "reject", "park")


def _reviewable(claim: Claim, by) -> Claim:
    claim = for_update(Claim.objects.select_related("application__call")).get(pk=claim.pk)
    _officer_of(claim, by)
    if claim.state != Claim.State.SUBMITTED:
        raise TransitionConflict(_("Items can be reviewed only while the claim is submitted."))
    return claim


def _eligible(item, eligible) -> tuple:
    """The eligible hours (time report) or amount (cash item) asked for, checked against the claimed (rule V1)."""
    is_time = isinstance(item, TimeReport)
    field = "eligible_hours" if is_time else "eligible_amount"
    if eligible in (None, ""):
        return field, None
    value = hours_value(eligible, field) if is_time else money_value(eligible, field)
    claimed = item.hours if is_time else item.amount
    if value < 0 or value > claimed:
        message = (_("The eligible hours must lie between 0 and the %(claimed)s claimed.") if is_time else
                   _("The eligible amount must lie between 0 and the %(claimed)s claimed."))
        shown = show_hours(claimed) if is_time else sek(claimed)
        raise RuleViolation([message % {"claimed": shown}], {field: [message % {"claimed": shown}]})
    return field, (None if value == claimed else value)


@transaction.atomic
def review_item(claim: Claim, item, *, by, accept: bool | None = None, reason: str = "", decision: str | None = None,
                eligible=None, deduction_type: str = "", sampled: bool | None = None) -> None:
    """Decide one time report or cash item of a submitted claim (rules E4, V1–V3).

    `decision` is accept (in full, or in part with `eligible` hours or amount, a `deduction_type`
    and a `reason`), reject (with a reason) or park (carried to the next claim, rule V2); `accept`
    (true or false) is short for accept or reject. One of the two must be given.
    """
    if not decision and accept is None:
        message = _("Give a decision.")
        raise RuleViolation([message], {"decision": [message]})
    decision = decision or ("accept" if accept else "reject")
    claim = _reviewable(claim, by)
    if item.claim_id != claim.pk:
        raise RuleViolation([_("That item does not belong to this claim.")])
    if decision not in DECISIONS:
        raise RuleViolation([_("Unknown decision %(name)s.") % {"name": decision}])
    reason = (reason or "").strip()
    errors: dict[str, list] = {}
    field, value = "eligible_hours" if isinstance(item, TimeReport) else "eligible_amount", None
    if decision == "reject" and not reason:
        errors["reason"] = [_("Give a reason for rejecting the item.")]
    if decision == "park" and not reason:
        errors["reason"] = [_("Give a reason for parking the item.")]
    if decision == "accept":
        field, value = _eligible(item, eligible)
        if value is not None:  # rule V1: a deduction needs its error type and reason
            if deduction_type not in ErrorType.values:
                errors["deduction_type"] = [_("Choose the error type of the deduction.")]
            if not reason:
                errors["reason"] = [_("Give the reason for the deduction.")]
    raise_if(errors)
    before = item.review_status
    status = {"accept": ReviewStatus.ACCEPTED, "reject": ReviewStatus.REJECTED, "park": ReviewStatus.PARKED}[decision]
    updates = {"review_status": status, "review_reason": reason, field: value,
               "deduction_type": deduction_type if value is not None else ""}
    if sampled is not None:
        updates["sampled"] = bool(sampled)
    type(item).objects.filter(pk=item.pk).update(**updates)
    for name, new in updates.items():
        setattr(item, name, new)
    changes = {"review_status": [before, status]}
    if value is not None:
        changes.update({field: [None, str(value)], "deduction": [None, str(item.deduction)],
                        "deduction_type": [None, deduction_type]})
    log_event(by=by, action="review", obj=item, application=claim.application, changes=changes, comment=reason)


@transaction.atomic
def bulk_accept(claim: Claim, items, *, by) -> int:
    """Accept the selected pending items in full (rule E4); decided items are left as they are."""
    count = 0
    for item in items:
        if item.review_status == ReviewStatus.PENDING:
            review_item(claim, item, by=by, decision="accept")
            count += 1
    return count


@transaction.atomic
def mark_checked(claim: Claim, item, *, by, sampled: bool = True) -> None:
    """Mark an item as checked on the spot or in a sample, or unmark it (rule V3)."""
    claim = _reviewable(claim, by)
    if item.claim_id != claim.pk:
        raise RuleViolation([_("That item does not belong to this claim.")])
    type(item).objects.filter(pk=item.pk).update(sampled=sampled)
    log_event(by=by, action="review", obj=item, application=claim.application,
              changes={"sampled": [str(item.sampled), str(sampled)]})
    item.sampled = sampled


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
    # rule V5: hours above the annual hours are deducted or explained before the claim is verified.
    above = grants.claim_warnings(claim, annual_only=True)
    unexplained = [r for r in reports if ("time", r.pk) in above and not r.review_reason]
    if unexplained:
        raise RuleViolation([_("%(count)s time report(s) exceed the annual hours behind the rate: deduct the excess "
                               "or explain in the item's reason why the hours are accepted.")
                             % {"count": len(unexplained)}])
    application = claim.application
    book = journal.book_for_call(application.call)
    cost = journal.account(book, Account.Kind.TESTBED_COST, application=application)
    cash_account = journal.account(book, Account.Kind.PUBLIC_CASH, application=application)
    # rule V1: only the eligible part of an accepted item is posted; a part accepted as nothing posts nothing.
    drafts = []
    for item in cash:
        if item.review_status == ReviewStatus.ACCEPTED and item.eligible_value > ZERO:
            amount = item.eligible_value
            payload = {"cash_contribution": item.pk}
            if item.eligible_amount is not None:
                payload.update({"claimed": str(item.amount), "deduction": str(item.deduction),
                                "error_type": item.deduction_type})
            drafts.append(Draft(kind=JournalEntry.Kind.CASH_CONTRIBUTION, application=application, claim=claim,
                                legs=[Leg(cost, amount), Leg(cash_account, -amount)],
                                memo=f"Cash {item.voucher_reference}", payload=payload,
                                idempotency_key=f"cash:{item.pk}"))
    for report in reports:
        if report.review_status == ReviewStatus.ACCEPTED and report.eligible_value > ZERO:
            inkind = journal.account(book, Account.Kind.INKIND, application=application, partner=report.partner)
            value, hours = report.eligible_value, report.verified_hours
            payload = {"time_report": report.pk, "hours": str(hours), "hourly_rate": str(report.hourly_rate)}
            if report.eligible_hours is not None:
                payload.update({"claimed_hours": str(report.hours), "deduction": str(report.deduction),
                                "error_type": report.deduction_type})
            # rule T3: non-cash cost equals non-cash financing
            drafts.append(Draft(kind=JournalEntry.Kind.INKIND_CONTRIBUTION, application=application, claim=claim,
                                legs=[Leg(cost, value, hours), Leg(inkind, -value, hours)],
                                memo=f"{report.partner.company.name}: {report.person_name} {report.month:%Y-%m}",
                                payload=payload, idempotency_key=f"time:{report.pk}"))
    # Every accepted item in one batch: one lock of the book and one signed checkpoint (ledger.journal).
    journal.append_many(book, drafts, by=by)
    # rule V2: parked items leave this claim and wait, attested, for the next one.
    for model, items in ((TimeReport, reports), (CashContribution, cash)):
        parked = [i.pk for i in items if i.review_status == ReviewStatus.PARKED]
        if parked:
            model.objects.filter(pk__in=parked).update(claim=None, parked_from=claim,
                                                       review_status=ReviewStatus.PENDING)
    payout = grants.payout(application, final=claim.is_final)
    claim.payable_amount, claim.recovery_amount = payout.payment, payout.recovery
    claim.verified_by, claim.verified_at = by, timezone.now()
    _claim_transition(claim, "verify", by=by,
                      comment=_("Payable %(amount)s") % {"amount": sek(payout.payment)})
    return claim


@transaction.atomic
def pay_claim(claim: Claim, *, by, idempotency_key: str | None = None) -> Claim:
    """Pay what the matching engine allows now (rule M7); a negative result is a recovery (E7)."""
    current = Claim.objects.filter(pk=claim.pk).values_list("state", "pay_key").first()
    if current is not None and current[0] == Claim.State.PAID:
        # A retry with the key the payment was made with is answered; any other attempt is a conflict.
        if idempotency_key and current[1] == idempotency_key:
            return Claim.objects.get(pk=claim.pk)
        raise TransitionConflict(_("This claim is already paid; it cannot be paid again."))
    claim = _lock_claim(claim, "pay", by)
    application = claim.application
    if application.call.four_eyes and claim.verified_by_id == by.pk:
        raise RuleViolation([_("The officer who verified this claim may not also pay it (four eyes).")])
    payout = grants.payout(application, final=claim.is_final)
    book = journal.book_for_call(application.call)
    if payout.payment > ZERO:
        journal.append(
            book, kind=JournalEntry.Kind.FUND_PAYMENT, by=by, application=application, claim=claim,
            legs=[Leg(journal.account(book, Account.Kind.FUND_PAID, application=application), payout.payment),
                  Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application), -payout.payment)],
            memo=f"Payment of claim {claim.number} of {application.reference}",
            payload={"matched_cash": str(payout.matched_cash), "cumulative_payable": str(payout.cumulative_payable),
                     "already_paid": str(payout.already_paid)},
            idempotency_key=f"pay:{claim.pk}",
        )
    elif payout.recovery > ZERO:
        settlement.recover_excess(application, by=by, reason=f"claim {claim.number}", claim=claim, key=f"pay:{claim.pk}",
                                  final=claim.is_final)
    claim.payable_amount, claim.recovery_amount = payout.payment, payout.recovery
    claim.paid_by, claim.paid_at, claim.pay_key = by, timezone.now(), idempotency_key
    _claim_transition(claim, "pay", by=by, comment=_("Paid %(amount)s") % {"amount": sek(payout.payment)})
    return claim
