"""Due dates and the payment clock as pure functions of dates (rules S3, D1, D2, T5).

Nothing here reads the clock: callers pass `today`, so every date can be tested at any moment.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.clock import add_months


@dataclass(frozen=True)
class PlannedPeriod:
    number: int
    starts_on: date
    ends_on: date
    due_on: date
    is_final: bool


def plan_periods(start: date, end: date, *, months: int, grace_days: int) -> list[PlannedPeriod]:
    """Reporting periods of `months` from `start` to `end`; each claim is due `grace_days` after its
    period ends, the last one (the final claim) after the end date (rule D1)."""
    months = max(int(months or 1), 1)
    periods, number, starts_on = [], 1, start
    while starts_on <= end:
        ends_on = min(add_months(start, months * number) - timedelta(days=1), end)
        periods.append(PlannedPeriod(number, starts_on, ends_on, ends_on + timedelta(days=grace_days),
                                     is_final=ends_on == end))
        number, starts_on = number + 1, ends_on + timedelta(days=1)
    return periods


def days_until(due_on: date, today: date) -> int:
    """Days from `today` to `due_on`: positive before, 0 on the day, negative once overdue."""
    return (due_on - today).days


def due_label(due_on: date, today: date) -> str:
    """"due in 12 days", "due today", "overdue 3 days"."""
    days = days_until(due_on, today)
    if days > 0:
        return ngettext("due in %(days)s day", "due in %(days)s days", days) % {"days": days}
    if days == 0:
        return _("due today")
    return ngettext("overdue %(days)s day", "overdue %(days)s days", -days) % {"days": -days}


def reminder_stage(due_on: date, today: date, stages=(14, 3)) -> int | None:
    """Which reminder is due today: 14 or 3 (days before), 0 once the due date has passed, None
    before the first. A job that missed a day sends the most urgent one that applies, once."""
    days = days_until(due_on, today)
    if days < 0:
        return 0
    applicable = [stage for stage in stages if days <= stage]
    return min(applicable) if applicable else None


def _local_day(moment: datetime) -> date:
    return timezone.localdate(moment)


@dataclass(frozen=True)
class PaymentClock:
    """Days counted of the 80 (rule T5): elapsed excludes the pauses while the claim was returned."""

    elapsed: int
    days_left: int
    paused: bool
    stopped: bool
    warning: bool
    overdue: bool

    @property
    def days_beyond(self) -> int:
        """Days past the limit (0 while within it)."""
        return max(-self.days_left, 0)


def payment_clock(*, started_at: datetime | None, paused_at: datetime | None, paused_days: int,
                  stopped_at: datetime | None, today: date, limit: int = 80, warn_at: int = 60) -> PaymentClock | None:
    """The clock of one claim on `today`, or None before the complete claim was submitted."""
    if started_at is None:
        return None
    end = _local_day(stopped_at) if stopped_at else _local_day(paused_at) if paused_at else today
    elapsed = max((end - _local_day(started_at)).days - paused_days, 0)
    return PaymentClock(elapsed=elapsed, days_left=limit - elapsed, paused=paused_at is not None and not stopped_at,
                        stopped=stopped_at is not None, warning=elapsed >= warn_at and not stopped_at,
                        overdue=elapsed > limit)


def pause_days(paused_at: datetime, resumed_at: datetime) -> int:
    """Whole days a returned claim waited for the applicant (the clock does not run meanwhile)."""
    return max((_local_day(resumed_at) - _local_day(paused_at)).days, 0)
