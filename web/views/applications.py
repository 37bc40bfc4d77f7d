"""Applications: list, create/edit with partners and the live matching check, the page, and transitions."""
from datetime import date

from django.contrib import messages
from django.db import transaction
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop
from django.views.decorators.http import require_POST

from applications import permissions, rules, selectors
from applications.models import Application, FundingCall, Organisation
from core import clock, display
from core.errors import RuleViolation, TransitionConflict
from core.money import ZERO, AmountError, parse_hours, parse_money
from ledger import grants, matching
from ledger import selectors as ledger_selectors
from ledger.models import retention_end_of
from ledger.selectors import application_balances
from reports import dossier, jobs
from services import comments, deadlines, drafting, lifecycle
from web.forms import (
    ApplicationFilterForm,
    ApplicationForm,
    CommentForm,
    PartnerFormSet,
    TransitionForm,
    add_violation,
    normalise_number,
)

from .common import require, section_page, visible_application

# The services name actions in their messages with _(name.replace("_", " ")); mark those words here.
ACTION_WORDS = [gettext_noop("submit"), gettext_noop("start review"), gettext_noop("request changes"),
                gettext_noop("approve"), gettext_noop("reject"), gettext_noop("withdraw"),
                gettext_noop("activate"), gettext_noop("begin closing"), gettext_noop("close"),
                gettext_noop("terminate")]

TRANSITIONS = {
    "submit": (gettext_lazy("Submit"), gettext_lazy(
        "The application goes to the regional body. You cannot change it unless changes are requested.")),
    "start_review": (gettext_lazy("Start review"), gettext_lazy(
        "You take up the application; the applicant can no longer withdraw it silently.")),
    "request_changes": (gettext_lazy("Request changes"), gettext_lazy(
        "The application goes back to the applicant with your comment.")),
    "approve": (gettext_lazy("Approve"), gettext_lazy(
        "The granted amount is committed against the call's budget. A decision cannot be undone.")),
    "reject": (gettext_lazy("Reject"), gettext_lazy("The application is refused. This cannot be undone.")),
    "withdraw": (gettext_lazy("Withdraw"), gettext_lazy(
        "The application is withdrawn for good. This cannot be undone.")),
    "activate": (gettext_lazy("Accept the grant and start"), gettext_lazy(
        "You accept the decision and the project starts. This cannot be undone.")),
    "begin_closing": (gettext_lazy("Begin closing"), gettext_lazy(
        "Closing starts when the final payment claim has been submitted.")),
    "close": (gettext_lazy("Close"), gettext_lazy(
        "The project is closed and its unused commitment returns to the call. This cannot be undone.")),
    "terminate": (gettext_lazy("Terminate"), gettext_lazy(
        "The project is stopped early, its commitment released and overpaid fund recovered. "
        "This cannot be undone.")),
}
IRREVERSIBLE = {"approve", "reject", "withdraw", "activate", "close", "terminate"}


# ---------------------------------------------------------------- list
def application_list(request):
    user = request.user
    form = ApplicationFilterForm(request.GET or None, calls=selectors.visible_calls(user))
    applications = (selectors.visible_applications(user).select_related("call", "applicant")
                    .order_by("-updated_at", "-id"))
    if form.is_valid():
        q = form.cleaned_data["q"].strip()
        if q:
            applications = applications.filter(
                Q(reference__icontains=q) | Q(title__icontains=q) | Q(applicant__name__icontains=q)
                | Q(applicant__org_number__icontains=q))
        if form.cleaned_data["state"]:
            applications = applications.filter(state=form.cleaned_data["state"])
        if form.cleaned_data["call"]:
            applications = applications.filter(call=form.cleaned_data["call"])
    page = section_page(request, applications, "page", per_page=25)
    return render(request, "web/application_list.html", {"form": form, "page": page})


