"""The one clock: `today()` and `now()` for services and commands, and month arithmetic.

Pure functions take `today`/`now` as arguments; the callers at the edge (views, commands,
services) read them from here, so a test can fix the clock by passing a date or patching here.
"""
import calendar
from datetime import date, datetime

from django.utils import timezone


def now() -> datetime:
    return timezone.now()


def today() -> date:
    return timezone.localdate(now())


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the end of a shorter month (31 Jan + 1 → 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
