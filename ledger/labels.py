"""Words for people for the raw values stored in the tables: states, entry kinds, review outcomes.

One place for pages and documents alike, so a state reads the same on the screen and in the PDF.
"""
from applications.models import Application, FundingCall

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
