"""The side effects of every change, in one place, called explicitly by the services (never signals).

`log_event` writes who did what (rule E5) in the caller's transaction. `state_changed` is the one
effects function of a state transition: the chained transition entry (so the history of decisions is
verifiable), the audit event, and the notifications (in the app, and e-mail sent by the worker after commit).
"""
from applications.models import AuditEvent
from ledger import checkpoints, journal

from . import notifications


def log_event(*, by, action: str, obj, application=None, from_state="", to_state="", comment="", changes=None,
              internal: bool = False):
    """Record who did what (rule E5) in the caller's transaction; `internal`: the comment is an officers' note."""
    signed_in = by is not None and by.is_authenticated
    return AuditEvent.objects.create(
        actor=by if signed_in else None, actor_name=by.get_username() if signed_in else "system",
        action=action, object_type=obj._meta.model_name, object_id=str(obj.pk), object_repr=str(obj)[:200],
        application=application, from_state=from_state, to_state=to_state, comment=comment or "",
        changes=changes or {},
        comment_kind=AuditEvent.CommentKind.INTERNAL if internal else AuditEvent.CommentKind.MESSAGE,
    )


def diff(before: dict, after: dict) -> dict:
    """{field: [before, after]} of the fields whose text changed, for the audit event."""
    return {k: [str(before.get(k)), str(after[k])] for k in after if str(before.get(k)) != str(after[k])}


def state_changed(subject, *, by, application, from_state: str, to_state: str, comment: str = "",
                  name: str = "", book=None):
    """A transition of an application, a claim or another object of an application such as an
    amendment (`subject`): chained entry, audit event, mail on commit.

    The comment of a transition is a message to the applicant; an officers' internal note is an
    event of its own (services.comments), so that whole events can be kept from applicants.
    """
    claim = subject if subject is not application and subject._meta.model_name == "claim" else None
    # The audit event first, so the chained entry carries its hash: deleting or editing the event
    # afterwards is then a projection finding of verify_ledger (DESIGN §7).
    event = log_event(by=by, action="transition", obj=subject, application=application, from_state=from_state,
                      to_state=to_state, comment=comment)
    audit = {"id": event.pk, "hash": checkpoints.audit_event_hash(event)}
    if subject is application or claim is not None:
        entry = journal.record_transition(application, by=by, from_state=from_state, to_state=to_state,
                                          comment=comment, claim=claim, book=book, audit=audit)
    else:  # another object of the application, e.g. an amendment (rule A2)
        entry = journal.record_object_transition(application, by=by, object_name=subject._meta.model_name,
                                                 object_id=subject.pk, from_state=from_state, to_state=to_state,
                                                 comment=comment, book=book, audit=audit)
    if name:
        notifications.after_transition(application, name, comment=comment, claim=claim)
    return entry
