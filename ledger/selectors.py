"""Read queries shared by views, API and reports: balances from aggregates, no N+1, and who sees what.

Balances come from one aggregate query per application (or per call) over the account totals
(`AccountTotal`: a few rows per account, kept by the journal), so their cost grows neither in queries
nor in rows read with the number of entries.
"""
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from django.db.models import CharField, Exists, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Cast
from django.utils import timezone

from applications import permissions as perm
from applications import retention
from applications import selectors as app_selectors
from applications.models import Application, Partner
from core.money import ZERO, round_ore

from .models import (
    Account,
    AccountTotal,
    Book,
    CashContribution,
    Checkpoint,
    Claim,
    JournalEntry,
    Posting,
    TimeReport,
    pays_fund,
)


@dataclass(frozen=True)
class Balances:
    approved: Decimal          # granted fund committed by decisions
    committed: Decimal         # commitment still outstanding (approved − paid + recovered − released)
    released: Decimal          # commitment returned to the call budget
    verified_cash: Decimal     # Cv
    verified_inkind: Decimal   # Kv
    verified_hours: Decimal
    paid: Decimal              # gross fund paid
    recovered: Decimal         # fund recovered after corrections
    advanced: Decimal = ZERO   # advances paid (rule T6), part of `paid`

    @property
    def net_paid(self) -> Decimal:
        return self.paid - self.recovered

    @property
    def remaining(self) -> Decimal:
        """Granted money not yet paid and not released."""
        return self.approved - self.net_paid - self.released


def _sum(value) -> Decimal:
    """Aggregates come back unscaled from SQLite; give every figure its two decimals."""
    return ZERO if value is None else round_ore(value)


BALANCE_AGGREGATES = {
    # An amendment (rule A2) moves the commitment by the difference; it belongs to what was approved.
    "approved": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_COMMITTED,
                                       entry_kind__in=[JournalEntry.Kind.COMMITMENT, JournalEntry.Kind.AMENDMENT])),
    "released": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_COMMITTED,
                                       entry_kind=JournalEntry.Kind.DECOMMITMENT)),
    "committed": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_COMMITTED)),
    "cash": Sum("amount", filter=Q(account__kind=Account.Kind.PUBLIC_CASH)),
    "inkind": Sum("amount", filter=Q(account__kind=Account.Kind.INKIND)),
    "inkind_hours": Sum("hours", filter=Q(account__kind=Account.Kind.INKIND)),
    "paid": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_PAID)),
    "recovered": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_RECOVERED)),
    # An advance, less any part of it returned and reversed by a correction (rule E7).
    "advanced": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_PAID)
                    & (Q(entry_kind=JournalEntry.Kind.ADVANCE)
                       | Q(entry_kind=JournalEntry.Kind.CORRECTION, corrected_kind=JournalEntry.Kind.ADVANCE))),
}


# Only totals of these accounts count in any aggregate above (the testbed-cost and fund-source accounts
# never do).
BALANCE_KINDS = (Account.Kind.FUND_COMMITTED, Account.Kind.PUBLIC_CASH, Account.Kind.INKIND, Account.Kind.FUND_PAID,
                 Account.Kind.FUND_RECOVERED)


def _balance_totals(**where):
    return AccountTotal.objects.filter(account__kind__in=BALANCE_KINDS, **where)


def _call_totals(**where):
    return AccountTotal.objects.filter(account__kind__in=(*BALANCE_KINDS, Account.Kind.FUND_BUDGET), **where)


def _balances(row: dict) -> Balances:
    # Credits are negative: financing accounts (cash, in-kind, recovered) carry minus signs.
    # Hours on an in-kind credit leg are stored positive (hours have no side).
    return Balances(
        approved=_sum(row["approved"]), committed=_sum(row["committed"]), released=-_sum(row["released"]),
        verified_cash=-_sum(row["cash"]), verified_inkind=-_sum(row["inkind"]),
        verified_hours=_sum(row["inkind_hours"]), paid=_sum(row["paid"]), recovered=-_sum(row["recovered"]),
        advanced=_sum(row.get("advanced")),
    )


def application_balances(application) -> Balances:
    row = _balance_totals(account__application=application).aggregate(**BALANCE_AGGREGATES)
    return _balances(row)


def balances_by_application(applications) -> dict:
    """{application_id: Balances} for many applications in one query."""
    rows = (_balance_totals(account__application__in=applications)
            .values("account__application_id").annotate(**BALANCE_AGGREGATES))
    found = {row["account__application_id"]: _balances(row) for row in rows}
    empty = _balances(dict.fromkeys(BALANCE_AGGREGATES))
    return {getattr(a, "pk", a): found.get(getattr(a, "pk", a), empty) for a in applications}


@dataclass(frozen=True)
class CallBalances:
    budget: Decimal
    uncommitted: Decimal
    totals: Balances


