"""The application statement: everything an auditor files about one application.

`statement_context` gathers the figures with a fixed number of aggregate queries
(independent of how many entries the application has): the ledger's balances,
in-kind per partner and month, cash items (listed, or per month when there are
many), claims, payments, corrections and recoveries, the state timeline and the
chain's head with the verification result at generation time. The PDF keeps its
tables short because WeasyPrint lays out long tables slowly; the full lists go to
the spreadsheet (`statement_xlsx`).
"""
from collections import OrderedDict
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db.models import Count, Max, Min, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from applications import permissions
from applications.models import Application, AuditEvent
from core.money import ZERO, round_hours, round_ore
from ledger import grants, keys, labels, matching
from ledger.grants import planned_budget
from ledger.integrity import verify_for_statement
from ledger.models import Account, CashContribution, JournalEntry, Posting, ReviewStatus, TimeReport
from ledger.selectors import application_balances, application_entries

from . import pdf, xlsx
from .templatetags.report_format import moment, state_label

# Above this many rows a list is summarised per month in the PDF (the spreadsheet has every row).
LIST_LIMIT = 30

ACCEPTED = Q(review_status=ReviewStatus.ACCEPTED)
NOT_REJECTED = ~Q(review_status=ReviewStatus.REJECTED)


def _money(value) -> Decimal:
    return ZERO if value is None else round_ore(value)


def _hours(value) -> Decimal:
    return ZERO if value is None else round_hours(value)


def person(user) -> str:
    """First and last name in documents; the username only for a user without a name."""
    return (user.get_full_name() or user.get_username()) if user is not None else "—"


def full_names(usernames) -> dict:
    """{username: first and last name} for names stored with events and entries (bulk, one query)."""
    users = get_user_model().objects.filter(username__in=set(usernames)).only("username", "first_name", "last_name")
    return {u.username: person(u) for u in users}


def generated_by(user) -> str:
    if user is None or not getattr(user, "is_authenticated", False):
        return str(user) if isinstance(user, str) and user else "system"
    full = user.get_full_name()
    return f"{full} ({user.get_username()})" if full else user.get_username()


@dataclass(frozen=True)
class Scope:
    """What one reader's statement covers (DESIGN §2, rule P1): everything for the applicant, the
    call's officers, auditors and the command line; a partner company's own time, its own in-kind
    account and the application's summary (no cash, claims or other partners' items) for a partner."""

    full: bool
    company_ids: frozenset = frozenset()
    company_names: tuple = ()

    def time_reports(self, queryset):
        return queryset if self.full else queryset.filter(partner__company_id__in=self.company_ids)

    def entries(self, application, by):
        entries = JournalEntry.objects.filter(application=application)
        return entries if self.full else entries.filter(pk__in=application_entries(by, application).values("pk"))

    def events(self, queryset):
        return queryset if self.full else queryset.filter(object_type="application")


def statement_scope(application: Application, by) -> Scope:
    if not getattr(by, "is_authenticated", False) or permissions.sees_everything_of(by, application):
        return Scope(full=True)
    companies = permissions.partner_company_ids(by, application)
    names = tuple(application.partners.filter(company_id__in=companies).values_list("company__name", flat=True))
    return Scope(full=False, company_ids=frozenset(companies), company_names=names)


# ---------------------------------------------------------------- sections
def _parties(application: Application, scope: Scope) -> dict:
    partners = list(application.partners.select_related("company").order_by("id"))
    return {"applicant": application.applicant, "regional_body": application.call.regional_body,
            "partners": partners,
            "planned": [p for p in partners if scope.full or p.company_id in scope.company_ids]}


def _decisions(application: Application) -> list:
    return list(application.decisions.select_related("decided_by").order_by("decided_at", "id"))


