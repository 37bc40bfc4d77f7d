"""Account totals (`ledger.models.AccountTotal`): the few rows the balance pages read instead of every
posting. Kept by the journal in the append's transaction; they must always be the sums of the postings
they stand for, and the balances read from them must be those summed from the postings."""
import importlib
from decimal import Decimal

import pytest
from django.apps import apps as django_apps
from django.db import connection, transaction
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.money import round_hours, round_ore
from ledger import journal, selectors
from ledger.journal import Draft, Leg
from ledger.models import Account, AccountTotal, JournalEntry, Posting
from tests.ledger import tamper

D = Decimal
K = JournalEntry.Kind


class Rollback(Exception):
    pass


@pytest.fixture
def accounts(active):
    book = journal.book_for_call(active.call)
    partner = active.partners.get()

    def account(kind, **extra):
        return journal.account(book, kind, application=active, **extra)
    return book, {
        "cost": account(Account.Kind.TESTBED_COST), "cash": account(Account.Kind.PUBLIC_CASH),
        "inkind": account(Account.Kind.INKIND, partner=partner), "paid": account(Account.Kind.FUND_PAID),
        "committed": account(Account.Kind.FUND_COMMITTED), "recovered": account(Account.Kind.FUND_RECOVERED),
        "budget": journal.account(book, Account.Kind.FUND_BUDGET),
    }


def grouped_postings(book) -> dict:
    rows = (Posting.objects.filter(entry__book=book).values("account_id", "entry__kind", "entry__corrects__kind")
            .annotate(amount=Sum("amount"), hours=Sum("hours"), n=Count("id")).order_by())
    return {(r["account_id"], r["entry__kind"], r["entry__corrects__kind"] or ""):
            (round_ore(r["amount"]), round_hours(r["hours"] or 0), r["n"]) for r in rows}


def stored_totals(book) -> dict:
    return {(t.account_id, t.entry_kind, t.corrected_kind): (round_ore(t.amount), round_hours(t.hours), t.postings)
            for t in AccountTotal.objects.filter(account__book=book)}


def balances_from_postings(application) -> selectors.Balances:
    """The balances summed straight from the postings (what the selectors did before the totals)."""
    kind = "account__kind"
    row = Posting.objects.filter(account__application=application).aggregate(
        approved=Sum("amount", filter=Q(**{kind: "fund_committed"}, entry__kind__in=[K.COMMITMENT, K.AMENDMENT])),
        released=Sum("amount", filter=Q(**{kind: "fund_committed"}, entry__kind=K.DECOMMITMENT)),
        committed=Sum("amount", filter=Q(**{kind: "fund_committed"})),
        cash=Sum("amount", filter=Q(**{kind: "public_cash"})), inkind=Sum("amount", filter=Q(**{kind: "inkind"})),
        inkind_hours=Sum("hours", filter=Q(**{kind: "inkind"})), paid=Sum("amount", filter=Q(**{kind: "fund_paid"})),
        recovered=Sum("amount", filter=Q(**{kind: "fund_recovered"})),
        advanced=Sum("amount", filter=Q(**{kind: "fund_paid"}) & (
            Q(entry__kind=K.ADVANCE) | Q(entry__kind=K.CORRECTION, entry__corrects__kind=K.ADVANCE))))
    return selectors._balances(row)


def draft(step, application, a, advances):
    kind, amount, hours = step
    if kind == "commitment":
        return Draft(kind=K.COMMITMENT, legs=[Leg(a["committed"], amount), Leg(a["budget"], -amount)],
                     application=application)
    if kind == "cash":
        return Draft(kind=K.CASH_CONTRIBUTION, legs=[Leg(a["cost"], amount), Leg(a["cash"], -amount)],
                     application=application)
    if kind == "time":
        return Draft(kind=K.INKIND_CONTRIBUTION, legs=[Leg(a["cost"], amount, hours), Leg(a["inkind"], -amount, hours)],
                     application=application)
    if kind == "advance":
        return Draft(kind=K.ADVANCE, legs=[Leg(a["paid"], amount), Leg(a["committed"], -amount)],
                     application=application)
    if kind == "payment":
        return Draft(kind=K.FUND_PAYMENT, legs=[Leg(a["paid"], amount), Leg(a["committed"], -amount)],
                     application=application)
    if kind == "recovery":
        return Draft(kind=K.RECOVERY, legs=[Leg(a["committed"], amount), Leg(a["recovered"], -amount)],
                     application=application)
    if kind == "release":
        return Draft(kind=K.DECOMMITMENT, legs=[Leg(a["budget"], amount), Leg(a["committed"], -amount)],
                     application=application)
    # a correction of the latest advance (rule E7), or of nothing when none was paid yet
    return Draft(kind=K.CORRECTION, legs=[Leg(a["paid"], -amount), Leg(a["committed"], amount)],
                 application=application, corrects=advances[-1] if advances else None)