def call_uncommitted(call) -> Decimal:
    """What the call can still grant: the balance of its budget account (never below zero)."""
    total = AccountTotal.objects.filter(account__book__call=call, account__kind=Account.Kind.FUND_BUDGET).aggregate(
        s=Sum("amount"))["s"]
    return call.fund_budget if total is None else round_ore(total)


def call_balances(call) -> CallBalances:
    row = _call_totals(account__book__call=call).aggregate(
        uncommitted=Sum("amount", filter=Q(account__kind=Account.Kind.FUND_BUDGET)), **BALANCE_AGGREGATES)
    uncommitted = row.pop("uncommitted")
    return CallBalances(budget=call.fund_budget,
                        uncommitted=call.fund_budget if uncommitted is None else round_ore(uncommitted),
                        totals=_balances(row))


def balances_by_call(calls) -> dict:
    """{call_id: CallBalances} for many calls in one query (the API's list of call balances)."""
    rows = (_call_totals(account__book__call__in=calls).values("account__book__call_id")
            .annotate(uncommitted=Sum("amount", filter=Q(account__kind=Account.Kind.FUND_BUDGET)),
                      **BALANCE_AGGREGATES))
    found = {row.pop("account__book__call_id"): row for row in rows}
    result = {}
    for call in calls:
        row = dict(found.get(call.pk) or dict.fromkeys(["uncommitted", *BALANCE_AGGREGATES]))
        uncommitted = row.pop("uncommitted")
        result[call.pk] = CallBalances(budget=call.fund_budget,
                                       uncommitted=call.fund_budget if uncommitted is None else round_ore(uncommitted),
                                       totals=_balances(row))
    return result


# ---------------------------------------------------------------- who sees what (DESIGN §2, rule P1)
# The ledger half of the one visibility policy (applications.selectors has the other half):
# the applicant, the call's officers and auditors see every item of an application they see;
# a partner company sees its own time reports and its own in-kind account, the application's
# transitions and its commitments — never cash, claims, payments or another partner's items.
PARTNER_ENTRY_KINDS = (JournalEntry.Kind.COMMITMENT, JournalEntry.Kind.DECOMMITMENT)


# ---------------------------------------------------------------- corrections (rule E7)
PAYMENT_KINDS = (JournalEntry.Kind.FUND_PAYMENT, JournalEntry.Kind.ADVANCE)


def corrected_account(kind: str) -> str:
    """The account whose amount a correction reduces: the cost of a contribution, the payment of a payment."""
    return Account.Kind.FUND_PAID if kind in PAYMENT_KINDS else Account.Kind.TESTBED_COST


def left_to_correct(entry: JournalEntry) -> Decimal:
    """What of `entry` its corrections have not yet reversed."""
    measured = corrected_account(entry.kind)
    original = sum((p.amount for p in entry.postings.all() if p.account.kind == measured), ZERO)
    already = -sum((p.amount for c in entry.corrections.all() for p in c.postings.all()
                    if p.account.kind == measured), ZERO)
    return original - already


@dataclass(frozen=True)
class PaymentRecord:
    """A fund payment or advance as paid, the corrections of it and what still stands (rule E7)."""

    entry: JournalEntry
    paid: Decimal
    corrections: list
    standing: Decimal


def payment_records(entries) -> list[PaymentRecord]:
    """Each payment entry of `entries` with its corrections, oldest first (for the claim and advance pages)."""
    records = []
    for entry in entries.filter(kind__in=PAYMENT_KINDS).prefetch_related(
            "postings__account", "corrections__postings__account").order_by("seq"):
        paid = sum((p.amount for p in entry.postings.all() if p.account.kind == Account.Kind.FUND_PAID), ZERO)
        records.append(PaymentRecord(entry=entry, paid=paid, standing=left_to_correct(entry),
                                     corrections=sorted(entry.corrections.all(), key=lambda c: c.seq)))
    return records


def visible_time_reports(user):
    """All reports of applications seen in full; a partner company its own company's reports."""
    companies = perm.org_ids(user, perm.COMPANY)
    own = Q(partner__company_id__in=companies,
            partner__application__in=app_selectors.visible_applications(user).values("pk")) if companies \
        else app_selectors.NOTHING
    return TimeReport.objects.filter(app_selectors.full_view_q(user, "partner__application__") | own)


def visible_cash(user):
    return CashContribution.objects.filter(app_selectors.full_view_q(user, "application__"))


def visible_claims(user):
    return Claim.objects.filter(app_selectors.full_view_q(user, "application__"))


def partner_entries_q(user) -> Q:
    """Entries a partner company sees of applications it partners (not seen in full)."""
    companies = perm.org_ids(user, perm.COMPANY)
    if not companies:
        return app_selectors.NOTHING
    partnered = app_selectors.partnered_applications(user).values("pk")
    own_account = Posting.objects.filter(account__partner__company_id__in=companies).values("entry_id")
    summary = Q(kind=JournalEntry.Kind.TRANSITION, claim__isnull=True) | Q(kind__in=PARTNER_ENTRY_KINDS)
    return Q(application__in=partnered) & (summary | Q(pk__in=own_account))