# ---------------------------------------------------------------- create and edit
def _partner_initial(application):
    return [{"id": p.pk, "company": p.company_id, "company_name": p.company.name, "planned_hours": p.planned_hours, "hourly_rate": p.hourly_rate,
             "role_description": p.role_description}
            for p in application.partners.select_related("company")]


class _Rollback(Exception):
    """A partner row failed: undo the whole save so nothing is half-stored."""


def _save_partners(application, formset, user) -> None:
    partners = {p.pk: p for p in application.partners.select_related("company")}
    failed = False
    for form in formset.forms:
        data = form.cleaned_data
        if not data:
            continue  # an untouched empty row
        partner = partners.get(data.get("id"))
        try:
            if data.get("DELETE"):
                if partner is not None:
                    drafting.remove_partner(partner, by=user)
            elif partner is not None:
                drafting.update_partner(partner, by=user, planned_hours=data["planned_hours"],
                                        hourly_rate=data["hourly_rate"], role_description=data["role_description"])
            else:
                drafting.add_partner(application, by=user, company=data["company"],
                                     planned_hours=data["planned_hours"], hourly_rate=data["hourly_rate"],
                                     role_description=data["role_description"])
        except RuleViolation as exc:
            add_violation(form, exc)
            failed = True
    if failed:
        raise _Rollback


APPLICATION_FIELDS = ("title", "needs_analysis", "testbed_description", "start_date", "end_date", "public_cash")


def _valid_together(form, formset, application) -> bool:
    """Validate the form and every partner row, then the draft rules over all of them, so a failed save
    reports every problem at once (not dates first, then hours, then a company named twice)."""
    form_ok = form.is_valid()
    formset_ok = formset.is_valid()
    existing = {}
    if application is not None:
        existing = {p.pk: p.company for p in application.partners.select_related("company")}
    rows = []
    for index, row_form in enumerate(formset.forms):
        data = getattr(row_form, "cleaned_data", None) or {}
        if not data or data.get("DELETE"):
            continue
        company = existing.get(data.get("id")) or data.get("company")
        rows.append((index, rules.PartnerFacts(
            name=company.name if company else "", is_company=bool(company and company.is_company),
            hours=data.get("planned_hours") or ZERO,
            hourly_rate=data.get("hourly_rate") or ZERO,
            company_id=company.pk if company else None)))
    cleaned = getattr(form, "cleaned_data", {})
    problems = rules.draft_problems(
        public_cash=cleaned.get("public_cash"), partners=[facts for _i, facts in rows],
        start_date=cleaned.get("start_date"), end_date=cleaned.get("end_date"))
    for field, messages_ in _by_form_row(problems, [i for i, _f in rows]).items():
        for message in messages_:
            if field.startswith("partners-"):
                _prefix, index, name = field.split("-", 2)
                formset.forms[int(index)].add_error(name, message)
            elif field in form.fields:
                form.add_error(field, message)
            else:
                form.add_error(None, message)
    return form_ok and formset_ok and not problems


def _by_form_row(problems: dict, indexes: list[int]) -> dict:
    """Re-key "partners-<position>-<field>" problems by the row's index in the posted formset."""
    out = {}
    for field, messages_ in problems.items():
        if field.startswith("partners-"):
            _prefix, position, name = field.split("-", 2)
            field = f"partners-{indexes[int(position)]}-{name}"
        out[field] = messages_
    return out


