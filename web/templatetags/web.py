"""Template helpers of the web interface: Swedish-aware amounts, state labels, report links."""
from django import template
from django.urls import NoReverseMatch, reverse

from core import display
from ledger import labels

register = template.Library()



@register.filter
def sek(value):
    """1 234 567,89 kr under Swedish, 1,234,567.89 kr under English (core.display)."""
    return display.sek(value)


@register.filter
def hours(value):
    return display.hours(value)


@register.filter
def percent(value):
    return display.percent(value)


@register.filter
def state_label(value):
    return labels.state_label(value)


@register.filter
def entry_kind_label(value):
    return labels.entry_kind_label(value)


@register.filter
def review_label(value):
    return labels.review_label(value)


@register.simple_tag
def report_url(name, **kwargs):
    """The URL of a report download, or '' while that report does not exist yet (never a 500)."""
    try:
        return reverse(name, kwargs=kwargs or None)
    except NoReverseMatch:
        return ""


@register.simple_tag(takes_context=True)
def page_query(context, param, number):
    """The current query string with page parameter `param` set to `number` (pages with several lists)."""
    query = context["request"].GET.copy()
    query[param] = number
    return query.urlencode()


@register.filter
def change_rows(changes):
    """(label, before, after) in words of an audit event's changes (ledger.labels)."""
    return labels.change_rows(changes)


@register.filter
def event_object(event):
    return labels.object_in_words(event.object_type, event.object_repr)


@register.filter
def actor_name(event):
    """The actor's full name where known (first and last name), else the name stored with the event."""
    return person_name(event.actor) if event.actor_id else event.actor_name


@register.filter
def person_name(user):
    """First and last name of a user, or the username when none is given."""
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


@register.filter
def memo_in_words(memo):
    return labels.memo_in_words(memo)


@register.filter
def comment_in_words(comment):
    return labels.comment_in_words(comment)
