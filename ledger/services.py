"""Every way money and hours enter the ledger: one function per business action, one transaction each.

Contributions are reported by the applicant (cash) and company representatives
(hours), gathered into payment claims, checked item by item by an officer (rule
E4), and only accepted items are posted. Payments follow the matching engine
(rule M7); an overpayment after a correction becomes a recovery, never a negative
payment (rule E7). Every money-creating function takes an idempotency key.
"""
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from applications.display import sek
from applications.exceptions import NotPermitted, RuleViolation, TransitionConflict
from applications.locking import for_update
from applications.models import Application, Decision
from applications.permissions import is_applicant_of, is_company_rep_of, is_officer_of_call
from applications.services import log_event

from . import journal, matching, receipts
from .journal import Leg
from .models import Account, CashContribution, Claim, JournalEntry, ReviewStatus, TimeReport
from .money import ZERO, parse_decimal, round_hours, round_ore
from .selectors import application_balances, call_uncommitted

REPORTING_STATES = {Application.State.ACTIVE}
CLAIMING_STATES = {Application.State.ACTIVE, Application.State.CLOSING}


def _money(value, field: str) -> Decimal:
    try:
        return round_ore(parse_decimal(value))
    except (ValueError, TypeError) as exc:
        raise RuleViolation([str(exc)], {field: [str(exc)]}) from exc


def _hours(value, field: str) -> Decimal:
    try:
        return round_hours(parse_decimal(value))
    except (ValueError, TypeError) as exc:
        raise RuleViolation([str(exc)], {field: [str(exc)]}) from exc


def _raise_if(errors: dict) -> None:
    if errors:
        raise RuleViolation([m for ms in errors.values() for m in ms], errors)


def latest_decision(application) -> Decision | None:
    return application.decisions.order_by("-decided_at", "-id").first()


# ---------------------------------------------------------------- approval and settlement
def commit_grant(application: Application, decision: Decision, *, by) -> JournalEntry:
    """Move the granted amount from the call budget to the application (rule M6); never below zero."""
    book = journal.book_for_call(application.call, by=by)
    remaining = call_uncommitted(application.call)
    if decision.granted_amount > remaining:
        raise RuleViolation([_("The call's budget is exhausted: %(remaining)s remains, %(granted)s was asked for.")
                             % {"remaining": sek(remaining), "granted": sek(decision.granted_amount)}])
    return journal.append(
        book, kind=JournalEntry.Kind.COMMITMENT, by=by, application=application,
        legs=[Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application),
                  decision.granted_amount),
              Leg(journal.account(book, Account.Kind.FUND_BUDGET), -decision.granted_amount)],
        memo=f"Grant to {application.reference}", payload={"decision": decision.pk},
        idempotency_key=f"commit:{decision.pk}",
    )


def settle_on_end(application: Application, *, by, terminated: bool) -> list[JournalEntry]:
    """On close or termination: recover any overpayment, then release the unused commitment."""
    entries = []
    recovery = _recover_excess(application, by=by, reason="termination" if terminated else "closing")
    if recovery is not None:
        entries.append(recovery)
    outstanding = application_balances(application).committed
    if outstanding > ZERO:
        book = journal.book_for_call(application.call)
        entries.append(journal.append(
            book, kind=JournalEntry.Kind.DECOMMITMENT, by=by, application=application,
            legs=[Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application), -outstanding),
                  Leg(journal.account(book, Account.Kind.FUND_BUDGET), outstanding)],
            memo=f"Unused commitment of {application.reference} returned to the call budget",
            idempotency_key=f"decommit:{application.pk}:{application.state}",
        ))
    return entries


def _payout(application: Application) -> matching.Payout:
    decision = latest_decision(application)
    balances = application_balances(application)
    return matching.payout(
        verified_cash=balances.verified_cash, verified_inkind=balances.verified_inkind,
        granted=decision.granted_amount if decision else ZERO, already_paid=balances.net_paid,
        fund_ratio=decision.fund_ratio if decision else application.call.fund_ratio,
        inkind_ratio=decision.inkind_ratio if decision else application.call.inkind_ratio,
    )


