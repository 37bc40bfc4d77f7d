"""Officers open, close and archive their regional body's calls (from the dashboard)."""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applications import permissions
from applications.models import FundingCall
from core.errors import RuleViolation, TransitionConflict
from services import calls as call_services

from .common import require

CALL_ACTIONS = {
    "open": (gettext_lazy("Open the call"), gettext_lazy(
        "Applicants can apply between the call's opening and closing dates.")),
    "close": (gettext_lazy("Close the call"), gettext_lazy(
        "No new applications can be made; running projects go on.")),
    "archive": (gettext_lazy("Archive the call"), gettext_lazy(
        "Nothing more happens in this call; every application in it must be finished.")),
}


def call_actions(call, user) -> list[dict]:
    """The call transitions this officer may take now, in life-cycle order, for the dashboard."""
    available = {t.name for t in call.get_available_user_state_transitions(user)}
    return [{"name": name, "label": label, "text": text, "dialog": f"call-{call.pk}-{name}",
             "url": reverse("web:call_transition", args=[call.pk, name])}
            for name, (label, text) in CALL_ACTIONS.items() if name in available]


@require_POST
def call_transition(request, pk, name):
    user = request.user
    call = get_object_or_404(FundingCall.objects.select_related("regional_body"), pk=pk)
    require(permissions.is_officer_of_call(user, call) and name in CALL_ACTIONS)
    try:
        call = call_services.transition_call(call, name, by=user)
    except RuleViolation as exc:
        for message in exc.messages:
            messages.error(request, message)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The call “%(title)s” is now %(state)s.")
                         % {"title": call.title, "state": call.get_state_display()})
    return redirect("web:dashboard")
