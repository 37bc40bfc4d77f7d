"""The lean append (ledger/rows.py, the signature cache in ledger.checkpoints): the same rows as the ORM
writes, and a checkpoint row altered in the database is never extended by a real signature."""
from decimal import Decimal

import pytest

from ledger import checkpoints, journal
from ledger.journal import Leg
from ledger.models import Account, Checkpoint, JournalEntry, Posting
from tests.ledger import tamper


@pytest.fixture
def accounts(active):
    book = journal.book_for_call(active.call)
    partner = active.partners.get()
    return (book, journal.account(book, Account.Kind.TESTBED_COST, application=active),
            journal.account(book, Account.Kind.INKIND, application=active, partner=partner))


def inkind(book, cost, inkind_account, application, officer, n):
    return journal.append(book, kind=JournalEntry.Kind.INKIND_CONTRIBUTION, by=officer, application=application,
                          legs=[Leg(cost, Decimal("1234.50"), Decimal("7.25")),
                                Leg(inkind_account, Decimal("-1234.50"), Decimal("7.25"))],
                          memo="Åsa Öberg 2026-03", payload={"time_report": n, "hours": "7.25"},
                          idempotency_key=f"time:{n}")


@pytest.mark.django_db
def test_an_append_stores_what_the_orm_reads_back(active, accounts, officer):
    book, cost, inkind_account = accounts
    entry = inkind(book, cost, inkind_account, active, officer, 1)
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert (stored.seq, stored.kind, stored.memo, stored.payload, stored.hash, stored.prev_hash, stored.actor_id,
            stored.application_id, stored.occurred_at) == (
        entry.seq, "inkind_contribution", "Åsa Öberg 2026-03", {"time_report": 1, "hours": "7.25"}, entry.hash,
        entry.prev_hash, officer.pk, active.pk, entry.occurred_at)
    legs = list(Posting.objects.filter(entry=stored).order_by("ordinal").values_list("account_id", "amount", "hours"))
    assert legs == [(cost.pk, Decimal("1234.50"), Decimal("7.25")),
                    (inkind_account.pk, Decimal("-1234.50"), Decimal("7.25"))]


@pytest.mark.django_db
def test_a_checkpoint_row_altered_in_the_database_is_not_extended(active, accounts, officer):
    book, cost, inkind_account = accounts
    inkind(book, cost, inkind_account, active, officer, 1)
    newest = checkpoints.latest_checkpoint(book)
    tamper.execute("UPDATE ledger_checkpoint SET root = %s WHERE id = %s", ["ab" * 32, newest.pk])
    before = Checkpoint.objects.filter(book=book).count()
    entry = inkind(book, cost, inkind_account, active, officer, 2)
    assert Checkpoint.objects.filter(book=book).count() == before  # nothing signed over the forged row
    assert checkpoints.latest_checkpoint(book).size == entry.seq - 1
