"""Verifying a big book on every core (bench/, measurement 2; DESIGN §7).

The checks of one entry — well-formed, balanced, its hash over the canonical bytes — depend on
that entry alone, so chunks of entries are checked side by side in worker processes, while this
process reads the next chunk with the bare DB-API cursor (no ORM: one keyset query per chunk of
entries, one for their legs) and checks what joins the chunks: the sequence and the prev_hash
links across chunk boundaries. Each worker also returns the chunk's Merkle leaf hashes and its
part of the projection (`ledger.projection.Projection`), merged here in chain order.

This path only ever says "intact". At the first sign of anything else (a malformed, unbalanced or
altered entry, a gap, a broken link, another book) it returns None and `ledger.integrity` runs the
sequential verifier, which names the first damage exactly as it always has. Workers are forked and
never touch the database, so the caller's transaction (and a test's) sees the same rows.
"""
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Context, Decimal

from django.conf import settings
from django.db import connections

from applications.models import Application

from . import chain, merkle, verify
from .models import Account, Book, JournalEntry, Posting
from .projection import Projection

CHUNK = 4000
_FLOAT_CONTEXT = Context(prec=15)
_CENT = Decimal("0.01")


def workers() -> int:
    """How many processes check chunks: LEDGER_VERIFY_WORKERS, default every core."""
    configured = getattr(settings, "LEDGER_VERIFY_WORKERS", 0) or os.cpu_count() or 1
    return max(1, int(configured))


def worth_it(book: Book) -> bool:
    """Parallel for books of LEDGER_VERIFY_PARALLEL_MIN_ENTRIES or more, with more than one worker."""
    minimum = getattr(settings, "LEDGER_VERIFY_PARALLEL_MIN_ENTRIES", 5000)
    return workers() > 1 and book.head_seq >= minimum and "fork" in multiprocessing.get_all_start_methods()


# --- reading, with the bare DB-API cursor -------------------------------------------------------------


def _queries(vendor: str) -> tuple[str, str]:
    entry, application, posting, account = (JournalEntry._meta.db_table, Application._meta.db_table,
                                            Posting._meta.db_table, Account._meta.db_table)
    mark = "?" if vendor == "sqlite" else "%s"
    entries = (f"SELECT e.id, e.book_id, e.seq, e.kind, e.occurred_at, a.reference, e.claim_id, c.seq, "
               f"e.actor_name, e.memo, e.payload, e.prev_hash, e.hash FROM {entry} e "
               f"LEFT JOIN {application} a ON a.id = e.application_id LEFT JOIN {entry} c ON c.id = e.corrects_id "
               f"WHERE e.book_id = {mark} AND e.seq <= {mark} AND e.id > {mark} ORDER BY e.id LIMIT {mark}")
    legs = (f"SELECT p.entry_id, ac.code, p.amount, p.hours FROM {posting} p "
            f"JOIN {account} ac ON ac.id = p.account_id JOIN {entry} e ON e.id = p.entry_id "
            f"WHERE e.book_id = {mark} AND e.seq <= {mark} AND p.entry_id >= {mark} AND p.entry_id <= {mark} "
            f"ORDER BY p.entry_id, p.ordinal")
    return entries, legs


def raw_chunks(book_id: int, head_seq: int, *, using: str = "default", chunk: int = CHUNK):
    """Yield (entry rows, leg rows) of the book's entries seq <= head_seq in insertion order, a chunk at
    a time, exactly as the driver returns them (convert with `entry_dicts`)."""
    connection = connections[using]
    connection.ensure_connection()
    entries_sql, legs_sql = _queries(connection.vendor)
    cursor = connection.connection.cursor()
    try:
        after = 0
        while True:
            cursor.execute(entries_sql, (book_id, head_seq, after, chunk))
            rows = cursor.fetchall()
            if not rows:
                return
            cursor.execute(legs_sql, (book_id, head_seq, rows[0][0], rows[-1][0]))
            yield rows, cursor.fetchall()
            if len(rows) < chunk:
                return
            after = rows[-1][0]
    finally:
        cursor.close()


def _timestamp(value) -> str:
    if isinstance(value, str):  # SQLite without declared-type parsing
        value = datetime.fromisoformat(value)
    if value.tzinfo is None:  # SQLite stores UTC without an offset
        value = value.replace(tzinfo=UTC)
    return chain.format_timestamp(value)


