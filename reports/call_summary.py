"""The call summary: every application of a call with its state and money, and the call's budget.

Figures come from `ledger.selectors` in a fixed number of queries whatever the
number of applications: one aggregate for all balances (`balances_by_application`),
one for the call (`call_balances`), and one prefetch for the partners of the plan.
"""
from decimal import Decimal

from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from applications.models import Application, FundingCall
from core.money import ZERO
from ledger.grants import planned_budget
from ledger.selectors import balances_by_application, call_balances

from . import pdf, xlsx
from .statement import generated_by
from .templatetags.report_format import moment

TWO = Decimal("0.01")


def _ratio(numerator: Decimal, denominator: Decimal) -> Decimal | None:
    return (numerator / denominator).quantize(TWO) if denominator else None


# Applications that ask for nothing (yet, or any more): counted apart, never in the call's totals.
APART = (Application.State.DRAFT, Application.State.WITHDRAWN, Application.State.REJECTED)


def _by_state(rows: list) -> dict:
    """Count and money per state, in life-cycle order; drafts, withdrawn and rejected apart."""
    states = {}
    for row in rows:
        group = states.setdefault(row["state"], {"state": row["state"], "label": row["state_label"], "count": 0,
                                                  "requested": ZERO, "approved": ZERO, "net_paid": ZERO})
        group["count"] += 1
        for key in ("requested", "approved", "net_paid"):
            group[key] += row[key]
    order = list(Application.State.values)
    groups = sorted(states.values(), key=lambda g: order.index(g["state"]))
    counted = [g for g in groups if g["state"] not in APART]
    return {"counted": counted, "apart": [g for g in groups if g["state"] in APART],
            "total": {"count": sum(g["count"] for g in counted),
                      **{key: sum((g[key] for g in counted), ZERO) for key in ("requested", "approved", "net_paid")}}}


def call_summary_context(call: FundingCall, *, by=None) -> dict:
    call = FundingCall.objects.select_related("regional_body").get(pk=call.pk)
    applications = list(Application.objects.filter(call=call).select_related("applicant", "call")
                        .prefetch_related("partners").order_by("reference"))
    balances = balances_by_application(applications)
    rows = []
    keys = ("requested", "approved", "net_paid", "remaining", "verified_cash", "verified_inkind")
    totals = dict.fromkeys(keys, ZERO)
    for application in applications:
        plan = planned_budget(application)
        b = balances[application.pk]
        row = {
            "application": application, "state": application.state, "state_label": application.get_state_display(),
            "public_cash": plan.public_cash, "inkind_value": plan.inkind_value, "requested": plan.requested_fund,
            "planned_ratio": _ratio(plan.inkind_value, plan.public_cash),
            "approved": b.approved, "verified_cash": b.verified_cash, "verified_inkind": b.verified_inkind,
            "verified_hours": b.verified_hours, "paid": b.paid, "recovered": b.recovered, "net_paid": b.net_paid,
            "released": b.released, "committed": b.committed, "remaining": b.remaining,
            "verified_ratio": _ratio(b.verified_inkind, b.verified_cash),
        }
        rows.append(row)
        if application.state not in APART:  # drafts, withdrawn and rejected ask for nothing
            for key in keys:
                totals[key] += row[key]
    cb = call_balances(call)
    now, author = timezone.now(), generated_by(by)
    return {
        "call": call, "rows": rows, "totals": totals, "by_state": _by_state(rows), "budget": cb.budget, "uncommitted": cb.uncommitted,
        "call_totals": cb.totals,
        # budget = uncommitted + outstanding commitment + net paid: the call's money is all accounted for.
        "accounted": cb.uncommitted + cb.totals.committed + cb.totals.net_paid,
        "generated_at": now, "generated_by": author, "language": translation.get_language(),
        "running_title": f"{call.fund_project_reference} — {call.title}",
        "running_right": _("Call summary"),
        "footer_left": _("Generated %(at)s by %(by)s") % {"at": moment(now), "by": author},
    }


def render_call_summary_pdf(call: FundingCall, *, by=None, lang: str = "en") -> pdf.RenderedPdf:
    with translation.override(lang):
        return pdf.render_pdf("reports/call_summary.html", lambda: call_summary_context(call, by=by))


COLUMNS = [
    ("reference", gettext_lazy("Reference"), 14), ("title", gettext_lazy("Title"), 36), ("applicant", gettext_lazy("Applicant"), 26),
    ("org_number", gettext_lazy("Organisation number"), 14), ("state", gettext_lazy("State"), 16),
    ("public_cash", gettext_lazy("Planned public cash (SEK)"), 16), ("inkind_value", gettext_lazy("Planned in-kind value (SEK)"), 16),
    ("requested", gettext_lazy("Requested fund (SEK)"), 16), ("planned_ratio", gettext_lazy("Planned in-kind per krona of cash"), 12),
    ("approved", gettext_lazy("Approved (SEK)"), 16), ("verified_cash", gettext_lazy("Verified public cash (SEK)"), 16),
    ("verified_inkind", gettext_lazy("Verified in-kind value (SEK)"), 16), ("verified_hours", gettext_lazy("Verified hours"), 12),
    ("verified_ratio", gettext_lazy("Matching ratio (verified in-kind per krona of cash)"), 14),
    ("paid", gettext_lazy("Paid gross (SEK)"), 16), ("recovered", gettext_lazy("Recovered (SEK)"), 14), ("net_paid", gettext_lazy("Paid (SEK)"), 16),
    ("released", gettext_lazy("Released (SEK)"), 14), ("committed", gettext_lazy("Commitment outstanding (SEK)"), 16),
    ("remaining", gettext_lazy("Remaining (SEK)"), 16),
]


def render_call_summary_xlsx(call: FundingCall, *, by=None, lang: str = "en") -> bytes:
    with translation.override(lang):
        c = call_summary_context(call, by=by)
        book = xlsx.Workbook()
        sheet = book.sheet(_("Applications"), [str(label) for _key, label, _w in COLUMNS],
                           widths=[w for _k, _l, w in COLUMNS])
        for row in c["rows"]:
            application = row["application"]
            values = {"reference": application.reference, "title": application.title,
                      "applicant": application.applicant.name, "org_number": application.applicant.org_number,
                      "state": str(row["state_label"])}
            sheet.append([values.get(key, row.get(key)) for key, _label, _w in COLUMNS])
        summary = book.sheet(_("Call"), [_("Item"), _("Value")], widths=[44, 50])
        call, totals = c["call"], c["call_totals"]
        for item in [
            (_("Call"), call.title), (_("Structural-fund project reference"), call.fund_project_reference),
            (_("Regional body"), call.regional_body.name), (_("Organisation number"), call.regional_body.org_number),
            (_("State"), call.get_state_display()), (_("Applications"), len(c["rows"])),
            (_("Fund budget"), c["budget"]), (_("Granted"), totals.approved), (_("Released"), totals.released),
            (_("Committed (granted, not yet paid)"), totals.committed), (_("Paid gross"), totals.paid),
            (_("Recovered"), totals.recovered), (_("Paid"), totals.net_paid),
            (_("Remaining budget (uncommitted)"), c["uncommitted"]),
            (_("Generated at"), xlsx.local(c["generated_at"])), (_("Generated by"), c["generated_by"]),
        ]:
            summary.append(list(item))
        return book.save()
