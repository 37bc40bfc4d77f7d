"""Formatting for printed reports: amounts, hours, dates and labels in the active language."""
from datetime import date, datetime

from django import template
from django.utils import formats, timezone
from django.utils.safestring import mark_safe

from core import display
from ledger import labels

register = template.Library()



@register.filter
def sek(value):
    """1 234 567,89 kr under Swedish, 1,234,567.89 kr under English; a dash when there is no figure."""
    return display.sek(None if value == "" else value)


@register.filter
def hours(value):
    return display.hours(None if value == "" else value)


@register.filter
def number(value, places=2):
    if value in (None, ""):
        return "—"
    return formats.number_format(value, decimal_pos=int(places), use_l10n=True, force_grouping=True)


@register.filter
def day(value):
    """ISO dates (2026-03-15): unambiguous in both languages."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{value:%Y-%m-%d}"


@register.filter
def month(value):
    if value is None:
        return "—"
    return f"{value:%Y-%m}" if isinstance(value, date) else str(value)[:7]


@register.filter
def moment(value):
    """Local date and time to the minute, with the zone (2026-03-15 14:02 CET)."""
    if value is None:
        return "—"
    local = timezone.localtime(value)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"


@register.filter
def state_label(value):
    return labels.state_label(value)


@register.filter
def entry_kind_label(value):
    return labels.entry_kind_label(value)


@register.filter
def review_label(value):
    return labels.review_label(value)


@register.filter
def css_string(value):
    """Text as a quoted CSS string for page margin boxes (inside <style>, so escaped for CSS, not HTML)."""
    text = str(value)
    escaped = []
    for ch in text:
        if ch in '"\\<>&' or ord(ch) < 32:
            escaped.append(f"\\{ord(ch):x} ")
        else:
            escaped.append(ch)
    return mark_safe('"' + "".join(escaped) + '"')  # noqa: S308 - every special character is escaped above


@register.filter
def memo_in_words(memo):
    """A journal memo in the document's language (ledger.labels)."""
    return labels.memo_in_words(memo)


@register.filter
def person_name(user):
    """First and last name, or the username when the user has none."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()
