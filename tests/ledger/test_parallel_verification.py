"""Verification on every core (ledger/parallel.py): the same dicts, the same verdicts, and never "intact"
for a tampered book — chunks of three entries, so links across chunk boundaries are checked too."""
import pytest
from django.core.management import call_command

from ledger import chain as chain_module
from ledger import integrity, parallel
from ledger.models import Book, JournalEntry
from tests.ledger import tamper
from tests.scenarios import cash, claim_and_pay, months, report


@pytest.fixture
def chain(example, applicant, officer, second_officer):
    application, x, y, reps = example
    cash(application, applicant, "150000.00", "V1")
    report(x, reps, months(application, 0), "100")
    report(x, reps, months(application, 1), "12.5")
    claim_and_pay(application, applicant, officer, second_officer)
    book = Book.objects.get()
    assert book.head_seq >= 10
    return book


@pytest.fixture
def on_every_core(settings, monkeypatch):
    settings.LEDGER_VERIFY_PARALLEL_MIN_ENTRIES = 1
    settings.LEDGER_VERIFY_WORKERS = 2
    monkeypatch.setattr(parallel, "CHUNK", 3)


def verify_exit(capsys):
    try:
        call_command("verify_ledger")
        code = 0
    except SystemExit as exc:
        code = exc.code
    out = capsys.readouterr()
    return code, out.out + out.err


def middle(book):
    return JournalEntry.objects.filter(book=book).order_by("seq")[book.head_seq // 2]


@pytest.mark.django_db
def test_raw_rows_make_the_same_canonical_dicts_as_the_orm_feed(chain):
    rows = [d for entries, legs in parallel.raw_chunks(chain.pk, chain.head_seq, chunk=4)
            for d in parallel.entry_dicts(entries, legs)]
    assert rows == list(integrity.chain_dicts(JournalEntry.objects.filter(book=chain).order_by("pk")))
    assert any(leg["hours"] for d in rows for leg in d["legs"])  # hours, transitions and money all covered
    assert {d["kind"] for d in rows} >= {"transition", "commitment", "cash_contribution"}


@pytest.mark.django_db
def test_parallel_chain_check_agrees_with_the_sequential_verifier(chain, on_every_core):
    fast = parallel.verify_chain(chain)
    projection, hashes, result = integrity._verify_sequentially(chain)
    assert fast is not None and fast.result.ok
    assert (fast.result.entries_checked, fast.result.head_hash) == (result.entries_checked, result.head_hash)
    assert fast.leaf_hashes == hashes
    assert fast.projection.states == projection.states
    assert fast.projection.balances == projection.balances and fast.projection.decisions == projection.decisions
    assert fast.projection.problems(chain) == []


@pytest.mark.django_db
def test_verify_ledger_on_every_core_passes_an_intact_book(chain, on_every_core, capsys):
    code, output = verify_exit(capsys)
    assert code == 0 and f"{chain.head_seq} entries checked" in output


@pytest.mark.django_db
def test_an_altered_entry_is_never_intact_on_every_core(chain, on_every_core, capsys):
    victim = middle(chain)
    tamper.execute("UPDATE ledger_journalentry SET memo = 'nothing to see' WHERE id = %s", [victim.pk])
    assert parallel.verify_chain(chain) is None
    code, output = verify_exit(capsys)
    assert code == 1 and f"seq {victim.seq}" in output and "altered" in output


@pytest.mark.django_db
def test_doubled_amounts_are_never_intact_on_every_core(chain, on_every_core, capsys):
    entry = JournalEntry.objects.filter(book=chain, kind=JournalEntry.Kind.FUND_PAYMENT).get()
    tamper.execute("UPDATE ledger_posting SET amount = amount * 2 WHERE entry_id = %s", [entry.pk])
    assert parallel.verify_chain(chain) is None
    code, output = verify_exit(capsys)
    assert code == 1 and f"seq {entry.seq}" in output and "altered" in output


@pytest.mark.django_db
def test_a_missing_entry_is_never_intact_on_every_core(chain, on_every_core, capsys):
    victim = middle(chain)
    tamper.execute("DELETE FROM ledger_posting WHERE entry_id = %s", [victim.pk])
    tamper.execute("DELETE FROM ledger_journalentry WHERE id = %s", [victim.pk])
    assert parallel.verify_chain(chain) is None
    code, output = verify_exit(capsys)
    assert code == 1 and "missing" in output and str(victim.seq) in output


@pytest.mark.django_db
def test_reordered_entries_are_never_intact_on_every_core(chain, on_every_core, capsys):
    a = middle(chain)
    b = JournalEntry.objects.get(book=chain, seq=a.seq + 1)
    tamper.execute("UPDATE ledger_journalentry SET seq = 999999 WHERE id = %s", [a.pk])
    tamper.execute("UPDATE ledger_journalentry SET seq = %s WHERE id = %s", [a.seq, b.pk])
    tamper.execute("UPDATE ledger_journalentry SET seq = %s WHERE id = %s", [b.seq, a.pk])
    assert parallel.verify_chain(chain) is None
    code, output = verify_exit(capsys)
    assert code == 1 and "reordered" in output


@pytest.mark.django_db
def test_a_rehashed_entry_with_another_link_is_caught_where_chunks_join(chain, on_every_core, monkeypatch):
    """Chunks of one entry: each is intact on its own (entry 4 rehashed over a forged prev_hash), so
    only the join of the chunks sees the broken links."""
    monkeypatch.setattr(parallel, "CHUNK", 1)
    entry = JournalEntry.objects.get(book=chain, seq=4)
    forged = next(d for d in integrity.chain_dicts(JournalEntry.objects.filter(pk=entry.pk)))
    forged.update(prev_hash="ab" * 32)
    forged.pop("hash")
    tamper.execute("UPDATE ledger_journalentry SET prev_hash = %s, hash = %s WHERE id = %s",
                   [forged["prev_hash"], chain_module.entry_hash(forged), entry.pk])
    assert all(parallel.check_chunk(chain.pk, entries, legs).ok
               for entries, legs in parallel.raw_chunks(chain.pk, chain.head_seq, chunk=1))
    assert parallel.verify_chain(chain) is None
    result = integrity.verify_book(chain)
    assert not result.ok and result.bad_seq in (4, 5)