def _inkind_by_partner_month(application: Application, scope: Scope) -> dict:
    """Time reports per partner, month and rate: hours, rate and value (reported and verified).

    Hours are summed in SQL; the value of each report is rounded to öre on its own, as the ledger
    posts it (rule M8), so these totals equal the ledger's to the öre. The rows stream from one
    query in order and are folded as they come; the result has one row per partner, month and rate.
    """
    reports = scope.time_reports(TimeReport.objects.filter(partner__application=application))
    rows = (reports
            .values("partner_id", "partner__company__name", "partner__company__org_number", "month", "hourly_rate")
            .annotate(reports=Count("id"), reported_hours=Sum("hours", filter=NOT_REJECTED),
                      # rule V1: only the eligible part of an accepted report counts as verified
                      verified_hours=Sum(Coalesce("eligible_hours", "hours"), filter=ACCEPTED))
            .order_by("partner_id", "month", "hourly_rate"))
    values = (reports
              .values_list("partner_id", "month", "hourly_rate", "hours", "review_status", "eligible_hours")
              .order_by("partner_id", "month", "hourly_rate"))
    reported_value: dict = {}
    verified_value: dict = {}
    for partner_id, month, rate, hours, status, eligible in values.iterator(chunk_size=2000):
        key = (partner_id, month, round_ore(rate))
        value = round_ore(hours * rate)
        if status != ReviewStatus.REJECTED:
            reported_value[key] = reported_value.get(key, ZERO) + value
        if status == ReviewStatus.ACCEPTED:
            verified = value if eligible is None else round_ore(eligible * rate)
            verified_value[key] = verified_value.get(key, ZERO) + verified
    partners: OrderedDict = OrderedDict()
    for row in rows:
        group = partners.setdefault(row["partner_id"], {
            "name": row["partner__company__name"], "org_number": row["partner__company__org_number"],
            "rows": [], "reported_hours": ZERO, "reported_value": ZERO, "verified_hours": ZERO,
            "verified_value": ZERO,
        })
        key = (row["partner_id"], row["month"], round_ore(row["hourly_rate"]))
        item = {"month": row["month"], "hourly_rate": key[2], "reports": row["reports"],
                "reported_hours": _hours(row["reported_hours"]), "reported_value": reported_value.get(key, ZERO),
                "verified_hours": _hours(row["verified_hours"]), "verified_value": verified_value.get(key, ZERO)}
        group["rows"].append(item)
        for name in ("reported_hours", "reported_value", "verified_hours", "verified_value"):
            group[name] += item[name]
    # Every partner the reader may see is listed, also one that has reported nothing yet.
    listed = []
    for partner in application.partners.select_related("company").order_by("id"):
        if not (scope.full or partner.company_id in scope.company_ids):
            continue
        listed.append(partners.get(partner.pk) or {
            "name": partner.company.name, "org_number": partner.company.org_number, "rows": [],
            "reported_hours": ZERO, "reported_value": ZERO, "verified_hours": ZERO, "verified_value": ZERO})
    totals = {name: sum((g[name] for g in listed), ZERO)
              for name in ("reported_hours", "reported_value", "verified_hours", "verified_value")}
    return {"partners": listed, "totals": totals}


def _cash(application: Application) -> dict:
    items = CashContribution.objects.filter(application=application)
    totals = items.aggregate(count=Count("id"), reported=Sum("amount", filter=NOT_REJECTED),
                             verified=Sum("amount", filter=ACCEPTED))
    result = {"count": totals["count"], "reported": _money(totals["reported"]),
              "verified": _money(totals["verified"]), "by_month": None, "items": None}
    if totals["count"] <= LIST_LIMIT:
        result["items"] = list(items.select_related("claim").order_by("paid_on", "id"))
    else:
        rows = (items.annotate(period=TruncMonth("paid_on")).values("period")
                .annotate(count=Count("id"), reported=Sum("amount", filter=NOT_REJECTED),
                          verified=Sum("amount", filter=ACCEPTED), first=Min("voucher_reference"),
                          last=Max("voucher_reference"))
                .order_by("period"))
        result["by_month"] = [{**row, "reported": _money(row["reported"]), "verified": _money(row["verified"])}
                              for row in rows]
    return result


