"""Reminders before and after a claim's due date (rule D1), sent once each (the Reminder constraint).

`send_reminders(today)` is the whole job: `manage.py send_reminders` runs it with the daily digests
(`daily_jobs`; cron in production, the worker in `make run`); running it again the same day, or
twice at once, sends nothing more.
"""
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats

from applications.deadlines import days_until, reminder_stage
from applications.models import ReportingPeriod
from core import clock

from .deadlines import unclaimed_periods
from .notifications import application_params, notify, send_digests, users_with_role


def send_reminders(today=None) -> int:
    """Send the reminders due on `today` (default: the clock's); returns how many were sent."""
    today = today or clock.today()
    stages = tuple(settings.REMINDER_DAYS_BEFORE)
    horizon = today + timedelta(days=max(stages))
    sent = 0
    for period in unclaimed_periods(ReportingPeriod.objects.filter(due_on__lte=horizon)).order_by("due_on", "pk"):
        stage = reminder_stage(period.due_on, today, stages)
        if stage is None or period.reminders.filter(days_before__lte=stage).exists():
            continue  # not yet, or this (or a more urgent) reminder went already
        try:
            with transaction.atomic():
                period.reminders.create(days_before=stage)
                _remind(period, stage, today)
        except IntegrityError:  # another run sent it meanwhile
            continue
        sent += 1
    return sent


def _remind(period: ReportingPeriod, stage: int, today) -> None:
    application = period.application
    params = application_params(application) | {
        "due": formats.date_format(period.due_on, "Y-m-d"), "period_end": formats.date_format(period.ends_on, "Y-m-d"),
        "days": days_until(period.due_on, today),
    }
    notify(users_with_role(application.applicant_id, "applicant"), "claim_overdue" if stage == 0 else "claim_due",
           application=application, params=params, key=f"reminder:{period.pk}:{stage}",
           link=reverse("web:application_detail", args=[application.reference]))


def daily_jobs(today=None) -> dict:
    """What the schedule runs (hourly by the worker, or cron): the reminders and the daily digests.
    Both are idempotent, so running it more often than needed sends nothing twice."""
    return {"reminders": send_reminders(today), "digests": send_digests(today)}

