"""Template helpers of the web interface: Swedish-aware amounts, state labels, report links."""
from django import template
from django.urls import NoReverseMatch, reverse

from applications.models import Application, FundingCall
from core import display
from ledger.models import Claim, JournalEntry, ReviewStatus

register = template.Library()

STATE_LABELS = {**dict(FundingCall.State.choices), **dict(Claim.State.choices), **dict(Application.State.choices)}


@register.filter
def sek(value):
    """1 234 567,89 kr under Swedish, 1,234,567.89 kr under English (core.display)."""
    return display.sek(value)


@register.filter
def hours(value):
    return display.hours(value)


@register.filter
def state_label(value):
    """The translated label of an application or claim state stored as its raw value."""
    return STATE_LABELS.get(value, value or "—")


@register.filter
def entry_kind_label(value):
    return dict(JournalEntry.Kind.choices).get(value, value)


@register.filter
def review_label(value):
    return dict(ReviewStatus.choices).get(value, value)


@register.simple_tag
def report_url(name, **kwargs):
    """The URL of a report download, or '' while that report does not exist yet (never a 500)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def query_with(context, **kwargs):
    """The current query string with some parameters replaced (for pagination links)."""
    query = context["request"].GET.copy()
    for key, value in kwargs.items():
        query[key] = value
    return query.urlencode()
