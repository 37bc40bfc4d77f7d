"""Measurement 7: the cost of tamper evidence (issue 14, DESIGN §7).

Append throughput: `ledger.journal.append`, one entry per transaction, with its signed checkpoint
(check the previous checkpoint's signature, extend the compact range, Ed25519 signature, one more
INSERT, and after the commit one fsynced line in the witness file) vs the same appends with the
checkpoint hook switched off, and (to attribute the cost) signed but with the witness write off.
They alternate in blocks, each into a book of its own, so load changes hit all three. The book
written without its witness lines is later verified too: verify_ledger tops the witness up from the
signed checkpoints in the database, as after a crash between commit and witness write.

Verification: the full verification verify_ledger does per book (`integrity.verify_book_fully`:
chain, Merkle tree, every checkpoint in database and witness with its signature, a consistency
proof, projections) vs the chain alone (`verify.verify_entries` over `integrity.chain_dicts`), over
every book of the dataset; and the inclusion proofs of a slice export (one application's entries).
"""
import time

from .timing import rounded

BLOCKS = 4


def _appends(book, application, cost, cash, officer, start: int, count: int) -> float:
    from decimal import Decimal

    from ledger import journal
    from ledger.journal import Leg
    from ledger.models import JournalEntry

    started = time.perf_counter()
    for i in range(start, start + count):
        amount = Decimal(1000 + i % 900) + Decimal("0.50")
        journal.append(book, kind=JournalEntry.Kind.CASH_CONTRIBUTION, by=officer, application=application,
                       legs=[Leg(cost, amount), Leg(cash, -amount)], memo=f"Cash CP-{i:06d}",
                       payload={"cash_contribution": i})
    return time.perf_counter() - started


def _append_cost(dataset) -> dict:
    from applications.models import Organisation
    from ledger import checkpoints, witness

    from .posting import _bench_call

    officer = dataset.users["officer"]
    org = Organisation.objects.filter(kind=Organisation.Kind.MUNICIPALITY).order_by("pk").first()
    signed = _bench_call("Bench checkpoints: signed", officer, org, 7)
    bare = _bench_call("Bench checkpoints: unsigned", officer, org, 8)
    unwitnessed = _bench_call("Bench checkpoints: signed, witness file off", officer, org, 9)
    hook, write = checkpoints.after_append, witness.append
    per_block = max(5, dataset.scale.throughput_entries // BLOCKS)
    with_s = without_s = no_fsync_s = 0.0
    _appends(*signed, officer, 0, 3)  # warm-up
    for block in range(BLOCKS):
        with_s += _appends(*signed, officer, 10 + block * per_block, per_block)
        witness.append = lambda records: None
        try:
            no_fsync_s += _appends(*unwitnessed, officer, 10 + block * per_block, per_block)
        finally:
            witness.append = write
        checkpoints.after_append = lambda *args, **kwargs: None
        try:
            without_s += _appends(*bare, officer, 10 + block * per_block, per_block)
        finally:
            checkpoints.after_append = hook
    written = BLOCKS * per_block
    # The unsigned book got no checkpoints; sign its head now so it verifies like the others.
    checkpoints.checkpoint_book(bare[0])
    return {"entries": written,
            "with_checkpoints_entries_per_s": rounded(written / with_s, 1),
            "without_checkpoints_entries_per_s": rounded(written / without_s, 1),
            "signed_without_witness_file_entries_per_s": rounded(written / no_fsync_s, 1),
            "with_checkpoints_ms_per_entry": rounded(1000 * with_s / written, 3),
            "without_checkpoints_ms_per_entry": rounded(1000 * without_s / written, 3),
            "signed_without_witness_file_ms_per_entry": rounded(1000 * no_fsync_s / written, 3),
            "ratio": rounded((written / with_s) / (written / without_s), 3),
            "ratio_without_witness_file": rounded((written / no_fsync_s) / (written / without_s), 3)}


def _verification_cost() -> dict:
    from ledger import integrity, verify
    from ledger.models import Book, JournalEntry

    books = list(Book.objects.order_by("pk"))
    started = time.perf_counter()
    full = [integrity.verify_book_fully(book).result for book in books]
    full_s = time.perf_counter() - started
    started = time.perf_counter()
    for book in books:
        entries = JournalEntry.objects.filter(book=book, seq__lte=book.head_seq).order_by("pk")
        verify.verify_entries(integrity.chain_dicts(entries))
    chain_s = time.perf_counter() - started
    entries = sum(book.head_seq for book in books)
    return {"books": len(books), "entries": entries, "ok": all(r.ok for r in full),
            "problems": [r.summary() for r in full if not r.ok][:3],
            "full_with_proofs_s": rounded(full_s, 3), "chain_only_s": rounded(chain_s, 3),
            "full_entries_per_s": rounded(entries / full_s, 1), "chain_entries_per_s": rounded(entries / chain_s, 1),
            "ratio": rounded(chain_s / full_s, 3)}


def _slice_cost(dataset) -> dict:
    from reports import journal_export

    application = dataset.special["big"]
    from ledger.models import Book

    book = Book.objects.get(call=application.call)
    started = time.perf_counter()
    lines = sum(1 for _line in journal_export.jsonl_lines(book, application))
    seconds = time.perf_counter() - started
    return {"application": application.reference, "entries": lines - 1, "book_entries": book.head_seq,
            "signed_slice_s": rounded(seconds, 3)}


def measure(dataset) -> dict:
    return {"append": _append_cost(dataset), "verification": _verification_cost(), "slice": _slice_cost(dataset)}