amounts = st.decimals(min_value=D("0.01"), max_value=D("9999999.99"), places=2)
hours = st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2)
steps = st.tuples(st.sampled_from(["commitment", "cash", "time", "advance", "payment", "recovery", "release",
                                   "correction"]), amounts, hours)


@pytest.mark.django_db
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.tuples(steps, st.booleans()), min_size=1, max_size=14))
def test_totals_are_the_sums_of_the_postings_and_give_the_same_balances(plan, active, accounts, officer):
    """Whatever is appended, one at a time or in batches: every total equals the sum, hours and count of
    its postings, and the balances read from the totals equal those summed from the postings."""
    book, a = accounts
    try:
        with transaction.atomic():
            advances, batch = [], []
            for step, batched in plan:
                made = draft(step, active, a, advances)
                if batched:
                    batch.append(made)
                    continue
                entries = journal.append_many(book, batch, by=officer) if batch else []
                batch = []
                entries.append(journal.append(book, by=officer, kind=made.kind, legs=made.legs,
                                              application=active, corrects=made.corrects))
                advances += [e for e in entries if e.kind == K.ADVANCE]
            if batch:
                journal.append_many(book, batch, by=officer)
            assert stored_totals(book) == grouped_postings(book)
            assert selectors.application_balances(active) == balances_from_postings(active)
            raise Rollback
    except Rollback:
        pass


@pytest.mark.django_db
def test_a_batch_adds_two_legs_on_the_same_account_and_kind_in_one_row(active, accounts, officer):
    book, a = accounts
    legs = [Leg(a["cost"], D("100.00")), Leg(a["cost"], D("50.50")), Leg(a["cash"], D("-150.50"))]
    journal.append_many(book, [Draft(kind=K.CASH_CONTRIBUTION, legs=legs, application=active)] * 2, by=officer)
    total = AccountTotal.objects.get(account=a["cost"], entry_kind=K.CASH_CONTRIBUTION)
    assert (total.amount, total.postings) == (D("301.00"), 4)
    assert stored_totals(book) == grouped_postings(book)


@pytest.mark.django_db
def test_the_migration_fills_the_totals_of_a_ledger_written_before_them(active, accounts, officer):
    book, a = accounts
    journal.append(book, by=officer, kind=K.CASH_CONTRIBUTION, application=active,
                   legs=[Leg(a["cost"], D("0.10")), Leg(a["cash"], D("-0.10"))])
    journal.append(book, by=officer, kind=K.CASH_CONTRIBUTION, application=active,
                   legs=[Leg(a["cost"], D("0.20")), Leg(a["cash"], D("-0.20"))])
    journal.append(book, by=officer, kind=K.INKIND_CONTRIBUTION, application=active,
                   legs=[Leg(a["cost"], D("800.00"), D("1.25")), Leg(a["inkind"], D("-800.00"), D("1.25"))])
    before = stored_totals(book)
    assert before[(a["cost"].pk, K.CASH_CONTRIBUTION, "")] == (D("0.30"), D("0.00"), 2)
    tamper.execute("DELETE FROM ledger_accounttotal")
    migration = importlib.import_module("ledger.migrations.0009_account_totals")
    migration.fill_totals(django_apps, type("Editor", (), {"connection": connection})())
    assert stored_totals(book) == before == grouped_postings(book)