def _recover_excess(application, *, by, reason: str, claim=None, key: str | None = None):
    payout = _payout(application)
    if payout.recovery <= ZERO:
        return None
    book = journal.book_for_call(application.call)
    return journal.append(
        book, kind=JournalEntry.Kind.RECOVERY, by=by, application=application, claim=claim,
        legs=[Leg(journal.account(book, Account.Kind.FUND_RECOVERED, application=application), -payout.recovery),
              Leg(journal.account(book, Account.Kind.FUND_COMMITTED, application=application), payout.recovery)],
        memo=f"Recovery of overpaid fund ({reason})",
        payload={"matched_cash": str(payout.matched_cash), "cumulative_payable": str(payout.cumulative_payable)},
        idempotency_key=key,
    )


# ---------------------------------------------------------------- time reports (rules M5, S1)
def _month_start(value: date) -> date:
    return value.replace(day=1)


@transaction.atomic
def report_time(partner, *, by, person_name: str, month: date, hours, hourly_rate, description: str,
                idempotency_key: str | None = None) -> TimeReport:
    if idempotency_key:
        earlier = TimeReport.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    application = for_update(Application.objects.select_related("call")).get(pk=partner.application_id)
    if not is_company_rep_of(by, partner.company_id):
        raise NotPermitted(_("Only a representative of %(company)s can report its hours.")
                           % {"company": partner.company.name})
    errors: dict[str, list] = {}
    if application.state not in REPORTING_STATES:
        errors.setdefault("__all__", []).append(
            _("Hours can be reported only while the project is active; it is %(state)s.")
            % {"state": application.get_state_display()})
    hours = _hours(hours, "hours")
    rate = _money(hourly_rate, "hourly_rate")
    if not (person_name or "").strip():
        errors.setdefault("person_name", []).append(_("Name the person who did the work."))
    if not (description or "").strip():
        errors.setdefault("description", []).append(_("Describe the work done."))
    if hours <= 0:
        errors.setdefault("hours", []).append(_("Hours must be more than zero."))
    call = application.call
    if rate > partner.hourly_rate:  # rule M5
        errors.setdefault("hourly_rate", []).append(
            _("The rate %(rate)s is above the rate approved for this partner (%(approved)s).")
            % {"rate": sek(rate), "approved": sek(partner.hourly_rate)})
    if rate > call.max_hourly_rate:  # rule M5
        errors.setdefault("hourly_rate", []).append(
            _("The rate %(rate)s is above the call's cap of %(cap)s.") % {"rate": sek(rate), "cap": sek(call.max_hourly_rate)})
    if month is None:
        errors.setdefault("month", []).append(_("Give the month the work was done."))
    else:
        month = _month_start(month)
        first, last = _month_start(application.start_date), _month_start(application.end_date)
        if not (first <= month <= last):
            errors.setdefault("month", []).append(
                _("The month must lie inside the project period (%(start)s to %(end)s).")
                % {"start": f"{first:%Y-%m}", "end": f"{last:%Y-%m}"})
        elif hours > 0:
            already = TimeReport.objects.filter(
                partner__company_id=partner.company_id, person_name__iexact=person_name.strip(), month=month,
            ).exclude(review_status=ReviewStatus.REJECTED).aggregate(s=Sum("hours"))["s"] or ZERO
            limit = min(call.max_hours_per_person_month, Decimal(settings.MAX_HOURS_PER_PERSON_MONTH))
            if already + hours > limit:
                errors.setdefault("hours", []).append(
                    _("%(person)s would have %(total)s hours in %(month)s; at most %(limit)s per person and month.")
                    % {"person": person_name, "total": already + hours, "month": f"{month:%Y-%m}", "limit": limit})
    _raise_if(errors)
    report = TimeReport.objects.create(
        partner=partner, person_name=person_name.strip(), month=month, hours=hours, hourly_rate=rate,
        description=description.strip(), reported_by=by, idempotency_key=idempotency_key or None,
    )
    log_event(by=by, action="create", obj=report, application=application,
              changes={"hours": [None, str(hours)], "hourly_rate": [None, str(rate)], "month": [None, f"{month:%Y-%m}"]})
    return report


