"""Life after approval on the web: amendments (rules A1–A3) and advances (rule T6).

The applicant requests an amendment beside the current plan; an officer approves (a new amending
decision, the commitment moved by the difference) or refuses it; an officer pays an advance.
"""
from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import permissions
from applications.models import Amendment, AuditEvent
from core.display import sek
from core.errors import RuleViolation, TransitionConflict
from ledger.models import JournalEntry
from ledger.selectors import application_balances, call_uncommitted, payment_records
from services import advances, amendments
from web.forms import AdvanceForm, AmendmentDecisionForm, AmendmentForm, add_violation

from .claims import correct_payment
from .common import require, visible_application


def amendment_create(request, reference):
    user = request.user
    application = visible_application(user, reference)
    require(permissions.is_applicant_of(user, application))
    partners = list(application.partners.select_related("company").order_by("id"))
    if request.method == "POST":
        form = AmendmentForm(request.POST, partners=partners)
        if form.is_valid():
            data = form.cleaned_data
            try:
                amendment = amendments.request_amendment(
                    application, by=user, reason=data["reason"], public_cash=data["public_cash"],
                    end_date=data["end_date"], partners=form.proposed_partners(),
                    added_partners=form.added_partners(), leaving_partners=form.leaving_partners())
            except RuleViolation as exc:
                add_violation(form, exc)
            else:
                messages.success(request, _("Amendment %(number)s was sent to the regional body.")
                                 % {"number": amendment.number})
                return redirect("web:amendment_detail", reference=reference, number=amendment.number)
    else:
        form = AmendmentForm(partners=partners, initial={"public_cash": application.public_cash,
                                                         "end_date": application.end_date})
    return render(request, "web/amendment_form.html", {"form": form, "application": application},
                  status=400 if form.errors else 200)


def amendment_detail(request, reference, number, *, form=None, status=200):
    user = request.user
    application = visible_application(user, reference)
    require(permissions.sees_everything_of(user, application))
    amendment = get_object_or_404(Amendment.objects.select_related("requested_by", "decided_by", "decision"),
                                  application=application, number=number)
    before, after = amendments.sides(amendment)
    rows = amendments.plan_rows(before, after)
    can_decide = (permissions.is_officer_of_call(user, application.call)
                  and amendment.state == Amendment.State.REQUESTED)
    if form is None and can_decide:
        form = AmendmentDecisionForm(initial={"granted": min(after.budget.requested_fund,
                                                             application.call.max_grant)})
    return render(request, "web/amendment_detail.html", {
        "application": application, "amendment": amendment, "before": before, "after": after, "rows": rows,
        "can_decide": can_decide, "form": form, "balances": application_balances(application),
        "uncommitted": call_uncommitted(application.call) if can_decide else None,
        "events": AuditEvent.objects.filter(object_type="amendment", object_id=str(amendment.pk))
        .order_by("occurred_at", "id"),
    }, status=status)


def amendment_decide(request, reference, number):
    user = request.user
    application = visible_application(user, reference)
    require(request.method == "POST" and permissions.is_officer_of_call(user, application.call))
    amendment = get_object_or_404(Amendment, application=application, number=number)
    form = AmendmentDecisionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if request.POST.get("decision") == "approve":
                decision = amendments.approve_amendment(amendment, by=user, rationale=data["comment"],
                                                        granted=data["granted"])
                messages.success(request, _("Amendment %(number)s is approved; the grant is now %(amount)s.")
                                 % {"number": number, "amount": sek(decision.granted_amount)})
            else:
                amendments.refuse_amendment(amendment, by=user, rationale=data["comment"])
                messages.success(request, _("Amendment %(number)s is refused.") % {"number": number})
        except RuleViolation as exc:
            add_violation(form, exc)
        except TransitionConflict as exc:
            messages.error(request, str(exc))
        else:
            return redirect("web:amendment_detail", reference=reference, number=number)
    return amendment_detail(request, reference, number, form=form, status=400)


def advance_create(request, reference):
    user = request.user
    application = visible_application(user, reference)
    require(permissions.is_officer_of_call(user, application.call))
    limit = advances.advance_limit(application)
    if request.method == "POST":
        form = AdvanceForm(request.POST)
        if form.is_valid():
            try:
                advances.pay_advance(application, by=user, amount=form.cleaned_data["amount"],
                                     reason=form.cleaned_data["reason"])
            except RuleViolation as exc:
                add_violation(form, exc)
            except TransitionConflict as exc:
                messages.error(request, str(exc))
                return redirect("web:application_detail", reference=reference)
            else:
                messages.success(request, _("The advance of %(amount)s is paid; it is offset against the following "
                                            "claims.") % {"amount": sek(form.cleaned_data["amount"])})
                return redirect("web:application_detail", reference=reference)
    else:
        form = AdvanceForm(initial={"amount": limit})
    return render(request, "web/advance_form.html", {
        "form": form, "application": application, "limit": limit, "existing": advances.advance_of(application),
        "payments": payment_records(application.journal_entries.all().filter(kind=JournalEntry.Kind.ADVANCE)),
        "can_correct_payment": application.state not in application.FINAL_STATES,
    }, status=400 if form.errors else 200)


@require_POST
def advance_correct(request, reference):
    """An officer reverses part of the advance that did not reach the beneficiary (rule E7)."""
    application = visible_application(request.user, reference)
    require(permissions.is_officer_of_call(request.user, application.call))
    entry = advances.advance_of(application)
    require(entry is not None)
    return correct_payment(request, entry, redirect_to=reverse("web:advance_create", args=[reference]) + "#payment")