def application_create(request):
    user = request.user
    applicants = selectors.applicant_organisations(user)
    require(applicants.exists())
    calls = FundingCall.objects.filter(state=FundingCall.State.OPEN)
    if request.method == "POST":
        form = ApplicationForm(request.POST, calls=calls, applicants=applicants)
        formset = PartnerFormSet(request.POST, prefix="partners")
        if _valid_together(form, formset, None):
            fields = {k: form.cleaned_data[k] for k in APPLICATION_FIELDS}
            try:
                with transaction.atomic():
                    application = drafting.create_application(
                        call=form.cleaned_data["call"], applicant=form.cleaned_data["applicant"], by=user, **fields)
                    _save_partners(application, formset, user)
            except RuleViolation as exc:
                add_violation(form, exc)
            except _Rollback:
                form.add_error(None, _("A partner could not be saved; see the errors below."))
            else:
                messages.success(request, _("Application %(reference)s was created as a draft.")
                                 % {"reference": application.reference})
                return redirect("web:application_detail", reference=application.reference)
    else:
        form = ApplicationForm(initial={"call": request.GET.get("call")}, calls=calls, applicants=applicants)
        formset = PartnerFormSet(prefix="partners")
    return render(request, "web/application_form.html", {
        "form": form, "formset": formset, "application": None,
        "check": matching_summary(request.POST if request.method == "POST" else None, user),
    })


def application_edit(request, reference):
    user = request.user
    application = visible_application(user, reference)
    require(permissions.is_applicant_of(user, application))
    if not application.is_editable:
        messages.error(request, _("The application can only be changed while it is a draft or changes are requested."))
        return redirect("web:application_detail", reference=reference)
    initial_partners = _partner_initial(application)
    if request.method == "POST":
        form = ApplicationForm(request.POST, editing=True)
        formset = PartnerFormSet(request.POST, prefix="partners", initial=initial_partners)
        if _valid_together(form, formset, application):
            fields = {k: form.cleaned_data[k] for k in APPLICATION_FIELDS}
            try:
                with transaction.atomic():
                    application = drafting.update_application(application, by=user, **fields)
                    _save_partners(application, formset, user)
            except RuleViolation as exc:
                add_violation(form, exc)
            except _Rollback:
                form.add_error(None, _("A partner could not be saved; see the errors below."))
            except TransitionConflict as exc:
                messages.error(request, str(exc))
                return redirect("web:application_detail", reference=reference)
            else:
                messages.success(request, _("Your changes were saved."))
                return redirect("web:application_detail", reference=reference)
        data = request.POST
    else:
        form = ApplicationForm(editing=True, initial={k: getattr(application, k) for k in APPLICATION_FIELDS})
        formset = PartnerFormSet(prefix="partners", initial=initial_partners)
        data = None
    return render(request, "web/application_form.html", {
        "form": form, "formset": formset, "application": application,
        "check": matching_summary(data, user, application=application),
    })


# ---------------------------------------------------------------- the live matching check
def _decimal_or_none(value, parse=parse_money):
    """A figure as the form would read it (the one parser, bounded), or None when it cannot be read; a
    negative figure is read, so that the draft rules name it in words (rules.draft_problems)."""
    if value in (None, ""):
        return None
    try:
        return parse(normalise_number(str(value)))
    except AmountError:
        return None


