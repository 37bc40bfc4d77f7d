"""Payment claims: the applicant assembles and submits; an officer reviews item by item, verifies; another pays."""
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_fsm import has_transition_perm

from applications import permissions
from applications.models import AuditEvent
from core.display import sek
from core.errors import RuleViolation, TransitionConflict
from ledger import grants
from ledger import selectors as ledger_selectors
from ledger.models import Claim, ErrorType, JournalEntry, TimeReport
from services import claims as claim_services
from services import corrections
from web.forms import ClaimForm, CorrectionForm, ReasonForm, ReviewItemForm, add_violation

from .common import require, visible_application


def claim_create(request, reference):
    user = request.user
    application = visible_application(user, reference)
    require(permissions.is_applicant_of(user, application))
    reports, cash = ledger_selectors.claimable_items(application)
    reports = reports.select_related("partner__company")
    if request.method == "POST":
        form = ClaimForm(request.POST, reports=reports, cash=cash)
        if form.is_valid():
            data = form.cleaned_data
            try:
                claim = claim_services.create_claim(
                    application, by=user, period_start=data["period_start"], period_end=data["period_end"],
                    is_final=data["is_final"], time_report_ids=[r.pk for r in data["time_reports"]],
                    cash_ids=[c.pk for c in data["cash_items"]])
            except RuleViolation as exc:
                add_violation(form, exc)
            else:
                messages.success(request, _("Claim %(number)s was created. Check it and submit it.")
                                 % {"number": claim.number})
                return redirect("web:claim_detail", reference=reference, number=claim.number)
    else:
        form = ClaimForm(reports=reports, cash=cash, initial={
            "period_start": application.start_date, "time_reports": reports, "cash_items": cash})
    return render(request, "web/claim_form.html", {
        "form": form, "application": application,
        "has_items": reports.exists() or cash.exists(),
    })


def _claim(request, reference, number):
    application = visible_application(request.user, reference)
    require(permissions.sees_everything_of(request.user, application))
    claim = get_object_or_404(Claim.objects.select_related("application__call", "verified_by", "paid_by"),
                              application=application, number=number)
    return application, claim


def claim_detail(request, reference, number, *, item_errors=None, reason_form=None, status=200):
    user = request.user
    application, claim = _claim(request, reference, number)
    is_officer = permissions.is_officer_of_call(user, application.call)
    related = TimeReport.objects.select_related("partner__company", "attested_by")
    all_items = grants.claim_items(Claim.objects.prefetch_related(
        Prefetch("time_reports", queryset=related), Prefetch("parked_timereport", queryset=related),
        "cash_contributions", "parked_cashcontribution").get(pk=claim.pk))
    reports = [i for i in all_items if isinstance(i, TimeReport)]
    cash = [i for i in all_items if not isinstance(i, TimeReport)]
    item_errors = item_errors or {}
    warnings = grants.claim_warnings(claim) if is_officer else {}
    for kind, items in (("time", reports), ("cash", cash)):
        for item in items:
            item.kind, item.reports_hours = kind, kind == "time"
            item.errors = item_errors.get((kind, item.pk), [])
            item.warnings = warnings.get((kind, item.pk), [])
            item.parked_out = item.claim_id != claim.pk  # rule V2: carried to a later claim
    _attach_entries(claim, reports, cash)
    submitted = claim.state == Claim.State.SUBMITTED
    four_eyes_block = (claim.state == Claim.State.VERIFIED and application.call.four_eyes
                       and claim.verified_by_id == user.pk)
    return render(request, "web/claim_detail.html", {
        "application": application,
        "claim": claim,
        "time_reports": reports,
        "cash_items": cash,
        "can_submit": claim.state in (Claim.State.DRAFT, Claim.State.RETURNED) and has_transition_perm(claim.submit, user),
        "can_review": is_officer and submitted,
        "can_correct": is_officer and claim.state in (Claim.State.VERIFIED, Claim.State.PAID),
        # rule E7: a payment that did not reach the beneficiary is reversed while the project runs.
        "payments": ledger_selectors.payment_records(claim.journal_entries.all()),
        "advance": grants.advance_position(application),  # rule T6: how the advance is offset
        "can_correct_payment": is_officer and application.state not in application.FINAL_STATES,
        "pending": sum(1 for i in reports + cash if i.review_status == "pending" and not i.parked_out),
        "totals": grants.claim_totals(claim, all_items),
        "error_types": ErrorType.choices,
        "preview": grants.preview_payout(claim) if is_officer and claim.state in (
            Claim.State.SUBMITTED, Claim.State.VERIFIED) else None,
        "can_pay": is_officer and claim.state == Claim.State.VERIFIED and not four_eyes_block,
        "four_eyes_block": four_eyes_block,
        "reason_form": reason_form or ReasonForm(auto_id="id_return_%s"),
        # The claim's own transitions and every decision on its items (rules E5, V1–V3).
        "events": AuditEvent.objects.filter(
            Q(object_type="claim", object_id=str(claim.pk))
            | Q(object_type="timereport", object_id__in=[str(r.pk) for r in reports], action="review")
            | Q(object_type="cashcontribution", object_id__in=[str(c.pk) for c in cash], action="review")
        ).order_by("occurred_at", "id"),
    }, status=status)


