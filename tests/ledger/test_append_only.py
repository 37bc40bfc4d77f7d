"""The journal is append-only in the model layer and in the database (rule E7)."""
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction

from applications.models import AuditEvent
from ledger import checkpoints, journal
from ledger.journal import Leg
from ledger.models import Account, AppendOnlyError, JournalEntry, Posting
from services import lifecycle


@pytest.fixture
def book(call, officer):
    return journal.book_for_call(call, by=officer)


@pytest.mark.django_db
def test_opening_entry_holds_the_call_budget(book, call):
    entry = JournalEntry.objects.get(book=book)
    assert (entry.seq, entry.kind) == (1, JournalEntry.Kind.OPENING)
    assert sorted(p.amount for p in entry.postings.all()) == [-call.fund_budget, call.fund_budget]


@pytest.mark.django_db
def test_unbalanced_entry_is_refused_before_anything_is_written(book, officer):
    from core.errors import RuleViolation

    budget = journal.account(book, Account.Kind.FUND_BUDGET)
    source = journal.account(book, Account.Kind.FUND_SOURCE)
    count = JournalEntry.objects.count(), Posting.objects.count()
    with pytest.raises(RuleViolation, match="does not balance"):
        journal.append(book, kind="correction", by=officer, legs=[Leg(budget, Decimal("10")), Leg(source, Decimal("-9.99"))])
    assert (JournalEntry.objects.count(), Posting.objects.count()) == count


@pytest.mark.django_db
def test_amounts_are_rounded_half_up_once_at_posting(book, officer):
    budget = journal.account(book, Account.Kind.FUND_BUDGET)
    source = journal.account(book, Account.Kind.FUND_SOURCE)
    entry = journal.append(book, kind="correction", by=officer,
                           legs=[Leg(budget, Decimal("0.005")), Leg(source, Decimal("-0.005"))])
    assert sorted(p.amount for p in entry.postings.all()) == [Decimal("-0.01"), Decimal("0.01")]


@pytest.mark.django_db
def test_model_layer_refuses_update_and_delete(book):
    entry = JournalEntry.objects.get(book=book)
    entry.memo = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    posting = entry.postings.first()
    with pytest.raises(AppendOnlyError):
        posting.save()
    with pytest.raises(AppendOnlyError):
        posting.delete()


@pytest.mark.django_db
@pytest.mark.parametrize("sql", [
    "UPDATE ledger_journalentry SET memo = 'changed'",
    "DELETE FROM ledger_journalentry",
    "UPDATE ledger_posting SET amount = 0",
    "DELETE FROM ledger_posting",
])
def test_database_refuses_raw_update_and_delete(book, sql):
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert JournalEntry.objects.get(book=book).memo != "changed"


@pytest.mark.django_db
def test_idempotency_key_returns_the_first_entry(book, officer):
    budget = journal.account(book, Account.Kind.FUND_BUDGET)
    source = journal.account(book, Account.Kind.FUND_SOURCE)
    legs = [Leg(budget, Decimal("5")), Leg(source, Decimal("-5"))]
    first = journal.append(book, kind="correction", by=officer, legs=legs, idempotency_key="k-1")
    again = journal.append(book, kind="correction", by=officer, legs=legs, idempotency_key="k-1")
    assert first.pk == again.pk
    assert JournalEntry.objects.filter(book=book).count() == 2


@pytest.mark.django_db
def test_transitions_are_chained(draft, applicant):
    lifecycle.transition(draft, "submit", by=applicant)
    entry = JournalEntry.objects.get(kind=JournalEntry.Kind.TRANSITION)
    event = AuditEvent.objects.get(action="transition", object_id=str(draft.pk))
    assert entry.payload == {"object": "application", "id": draft.reference, "from": "draft",
                             "to": "submitted", "comment": "",
                             "audit": {"id": event.pk, "hash": checkpoints.audit_event_hash(event)}}
    assert entry.prev_hash == JournalEntry.objects.get(seq=entry.seq - 1, book=entry.book).hash


@pytest.mark.django_db
def test_triggers_are_installed_on_this_engine():
    from ledger import triggers

    expected = 4  # UPDATE and DELETE (SQLite) / row and TRUNCATE triggers (PostgreSQL) on two tables
    assert triggers.installed_count(connection) == expected