def _date_or_none(value):
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def matching_summary(data, user, *, application=None) -> dict | None:
    """The figures and unmet rules for the form as typed (rules M1–M5), from the same code as the server.

    `data` is the posted form (None: the application as stored, or nothing on a blank form).
    """
    if application is not None:
        call, applicant = application.call, application.applicant
    else:
        if not data:
            return None
        call = selectors.visible_calls(user).filter(pk=_int(data.get("call"))).first()
        applicant = selectors.applicant_organisations(user).filter(pk=_int(data.get("applicant"))).first()
        if call is None or applicant is None:
            return None
    if data is None:
        cash = application.public_cash
        start, end = application.start_date, application.end_date
        facts = grants.partner_facts(application)
    else:
        cash = _decimal_or_none(data.get("public_cash"))
        start, end = _date_or_none(data.get("start_date")), _date_or_none(data.get("end_date"))
        facts = _partner_facts_from(data, application)
    unreadable = []
    if cash is None:
        unreadable.append(_("Enter the planned public cash to see the matching."))
        cash = ZERO
    plan = matching.plan(cash, [(p.hours, p.hourly_rate) for p in facts if p.is_company],
                         fund_ratio=call.fund_ratio, inkind_ratio=call.inkind_ratio)
    remaining = ledger_selectors.call_uncommitted(call)
    problems = []
    if start is None or end is None:
        unreadable.append(_("Enter the start and end dates."))
        # The rules that need no dates still speak: negative figures, a company named twice (rule M1, M2).
        problems = rules.flat(rules.draft_problems(public_cash=cash, partners=facts, start_date=None, end_date=None))
    else:
        problems = rules.submission_problems(
            applicant_is_public=applicant.is_public, public_cash=plan.public_cash, partners=facts,
            start_date=start, end_date=end, policy=grants.call_policy(call), budget=plan)
    return {
        "inkind_value": display.sek(plan.inkind_value),
        "public_cash": display.sek(plan.public_cash),
        "requested_fund": display.sek(plan.requested_fund),
        "required_inkind": display.sek(plan.required_inkind),
        "inkind_ratio": ratio(call.inkind_ratio),
        "remaining_budget": display.sek(remaining),
        "max_grant": display.sek(call.max_grant),
        "inkind_ok": None if unreadable else plan.inkind_ok,
        "within_budget": plan.requested_fund <= remaining,
        "within_max": plan.requested_fund <= call.max_grant,
        "problems": unreadable + problems,
        "ok": not unreadable and not problems,
    }


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _partner_facts_from(data, application) -> list[rules.PartnerFacts]:
    """Partner rows of a posted formset; an existing row's company comes from the stored partner."""
    total = min(_int(data.get("partners-TOTAL_FORMS")) or 0, 100)
    rows = []
    for i in range(total):
        prefix = f"partners-{i}-"
        if data.get(prefix + "DELETE"):
            continue
        hours = _decimal_or_none(data.get(prefix + "planned_hours"), parse_hours)
        rate = _decimal_or_none(data.get(prefix + "hourly_rate"))
        if hours is None and rate is None:
            continue
        rows.append((_int(data.get(prefix + "company")), _int(data.get(prefix + "id")), hours, rate))
    companies = Organisation.objects.in_bulk([c for c, _id, _h, _r in rows if c])
    existing = {}
    if application is not None:
        existing = {p.pk: p.company for p in application.partners.select_related("company")}
    facts = []
    for company_id, partner_id, hours, rate in rows:
        company = existing.get(partner_id) or companies.get(company_id)
        facts.append(rules.PartnerFacts(
            name=company.name if company else _("(no company chosen)"),
            is_company=bool(company and company.is_company),
            hours=hours or ZERO, hourly_rate=rate or ZERO,
            company_id=company.pk if company else None))
    return facts


@require_POST
def matching_check(request):
    """JSON for the live matching check beside the application form."""
    application = None
    reference = request.POST.get("application")
    if reference:
        application = visible_application(request.user, reference)
        require(permissions.is_applicant_of(request.user, application))
    else:
        require(selectors.applicant_organisations(request.user).exists())
    summary = matching_summary(request.POST, request.user, application=application)
    if summary is None:
        return JsonResponse({"problems": [_("Choose a call and an applicant organisation.")], "ok": False})
    return JsonResponse(summary)


# ---------------------------------------------------------------- the application page
EVENTS_PER_PAGE = 100  # the application page's timeline; its other lists show common.ROWS_PER_PAGE