def _attach_entries(claim, reports, cash) -> None:
    """Each posted item with its entry, the corrections of it and the recoveries they caused (rules E7, T10)."""
    entries = list(JournalEntry.objects.filter(
        claim=claim, kind__in=[JournalEntry.Kind.CASH_CONTRIBUTION, JournalEntry.Kind.INKIND_CONTRIBUTION]))
    corrections = list(JournalEntry.objects.filter(corrects__in=entries).select_related("corrects")
                       .order_by("seq"))
    recoveries = {e.idempotency_key: e for e in JournalEntry.objects.filter(
        kind=JournalEntry.Kind.RECOVERY, idempotency_key__in=[f"recover:{c.pk}" for c in corrections])}
    by_item = {}
    for entry in entries:
        key = ("time", entry.payload.get("time_report")) if "time_report" in entry.payload else (
            "cash", entry.payload.get("cash_contribution"))
        by_item[key] = entry
    for kind, items in (("time", reports), ("cash", cash)):
        for item in items:
            item.entry = by_item.get((kind, item.pk))
            item.corrections = [
                (c, recoveries.get(f"recover:{c.pk}")) for c in corrections if item.entry and c.corrects_id == item.entry.pk]


def _run(request, action):
    """Call a claim service; conflicts and rule failures become messages on the claim page."""
    try:
        action()
    except RuleViolation as exc:
        for message in exc.messages:
            messages.error(request, message)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    else:
        return True
    return False


@require_POST
def claim_submit(request, reference, number):
    application, claim = _claim(request, reference, number)
    require(permissions.is_applicant_of(request.user, application))
    if _run(request, lambda: claim_services.submit_claim(claim, by=request.user)):
        messages.success(request, _("Claim %(number)s was submitted for verification.") % {"number": number})
    return redirect("web:claim_detail", reference=reference, number=number)


@require_POST
def claim_review_item(request, reference, number, kind, pk):
    application, claim = _claim(request, reference, number)
    require(permissions.is_officer_of_call(request.user, application.call) and kind in ("time", "cash"))
    items = claim.time_reports if kind == "time" else claim.cash_contributions
    item = get_object_or_404(items, pk=pk)
    form = ReviewItemForm(request.POST)
    form.is_valid()
    data = form.cleaned_data
    try:
        claim_services.review_item(claim, item, by=request.user, decision=request.POST.get("decision"),
                                   reason=data.get("reason", ""), eligible=data.get("eligible") or None,
                                   deduction_type=data.get("deduction_type", ""), sampled=data.get("sampled"))
    except RuleViolation as exc:
        return claim_detail(request, reference, number, item_errors={(kind, item.pk): exc.messages}, status=400)
    except TransitionConflict as exc:
        messages.error(request, str(exc))
    url = reverse("web:claim_detail", kwargs={"reference": reference, "number": number})
    return redirect(f"{url}#item-{kind}-{pk}")


@require_POST
def claim_bulk_accept(request, reference, number):
    """Accept the ticked items in full (rule E4)."""
    application, claim = _claim(request, reference, number)
    require(permissions.is_officer_of_call(request.user, application.call))
    items = (list(claim.time_reports.filter(pk__in=_ids(request.POST.getlist("time"))))
             + list(claim.cash_contributions.filter(pk__in=_ids(request.POST.getlist("cash")))))
    count = 0
    if _run(request, lambda: claim_services.bulk_accept(claim, items, by=request.user)):
        count = len(items)
        messages.success(request, _("%(count)s selected item(s) were accepted.") % {"count": count})
    return redirect("web:claim_detail", reference=reference, number=number)


def _ids(values) -> list[int]:
    return [int(v) for v in values if str(v).isdigit() and len(str(v)) < 12]


