"""Words for people for the raw values stored in the tables: states, entry kinds, review outcomes.

One place for pages and documents alike, so a state reads the same on the screen and in the PDF.
"""
import re
from datetime import date
from decimal import Decimal, InvalidOperation

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from applications.models import Application, FundingCall
from core import display

from .models import Claim, JournalEntry, ReviewStatus

STATE_LABELS = {**dict(FundingCall.State.choices), **dict(Claim.State.choices), **dict(Application.State.choices)}
ENTRY_KIND_LABELS = dict(JournalEntry.Kind.choices)
REVIEW_LABELS = dict(ReviewStatus.choices)


def state_label(value):
    """The translated label of an application, claim or call state stored as its raw value."""
    return STATE_LABELS.get(value, value or "—")


def entry_kind_label(value):
    return ENTRY_KIND_LABELS.get(value, value)


def review_label(value):
    return REVIEW_LABELS.get(value, value)


# ---------------------------------------------------------------- what an audit event changed, in words
_MONEY_FIELDS = {"public_cash", "hourly_rate", "granted_amount", "amount", "eligible_amount", "deduction"}
_HOURS_FIELDS = {"planned_hours", "hours", "approved_hours"}
_DATE_FIELDS = {"start_date", "end_date", "paid_on", "period_start", "period_end"}
FIELD_LABELS = {
    "title": _lazy("Title"), "needs_analysis": _lazy("Needs analysis"),
    "testbed_description": _lazy("Testbed description"), "start_date": _lazy("Start date"),
    "end_date": _lazy("End date"), "public_cash": _lazy("Planned public cash"),
    "planned_hours": _lazy("Planned hours"), "hourly_rate": _lazy("Hourly rate"),
    "role_description": _lazy("Role in the testbed"), "company": _lazy("Company"),
    "granted_amount": _lazy("Granted fund amount"), "amount": _lazy("Amount"), "review_status": _lazy("Review"),
    "hours": _lazy("Hours"), "paid_on": _lazy("Payment date"), "voucher_reference": _lazy("Voucher"),
    "person_name": _lazy("Person"), "month": _lazy("Month"), "work_description": _lazy("Work description"),
    "hourly_rate_basis": _lazy("Hourly rate"), "eligible": _lazy("Eligible amount"),
}
_LONG = 80


def _value_in_words(field: str, value):
    if value in (None, "", "None"):
        return "—"
    try:
        if field in _MONEY_FIELDS:
            return display.sek(Decimal(str(value)))
        if field in _HOURS_FIELDS:
            return display.hours(Decimal(str(value)))
        if field in _DATE_FIELDS:
            return formats.date_format(date.fromisoformat(str(value)[:10]), "SHORT_DATE_FORMAT")
    except (InvalidOperation, ValueError):
        return str(value)
    if field == "review_status":
        return str(review_label(value))
    text = str(value)
    return text if len(text) <= _LONG else text[:_LONG - 1] + "…"


def change_rows(changes) -> list[tuple[str, str, str]]:
    """{field: [before, after]} of an audit event → (label, before, after) in words, amounts formatted."""
    if not isinstance(changes, dict):
        return []
    rows = []
    for field, value in changes.items():
        if not (isinstance(value, list | tuple) and len(value) == 2):
            continue
        before, after = value
        rows.append((str(FIELD_LABELS.get(field, field.replace("_", " "))), _value_in_words(field, before),
                     _value_in_words(field, after)))
    return rows


_CLAIM = re.compile(r" claim (\d+)$")
_PARTNER = re.compile(r"^(.*) in [A-Z]+-\d{4}-\d+$")
_TIME_REPORT = re.compile(r"^(.*) (\d{4}-\d{2}) (-?[\d.]+) h$")
_CASH = re.compile(r"^(.*) (-?[\d.]+) SEK$")


def object_in_words(object_type: str, object_repr: str) -> str:
    """The object of an audit event as people say it, in the active language ("claim 1" → "ansökan 1")."""
    text = object_repr or ""
    if object_type == "claim" and (match := _CLAIM.search(text)):
        return _("claim %(number)s") % {"number": match.group(1)}
    if object_type == "decision":
        return _("the decision")
    if object_type == "partner" and (match := _PARTNER.match(text)):
        return match.group(1)
    if object_type == "timereport" and (match := _TIME_REPORT.match(text)):
        return _("hours of %(person)s for %(month)s") % {"person": match.group(1), "month": match.group(2)}
    if object_type == "cashcontribution" and (match := _CASH.match(text)):
        return _("cash item %(voucher)s") % {"voucher": match.group(1)}
    return text


# ---------------------------------------------------------------- journal memos for people
# The memo is part of an entry's hashed bytes, so it stays as written (English, fixed shapes, see
# services/ and ledger/journal.py); pages and documents say it in the reader's language instead.
_MEMOS = [
    (re.compile(r"^Fund budget of (?P<ref>.+)$"), _lazy("Fund budget of %(ref)s")),
    (re.compile(r"^Grant to (?P<ref>\S+)$"), _lazy("Grant to %(ref)s")),
    (re.compile(r"^Recovery of overpaid fund \((?P<reason>.*)\)$"), _lazy("Recovery of overpaid fund (%(reason)s)")),
    (re.compile(r"^Unused commitment of (?P<ref>\S+) returned to the call budget$"),
     _lazy("Unused commitment of %(ref)s returned to the call budget")),
    (re.compile(r"^Cash (?P<voucher>.+)$"), _lazy("Cash %(voucher)s")),
    (re.compile(r"^Payment of claim (?P<number>\d+) of (?P<ref>\S+)$"),
     _lazy("Payment of claim %(number)s of %(ref)s")),
    (re.compile(r"^Correction of #(?P<seq>\d+): (?P<reason>.*)$", re.S), _lazy("Correction of #%(seq)s: %(reason)s")),
]
_TRANSITION_MEMO = re.compile(r"^(?P<object>application|claim) (?P<source>\w+) → (?P<target>\w+)$")


def memo_in_words(memo: str) -> str:
    """A journal entry's memo in the active language: "application under_review → approved" →
    "ansökan Under granskning → Beviljad"; a memo of another shape (a person's hours) as written."""
    if not memo:
        return ""
    if match := _TRANSITION_MEMO.match(memo):
        words = _("Application") if match["object"] == "application" else _("Payment claim")
        return f"{words}: {state_label(match['source'])} → {state_label(match['target'])}"
    for pattern, template in _MEMOS:
        if match := pattern.match(memo):
            return str(template) % match.groupdict()
    return memo


# Comments the system writes on a claim's transitions, in the words of the language they were written
# in; shown in the reader's language with the amount formatted for it.
_COMMENTS = [
    (re.compile(r"^Payable (?P<amount>-?[\d,]+\.\d\d) kr$"), _lazy("Payable %(amount)s")),
    (re.compile(r"^Paid (?P<amount>-?[\d,]+\.\d\d) kr$"), _lazy("Paid %(amount)s")),
    (re.compile(r"^Final claim (?P<number>\d+) submitted\.$"), _lazy("Final claim %(number)s submitted.")),
]


def comment_in_words(comment: str) -> str:
    """A comment the system wrote ("Payable 50,000.00 kr") in the active language; people's words as written."""
    for pattern, template in _COMMENTS:
        if match := pattern.match(comment or ""):
            values = match.groupdict()
            if "amount" in values:
                values["amount"] = display.sek(Decimal(values["amount"].replace(",", "")))
            return str(template) % values
    return comment