def application_detail(request, reference, comment_form=None):
    user = request.user
    application = visible_application(user, reference)
    everything = permissions.sees_everything_of(user, application)
    # Every page starts from the selectors (rule P1): a partner company sees its own partnership,
    # time reports and events, never the cash, the claims or another partner's hours and rates.
    partners = list(selectors.visible_partners(user).filter(application=application).select_related("company"))
    time_reports = ledger_selectors.visible_time_reports(user).filter(partner__application=application).select_related(
        "partner__company", "claim", "attested_by")
    available, later = lifecycle.next_steps(application, user)
    names = [name for name in TRANSITIONS if name in available]  # life-cycle order, not set order
    is_applicant = permissions.is_applicant_of(user, application)
    own_partners = [p for p in partners if permissions.is_company_rep_of(user, p.company_id)]
    reporting = application.state == Application.State.ACTIVE
    events = (ledger_selectors.visible_events(user).filter(application=application).select_related("actor")
              .order_by("occurred_at", "id"))
    cash_items = (ledger_selectors.visible_cash(user).filter(application=application).select_related("claim")
                  if everything else None)
    # A project of several years holds thousands of reports and events: each list is shown a page at a
    # time (its own page parameter), so the page stays small whatever the size of the project.
    time_page = section_page(request, time_reports, "time_page")
    cash_page = section_page(request, cash_items, "cash_page") if everything else None
    events_page = section_page(request, events, "events_page", per_page=EVENTS_PER_PAGE)
    may_comment = permissions.is_officer_of_call(user, application.call)
    balances = application_balances(application)
    return render(request, "web/application_detail.html", {
        "changes_requested": _changes_requested(application, events) if is_applicant else None,
        "comment_form": (comment_form or CommentForm(auto_id="id_comment_%s")) if may_comment else None,
        "application": application,
        "partners": partners,
        "budget": grants.planned_budget(application),
        "decision": application.decisions.select_related("decided_by").first(),
        "balances": balances,
        "time_reports": time_page.object_list,
        "time_page": time_page,
        "cash_items": cash_page.object_list if everything else None,
        "cash_page": cash_page,
        "claims": (deadlines.with_clocks(ledger_selectors.visible_claims(user).filter(application=application)
                                         .order_by("number"), clock.today()) if everything else None),
        # The claim due dates (rule D1), for those who see the claims.
        "periods": deadlines.period_rows(application, clock.today()) if everything else None,
        "long_statement": jobs.statement_is_long(application),  # offered as a background job
        "events": events_page.object_list,
        "events_page": events_page,
        "actions": [_action(application, name, user) for name in names],
        "later": later,
        "can_edit": is_applicant and application.is_editable,
        "can_report_cash": is_applicant and reporting,
        "can_claim": is_applicant and application.state in (Application.State.ACTIVE, Application.State.CLOSING),
        "can_report_time": bool(own_partners) and reporting,
        "own_company_ids": {p.company_id for p in own_partners},
        "sees_everything": everything,
        "is_applicant": is_applicant,
        "retention_end": retention_end_of(application),
        "state_aid": application.partners.filter(has_state_aid=True).exists(),
        "dossier_large": everything and application.state != Application.State.DRAFT and dossier.is_large(application),
        # Life after approval (rules A1, T6): amendments for those who see everything, advances by officers.
        "amendments": application.amendments.all() if everything else None,
        "can_amend": is_applicant and application.state == Application.State.ACTIVE,
        "can_advance": (permissions.is_officer_of_call(user, application.call)
                        and application.state in (Application.State.APPROVED, Application.State.ACTIVE)
                        and not balances.advanced),
        "advance_page": permissions.is_officer_of_call(user, application.call),
    })


def _changes_requested(application, events):
    """The officer's request for changes, shown on top to the applicant until the application is resubmitted."""
    if application.state != Application.State.CHANGES_REQUESTED:
        return None
    return (events.filter(action="transition", object_type="application",
                          to_state=Application.State.CHANGES_REQUESTED).order_by("-occurred_at", "-id").first())