@require_POST
def claim_correct_item(request, reference, number, kind, pk):
    """An officer declares part of a posted item ineligible: a reversing entry and any recovery (rule E7)."""
    application, claim = _claim(request, reference, number)
    require(permissions.is_officer_of_call(request.user, application.call) and kind in ("time", "cash"))
    key = "time_report" if kind == "time" else "cash_contribution"
    entry = next((e for e in claim.journal_entries.filter(
        kind__in=[JournalEntry.Kind.CASH_CONTRIBUTION, JournalEntry.Kind.INKIND_CONTRIBUTION])
        if e.payload.get(key) == pk), None)
    require(entry is not None)
    form = CorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            correction = corrections.record_correction(entry, by=request.user, amount=data["amount"],
                                                       reason=data["reason"], hours=data.get("hours"))
        except RuleViolation as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            recovered = JournalEntry.objects.filter(idempotency_key=f"recover:{correction.pk}").first()
            messages.success(request, _("The correction is recorded as entry #%(seq)s; %(recovery)s is recovered.")
                             % {"seq": correction.seq,
                                "recovery": sek(-sum(p.amount for p in recovered.postings.all() if p.amount < 0))
                                if recovered else sek(0)})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    url = reverse("web:claim_detail", kwargs={"reference": reference, "number": number})
    return redirect(f"{url}#item-{kind}-{pk}")


def correct_payment(request, entry, *, redirect_to):
    """Record the correction of a payment or advance from its page (rule E7), then go back to that page."""
    form = CorrectionForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            correction = corrections.record_correction(entry, by=request.user, amount=data["amount"],
                                                       reason=data["reason"])
        except RuleViolation as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("The correction is recorded as entry #%(seq)s: %(amount)s goes back to the "
                                        "commitment and is paid again with the next payment.")
                             % {"seq": correction.seq, "amount": sek(data["amount"])})
    else:
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, message)
    return redirect(redirect_to)


@require_POST
def claim_correct_payment(request, reference, number):
    """An officer reverses part of this claim's payment that did not reach the beneficiary (rule E7)."""
    application, claim = _claim(request, reference, number)
    require(permissions.is_officer_of_call(request.user, application.call))
    entry = claim.journal_entries.filter(kind=JournalEntry.Kind.FUND_PAYMENT).first()
    require(entry is not None)
    url = reverse("web:claim_detail", kwargs={"reference": reference, "number": number})
    return correct_payment(request, entry, redirect_to=f"{url}#payment")


@require_POST
def claim_verify(request, reference, number):
    application, claim = _claim(request, reference, number)
    require(permissions.is_officer_of_call(request.user, application.call))
    if _run(request, lambda: claim_services.verify_claim(claim, by=request.user)):
        claim = Claim.objects.get(pk=claim.pk)  # the FSM field is protected
        messages.success(request, _("Claim %(number)s is verified; %(amount)s is payable.")
                         % {"number": number, "amount": sek(claim.payable_amount)})
    return redirect("web:claim_detail", reference=reference, number=number)


@require_POST
def claim_return(request, reference, number):
    application, claim = _claim(request, reference, number)
    require(permissions.is_officer_of_call(request.user, application.call))
    form = ReasonForm(request.POST, auto_id="id_return_%s")
    if form.is_valid():
        try:
            claim_services.return_claim(claim, by=request.user, reason=form.cleaned_data["reason"])
        except RuleViolation as exc:
            add_violation(form, exc)
        except TransitionConflict as exc:
            messages.error(request, str(exc))
            return redirect("web:claim_detail", reference=reference, number=number)
        else:
            messages.success(request, _("Claim %(number)s was returned to the applicant.") % {"number": number})
            return redirect("web:claim_detail", reference=reference, number=number)
    return claim_detail(request, reference, number, reason_form=form, status=400)


@require_POST
def claim_pay(request, reference, number):
    application, claim = _claim(request, reference, number)
    require(permissions.is_officer_of_call(request.user, application.call))
    # The key makes a double click harmless: the second request finds the payment already made.
    if _run(request, lambda: claim_services.pay_claim(claim, by=request.user, idempotency_key=f"web:pay:{claim.pk}")):
        claim = Claim.objects.get(pk=claim.pk)  # the FSM field is protected
        messages.success(request, _("Claim %(number)s is paid: %(amount)s.")
                         % {"number": number, "amount": sek(claim.payable_amount)})
    return redirect("web:claim_detail", reference=reference, number=number)