def _claims(application: Application) -> list:
    claims = list(application.claims.select_related("verified_by", "paid_by").order_by("number"))
    reports = {row["claim_id"]: row for row in TimeReport.objects.filter(claim__application=application)
               .values("claim_id").annotate(n=Count("id"), hours=Sum("hours"))}
    cash = {row["claim_id"]: row for row in CashContribution.objects.filter(application=application,
                                                                                claim__isnull=False)
            .values("claim_id").annotate(n=Count("id"), amount=Sum("amount"))}
    for claim in claims:
        claim.report_count = reports.get(claim.pk, {}).get("n", 0)
        claim.report_hours = _hours(reports.get(claim.pk, {}).get("hours"))
        claim.cash_count = cash.get(claim.pk, {}).get("n", 0)
        claim.cash_amount = _money(cash.get(claim.pk, {}).get("amount"))
    # rules V1, V2: claimed, accepted (eligible), rejected, deducted and parked, labelled, as on the claim page;
    # the items of every claim in two queries, however many claims there are.
    items: dict = {}
    for model in (TimeReport, CashContribution):
        for item in model.objects.filter(Q(claim__in=claims) | Q(parked_from__in=claims)):
            for claim_id in {item.claim_id, item.parked_from_id} - {None}:
                items.setdefault(claim_id, []).append(item)
    for claim in claims:
        claim.totals = grants.claim_totals(claim, items.get(claim.pk, []))
    return claims


MONEY_KINDS = (JournalEntry.Kind.COMMITMENT, JournalEntry.Kind.FUND_PAYMENT, JournalEntry.Kind.CORRECTION,
               JournalEntry.Kind.RECOVERY, JournalEntry.Kind.DECOMMITMENT)


def _money_entries(entries) -> dict:
    """Payments, corrections, recoveries, commitments and releases: one row per entry, one query."""
    rows = (Posting.objects.filter(entry__in=entries, entry__kind__in=MONEY_KINDS)
            .values("entry_id", "entry__seq", "entry__kind", "entry__occurred_at", "entry__memo", "entry__actor_name",
                    "entry__claim__number", "entry__corrects__seq", "entry__corrects__memo", "entry__hash")
            .annotate(paid=Sum("amount", filter=Q(account__kind=Account.Kind.FUND_PAID)),
                      recovered=Sum("amount", filter=Q(account__kind=Account.Kind.FUND_RECOVERED)),
                      cost=Sum("amount", filter=Q(account__kind=Account.Kind.TESTBED_COST)),
                      hours=Sum("hours", filter=Q(account__kind=Account.Kind.TESTBED_COST)),
                      committed=Sum("amount", filter=Q(account__kind=Account.Kind.FUND_COMMITTED)))
            .order_by("entry__seq"))
    found = {kind: [] for kind in MONEY_KINDS}
    for row in rows:
        kind = row["entry__kind"]
        amount = {
            JournalEntry.Kind.COMMITMENT: _money(row["committed"]),
            JournalEntry.Kind.FUND_PAYMENT: _money(row["paid"]),
            JournalEntry.Kind.CORRECTION: -_money(row["cost"]),
            JournalEntry.Kind.RECOVERY: -_money(row["recovered"]),
            JournalEntry.Kind.DECOMMITMENT: -_money(row["committed"]),
        }[kind]
        found[kind].append({
            "seq": row["entry__seq"], "occurred_at": row["entry__occurred_at"], "memo": row["entry__memo"],
            "actor": row["entry__actor_name"], "claim": row["entry__claim__number"], "amount": amount,
            "hours": None if row["hours"] is None or kind != JournalEntry.Kind.CORRECTION else -_hours(row["hours"]),
            "corrects_seq": row["entry__corrects__seq"], "corrects_memo": row["entry__corrects__memo"],
            "hash": row["entry__hash"],
        })
    return {
        "commitments": found[JournalEntry.Kind.COMMITMENT],
        "payments": _summarised(found[JournalEntry.Kind.FUND_PAYMENT]),
        "corrections": _summarised(found[JournalEntry.Kind.CORRECTION]),
        "recoveries": _summarised(found[JournalEntry.Kind.RECOVERY]),
        "releases": found[JournalEntry.Kind.DECOMMITMENT],
    }


