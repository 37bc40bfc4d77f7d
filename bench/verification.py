"""Measurement 2: verification — `ledger.integrity.verify_book` over every book (what `manage.py
verify_ledger` does) vs the floor of any Python verifier.

The floor reads the same columns with the bare DB-API cursor (sqlite3 / psycopg, no ORM), builds each
entry's canonical JSON with `json.dumps` and hashes it with hashlib, in one process: nothing a
verifier can skip. verify_book does more per entry (the documented field checks, links, balance,
projection, Merkle leaves, every checkpoint's signature, the witness) and, on books of
LEDGER_VERIFY_PARALLEL_MIN_ENTRIES or more, checks chunks on every core (ledger/parallel.py).

Two more timings say where the time goes: the sequential verifier alone (one core, the path every
damaged book takes) and the parallel chain check alone (`ledger.parallel.verify_chain`).
"""
import hashlib
import json
import time
from datetime import UTC

from .timing import rounded

GOAL = 0.5
CHUNK = 4000


def _floor_book(book_id: int, head_seq: int) -> tuple[int, bool]:
    """Read, canonicalise and hash every entry of a book with the bare driver; (entries, all hashes match)."""
    from django.db import connection

    from ledger.chain import format_timestamp
    from ledger.parallel import _queries

    entries_sql, legs_sql = _queries(connection.vendor)
    connection.ensure_connection()
    cursor = connection.connection.cursor()
    dumps, sha256, count, ok, after = json.dumps, hashlib.sha256, 0, True, 0
    sqlite = connection.vendor == "sqlite"
    while True:
        cursor.execute(entries_sql, (book_id, head_seq, after, CHUNK))
        rows = cursor.fetchall()
        if not rows:
            break
        cursor.execute(legs_sql, (book_id, head_seq, rows[0][0], rows[-1][0]))
        legs = {}
        for entry_id, code, amount, hours in cursor.fetchall():
            legs.setdefault(entry_id, []).append({
                "account": code, "amount": f"{amount:.2f}", "hours": None if hours is None else f"{hours:.2f}"})
        for pk, book, seq, kind, at, reference, claim, corrects, actor, memo, payload, prev, stored in rows:
            if sqlite and at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            data = {"book": book, "seq": seq, "kind": kind, "occurred_at": format_timestamp(at),
                    "application": reference, "claim": claim, "corrects": corrects, "actor": actor, "memo": memo,
                    "payload": json.loads(payload) if isinstance(payload, str) else payload,
                    "legs": legs.get(pk, []), "prev_hash": prev}
            blob = dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
            ok = ok and sha256(blob).hexdigest() == stored
            count += 1
        if len(rows) < CHUNK:
            break
        after = rows[-1][0]
    cursor.close()
    return count, ok


def measure(dataset=None) -> dict:
    from django.conf import settings

    from ledger import integrity, parallel
    from ledger.integrity import verify_book
    from ledger.models import Book

    books = list(Book.objects.order_by("pk"))
    verify_seconds, results = float("inf"), []
    for _ in range(2):  # best of two: a busy machine
        started = time.perf_counter()
        results = [verify_book(book) for book in books]
        verify_seconds = min(verify_seconds, time.perf_counter() - started)
    entries = sum(r.entries_checked for r in results)
    ok = all(r.ok for r in results)

    floor_seconds, floor_ok = float("inf"), True
    for _ in range(2):
        started = time.perf_counter()
        floor = [_floor_book(book.pk, book.head_seq) for book in books]
        floor_seconds = min(floor_seconds, time.perf_counter() - started)
        floor_ok = all(matched for _count, matched in floor)
    assert floor_ok, "the floor's canonical JSON must hash to the stored hashes"
    assert sum(count for count, _ok in floor) == entries

    started = time.perf_counter()
    sequential = [integrity._verify_sequentially(book)[2] for book in books]
    sequential_seconds = time.perf_counter() - started
    assert all(r.ok for r in sequential)

    big = [book for book in books if parallel.worth_it(book)]
    started = time.perf_counter()
    for book in big:
        assert parallel.verify_chain(book) is not None
    chain_seconds = time.perf_counter() - started
    big_entries = sum(book.head_seq for book in big)

    verify_rate, floor_rate = entries / verify_seconds, entries / floor_seconds
    ratio = verify_rate / floor_rate
    return {
        "ok": ok,
        "books": len(books),
        "entries": entries,
        "verify_seconds": rounded(verify_seconds, 3),
        "verify_entries_per_s": rounded(verify_rate, 1),
        "floor_entries_per_s": rounded(floor_rate, 1),
        "floor": "bare DB-API cursor, canonical JSON with json.dumps, hashlib.sha256; one process",
        "ratio": rounded(ratio, 4),
        "goal": f">= {GOAL}",
        "met": ratio >= GOAL,
        "workers": parallel.workers(),
        "parallel_min_entries": settings.LEDGER_VERIFY_PARALLEL_MIN_ENTRIES,
        "breakdown": {
            "sequential_verifier_entries_per_s": rounded(entries / sequential_seconds, 1),
            "sequential_ratio": rounded(entries / sequential_seconds / floor_rate, 4),
            "parallel_chain_check_entries_per_s": rounded(big_entries / chain_seconds, 1) if big else None,
            "books_checked_in_parallel": len(big),
            "share_outside_chain_check": rounded(1 - chain_seconds / verify_seconds, 3) if big else None,
        },
    }
