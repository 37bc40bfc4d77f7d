"""Contributions: company representatives report and attest hours (rules M5, S1); the applicant reports
public cash with its receipt (rule M2). Nothing is posted here: items are posted when a claim is verified."""
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from applications.models import Application
from applications.permissions import is_applicant_of, is_company_rep_of
from core.display import sek
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update
from core.money import ZERO
from ledger import receipts
from ledger.models import CashContribution, Claim, ReviewStatus, TimeReport

from .effects import diff, log_event
from .values import hours_value, money_value, raise_if

REPORTING_STATES = {Application.State.ACTIVE}


def _month_start(value: date) -> date:
    return value.replace(day=1)


def _time_problems(application, partner, *, person_name, month, hours, rate, description,
                   exclude_pk=None) -> tuple[dict, date | None]:
    """Every problem of a time report's figures (rules M5, V4), by field; and the month, first day."""
    errors: dict[str, list] = {}
    if application.state not in REPORTING_STATES:
        errors.setdefault("__all__", []).append(
            _("Hours can be reported only while the project is active; it is %(state)s.")
            % {"state": application.get_state_display()})
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
        return errors, None
    month = _month_start(month)
    first, last = _month_start(application.start_date), _month_start(application.end_date)
    others = TimeReport.objects.filter(partner__company_id=partner.company_id,
                                       person_name__iexact=(person_name or "").strip(), month=month)
    if exclude_pk is not None:
        others = others.exclude(pk=exclude_pk)
    if month > _month_start(timezone.localdate()):  # rule V4: work not yet done cannot be reported
        errors.setdefault("month", []).append(
            _("The month %(month)s has not begun; hours are reported after the work is done.")
            % {"month": f"{month:%Y-%m}"})
    elif partner.left_on is not None and month > _month_start(partner.left_on):  # rule A1
        errors.setdefault("month", []).append(
            _("%(company)s left the project on %(date)s; it reports no work after that month.")
            % {"company": partner.company.name, "date": partner.left_on.isoformat()})
    elif not (first <= month <= last):
        errors.setdefault("month", []).append(
            _("The month must lie inside the project period (%(start)s to %(end)s).")
            % {"start": f"{first:%Y-%m}", "end": f"{last:%Y-%m}"})
    elif others.filter(partner=partner).exclude(review_status=ReviewStatus.REJECTED).exists():
        # rule V4: one time report per person, partner and month (a database constraint too).
        errors.setdefault("month", []).append(
            _("%(person)s already has a time report for %(month)s at this partner; change that one instead.")
            % {"person": (person_name or "").strip(), "month": f"{month:%Y-%m}"})
    elif hours > 0:
        already = others.exclude(review_status=ReviewStatus.REJECTED).aggregate(s=Sum("hours"))["s"] or ZERO
        limit = min(call.max_hours_per_person_month, Decimal(settings.MAX_HOURS_PER_PERSON_MONTH))
        if already + hours > limit:
            errors.setdefault("hours", []).append(
                _("%(person)s would have %(total)s hours in %(month)s; at most %(limit)s per person and month.")
                % {"person": person_name, "total": already + hours, "month": f"{month:%Y-%m}", "limit": limit})
    return errors, month


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
    hours = hours_value(hours, "hours")
    rate = money_value(hourly_rate, "hourly_rate")
    errors, month = _time_problems(application, partner, person_name=person_name, month=month, hours=hours,
                                   rate=rate, description=description)
    raise_if(errors)
    report = TimeReport.objects.create(
        partner=partner, person_name=person_name.strip(), month=month, hours=hours, hourly_rate=rate,
        description=description.strip(), reported_by=by, idempotency_key=idempotency_key or None,
    )
    log_event(by=by, action="create", obj=report, application=application,
              changes={"hours": [None, str(hours)], "hourly_rate": [None, str(rate)], "month": [None, f"{month:%Y-%m}"]})
    return report


def _editable_time_report(report: TimeReport, by) -> TimeReport:
    """The reporter changes or removes a time report until it is attested or in a claim (rule V4, T10)."""
    report = for_update(TimeReport.objects.select_related("partner__company", "partner__application__call")).get(
        pk=report.pk)
    if report.reported_by_id != by.pk or not is_company_rep_of(by, report.partner.company_id):
        raise NotPermitted(_("Only the person who entered a time report can change or delete it."))
    if report.is_attested or report.claim_id is not None:
        raise TransitionConflict(_("This time report is attested or in a claim; it can no longer be changed."))
    return report


@transaction.atomic
def update_time_report(report: TimeReport, *, by, person_name: str, month: date, hours, hourly_rate,
                       description: str) -> TimeReport:
    report = _editable_time_report(report, by)
    application = for_update(Application.objects.select_related("call")).get(pk=report.partner.application_id)
    hours = hours_value(hours, "hours")
    rate = money_value(hourly_rate, "hourly_rate")
    errors, month = _time_problems(application, report.partner, person_name=person_name, month=month, hours=hours,
                                   rate=rate, description=description, exclude_pk=report.pk)
    raise_if(errors)
    before = {"person_name": report.person_name, "month": f"{report.month:%Y-%m}", "hours": report.hours,
              "hourly_rate": report.hourly_rate, "description": report.description}
    report.person_name, report.month, report.hours = person_name.strip(), month, hours
    report.hourly_rate, report.description = rate, description.strip()
    report.save(update_fields=["person_name", "month", "hours", "hourly_rate", "description"])
    log_event(by=by, action="update", obj=report, application=application, changes=diff(before, {
        "person_name": report.person_name, "month": f"{month:%Y-%m}", "hours": hours, "hourly_rate": rate,
        "description": report.description}))
    return report