def _summarised(rows: list) -> dict:
    """The rows themselves when few; otherwise count and sum per month (the spreadsheet lists them all)."""
    total = sum((r["amount"] for r in rows), ZERO)
    if len(rows) <= LIST_LIMIT:
        return {"items": rows, "by_month": None, "total": total, "count": len(rows)}
    months: OrderedDict = OrderedDict()
    for row in rows:
        period = timezone.localtime(row["occurred_at"]).date().replace(day=1)
        group = months.setdefault(period, {"period": period, "count": 0, "amount": ZERO,
                                           "first": row["seq"], "last": row["seq"]})
        group["count"] += 1
        group["amount"] += row["amount"]
        group["last"] = row["seq"]
    return {"items": None, "by_month": list(months.values()), "total": total, "count": len(rows)}


def _timeline(application: Application, scope: Scope) -> dict:
    """State transitions, oldest first. A long history keeps the application's own transitions and
    leaves the claims' to the claims table (their dates are there) and to the spreadsheet."""
    events = list(scope.events(AuditEvent.objects.filter(application=application, action="transition"))
                  .values("occurred_at", "actor_name", "object_type", "object_repr", "from_state", "to_state",
                          "comment")
                  .order_by("occurred_at", "id"))
    names = full_names(e["actor_name"] for e in events)
    for event in events:
        event["actor_name"] = names.get(event["actor_name"], event["actor_name"])
        event["object_words"] = labels.object_in_words(event["object_type"], event["object_repr"])
        event["comment"] = labels.comment_in_words(event["comment"])
    if len(events) <= 2 * LIST_LIMIT:
        return {"events": events, "omitted": 0}
    own = [event for event in events if event["object_type"] != "claim"]
    return {"events": own, "omitted": len(events) - len(own)}


def _chain(application: Application, entries, by=None) -> dict:
    result = verify_for_statement(application, by=by)
    if result is None:
        return {"book": None}
    book = result.book
    entries = entries.filter(book=book)
    counts = list(entries.values("kind").annotate(n=Count("id")).order_by("kind"))
    last = entries.order_by("-seq").values("seq", "hash").first()
    return {"book": book, "head_seq": book.head_seq, "head_hash": book.head_hash, "verification": result,
            "entry_counts": counts, "entry_total": sum(c["n"] for c in counts), "last_entry": last,
            "public_key": keys.public_key_hex(), "fingerprint": keys.fingerprint()}


def _matching(application: Application, planned, decision, balances) -> dict:
    """The matching rule (M4 planned, M7 verified) applied to the figures shown."""
    fund_ratio = decision.fund_ratio if decision else application.call.fund_ratio
    inkind_ratio = decision.inkind_ratio if decision else application.call.inkind_ratio
    granted = decision.granted_amount if decision else ZERO
    payout = matching.payout(verified_cash=balances.verified_cash, verified_inkind=balances.verified_inkind,
                             granted=granted, already_paid=balances.net_paid, fund_ratio=fund_ratio,
                             inkind_ratio=inkind_ratio)
    return {
        "fund_ratio": fund_ratio, "inkind_ratio": inkind_ratio, "granted": granted, "payout": payout,
        "planned_ok": planned.inkind_ok, "required_inkind": planned.required_inkind,
        "verified_ratio": (balances.verified_inkind / balances.verified_cash).quantize(Decimal("0.01"))
        if balances.verified_cash else None,
        "difference": payout.cumulative_payable - balances.net_paid,
        "within_grant": balances.net_paid <= granted,
    }


