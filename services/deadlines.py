"""Reporting periods and the payment clock as stored facts (rules D1, D2, T5).

The dates themselves come from the pure functions in applications.deadlines; this module
writes them: periods when an application becomes active, the clock when a claim is submitted
(started, or resumed after a return) and returned (paused).
"""
from django.conf import settings
from django.db.models import Exists, OuterRef, Q

from applications.deadlines import PaymentClock, pause_days, payment_clock, plan_periods
from applications.models import Application, ReportingPeriod
from ledger.models import Claim

CLAIMING_STATES = (Application.State.ACTIVE, Application.State.CLOSING)


def generate_periods(application: Application) -> list[ReportingPeriod]:
    """The reporting periods and claim due dates of a newly active application (once)."""
    if application.reporting_periods.exists():
        return list(application.reporting_periods.all())
    call = application.call
    return ReportingPeriod.objects.bulk_create(
        ReportingPeriod(application=application, number=p.number, starts_on=p.starts_on, ends_on=p.ends_on,
                        due_on=p.due_on, is_final=p.is_final)
        for p in plan_periods(application.start_date, application.end_date,
                              months=call.reporting_period_months, grace_days=call.grace_days)
    )


def unclaimed_periods(periods=None):
    """Periods whose claim has not been submitted: no submitted claim reaches into the period
    (the final period: no submitted final claim), of applications still claiming."""
    periods = ReportingPeriod.objects.all() if periods is None else periods
    submitted = Claim.objects.filter(application=OuterRef("application"), submitted_at__isnull=False)
    covering = submitted.filter(period_end__gte=OuterRef("starts_on"))
    final = submitted.filter(is_final=True)
    return (periods.filter(application__state__in=CLAIMING_STATES)
            .filter((Q(is_final=False) & ~Exists(covering)) | (Q(is_final=True) & ~Exists(final)))
            .select_related("application"))


def next_due_periods(applications) -> dict:
    """{application id: the earliest unclaimed period} for these applications, in one query."""
    found = {}
    for period in unclaimed_periods(ReportingPeriod.objects.filter(application__in=applications)).order_by("due_on"):
        found.setdefault(period.application_id, period)
    return found


def start_clock(claim: Claim, now) -> None:
    """On submission of a complete claim: start the clock, or resume it after a return (not saved)."""
    if claim.clock_started_at is None:
        claim.clock_started_at = now
    elif claim.clock_paused_at is not None:
        claim.clock_paused_days += pause_days(claim.clock_paused_at, now)
        claim.clock_paused_at = None


def pause_clock(claim: Claim, now) -> None:
    """On return to the applicant: the clock waits until the claim is submitted again (not saved)."""
    if claim.clock_started_at is not None and claim.clock_paused_at is None:
        claim.clock_paused_at = now


def clock_of(claim: Claim, today) -> PaymentClock | None:
    return payment_clock(started_at=claim.clock_started_at, paused_at=claim.clock_paused_at,
                         paused_days=claim.clock_paused_days, stopped_at=claim.paid_at, today=today,
                         limit=settings.PAYMENT_DAYS, warn_at=settings.PAYMENT_WARNING_DAY)
