"""The start page: one section per role the user holds (applicant, company, officer, auditor), and search."""
from django.conf import settings
from django.db.models import Q
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from applications import permissions, selectors
from applications.models import Application, FundingCall, Organisation
from core import clock
from ledger.models import Book, Claim
from ledger.selectors import balances_by_call, visible_entries, visible_time_reports
from services import deadlines
from web.forms import SearchForm

from .calls import call_actions
from .common import section_page

S = Application.State
NEXT_STEP = {
    S.DRAFT: _("Complete the application and submit it."),
    S.CHANGES_REQUESTED: _("Make the requested changes and submit again."),
    S.SUBMITTED: _("Wait for an officer to take up the application."),
    S.UNDER_REVIEW: _("Wait for the decision."),
    S.APPROVED: _("Accept the grant to start the project."),
    S.ACTIVE: _("Report cash contributions and claim payment."),
    S.CLOSING: _("Wait for the final payment."),
}
CLAIM_NEXT_STEP = {
    Claim.State.DRAFT: _("Submit claim %(number)s."),
    Claim.State.RETURNED: _("Claim %(number)s was returned: complete it and submit again."),
}


def dashboard(request):
    user = request.user
    roles = permissions.roles(user)
    context = {"roles": roles, "open_calls": FundingCall.objects.filter(state=FundingCall.State.OPEN)}
    if permissions.APPLICANT in roles:
        context["applicant"] = _applicant_section(user)
    if permissions.COMPANY in roles:
        context["company"] = _company_section(user)
    if permissions.OFFICER in roles:
        context["officer"] = _officer_section(request, user)
    if permissions.AUDITOR in roles:
        context["auditor"] = _auditor_section()
    return render(request, "web/dashboard.html", context)


def _applicant_section(user):
    applications = list(
        Application.objects.filter(applicant_id__in=permissions.org_ids(user, permissions.APPLICANT))
        .select_related("call", "applicant").order_by("-updated_at", "-id")
    )
    open_claims = {}
    for claim in Claim.objects.filter(application__in=applications,
                                      state__in=[Claim.State.DRAFT, Claim.State.RETURNED]):
        open_claims[claim.application_id] = claim
    due = deadlines.next_due_periods(applications)  # rule D1: the next claim due, one query
    today = clock.today()
    for application in applications:
        period = due.get(application.pk)
        application.next_due = (period, deadlines.due_label(period.due_on, today),
                                 deadlines.days_until(period.due_on, today)) if period else None
        claim = open_claims.get(application.pk)
        if claim is not None:
            application.next_step = CLAIM_NEXT_STEP[claim.state] % {"number": claim.number}
        else:
            application.next_step = NEXT_STEP.get(application.state, _("Nothing; the application is finished."))
    return {"applications": applications}


def _company_section(user):
    companies = permissions.org_ids(user, permissions.COMPANY)
    applications = (selectors.visible_applications(user).filter(partners__company_id__in=companies).distinct()
                    .select_related("call", "applicant").order_by("-updated_at", "-id"))
    reports = visible_time_reports(user).filter(partner__company_id__in=companies).select_related(
        "partner__company", "partner__application")
    return {
        "applications": applications,
        "to_attest": reports.filter(attested_at__isnull=True).order_by("month", "person_name"),
        "recent": reports.filter(attested_at__isnull=False).order_by("-reported_at", "-id")[:20],
        "can_report": applications.filter(state=S.ACTIVE),
    }


def _officer_section(request, user):
    calls = list(FundingCall.objects.filter(regional_body_id__in=permissions.org_ids(user, permissions.OFFICER))
                 .select_related("regional_body", "book"))  # the template links each call's book
    for call in calls:
        call.web_actions = call_actions(call, user)
    budgets = balances_by_call(calls)  # one query for every call, not one per call
    claims = Claim.objects.filter(application__call__in=calls).select_related("application__applicant", "application__call")
    today = clock.today()
    # Every claim on the 80-day clock in one query: the lists to verify and to pay, the fewest days
    # left first, and per call how many are within and beyond the 80 days (rules D2, T5).
    running = deadlines.with_clocks(claims.filter(state__in=[Claim.State.SUBMITTED, Claim.State.VERIFIED,
                                                             Claim.State.RETURNED]).select_related("verified_by"), today)
    counts = deadlines.clock_counts(running, today)
    for call in calls:
        call.clock_counts = counts.get(call.pk, {"within": 0, "beyond": 0, "warning": 0})
    # A region's officer may have thousands of cases open: each list is shown a page at a time.
    return {
        # The oldest case first: days since submission (case age).
        "queue": section_page(request, deadlines.with_case_age(
            Application.objects.filter(call__in=calls, state__in=[S.SUBMITTED, S.UNDER_REVIEW])
            .select_related("call", "applicant"), today), "queue_page"),
        "to_verify": section_page(request, [claim for claim in running if claim.state == Claim.State.SUBMITTED],
                                  "verify_page"),
        "to_pay": section_page(request, [claim for claim in running if claim.state == Claim.State.VERIFIED],
                               "pay_page"),
        "budgets": [(call, budgets[call.pk]) for call in calls],
        "payment_days": settings.PAYMENT_DAYS,
    }


def _auditor_section():
    calls = list(FundingCall.objects.select_related("regional_body"))
    books = {book.call_id: book for book in Book.objects.filter(call__in=calls)}
    for call in calls:
        call.ledger_book = books.get(call.pk)
    return {"calls": calls, "search_form": SearchForm()}


def search(request):
    """Search calls, applications, organisations and journal entries within what the user may see."""
    user = request.user
    form = SearchForm(request.GET or None)
    results = None
    if form.is_valid() and form.cleaned_data["q"].strip():
        q = form.cleaned_data["q"].strip()
        limit = 25
        applications = selectors.visible_applications(user).filter(
            Q(reference__icontains=q) | Q(title__icontains=q) | Q(applicant__name__icontains=q)
            | Q(applicant__org_number__icontains=q) | Q(partners__company__name__icontains=q)
            | Q(partners__company__org_number__icontains=q)
        ).distinct().select_related("call", "applicant")[:limit]
        calls = selectors.visible_calls(user).filter(
            Q(title__icontains=q) | Q(fund_project_reference__icontains=q)).select_related("regional_body")[:limit]
        organisations = None
        if permissions.is_auditor(user) or permissions.is_officer(user):
            organisations = Organisation.objects.filter(Q(name__icontains=q) | Q(org_number__icontains=q))[:limit]
        entry_filter = Q(memo__icontains=q) | Q(hash__istartswith=q) | Q(application__reference__icontains=q)
        if q.isdigit():
            entry_filter |= Q(seq=int(q))
        entries = (visible_entries(user).filter(entry_filter).select_related("application", "book__call")
                   .order_by("-occurred_at", "-id")[:limit])
        results = {"applications": applications, "calls": calls, "organisations": organisations,
                   "entries": entries}
    return render(request, "web/search.html", {"form": form, "results": results})