# ---------------------------------------------------------------- the document
def statement_context(application: Application, *, by=None) -> dict:
    """Every figure of the statement, read in one go (call inside the language the document is in)."""
    application = (Application.objects.select_related("call__regional_body", "applicant")
                   .prefetch_related("partners").get(pk=application.pk))
    planned = planned_budget(application)
    decisions = _decisions(application)
    decision = decisions[-1] if decisions else None
    balances = application_balances(application)
    scope = statement_scope(application, by)
    entries = scope.entries(application, by)
    inkind = _inkind_by_partner_month(application, scope)
    cash = _cash(application) if scope.full else {"count": 0, "reported": None, "verified": None,
                                                      "items": None, "by_month": None}
    parties = _parties(application, scope)
    rates = decision.partner_rates if decision else {}
    for partner in parties["partners"]:
        rate = rates.get(partner.company.org_number)
        partner.approved_rate = None if rate is None else round_ore(rate)
    now, author = timezone.now(), generated_by(by)
    return {
        "running_title": f"{application.reference} — {application.title}",
        "running_right": _("Application statement"),
        "footer_left": _("Generated %(at)s by %(by)s") % {"at": moment(now), "by": author},
        "application": application, "call": application.call, "parties": parties,
        "planned": planned, "planned_hours": sum((p.planned_hours for p in parties["partners"]), ZERO),
        "decisions": decisions, "decision": decision, "balances": balances,
        "matching": _matching(application, planned, decision, balances),
        "inkind": inkind, "cash": cash, "claims": _claims(application) if scope.full else None,
        "entries": _money_entries(entries), "scope": scope,
        "timeline": _timeline(application, scope), "chain": _chain(application, entries, by),
        "generated_at": now, "generated_by": author,
        "language": translation.get_language(), "list_limit": LIST_LIMIT,
    }


def render_statement_pdf(application: Application, *, by=None, lang: str = "en") -> pdf.RenderedPdf:
    with translation.override(lang):
        return pdf.render_pdf("reports/statement.html", lambda: statement_context(application, by=by))


def statement_html(application: Application, *, by=None, lang: str = "en") -> str:
    """The final HTML of the statement (for measuring WeasyPrint alone)."""
    from django.template.loader import render_to_string

    with translation.override(lang):
        context = statement_context(application, by=by)
        context["page_counter"] = pdf.page_counter_css()
        return render_to_string("reports/statement.html", context)


# ---------------------------------------------------------------- the spreadsheet: every row
def render_statement_xlsx(application: Application, *, by=None, lang: str = "en") -> bytes:
    with translation.override(lang):
        context = statement_context(application, by=by)
        book = xlsx.Workbook()
        scope = context["scope"]
        _summary_sheet(book, context)
        _time_report_sheet(book, application, scope)
        if scope.full:
            _cash_sheet(book, application)
            _claims_sheet(book, context["claims"])
        _journal_sheet(book, scope.entries(application, by))
        _timeline_sheet(book, application, scope)
        return book.save()


