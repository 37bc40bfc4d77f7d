"""Read queries shared by views, API and reports: balances from aggregates, no N+1.

Balances come from one aggregate query per application (or per call), so their cost
does not grow in queries with the number of entries.
"""
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, Sum

from .models import Account, JournalEntry, Posting
from .money import ZERO, round_ore


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
    "approved": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_COMMITTED,
                                       entry__kind=JournalEntry.Kind.COMMITMENT)),
    "released": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_COMMITTED,
                                       entry__kind=JournalEntry.Kind.DECOMMITMENT)),
    "committed": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_COMMITTED)),
    "cash": Sum("amount", filter=Q(account__kind=Account.Kind.PUBLIC_CASH)),
    "inkind": Sum("amount", filter=Q(account__kind=Account.Kind.INKIND)),
    "inkind_hours": Sum("hours", filter=Q(account__kind=Account.Kind.INKIND)),
    "paid": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_PAID)),
    "recovered": Sum("amount", filter=Q(account__kind=Account.Kind.FUND_RECOVERED)),
}


def _balances(row: dict) -> Balances:
    # Credits are negative: financing accounts (cash, in-kind, recovered) carry minus signs.
    # Hours on an in-kind credit leg are stored positive (hours have no side).
    return Balances(
        approved=_sum(row["approved"]), committed=_sum(row["committed"]), released=-_sum(row["released"]),
        verified_cash=-_sum(row["cash"]), verified_inkind=-_sum(row["inkind"]),
        verified_hours=_sum(row["inkind_hours"]), paid=_sum(row["paid"]), recovered=-_sum(row["recovered"]),
    )


def application_balances(application) -> Balances:
    row = Posting.objects.filter(account__application=application).aggregate(**BALANCE_AGGREGATES)
    return _balances(row)


def balances_by_application(applications) -> dict:
    """{application_id: Balances} for many applications in one query."""
    rows = (Posting.objects.filter(account__application__in=applications)
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
    total = Posting.objects.filter(account__book__call=call, account__kind=Account.Kind.FUND_BUDGET).aggregate(
        s=Sum("amount"))["s"]
    return call.fund_budget if total is None else round_ore(total)


def call_balances(call) -> CallBalances:
    row = Posting.objects.filter(account__book__call=call).aggregate(
        uncommitted=Sum("amount", filter=Q(account__kind=Account.Kind.FUND_BUDGET)), **BALANCE_AGGREGATES)
    uncommitted = row.pop("uncommitted")
    return CallBalances(budget=call.fund_budget,
                        uncommitted=call.fund_budget if uncommitted is None else round_ore(uncommitted),
                        totals=_balances(row))


def balances_by_call(calls) -> dict:
    """{call_id: CallBalances} for many calls in one query (the API's list of call balances)."""
    rows = (Posting.objects.filter(account__book__call__in=calls).values("account__book__call_id")
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
