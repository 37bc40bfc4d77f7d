"""verify_ledger: exit 0 with a summary when intact, exit 1 naming the first bad entry and the damage."""
import pytest
from django.core.management import call_command

from ledger.models import Book, JournalEntry
from tests.ledger import tamper


@pytest.fixture
def chain(paid):
    book = Book.objects.get()
    assert book.head_seq >= 10
    return book


def run_verify(capsys, *args):
    try:
        call_command("verify_ledger", *args)
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def middle(book):
    return JournalEntry.objects.filter(book=book).order_by("seq")[book.head_seq // 2]


@pytest.mark.django_db
def test_intact_ledger_verifies(chain, capsys):
    code, output = run_verify(capsys)
    assert code == 0
    assert f"{chain.head_seq} entries checked" in output and chain.head_hash in output


@pytest.mark.django_db
def test_intact_single_book(chain, capsys):
    code, output = run_verify(capsys, "--book", str(chain.pk))
    assert code == 0


@pytest.mark.django_db
def test_altered_entry_is_caught(chain, capsys):
    victim = middle(chain)
    tamper.execute("UPDATE ledger_journalentry SET memo = 'nothing to see' WHERE id = %s", [victim.pk])
    code, output = run_verify(capsys)
    assert code == 1 and f"seq {victim.seq}" in output and "altered" in output


@pytest.mark.django_db
def test_altered_amounts_that_still_balance_are_caught(chain, capsys):
    entry = JournalEntry.objects.filter(book=chain, kind=JournalEntry.Kind.FUND_PAYMENT).get()
    tamper.execute("UPDATE ledger_posting SET amount = amount * 2 WHERE entry_id = %s", [entry.pk])
    code, output = run_verify(capsys)
    assert code == 1 and f"seq {entry.seq}" in output and "altered" in output


@pytest.mark.django_db
def test_missing_entry_is_caught(chain, capsys):
    victim = middle(chain)
    tamper.execute("DELETE FROM ledger_posting WHERE entry_id = %s", [victim.pk])
    tamper.execute("DELETE FROM ledger_journalentry WHERE id = %s", [victim.pk])
    code, output = run_verify(capsys)
    assert code == 1 and "missing" in output and str(victim.seq) in output


@pytest.mark.django_db
def test_reordered_entries_are_caught(chain, capsys):
    a = middle(chain)
    b = JournalEntry.objects.get(book=chain, seq=a.seq + 1)
    tamper.execute("UPDATE ledger_journalentry SET seq = 999999 WHERE id = %s", [a.pk])
    tamper.execute("UPDATE ledger_journalentry SET seq = %s WHERE id = %s", [a.seq, b.pk])
    tamper.execute("UPDATE ledger_journalentry SET seq = %s WHERE id = %s", [b.seq, a.pk])
    code, output = run_verify(capsys)
    assert code == 1 and "reordered" in output


@pytest.mark.django_db
def test_unbalanced_entry_is_caught(chain, capsys):
    entry = JournalEntry.objects.filter(book=chain, kind=JournalEntry.Kind.CASH_CONTRIBUTION).get()
    posting = entry.postings.order_by("ordinal").first()
    tamper.execute("UPDATE ledger_posting SET amount = amount + 1 WHERE id = %s", [posting.pk])
    code, output = run_verify(capsys)
    assert code == 1 and f"seq {entry.seq}" in output and "unbalanced" in output


@pytest.mark.django_db
def test_unknown_book_is_a_usage_error(chain, capsys):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No book"):
        call_command("verify_ledger", "--book", "999")
