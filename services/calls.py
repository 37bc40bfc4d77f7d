"""Calls for applications: open (which opens the call's book with its fund budget), close, archive."""
from django.db import transaction
from django.utils.translation import gettext as _
from django_fsm import has_transition_perm

from applications.models import Application, FundingCall
from core.errors import NotPermitted, RuleViolation, TransitionConflict
from core.locking import for_update
from ledger import journal

from .effects import log_event

CALL_TRANSITIONS = ("open", "close", "archive")


@transaction.atomic
def transition_call(call: FundingCall, name: str, *, by) -> FundingCall:
    """Open, close or archive a call; opening also opens its book with the fund budget."""
    if name not in CALL_TRANSITIONS:
        raise RuleViolation([_("Unknown action %(name)s.") % {"name": name}])
    call = for_update(FundingCall.objects).get(pk=call.pk)
    if not any(t.name == name for t in call.get_available_state_transitions()):
        raise TransitionConflict(_("The call is %(state)s; that is not possible now.")
                                 % {"state": call.get_state_display()})
    if not has_transition_perm(getattr(call, name), by):
        raise NotPermitted(_("Only an officer of the regional body can change this call."))
    if name == "archive" and call.applications.exclude(state__in=Application.FINAL_STATES).exists():
        raise RuleViolation([_("A call can be archived only when every application in it is finished.")])
    before = call.state
    getattr(call, name)()
    call.save()
    if name == "open":
        journal.book_for_call(call, by=by)
    log_event(by=by, action="transition", obj=call, from_state=before, to_state=call.state)
    return call


def open_call(call: FundingCall, *, by) -> FundingCall:
    return transition_call(call, "open", by=by)