def _decimal(value):
    if value is None or isinstance(value, Decimal):
        return value
    if isinstance(value, float):  # SQLite's NUMERIC affinity: as Django's own converter reads it
        return _FLOAT_CONTEXT.create_decimal_from_float(value).quantize(_CENT)
    return Decimal(value)


def entry_dicts(entry_rows, leg_rows):
    """The canonical dicts (with the stored "hash") of raw rows: the same dicts as
    `ledger.integrity.chain_dicts` yields for the same entries."""
    legs: dict[int, list] = {}
    for entry_id, code, amount, hours in leg_rows:
        legs.setdefault(entry_id, []).append(chain.leg(code, _decimal(amount), _decimal(hours)))
    out = []
    for pk, book, seq, kind, occurred_at, reference, claim, corrects, actor, memo, payload, prev, stored in entry_rows:
        if isinstance(payload, str | bytes):
            payload = json.loads(payload)
        entry = chain.entry_dict(book=book, seq=seq, kind=kind, occurred_at=_timestamp(occurred_at),
                                 application=reference, claim=claim, corrects=corrects, actor=actor, memo=memo,
                                 payload=payload, legs=legs.get(pk, []), prev_hash=prev)
        entry["hash"] = stored
        out.append(entry)
    return out


# --- checking a chunk (in a worker) ---------------------------------------------------------------------


@dataclass
class ChunkVerdict:
    ok: bool
    first_seq: int = 0
    first_prev: str = ""
    last_hash: str = ""
    count: int = 0
    leaves: list = field(default_factory=list)
    projection: Projection | None = None


def check_chunk(book_id: int, entry_rows, leg_rows) -> ChunkVerdict:
    """Every entry of the chunk well-formed, of this book, balanced, unaltered; seqs consecutive and
    linked inside the chunk (`ledger.verify` checks each entry the same way)."""
    entries = entry_dicts(entry_rows, leg_rows)
    if not entries:
        return ChunkVerdict(ok=True)
    result = verify.verify_entries(entries, start_seq=None)
    first = entries[0]
    if not result.ok or first.get("book") != book_id:
        return ChunkVerdict(ok=False)
    seq = first["seq"]
    for offset, entry in enumerate(entries):
        if entry["seq"] != seq + offset:  # gapless; verify_entries(start_seq=None) allows gaps
            return ChunkVerdict(ok=False)
    projection = Projection()
    for _entry in projection.feed(entries):
        pass
    return ChunkVerdict(ok=True, first_seq=seq, first_prev=first["prev_hash"], last_hash=result.head_hash,
                        count=result.entries_checked,
                        leaves=[merkle.leaf_hash(bytes.fromhex(entry["hash"])) for entry in entries],
                        projection=projection)


# --- the whole book -------------------------------------------------------------------------------------


@dataclass
class ParallelVerdict:
    result: verify.VerificationResult
    leaf_hashes: list
    projection: Projection


def verify_chain(book: Book, *, using: str = "default", chunk: int | None = None) -> ParallelVerdict | None:
    """The chain of `book` up to its head, checked on every core; None when anything looks wrong
    (the caller then runs the sequential verifier for the exact verdict)."""
    pending, verdicts = [], []
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=workers(), mp_context=context) as pool:
        for entry_rows, leg_rows in raw_chunks(book.pk, book.head_seq, using=using, chunk=chunk or CHUNK):
            pending.append(pool.submit(check_chunk, book.pk, entry_rows, leg_rows))
            while len(pending) > 2 * workers():  # bounded memory: a few chunks in flight
                verdicts.append(pending.pop(0).result())
        verdicts.extend(future.result() for future in pending)
    expected, prev_hash, projection, leaves = 1, chain.GENESIS_HASH, Projection(), []
    for part in verdicts:
        if not part.ok:
            return None
        if not part.count:
            continue
        if part.first_seq != expected or part.first_prev != prev_hash:
            return None
        expected, prev_hash = expected + part.count, part.last_hash
        leaves.extend(part.leaves)
        projection.merge(part.projection)
    count = expected - 1
    result = verify.VerificationResult(True, count, prev_hash if count else chain.GENESIS_HASH,
                                       message="every entry is well-formed, in sequence, balanced, unaltered and "
                                               "linked.")
    return ParallelVerdict(result, leaves, projection)