def _summary_sheet(book, c) -> None:
    application, balances, planned, decision = c["application"], c["balances"], c["planned"], c["decision"]
    chain = c["chain"]
    sheet = book.sheet(_("Statement"), [_("Item"), _("Value")], widths=[42, 70])
    rows = [
        (_("Reference"), application.reference), (_("Title"), application.title),
        (_("State"), application.get_state_display()),
        (_("Applicant"), application.applicant.name), (_("Organisation number"), application.applicant.org_number),
        (_("Call"), application.call.title),
        (_("Structural-fund project reference"), application.call.fund_project_reference),
        (_("Regional body"), application.call.regional_body.name),
        (_("Planned public cash"), planned.public_cash), (_("Planned in-kind value"), planned.inkind_value),
        (_("Planned in-kind hours"), c["planned_hours"]), (_("Requested fund"), planned.requested_fund),
        (_("Approved public cash"), decision.approved_public_cash if decision else None),
        (_("Approved in-kind value"), decision.approved_inkind_value if decision else None),
        (_("Approved hours"), decision.approved_hours if decision else None),
        (_("Granted fund"), balances.approved),
        (_("Contributed public cash (reported, not rejected)"), c["cash"]["reported"]),
        (_("Contributed in-kind value (reported, not rejected)"), c["inkind"]["totals"]["reported_value"]),
        (_("Contributed in-kind hours (reported, not rejected)"), c["inkind"]["totals"]["reported_hours"]),
        (_("Verified public cash"), balances.verified_cash), (_("Verified in-kind value"), balances.verified_inkind),
        (_("Verified in-kind hours"), balances.verified_hours),
        (_("Cumulative payable"), c["matching"]["payout"].cumulative_payable),
        (_("Fund paid (gross)"), balances.paid), (_("Fund recovered"), balances.recovered),
        (_("Fund paid (net)"), balances.net_paid), (_("Commitment released"), balances.released),
        (_("Commitment outstanding"), balances.committed), (_("Remaining grant"), balances.remaining),
    ]
    if chain["book"] is not None:
        rows += [(_("Book"), chain["book"].pk), (_("Chain head sequence number"), chain["head_seq"]),
                 (_("Chain head hash"), chain["head_hash"]),
                 (_("Verification at generation"), chain["verification"].summary()),
                 (_("Verified against signed checkpoint"),
                  chain["verification"].checkpoint.size if chain["verification"].checkpoint else None),
                 (_("Ledger public key (Ed25519)"), chain["public_key"]),
                 (_("Key fingerprint (SHA-256)"), chain["fingerprint"]),
                 (_("Last full verification of the book"),
                  timezone.localtime(chain["verification"].full_run.finished_at).replace(tzinfo=None))]
    rows += [(_("Generated at"), timezone.localtime(c["generated_at"]).replace(tzinfo=None)),
             (_("Generated by"), c["generated_by"])]
    for row in rows:
        sheet.append(list(row))


def _time_report_sheet(book, application, scope: Scope) -> None:
    sheet = book.sheet(_("Time reports"), [
        _("Partner"), _("Organisation number"), _("Person"), _("Month"), _("Hours"), _("Hourly rate (SEK)"),
        _("Value (SEK)"), _("Work description"), _("Reported by"), _("Attested by"), _("Attested at"), _("Claim"),
        _("Review"), _("Reason")], widths=[28, 14, 22, 10, 10, 14, 14, 40, 14, 14, 18, 8, 10, 30])
    reports = (scope.time_reports(TimeReport.objects.filter(partner__application=application))
               .select_related("partner__company", "reported_by", "attested_by", "claim")
               .order_by("partner_id", "month", "person_name", "id"))
    for r in reports.iterator(chunk_size=2000):
        sheet.append([r.partner.company.name, r.partner.company.org_number, r.person_name, f"{r.month:%Y-%m}",
                      r.hours, r.hourly_rate, r.value, r.description, person(r.reported_by),
                      person(r.attested_by) if r.attested_by else None, xlsx.local(r.attested_at),
                      r.claim.number if r.claim else None, r.get_review_status_display(), r.review_reason])


def _cash_sheet(book, application) -> None:
    sheet = book.sheet(_("Cash items"), [
        _("Voucher reference"), _("Payment date"), _("Amount (SEK)"), _("Receipt"), _("Reported by"),
        _("Reported at"), _("Claim"), _("Review"), _("Reason")], widths=[20, 12, 14, 30, 14, 18, 8, 10, 30])
    items = (CashContribution.objects.filter(application=application).select_related("reported_by", "claim")
             .order_by("paid_on", "id"))
    for item in items.iterator(chunk_size=2000):
        # Whether a receipt is kept, never where: the storage path is the server's business (issue 20);
        # the dossier and the receipt link give the file itself to those who may see it.
        sheet.append([item.voucher_reference, item.paid_on, item.amount, _("attached") if item.receipt else None,
                      person(item.reported_by), xlsx.local(item.reported_at),
                      item.claim.number if item.claim else None, item.get_review_status_display(), item.review_reason])


