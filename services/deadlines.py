"""Reporting periods and the payment clock as stored facts (rules D1, D2, T5).

The dates themselves come from the pure functions in applications.deadlines; this module
writes them: periods when an application becomes active, the clock when a claim is submitted
(started, or resumed after a return) and returned (paused).
"""
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.utils import timezone

from applications.deadlines import (
    PaymentClock,
    days_until,
    due_label,
    pause_days,
    payment_clock,
    plan_periods,
)
from applications.models import Application, AuditEvent, ReportingPeriod
from ledger.models import Claim

CLAIMING_STATES = (Application.State.ACTIVE, Application.State.CLOSING)


def generate_periods(application: Application) -> list[ReportingPeriod]:
    """The reporting periods and claim due dates of a newly active application (once)."""
    if application.reporting_periods.exists():
        return list(application.reporting_periods.all())
    return ReportingPeriod.objects.bulk_create(
        ReportingPeriod(application=application, number=p.number, starts_on=p.starts_on, ends_on=p.ends_on,
                        due_on=p.due_on, is_final=p.is_final)
        for p in _plan(application)
    )


def _plan(application: Application):
    call = application.call
    return plan_periods(application.start_date, application.end_date,
                        months=call.reporting_period_months, grace_days=call.grace_days)


@transaction.atomic
def regenerate_periods(application: Application) -> list[ReportingPeriod]:
    """Move the reporting periods after the project period changed (an amendment, rule A1/D1).

    Periods keep their numbers: a period whose dates are unchanged keeps its reminders; one whose
    due date moved forgets them (its reminders are sent again before the new date); periods beyond
    the new plan are removed and new ones added. Only for applications that have periods (active).
    """
    existing = {period.number: period for period in application.reporting_periods.select_for_update()}
    if not existing:
        return []
    kept = []
    for planned in _plan(application):
        period = existing.pop(planned.number, None)
        if period is None:
            period = ReportingPeriod(application=application, number=planned.number)
        elif period.due_on != planned.due_on:
            period.reminders.all().delete()
        period.starts_on, period.ends_on = planned.starts_on, planned.ends_on
        period.due_on, period.is_final = planned.due_on, planned.is_final
        period.save()
        kept.append(period)
    ReportingPeriod.objects.filter(pk__in=[period.pk for period in existing.values()]).delete()
    return kept


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


def clock_counts(claims, today: date) -> dict:
    """{call id: counts} of the claims on the clock (submitted, not yet paid): how many are within
    the 80 days, how many beyond, and how many of those within are past the warning day (rule T5).
    `claims` is a queryset (one query for every call) or claims already read with their application."""
    counts: dict = {}
    for claim in claims:
        clock = clock_of(claim, today)
        if clock is None or clock.stopped:
            continue
        found = counts.setdefault(claim.application.call_id, {"within": 0, "beyond": 0, "warning": 0})
        found["beyond" if clock.overdue else "within"] += 1
        found["warning"] += int(clock.warning and not clock.overdue)
    return counts


def with_clocks(claims, today: date) -> list[Claim]:
    """Claims with `.clock` (the payment clock) and `.case_age` (days since submission), the
    most urgent first: fewest days left of the 80 (rules D2, T5)."""
    found = list(claims)
    for claim in found:
        claim.clock = clock_of(claim, today)
        started = claim.clock_started_at or claim.submitted_at  # the first submission of the claim
        claim.case_age = (today - timezone_day(started)).days if started else None
    return sorted(found, key=lambda c: (c.clock.days_left if c.clock else settings.PAYMENT_DAYS, c.pk))


def timezone_day(moment) -> date:
    return timezone.localdate(moment)


def with_case_age(applications, today: date) -> list[Application]:
    """Applications with `.submitted_on` (their latest submission) and `.case_age` in days, the
    oldest case first: the officer's queue (issue: case age). One query."""
    submissions = (AuditEvent.objects.filter(application=OuterRef("pk"), action="transition",
                                             object_type="application", to_state=Application.State.SUBMITTED)
                   .order_by("-occurred_at", "-id").values("occurred_at")[:1])
    found = list(applications.annotate(last_submitted_at=Subquery(submissions)))
    for application in found:
        moment = application.last_submitted_at
        application.submitted_on = timezone_day(moment) if moment else None
        application.case_age = (today - application.submitted_on).days if moment else None
    return sorted(found, key=lambda a: (-(a.case_age or 0), a.pk))


@dataclass(frozen=True)
class PeriodRow:
    period: ReportingPeriod
    claimed: bool
    days: int
    label: str


def period_rows(application: Application, today: date) -> list[PeriodRow]:
    """The application's reporting periods with whether their claim was submitted and, for the
    ones still open, "due in 12 days" / "overdue 3 days" (rule D1)."""
    periods = list(application.reporting_periods.all())
    open_ids = set(unclaimed_periods(ReportingPeriod.objects.filter(application=application))
                   .values_list("pk", flat=True)) if application.state in CLAIMING_STATES else set()
    return [PeriodRow(period, claimed=period.pk not in open_ids, days=days_until(period.due_on, today),
                      label=due_label(period.due_on, today)) for period in periods]