def visible_entries(user):
    """Entries of applications seen in full, a partner's own (partner_entries_q), and for the call's
    officers and auditors the book's own entries (the opening)."""
    scope = Q(application__in=app_selectors.applications_seen_in_full(user).values("pk")) | partner_entries_q(user)
    scope |= Q(application__isnull=True, book__call__in=app_selectors.calls_seen_in_full(user).values("pk"))
    return JournalEntry.objects.filter(scope)


def application_entries(user, application):
    """The user's slice of one application's entries (the journal slice and the statement)."""
    return visible_entries(user).filter(application=application)


def verifiable_books(user):
    """Books this user may verify and export whole: auditors all, officers their body's calls'."""
    return Book.objects.filter(call__in=app_selectors.calls_seen_in_full(user).values("pk"))


def visible_checkpoints(user):
    """Signed checkpoints (DESIGN §7): of the books the user may verify, and of the audit and runs logs for
    auditors. A root and a size say nothing about an application; they are what an auditor checks a
    journal export against."""
    scope = Q(book__in=verifiable_books(user))
    if perm.is_auditor(user):
        scope |= Q(book__isnull=True)
    return Checkpoint.objects.filter(scope)


def visible_books(user):
    """The books of the calls in which the user sees an application's entries (in full, or as a partner),
    and the books they may verify: the choices of the ledger page's book filter. Decided from the
    applications, not by searching every entry (bench/national: 2.7 s at 2.9 M entries); a book chosen
    before any of its entries is visible to the user simply lists nothing."""
    seen = app_selectors.applications_seen_in_full(user).values("call_id")
    partnered = app_selectors.partnered_applications(user).values("call_id")
    return Book.objects.filter(Q(call__in=seen) | Q(call__in=partnered) | Q(pk__in=verifiable_books(user)))


def visible_events(user):
    """Audit events (applications.selectors.visible_events) with the partner's own time reports."""
    own_reports = (visible_time_reports(user).filter(partner__company_id__in=perm.org_ids(user, perm.COMPANY))
                   .annotate(key=Cast("pk", CharField())).values("key"))
    return app_selectors.visible_events(user, own_time_report_ids=own_reports)


def claimable_items(application):
    """Attested time reports and cash items of the application that are not yet in a claim."""
    reports = TimeReport.objects.filter(partner__application=application, claim__isnull=True,
                                        attested_at__isnull=False)
    cash = CashContribution.objects.filter(application=application, claim__isnull=True)
    return reports, cash


def sums_by_account_kind(book, *, start=None, end=None) -> dict:
    """{account kind: sum of the book's legs} for entries that occurred in [start, end) (moments)."""
    postings = Posting.objects.filter(entry__book=book)
    if start is not None:
        postings = postings.filter(entry__occurred_at__gte=start)
    if end is not None:
        postings = postings.filter(entry__occurred_at__lt=end)
    rows = postings.values("account__kind").annotate(total=Sum("amount")).order_by("account__kind")
    return {row["account__kind"]: _sum(row["total"]) for row in rows}


# ---------------------------------------------------------------- retention (rules E6, T7)
def retention_rows(user, today):
    """(application, last payment day, state aid?, kept until) for the applications an officer of the call
    or an auditor sees whose retention has ended by `today`, oldest first.

    The database narrows to applications whose last payment (or, without any, last entry of a finished
    application) lies before 1 January five years back; the rule itself (applications.retention) decides.
    """
    paid = (JournalEntry.objects.filter(pays_fund(), application=OuterRef("pk"))
            .order_by("-occurred_at").values("occurred_at")[:1])
    last = JournalEntry.objects.filter(application=OuterRef("pk")).order_by("-occurred_at").values("occurred_at")[:1]
    boundary = timezone.make_aware(datetime(today.year - retention.YEARS, 1, 1))
    candidates = (Application.objects.filter(app_selectors.reviewer_q(user))
                  .annotate(last_paid_at=Subquery(paid), last_entry_at=Subquery(last),
                            state_aid=Exists(Partner.objects.filter(application=OuterRef("pk"), has_state_aid=True)))
                  .filter(Q(last_paid_at__lt=boundary)
                          | Q(last_paid_at__isnull=True, state__in=Application.FINAL_STATES, last_entry_at__lt=boundary))
                  .select_related("call"))
    rows = []
    for application in candidates:
        moment = application.last_paid_at or application.last_entry_at
        last_day = timezone.localdate(moment)
        end = retention.retention_end(last_day, state_aid=application.state_aid)
        if retention.has_ended(end, today):
            rows.append((application, last_day, application.state_aid, end))
    return sorted(rows, key=lambda row: (row[3], row[0].reference))