def _claims_sheet(book, claims) -> None:
    sheet = book.sheet(_("Claims"), [
        _("Claim"), _("Period start"), _("Period end"), _("Final"), _("State"), _("Time reports"), _("Hours"),
        _("Cash items"), _("Cash (SEK)"), _("Submitted at"), _("Verified by"), _("Verified at"), _("Paid by"),
        _("Paid at"), _("Payable (SEK)"), _("Recovery (SEK)"), _("Claimed (SEK)"), _("Accepted (SEK)"),
        _("Rejected (SEK)"), _("Deducted (SEK)"), _("Parked (SEK)")])
    for c in claims:
        sheet.append([c.number, c.period_start, c.period_end, _("yes") if c.is_final else _("no"),
                      c.get_state_display(), c.report_count, c.report_hours, c.cash_count, c.cash_amount,
                      xlsx.local(c.submitted_at), person(c.verified_by) if c.verified_by else None,
                      xlsx.local(c.verified_at), person(c.paid_by) if c.paid_by else None,
                      xlsx.local(c.paid_at), c.payable_amount, c.recovery_amount, c.totals.claimed,
                      c.totals.accepted, c.totals.rejected, c.totals.deducted, c.totals.parked])


def _journal_sheet(book, entries) -> None:
    sheet = book.sheet(_("Journal"), [
        _("Seq"), _("Kind"), _("Occurred at (UTC)"), _("Claim"), _("Corrects seq"), _("Actor"), _("Memo"),
        _("Leg"), _("Account"), _("Amount (SEK)"), _("Hours"), _("Hash")],
        widths=[7, 18, 26, 7, 8, 14, 40, 5, 36, 14, 9, 66])
    rows = (Posting.objects.filter(entry__in=entries)
            .values_list("entry__seq", "entry__kind", "entry__occurred_at", "entry__claim__number",
                         "entry__corrects__seq", "entry__actor_name", "entry__memo", "ordinal", "account__code",
                         "amount", "hours", "entry__hash")
            .order_by("entry__seq", "ordinal"))
    kinds = dict(JournalEntry.Kind.choices)
    names = full_names(JournalEntry.objects.filter(pk__in=entries).order_by().values_list("actor_name", flat=True).distinct())
    for seq, kind, at, claim, corrects, actor, memo, ordinal, code, amount, hours, digest in rows.iterator(2000):
        # The memo as the reader says it; the hashed memo is in the journal export (JSONL) word for word.
        sheet.append([seq, str(kinds.get(kind, kind)), xlsx.utc(at), claim, corrects, names.get(actor, actor),
                      labels.memo_in_words(memo), ordinal, code,
                      _money(amount), None if hours is None else _hours(hours), digest])


def _timeline_sheet(book, application, scope: Scope) -> None:
    sheet = book.sheet(_("Timeline"), [_("When"), _("Who"), _("Object"), _("From"), _("To"), _("Comment")],
                       widths=[18, 14, 40, 16, 16, 50])
    events = (scope.events(AuditEvent.objects.filter(application=application, action="transition"))
              .values_list("occurred_at", "actor_name", "object_repr", "from_state", "to_state", "comment")
              .order_by("occurred_at", "id"))
    names = full_names(events.order_by().values_list("actor_name", flat=True).distinct())
    for at, actor, obj, from_state, to_state, comment in events.iterator(chunk_size=2000):
        sheet.append([xlsx.local(at), names.get(actor, actor), obj, str(state_label(from_state)), str(state_label(to_state)), comment])