@require_POST
def application_comment(request, reference):
    """An officer of the call writes a message to the applicant or an internal note."""
    user = request.user
    application = visible_application(user, reference)
    require(permissions.is_officer_of_call(user, application.call))
    form = CommentForm(request.POST, auto_id="id_comment_%s")
    if form.is_valid():
        try:
            comments.write_comment(application, by=user, text=form.cleaned_data["text"],
                                   internal=form.cleaned_data["kind"] == "internal")
        except RuleViolation as exc:
            add_violation(form, exc)
        else:
            messages.success(request, _("Your internal note was saved.") if form.cleaned_data["kind"] == "internal"
                             else _("Your message to the applicant was saved."))
            return redirect("web:application_detail", reference=reference)
    return application_detail(request, reference, comment_form=form)


def _action(application, name, user, form=None):
    label, description = TRANSITIONS[name]
    if form is None:
        form = TransitionForm(name=name, comment_required=name in lifecycle.COMMENT_REQUIRED,
                              requested=display_plain(grants.planned_budget(application).requested_fund)
                              if name == "approve" else None, auto_id=f"id_{name}_%s")
    return {"name": name, "label": label, "description": description, "form": form,
            "irreversible": name in IRREVERSIBLE,
            "url": reverse("web:application_transition", args=[application.reference, name])}


def ratio(value) -> str:
    from django.utils import formats

    return formats.number_format(value.normalize(), use_l10n=True)


def display_plain(value) -> str:
    """An amount as the user can type it back: no grouping, the language's decimal mark."""
    from django.utils import formats

    return f"{value:.2f}".replace(".", formats.get_format("DECIMAL_SEPARATOR"))


def application_transition(request, reference, name):
    """Confirm and take one transition (GET: the confirmation page; POST: do it)."""
    user = request.user
    application = visible_application(user, reference)
    if name not in TRANSITIONS:
        raise Http404
    if name not in lifecycle.available_transitions(application, user):
        if request.method == "POST" and name in lifecycle.TRANSITION_NAMES and _may_ever(application, name, user):
            messages.error(request, _("This application is now %(state)s; someone may have acted on it already.")
                           % {"state": application.get_state_display()})
            return redirect("web:application_detail", reference=reference)
        raise Http404
    action = _action(application, name, user)
    if request.method == "POST":
        form = TransitionForm(request.POST, name=name, comment_required=name in lifecycle.COMMENT_REQUIRED,
                              auto_id=f"id_{name}_%s")
        action["form"] = form
        if form.is_valid():
            comment = form.cleaned_data["comment"]
            try:
                if name == "approve":
                    lifecycle.approve(application, by=user, granted=form.cleaned_data["granted"], rationale=comment)
                else:
                    lifecycle.transition(application, name, by=user, comment=comment)
            except RuleViolation as exc:
                add_violation(form, exc)
            except TransitionConflict as exc:
                messages.error(request, str(exc))
                return redirect("web:application_detail", reference=reference)
            else:
                application = Application.objects.get(pk=application.pk)  # the FSM field is protected
                messages.success(request, _("Done: %(reference)s is now %(state)s.")
                                 % {"reference": reference, "state": application.get_state_display()})
                return redirect("web:application_detail", reference=reference)
    context = {"application": application, "action": action}
    if name == "approve":
        context["budget"] = grants.planned_budget(application)
        context["remaining"] = ledger_selectors.call_uncommitted(application.call)
    return render(request, "web/transition.html", context)


def _may_ever(application, name, user) -> bool:
    """Whether the user's role could take this transition at all (so a stale button is a conflict, not a 404)."""
    officer = permissions.is_officer_of_call(user, application.call)
    applicant = permissions.is_applicant_of(user, application)
    officer_steps = {"start_review", "request_changes", "approve", "reject", "close", "terminate"}
    return officer if name in officer_steps else applicant



def retention_list(request):
    """Applications whose retention has ended (rules E6, T7): for officers of the call and auditors."""
    user = request.user
    if not (permissions.is_officer(user) or permissions.is_auditor(user)):
        raise Http404(_("No such page."))
    return render(request, "web/retention_list.html", {"rows": ledger_selectors.retention_rows(user, clock.today())})
