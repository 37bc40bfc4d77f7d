"""Verify a hash-chained journal using only the standard library.

Runs inside the app (``ledger.integrity`` feeds it entries from the database) and
offline on an export: ``python -m ledger.verify FILE.jsonl`` — no Django, no
database, so an auditor need not trust our server. Checks, per entry in order:
well-formed, gapless sequence, balanced legs, hash over the canonical bytes, and
the link to the previous entry's hash. Stops at the first damage.
"""
import argparse
import json
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from ledger.chain import GENESIS_HASH, entry_hash

REQUIRED = ("book", "seq", "kind", "occurred_at", "application", "claim", "corrects", "actor", "memo",
            "payload", "legs", "prev_hash", "hash")


@dataclass
class VerificationResult:
    ok: bool
    entries_checked: int
    head_hash: str
    bad_seq: int | None = None
    bad_line: int | None = None
    damage: str | None = None
    message: str = ""

    def summary(self) -> str:
        if self.ok:
            return f"OK: {self.entries_checked} entries checked, head {self.head_hash}"
        where = f"entry seq {self.bad_seq}" if self.bad_seq is not None else "entry"
        if self.bad_line is not None:
            where += f" (line {self.bad_line})"
        return f"TAMPERED: {where}: {self.damage} — {self.message}"


def _bad(count, head, seq, line, damage, message) -> VerificationResult:
    return VerificationResult(False, count, head, seq, line, damage, message)


def verify_entries(entries: Iterable[dict], *, start_seq: int | None = 1, lines: bool = False) -> VerificationResult:
    """Check a stream of entries (dicts with "hash"); `start_seq=None` checks a slice of a book."""
    expected_seq, prev_hash, prev_seq, book, count = start_seq, GENESIS_HASH, None, None, 0
    stream = iter(entries)
    for number, entry in enumerate(stream, start=1):
        line = number if lines else None
        seq = entry.get("seq") if isinstance(entry, dict) else None
        if not isinstance(entry, dict) or any(key not in entry for key in REQUIRED) or not isinstance(seq, int):
            return _bad(count, prev_hash, seq, line, "malformed", "the entry lacks required fields")
        if book is not None and entry["book"] != book:
            return _bad(count, prev_hash, seq, line, "malformed", "entries of more than one book are mixed")
        book = entry["book"]
        if expected_seq is not None and seq != expected_seq:
            if seq > expected_seq:
                # One look ahead tells a swap (the skipped seq follows) from a deletion.
                following = next(stream, None)
                if isinstance(following, dict) and following.get("seq") == expected_seq:
                    return _bad(count, prev_hash, seq, line, "reordered",
                                f"seq {seq} comes before seq {expected_seq}")
                gap = f"{expected_seq}" if seq == expected_seq + 1 else f"{expected_seq}–{seq - 1}"
                return _bad(count, prev_hash, seq, line, "missing", f"entry seq {gap} is missing before it")
            return _bad(count, prev_hash, seq, line, "reordered", f"seq {seq} comes where {expected_seq} belongs")
        if expected_seq is None and prev_seq is not None and seq <= prev_seq:
            return _bad(count, prev_hash, seq, line, "reordered", f"seq {seq} comes after seq {prev_seq}")
        try:
            total = sum((Decimal(leg["amount"]) for leg in entry["legs"]), Decimal(0))
        except (InvalidOperation, KeyError, TypeError):
            return _bad(count, prev_hash, seq, line, "malformed", "a leg has no readable amount")
        if total != 0:
            return _bad(count, prev_hash, seq, line, "unbalanced", f"its legs add up to {total}, not 0")
        try:
            recomputed = entry_hash(entry)
        except (TypeError, ValueError) as exc:
            return _bad(count, prev_hash, seq, line, "malformed", str(exc))
        if recomputed != entry["hash"]:
            return _bad(count, prev_hash, seq, line, "altered", "the stored hash does not match its content")
        linked = expected_seq is not None or prev_seq is None or seq == prev_seq + 1
        if linked and (expected_seq is not None or prev_seq is not None) and entry["prev_hash"] != prev_hash:
            return _bad(count, prev_hash, seq, line, "broken-link", "prev_hash does not match the previous entry")
        prev_hash, prev_seq, count = entry["hash"], seq, count + 1
        if expected_seq is not None:
            expected_seq += 1
    return VerificationResult(True, count, prev_hash)


def _read_lines(handle):
    for raw in handle:
        raw = raw.strip()
        if not raw:
            continue
        try:
            yield json.loads(raw, parse_float=str)
        except json.JSONDecodeError:
            yield None


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ledger.verify",
                                     description="Verify a journal export (JSON Lines) offline.")
    parser.add_argument("file", help="the .jsonl export, or - for standard input")
    parser.add_argument("--slice", action="store_true",
                        help="the file holds one application's entries, not a whole book")
    args = parser.parse_args(argv)
    try:
        handle = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror}", file=sys.stderr)
        return 2
    with handle:
        result = verify_entries(_read_lines(handle), start_seq=None if args.slice else 1, lines=True)
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