@transaction.atomic
def attest_time_report(report: TimeReport, *, by) -> TimeReport:
    """The employer attests the hours (rule S1); attested reports can go into a claim."""
    report = for_update(TimeReport.objects.select_related("partner__company")).get(pk=report.pk)
    if not is_company_rep_of(by, report.partner.company_id):
        raise NotPermitted(_("Only a representative of the company can attest its time reports."))
    if report.is_attested:
        raise TransitionConflict(_("This time report is already attested."))
    report.attested_by, report.attested_at = by, timezone.now()
    report.save(update_fields=["attested_by", "attested_at"])
    log_event(by=by, action="update", obj=report, application=report.partner.application,
              changes={"attested": ["no", "yes"]})
    return report


# ---------------------------------------------------------------- cash contributions (rule M2)
@transaction.atomic
def report_cash(application: Application, *, by, amount, paid_on: date, voucher_reference: str,
                receipt=None, idempotency_key: str | None = None) -> CashContribution:
    if idempotency_key:
        earlier = CashContribution.objects.filter(idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    application = for_update(Application.objects).get(pk=application.pk)
    if not is_applicant_of(by, application):
        raise NotPermitted(_("Only the applicant organisation reports public cash."))  # rule M2
    errors: dict[str, list] = {}
    if application.state not in REPORTING_STATES:
        errors.setdefault("__all__", []).append(
            _("Cash can be reported only while the project is active; it is %(state)s.")
            % {"state": application.get_state_display()})
    amount = _money(amount, "amount")
    if amount <= 0:
        errors.setdefault("amount", []).append(_("The amount must be more than zero."))
    if paid_on is None:
        errors.setdefault("paid_on", []).append(_("Give the payment date."))
    elif not (application.start_date <= paid_on <= application.end_date):
        errors.setdefault("paid_on", []).append(
            _("The payment date must lie inside the project period (%(start)s to %(end)s).")
            % {"start": application.start_date, "end": application.end_date})
    voucher_reference = (voucher_reference or "").strip()
    if not voucher_reference:
        errors.setdefault("voucher_reference", []).append(_("Give the voucher reference."))
    elif CashContribution.objects.filter(application=application, voucher_reference=voucher_reference).exists():
        errors.setdefault("voucher_reference", []).append(_("This voucher has already been reported."))
    if receipt is not None:
        receipt_problems = receipts.problems(receipt)
        if receipt_problems:
            errors["receipt"] = receipt_problems
    _raise_if(errors)
    item = CashContribution(application=application, amount=amount, paid_on=paid_on,
                            voucher_reference=voucher_reference, reported_by=by,
                            idempotency_key=idempotency_key or None)
    if receipt is not None:
        item.receipt.save(receipts.safe_name(receipt), receipt, save=False)
    item.save()
    log_event(by=by, action="create", obj=item, application=application,
              changes={"amount": [None, str(amount)], "voucher_reference": [None, voucher_reference]})
    return item


# ---------------------------------------------------------------- claims (rules E4, S3, T10)
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
    journal.record_transition(claim.application, by=by, from_state=before, to_state=claim.state,
                              comment=comment, claim=claim)
    log_event(by=by, action="transition", obj=claim, application=claim.application,
              from_state=before, to_state=claim.state, comment=comment)


def claimable_items(application: Application):
    """Attested time reports and cash items that are not yet in a claim."""
    reports = TimeReport.objects.filter(partner__application=application, claim__isnull=True,
                                        attested_at__isnull=False)
    cash = CashContribution.objects.filter(application=application, claim__isnull=True)
    return reports, cash


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
    _raise_if(errors)
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
    _claim_transition(claim, "submit", by=by)
    if claim.is_final and claim.application.state == Application.State.ACTIVE:
        from applications import services as app_services

        app_services.transition(claim.application, "begin_closing", by=by,
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


def preview_payout(claim: Claim) -> matching.Payout:
    """What paying this claim would pay, as if its currently accepted items were posted."""
    application = claim.application
    balances = application_balances(application)
    extra_cash = sum((c.amount for c in claim.cash_contributions.filter(review_status=ReviewStatus.ACCEPTED)), ZERO)
    extra_inkind = sum((r.value for r in claim.time_reports.filter(review_status=ReviewStatus.ACCEPTED)), ZERO)
    posted = claim.journal_entries.filter(kind__in=[JournalEntry.Kind.CASH_CONTRIBUTION,
                                                    JournalEntry.Kind.INKIND_CONTRIBUTION]).exists()
    decision = latest_decision(application)
    return matching.payout(
        verified_cash=balances.verified_cash + (ZERO if posted else extra_cash),
        verified_inkind=balances.verified_inkind + (ZERO if posted else extra_inkind),
        granted=decision.granted_amount if decision else ZERO, already_paid=balances.net_paid,
        fund_ratio=decision.fund_ratio if decision else application.call.fund_ratio,
        inkind_ratio=decision.inkind_ratio if decision else application.call.inkind_ratio,
    )


@transaction.atomic
def return_claim(claim: Claim, *, by, reason: str) -> Claim:
    claim = _lock_claim(claim, "return_to_applicant", by)
    if not (reason or "").strip():
        raise RuleViolation([_("Say what the applicant must add or change.")], {"reason": [_("Say what the applicant must add or change.")]})
    claim.return_reason = reason.strip()
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
    payout = _payout(application)
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
    payout = _payout(application)
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
        _recover_excess(application, by=by, reason=f"claim {claim.number}", claim=claim, key=f"pay:{claim.pk}")
    claim.payable_amount, claim.recovery_amount = payout.payment, payout.recovery
    claim.paid_by, claim.paid_at = by, timezone.now()
    _claim_transition(claim, "pay", by=by, comment=_("Paid %(amount)s") % {"amount": sek(payout.payment)})
    return claim


# ---------------------------------------------------------------- corrections (rules E7, T10)
CORRECTABLE = {JournalEntry.Kind.CASH_CONTRIBUTION, JournalEntry.Kind.INKIND_CONTRIBUTION}


@transaction.atomic
def record_correction(entry: JournalEntry, *, by, amount, reason: str, hours=None,
                      idempotency_key: str | None = None) -> JournalEntry:
    """Declare part of a posted contribution ineligible: a reversing entry, then any recovery."""
    if idempotency_key:
        earlier = JournalEntry.objects.filter(book=entry.book, idempotency_key=idempotency_key).first()
        if earlier is not None:
            return earlier
    if entry.application_id is None:  # the opening entry: no application, and not a contribution
        raise RuleViolation([_("Only cash and in-kind contributions can be corrected.")])
    application = for_update(Application.objects.select_related("call")).get(pk=entry.application_id)
    if not is_officer_of_call(by, application.call):
        raise NotPermitted(_("Only an officer of the call's regional body records corrections."))
    errors: dict[str, list] = {}
    if entry.kind not in CORRECTABLE:
        errors.setdefault("__all__", []).append(_("Only cash and in-kind contributions can be corrected."))
    amount = _money(amount, "amount")
    legs = list(entry.postings.select_related("account").order_by("ordinal"))
    already = -sum((p.amount for c in entry.corrections.all() for p in c.postings.all()
                    if p.account.kind == Account.Kind.TESTBED_COST), ZERO)
    original = sum((p.amount for p in legs if p.account.kind == Account.Kind.TESTBED_COST), ZERO)
    if amount <= 0:
        errors.setdefault("amount", []).append(_("The corrected amount must be more than zero."))
    elif amount > original - already:
        errors.setdefault("amount", []).append(
            _("At most %(left)s of this entry is left to correct.") % {"left": sek(original - already)})
    if not (reason or "").strip():
        errors.setdefault("reason", []).append(_("Give the reason for the correction."))
    _raise_if(errors)
    corrected_hours = _hours(hours, "hours") if hours not in (None, "") else None
    reversed_legs = [Leg(p.account, -amount if p.amount > 0 else amount,
                         None if p.hours is None else -(corrected_hours or ZERO)) for p in legs]
    book = entry.book
    correction = journal.append(
        book, kind=JournalEntry.Kind.CORRECTION, by=by, application=application, corrects=entry,
        legs=reversed_legs, memo=f"Correction of #{entry.seq}: {reason.strip()}"[:500],
        payload={"reason": reason.strip(), "amount": str(amount)}, idempotency_key=idempotency_key,
    )
    _recover_excess(application, by=by, reason=f"correction of #{entry.seq}",
                    key=f"recover:{correction.pk}")
    log_event(by=by, action="correction", obj=correction, application=application,
              comment=reason, changes={"amount": [str(original - already), str(original - already - amount)]})
    return correction
