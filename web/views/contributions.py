"""Contributions: company representatives report and attest hours; applicants report cash with receipts."""
import mimetypes
import os

from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from applications import permissions
from core.errors import RuleViolation, TransitionConflict
from ledger import selectors as ledger_selectors
from services import contributions
from services.effects import log_event
from web.forms import CashContributionForm, TimeReportForm, add_violation

from .common import require, visible_application


def time_report_create(request, reference):
    user = request.user
    application = visible_application(user, reference)
    partners = application.partners.filter(
        company_id__in=permissions.org_ids(user, permissions.COMPANY)).select_related("company")
    require(partners.exists())
    if request.method == "POST":
        form = TimeReportForm(request.POST, partners=partners)
        if form.is_valid():
            data = form.cleaned_data
            try:
                report = contributions.report_time(
                    data["partner"], by=user, person_name=data["person_name"], month=data["month"],
                    hours=data["hours"], hourly_rate=data["hourly_rate"], description=data["description"])
            except RuleViolation as exc:
                add_violation(form, exc)
            else:
                messages.success(request, _("The time report for %(person)s was saved; attest it when it is checked.")
                                 % {"person": report.person_name})
                return redirect("web:application_detail", reference=reference)
    else:
        first = partners.first()
        form = TimeReportForm(partners=partners, initial={"partner": first, "hourly_rate": first.hourly_rate})
    return render(request, "web/time_report_form.html", {"form": form, "application": application})


def _own_time_report(user, pk):
    """A time report the user entered and may still change (rule V4); 404 for anything else."""
    report = get_object_or_404(ledger_selectors.visible_time_reports(user).select_related(
        "partner__company", "partner__application"), pk=pk)
    require(report.reported_by_id == user.pk and not report.is_attested and report.claim_id is None)
    return report


def time_report_edit(request, pk):
    """The reporter corrects a time report until it is attested or claimed (rule V4)."""
    user = request.user
    report = _own_time_report(user, pk)
    application = report.partner.application
    partners = application.partners.filter(pk=report.partner_id).select_related("company")
    if request.method == "POST":
        form = TimeReportForm(request.POST, partners=partners)
        if form.is_valid():
            data = form.cleaned_data
            try:
                contributions.update_time_report(
                    report, by=user, person_name=data["person_name"], month=data["month"], hours=data["hours"],
                    hourly_rate=data["hourly_rate"], description=data["description"])
            except RuleViolation as exc:
                add_violation(form, exc)
            except TransitionConflict as exc:
                messages.error(request, str(exc))
                return redirect("web:application_detail", reference=application.reference)
            else:
                messages.success(request, _("The time report of %(person)s was changed.")
                                 % {"person": data["person_name"]})
                return redirect("web:application_detail", reference=application.reference)
    else:
        form = TimeReportForm(partners=partners, initial={
            "partner": report.partner, "person_name": report.person_name, "month": report.month,
            "hours": report.hours, "hourly_rate": report.hourly_rate, "description": report.description})
    return render(request, "web/time_report_form.html", {"form": form, "application": application,
                                                         "report": report}, status=400 if form.errors else 200)


@require_POST
def time_report_delete(request, pk):
    report = _own_time_report(request.user, pk)
    reference = report.partner.application.reference
    try:
        contributions.delete_time_report(report, by=request.user)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The time report of %(person)s for %(month)s was deleted.")
                         % {"person": report.person_name, "month": f"{report.month:%Y-%m}"})
    return redirect("web:application_detail", reference=reference)


@require_POST
def cash_delete(request, pk):
    """The reporter removes a cash item not yet in a submitted claim (rule V4)."""
    item = get_object_or_404(ledger_selectors.visible_cash(request.user).select_related("application"), pk=pk)
    require(item.reported_by_id == request.user.pk)
    try:
        contributions.delete_cash(item, by=request.user)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The cash item %(voucher)s was deleted.") % {"voucher": item.voucher_reference})
    return redirect("web:application_detail", reference=item.application.reference)


@require_POST
def time_report_attest(request, pk):
    user = request.user
    report = get_object_or_404(
        ledger_selectors.visible_time_reports(user).filter(
            partner__company_id__in=permissions.org_ids(user, permissions.COMPANY)), pk=pk)
    try:
        contributions.attest_time_report(report, by=user)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    except RuleViolation as exc:  # rule V6: a second user attests
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("The time report of %(person)s for %(month)s is attested.")
                         % {"person": report.person_name, "month": f"{report.month:%Y-%m}"})
    if request.POST.get("next") or request.GET.get("next"):
        return _back(request, "web:dashboard")
    return redirect("web:application_detail", reference=report.partner.application.reference)


def _back(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return redirect(target)
    return redirect(default)


def cash_create(request, reference):
    user = request.user
    application = visible_application(user, reference)
    require(permissions.is_applicant_of(user, application))
    if request.method == "POST":
        form = CashContributionForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                contributions.report_cash(application, by=user, amount=data["amount"], paid_on=data["paid_on"],
                                            voucher_reference=data["voucher_reference"], receipt=data["receipt"])
            except RuleViolation as exc:
                add_violation(form, exc)
            else:
                messages.success(request, _("The cash contribution %(voucher)s was saved.")
                                 % {"voucher": data["voucher_reference"]})
                return redirect("web:application_detail", reference=reference)
    else:
        form = CashContributionForm()
    return render(request, "web/cash_form.html", {"form": form, "application": application})


def receipt_download(request, pk):
    """The receipt of a cash item, for those who may see all of the application's items; logged (rule E5)."""
    user = request.user
    item = get_object_or_404(ledger_selectors.visible_cash(user).select_related("application__call"), pk=pk)
    require(bool(item.receipt))
    log_event(by=user, action="download", obj=item, application=item.application, changes={"file": "receipt"})
    name = f"{item.voucher_reference}{os.path.splitext(item.receipt.name)[1]}"
    content_type = mimetypes.guess_type(item.receipt.name)[0] or "application/octet-stream"
    # Always a download, never shown in the browser: an uploaded file must not run in our origin.
    response = FileResponse(item.receipt.open("rb"), as_attachment=True, filename=name, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
