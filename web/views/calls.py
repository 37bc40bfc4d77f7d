"""Calls: officers of a regional body set them up (create, edit while a draft) and open, close and archive
them; everyone signed in sees an open call's rules and dates before applying."""
from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from applications import permissions, rules, selectors
from applications.models import FundingCall, Organisation
from core.errors import RuleViolation, TransitionConflict
from core.money import parse_decimal
from services import calls as call_services
from web.forms import CallForm, add_violation, normalise_number

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


def _officer_bodies(user):
    return Organisation.objects.filter(pk__in=permissions.org_ids(user, permissions.OFFICER),
                                       kind=Organisation.Kind.REGIONAL_BODY)


def _rule_in_words(fund_ratio, inkind_ratio) -> str:
    try:
        fund = parse_decimal(normalise_number(str(fund_ratio)))
        inkind = parse_decimal(normalise_number(str(inkind_ratio)))
    except ValueError:
        return ""
    if fund <= 0 or inkind <= 0 or fund > 1 or inkind > 10:
        return ""
    return rules.matching_rule_in_words(fund, inkind)


def call_list(request):
    user = request.user
    calls = selectors.visible_calls(user).select_related("regional_body").order_by("-opens_on", "title", "id")
    return render(request, "web/call_list.html", {
        "calls": calls, "may_create": _officer_bodies(user).exists()})


def call_detail(request, pk):
    user = request.user
    call = get_object_or_404(selectors.visible_calls(user).select_related("regional_body"), pk=pk)
    is_officer = permissions.is_officer_of_call(user, call)
    return render(request, "web/call_detail.html", {
        "call": call, "rule_in_words": rules.matching_rule_in_words(call.fund_ratio, call.inkind_ratio),
        "is_officer": is_officer, "actions": call_actions(call, user) if is_officer else [],
        "may_edit": is_officer and call.state == FundingCall.State.DRAFT,
        "may_apply": call.state == FundingCall.State.OPEN and bool(permissions.org_ids(user, permissions.APPLICANT)),
    })


def _values(form) -> dict:
    data = dict(form.cleaned_data)
    data.pop("regional_body", None)
    return data


def call_create(request):
    bodies = _officer_bodies(request.user)
    require(bodies.exists())
    form = CallForm(request.POST or None, bodies=bodies, initial={"regional_body": bodies.first()})
    if request.method == "POST" and form.is_valid():
        try:
            call = call_services.create_call(regional_body=form.cleaned_data["regional_body"], by=request.user,
                                             **_values(form))
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("The call “%(title)s” was created as a draft. Open it when it is ready.")
                             % {"title": call.title})
            return redirect("web:call_detail", call.pk)
    return render(request, "web/call_form.html", {"form": form, "preview": _preview(form)})


def call_edit(request, pk):
    user = request.user
    call = get_object_or_404(selectors.calls_seen_in_full(user), pk=pk)
    require(permissions.is_officer_of_call(user, call))
    if call.state != FundingCall.State.DRAFT:
        messages.error(request, _("A call can be changed only while it is a draft; it is %(state)s.")
                       % {"state": call.get_state_display()})
        return redirect("web:call_detail", call.pk)
    initial = {name: getattr(call, name) for name in call_services.CALL_FIELDS}
    form = CallForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        try:
            call = call_services.update_call(call, by=user, **_values(form))
        except RuleViolation as exc:
            add_violation(form, exc)
        except TransitionConflict as exc:
            messages.error(request, str(exc))
            return redirect("web:call_detail", call.pk)
        else:
            messages.success(request, _("The call “%(title)s” was saved.") % {"title": call.title})
            return redirect("web:call_detail", call.pk)
    return render(request, "web/call_form.html", {"form": form, "call": call, "preview": _preview(form)})


def _preview(form) -> str:
    source = form.data if form.is_bound else {k: form.initial.get(k, form.fields[k].initial)
                                              for k in ("fund_ratio", "inkind_ratio")}
    return _rule_in_words(source.get("fund_ratio") or "", source.get("inkind_ratio") or "")


def call_rule_preview(request):
    """The matching rule in words for the ratios being typed (the call form's live preview)."""
    text = _rule_in_words(request.GET.get("fund_ratio", "")[:20], request.GET.get("inkind_ratio", "")[:20])
    return JsonResponse({"text": text})


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
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        return redirect(back)
    return redirect("web:dashboard")
