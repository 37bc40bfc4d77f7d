"""The batched append (`ledger.journal.append_many`): one lock, one signed checkpoint per batch, and
exactly the chain that appending the same drafts one at a time writes."""
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from core.errors import RuleViolation
from ledger import checkpoints, integrity, journal
from ledger.journal import Draft, Leg
from ledger.models import Account, Book, Checkpoint, JournalEntry

D = Decimal


class Rollback(Exception):
    pass


class Clock:
    """timezone.now for the journal: one microsecond later at every call, from the same start each run."""

    def __init__(self):
        self.now = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)

    def __call__(self):
        self.now += timedelta(microseconds=1)
        return self.now


@pytest.fixture
def accounts(active):
    book = journal.book_for_call(active.call)
    partner = active.partners.get()
    return (book, journal.account(book, Account.Kind.TESTBED_COST, application=active),
            journal.account(book, Account.Kind.PUBLIC_CASH, application=active),
            journal.account(book, Account.Kind.INKIND, application=active, partner=partner))


def drafts_from(plan, application, accounts):
    _book, cost, cash, inkind = accounts
    out = []
    for kind, amount, hours, key in plan:
        if kind == "transition":
            out.append(Draft(kind=JournalEntry.Kind.TRANSITION, legs=[], application=application, memo="x → y",
                             payload={"object": "amendment", "id": str(key), "from": "x", "to": "y", "comment": ""}))
        elif kind == "cash":
            out.append(Draft(kind=JournalEntry.Kind.CASH_CONTRIBUTION, legs=[Leg(cost, amount), Leg(cash, -amount)],
                             application=application, memo=f"Cash V{key}", payload={"cash_contribution": key},
                             idempotency_key=f"cash:{key}"))
        else:
            out.append(Draft(kind=JournalEntry.Kind.INKIND_CONTRIBUTION,
                             legs=[Leg(cost, amount, hours), Leg(inkind, -amount, hours)], application=application,
                             memo=f"Time {key}", payload={"time_report": key, "hours": str(hours)},
                             idempotency_key=f"time:{key}"))
    return out


def written(book, head_before):
    """The chain after head_before (canonical dicts with hashes), the head and the newest signed root."""
    book = Book.objects.get(pk=book.pk)
    dicts = list(integrity.chain_dicts(JournalEntry.objects.filter(book=book, seq__gt=head_before).order_by("seq")))
    latest = checkpoints.latest_checkpoint(book)
    return dicts, (book.head_seq, book.head_hash), (latest.size, latest.root)


def play(book, drafts, by, *, batched, monkeypatch):
    monkeypatch.setattr(journal.timezone, "now", Clock())
    head_before = Book.objects.get(pk=book.pk).head_seq
    try:
        with transaction.atomic():
            if batched:
                returned = journal.append_many(book, drafts, by=by)
            else:
                returned = [journal.append(book, by=by, kind=d.kind, legs=d.legs, application=d.application,
                                           claim=d.claim, corrects=d.corrects, memo=d.memo, payload=d.payload,
                                           idempotency_key=d.idempotency_key) for d in drafts]
            found = written(book, head_before), [entry.seq for entry in returned]
            assert integrity.verify_book(book).ok
            raise Rollback
    except Rollback:
        pass
    return found


amounts = st.decimals(min_value=D("0.01"), max_value=D("99999.99"), places=2)
hours = st.decimals(min_value=D("0.25"), max_value=D("160"), places=2)
plans = st.lists(st.tuples(st.sampled_from(["transition", "cash", "time"]), amounts, hours,
                           st.integers(min_value=1, max_value=6)), min_size=1, max_size=12)


@pytest.mark.django_db
@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=plans)
def test_a_batch_writes_exactly_the_chain_of_one_by_one_appends(plan, active, accounts, officer, monkeypatch):
    """Same seqs, links, canonical bytes and hashes, the same head and the same signed root; a repeated
    idempotency key (keys repeat in the plan) gives back the earlier entry either way."""
    book = accounts[0]
    drafts = drafts_from(plan, active, accounts)
    one_by_one = play(book, drafts, officer, batched=False, monkeypatch=monkeypatch)
    batch = play(book, drafts, officer, batched=True, monkeypatch=monkeypatch)
    assert batch == one_by_one


@pytest.mark.django_db
def test_a_batch_takes_one_checkpoint_that_covers_every_entry(active, accounts, officer):
    book = accounts[0]
    before = Checkpoint.objects.filter(book=book).count()
    entries = journal.append_many(book, drafts_from([("cash", D("100.00"), None, n) for n in range(1, 6)], active,
                                                    accounts), by=officer)
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 5))
    assert Checkpoint.objects.filter(book=book).count() == before + 1
    assert checkpoints.latest_checkpoint(book).size == entries[-1].seq
    assert integrity.verify_book(book).ok


@pytest.mark.django_db
def test_an_unbalanced_draft_refuses_the_whole_batch(active, accounts, officer):
    book, cost, cash, _inkind = accounts
    head = Book.objects.get(pk=book.pk).head_seq
    drafts = drafts_from([("cash", D("100.00"), None, 1)], active, accounts)
    drafts.append(Draft(kind=JournalEntry.Kind.CASH_CONTRIBUTION, legs=[Leg(cost, D("5")), Leg(cash, D("-4"))]))
    with pytest.raises(RuleViolation, match="does not balance"):
        journal.append_many(book, drafts, by=officer)
    assert Book.objects.get(pk=book.pk).head_seq == head


@pytest.mark.django_db
def test_an_already_posted_key_is_returned_not_posted_again(active, accounts, officer):
    book = accounts[0]
    first = journal.append_many(book, drafts_from([("cash", D("10.00"), None, 1)], active, accounts), by=officer)
    again = journal.append_many(book, drafts_from([("cash", D("10.00"), None, 1), ("cash", D("20.00"), None, 2)],
                                                  active, accounts), by=officer)
    assert again[0].pk == first[0].pk and again[1].seq == first[0].seq + 1