@transaction.atomic
def delete_time_report(report: TimeReport, *, by) -> None:
    report = _editable_time_report(report, by)
    log_event(by=by, action="delete", obj=report, application=report.partner.application,
              changes={"hours": [str(report.hours), None], "month": [f"{report.month:%Y-%m}", None]})
    report.delete()


@transaction.atomic
def attest_time_report(report: TimeReport, *, by) -> TimeReport:
    """The employer attests the hours (rule S1); attested reports can go into a claim."""
    report = for_update(TimeReport.objects.select_related("partner__company", "partner__application__call")).get(
        pk=report.pk)
    if not is_company_rep_of(by, report.partner.company_id):
        raise NotPermitted(_("Only a representative of the company can attest its time reports."))
    if report.is_attested:
        raise TransitionConflict(_("This time report is already attested."))
    call = report.partner.application.call
    if call.attestation_by_second_user and report.reported_by_id == by.pk:  # rule V6
        raise RuleViolation([_("The call requires a second company user to attest: you entered this time report, "
                               "so someone else at %(company)s attests it.") % {"company": report.partner.company.name}])
    report.attested_by, report.attested_at = by, timezone.now()
    report.save(update_fields=["attested_by", "attested_at"])
    log_event(by=by, action="update", obj=report, application=report.partner.application,
              changes={"attested": ["no", "yes"]})
    return report


def _cash_problems(application, *, amount, paid_on, voucher_reference, receipt, exclude_pk=None) -> dict:
    errors: dict[str, list] = {}
    if application.state not in REPORTING_STATES:
        errors.setdefault("__all__", []).append(
            _("Cash can be reported only while the project is active; it is %(state)s.")
            % {"state": application.get_state_display()})
    if amount <= 0:
        errors.setdefault("amount", []).append(_("The amount must be more than zero."))
    if paid_on is None:
        errors.setdefault("paid_on", []).append(_("Give the payment date."))
    elif paid_on > timezone.localdate():  # rule V4: only what has been paid
        errors.setdefault("paid_on", []).append(
            _("The payment date %(date)s is in the future; report cash once it has been paid.")
            % {"date": paid_on.isoformat()})
    elif not (application.start_date <= paid_on <= application.end_date):
        errors.setdefault("paid_on", []).append(
            _("The payment date must lie inside the project period (%(start)s to %(end)s).")
            % {"start": application.start_date, "end": application.end_date})
    if not voucher_reference:
        errors.setdefault("voucher_reference", []).append(_("Give the voucher reference."))
    else:
        same = CashContribution.objects.filter(application=application, voucher_reference=voucher_reference)
        if exclude_pk is not None:
            same = same.exclude(pk=exclude_pk)
        if same.exists():
            errors.setdefault("voucher_reference", []).append(_("This voucher has already been reported."))
    if receipt is not None:
        receipt_problems = receipts.problems(receipt)
        if receipt_problems:
            errors["receipt"] = receipt_problems
    return errors


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
    amount = money_value(amount, "amount")
    voucher_reference = (voucher_reference or "").strip()
    raise_if(_cash_problems(application, amount=amount, paid_on=paid_on, voucher_reference=voucher_reference,
                            receipt=receipt))
    item = CashContribution(application=application, amount=amount, paid_on=paid_on,
                            voucher_reference=voucher_reference, reported_by=by,
                            idempotency_key=idempotency_key or None)
    if receipt is not None:
        item.receipt.save(receipts.safe_name(receipt), receipt, save=False)
    item.save()
    log_event(by=by, action="create", obj=item, application=application,
              changes={"amount": [None, str(amount)], "voucher_reference": [None, voucher_reference]})
    return item


def _editable_cash(item: CashContribution, by) -> CashContribution:
    """The reporter changes or removes a cash item until it is in a submitted claim (rules V4, T10)."""
    item = for_update(CashContribution.objects.select_related("application", "claim")).get(pk=item.pk)
    if item.reported_by_id != by.pk or not is_applicant_of(by, item.application):
        raise NotPermitted(_("Only the person who entered a cash item can change or delete it."))
    if item.claim_id is not None and item.claim.state != Claim.State.DRAFT:
        raise TransitionConflict(_("This cash item is in a submitted claim; it can no longer be changed."))
    return item


@transaction.atomic
def update_cash(item: CashContribution, *, by, amount, paid_on: date, voucher_reference: str,
                receipt=None) -> CashContribution:
    item = _editable_cash(item, by)
    application = for_update(Application.objects).get(pk=item.application_id)
    amount = money_value(amount, "amount")
    voucher_reference = (voucher_reference or "").strip()
    raise_if(_cash_problems(application, amount=amount, paid_on=paid_on, voucher_reference=voucher_reference,
                            receipt=receipt, exclude_pk=item.pk))
    before = {"amount": item.amount, "paid_on": item.paid_on, "voucher_reference": item.voucher_reference}
    item.amount, item.paid_on, item.voucher_reference = amount, paid_on, voucher_reference
    if receipt is not None:
        item.receipt.save(receipts.safe_name(receipt), receipt, save=False)
    item.save()
    log_event(by=by, action="update", obj=item, application=application, changes=diff(before, {
        "amount": amount, "paid_on": paid_on, "voucher_reference": voucher_reference}))
    return item


@transaction.atomic
def delete_cash(item: CashContribution, *, by) -> None:
    item = _editable_cash(item, by)
    log_event(by=by, action="delete", obj=item, application=item.application,
              changes={"amount": [str(item.amount), None], "voucher_reference": [item.voucher_reference, None]})
    item.delete()
