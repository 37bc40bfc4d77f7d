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
from core.errors import NotPermitted, TransitionConflict
from core.locking import for_update
from core.money import ZERO
from ledger import receipts
from ledger.models import CashContribution, ReviewStatus, TimeReport

from .effects import log_event
from .values import hours_value, money_value, raise_if

REPORTING_STATES = {Application.State.ACTIVE}


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
    hours = hours_value(hours, "hours")
    rate = money_value(hourly_rate, "hourly_rate")
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
    raise_if(errors)
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
    amount = money_value(amount, "amount")
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
    raise_if(errors)
    item = CashContribution(application=application, amount=amount, paid_on=paid_on,
                            voucher_reference=voucher_reference, reported_by=by,
                            idempotency_key=idempotency_key or None)
    if receipt is not None:
        item.receipt.save(receipts.safe_name(receipt), receipt, save=False)
    item.save()
    log_event(by=by, action="create", obj=item, application=application,
              changes={"amount": [None, str(amount)], "voucher_reference": [None, voucher_reference]})
    return item
