"""The side effects of every change, in one place, called explicitly by the services (never signals).

`log_event` writes who did what (rule E5) in the caller's transaction. `state_changed` is the one
effects function of a state transition: the chained transition entry (so the history of decisions is
verifiable), the audit event, and the notifications (in the app, and e-mail sent by the worker after commit).
"""
from applications.models import AuditEvent
from ledger import journal

from . import notifications


def log_event(*, by, action: str, obj, application=None, from_state="", to_state="", comment="", changes=None):
    """Record who did what (rule E5) in the caller's transaction."""
    signed_in = by is not None and by.is_authenticated
    return AuditEvent.objects.create(
        actor=by if signed_in else None, actor_name=by.get_username() if signed_in else "system",
        action=action, object_type=obj._meta.model_name, object_id=str(obj.pk), object_repr=str(obj)[:200],
        application=application, from_state=from_state, to_state=to_state, comment=comment or "",
        changes=changes or {},
    )


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} of the fields whose text changed, for the audit event."""
    return {k: [str(before.get(k)), str(after[k])] for k in after if str(before.get(k)) != str(after[k])}


def state_changed(subject, *, by, application, from_state: str, to_state: str, comment: str = "",
                  name: str = "", book=None):
    """A transition of an application or claim (`subject`): chained entry, audit event, mail on commit."""
    claim = subject if subject is not application and subject._meta.model_name == "claim" else None
    if subject is application or claim is not None:
        entry = journal.record_transition(application, by=by, from_state=from_state, to_state=to_state,
                                          comment=comment, claim=claim, book=book)
    else:  # another object of the application, e.g. an amendment (rule A2)
        entry = journal.record_object_transition(application, by=by, object_name=subject._meta.model_name,
                                                 object_id=subject.pk, from_state=from_state, to_state=to_state,
                                                 comment=comment, book=book)
    log_event(by=by, action="transition", obj=subject, application=application, from_state=from_state,
              to_state=to_state, comment=comment)
    if name:
        notifications.after_transition(application, name, comment=comment, claim=claim)
    return entry
