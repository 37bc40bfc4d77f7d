"""Verify a hash-chained journal using only the standard library.

Runs inside the app (``ledger.integrity`` feeds it entries from the database, in
insertion order) and offline on an export: ``python -m ledger.verify FILE.jsonl`` —
no Django, no database, so an auditor need not trust our server. Checks, per entry in
order: well-formed, sequence, balanced legs, hash over the canonical bytes, link to the
previous entry's hash. Stops at the first damage and reads one entry at a time, so
memory stays flat whatever the size of the book.
"""
import argparse
import json
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from ledger import dossier_check
from ledger.chain import GENESIS_HASH, check_entry, checked_entry_hash

DAMAGE_KINDS = ("altered", "missing", "reordered", "unbalanced", "broken-link", "malformed")


@dataclass
class VerificationResult:
    """The verdict on a chain; on damage, where the first bad entry is and what is wrong with it."""

    ok: bool
    entries_checked: int
    head_hash: str
    bad_seq: int | None = None
    bad_line: int | None = None
    damage: str | None = None
    message: str = ""

    def summary(self) -> str:
        """One line for a terminal or a log: OK with the head hash, or TAMPERED naming the first bad entry."""
        if self.ok:
            return f"OK: {self.entries_checked} entries checked, head {self.head_hash}"
        where = f"entry seq {self.bad_seq}" if self.bad_seq is not None else "entry"
        if self.bad_line is not None:
            where += f" (line {self.bad_line})"
        return f"TAMPERED: {where}: {self.damage} — {self.message}"


class _Unreadable:
    """Stands in for a line that is not an entry at all, so the verifier can say why."""

    def __init__(self, reason: str):
        self.reason = reason


def _seq_range(first: int, last: int) -> str:
    return f"entry seq {first} is" if first == last else f"entries seq {first}–{last} are"


def _sum_exactly(amounts: list[str]) -> Decimal:
    """Sum two-decimal strings (check_entry has matched each against -?digits.dd) exactly, in öre
    as integers: nothing is ever rounded away, whatever the number of digits."""
    ore = sum(int(amount.replace(".", "", 1)) for amount in amounts)
    return Decimal(ore).scaleb(-2)


def _verify(numbered: Iterator[tuple[int | None, object]], start_seq: int | None,
            after_hash: str | None = None) -> VerificationResult:
    numbered = iter(numbered)  # shared with the look-ahead below
    expected, prev_seq, prev_hash, book, count = start_seq, None, GENESIS_HASH, None, 0
    if after_hash is not None:  # a tail: its first entry must link to a hash already verified
        prev_seq, prev_hash = start_seq - 1, after_hash

    def bad(seq, line, damage, message):
        return VerificationResult(False, count, prev_hash, seq, line, damage, message)

    for line, entry in numbered:
        # 1. Well-formed: parseable, exactly the documented fields, one book.
        if isinstance(entry, _Unreadable):
            return bad(None, line, "malformed", entry.reason)
        seq = entry.get("seq") if isinstance(entry, dict) else None
        seq = seq if isinstance(seq, int) and not isinstance(seq, bool) else None
        try:
            check_entry(entry)
        except ValueError as exc:
            return bad(seq, line, "malformed", str(exc))
        if not isinstance(entry.get("hash"), str):
            return bad(seq, line, "malformed", "the entry has no stored hash.")
        if book is not None and entry["book"] != book:
            return bad(seq, line, "malformed", f"it belongs to book {entry['book']} but the entries before it to "
                                               f"book {book}; one file or stream holds one book.")
        book = entry["book"]

        # 2. Sequence: gapless from start_seq, or (a slice) strictly increasing.
        if expected is not None and seq > expected:
            gap = range(expected, seq)
            # Tell a move from a deletion: scan on (one entry at a time) for a skipped seq.
            for later_line, later in numbered:
                if isinstance(later, dict) and later.get("seq") in gap:
                    at = f" (line {later_line})" if later_line is not None else ""
                    return bad(seq, line, "reordered", f"seq {seq} comes before seq {later['seq']}, "
                                                       f"which follows later{at}.")
            return bad(seq, line, "missing", f"{_seq_range(expected, seq - 1)} missing before it.")
        if expected is not None and seq < expected:
            return bad(seq, line, "reordered", f"seq {seq} comes after seq {expected - 1}, where seq {expected} belongs.")
        if expected is None and prev_seq is not None and seq <= prev_seq:
            return bad(seq, line, "reordered", f"seq {seq} comes after seq {prev_seq}.")

        # 3. Balanced: debits and credits cancel exactly, in decimal.
        total = _sum_exactly([leg["amount"] for leg in entry["legs"]])
        if total != 0:
            return bad(seq, line, "unbalanced", f"its legs add up to {total}, not 0.00.")

        # 4. Unaltered: the stored hash is the hash of the content.
        if checked_entry_hash(entry) != entry["hash"]:
            return bad(seq, line, "altered", "the stored hash does not match its content.")

        # 5. Linked: prev_hash is the previous entry's hash. A slice can only check
        # neighbours whose seqs are consecutive; seq 1 always links to the genesis hash.
        if seq == 1 and entry["prev_hash"] != GENESIS_HASH:
            return bad(seq, line, "broken-link", "the first entry's prev_hash is not the genesis hash (64 zeros).")
        if seq != 1 and prev_seq is not None and seq == prev_seq + 1 and entry["prev_hash"] != prev_hash:
            return bad(seq, line, "broken-link", f"its prev_hash is not the hash of entry seq {prev_seq}.")

        prev_seq, prev_hash, count = seq, entry["hash"], count + 1
        if expected is not None:
            expected += 1
    return VerificationResult(True, count, prev_hash, message="every entry is well-formed, in sequence, "
                                                              "balanced, unaltered and linked.")


def _check_start(start_seq) -> None:
    if start_seq is not None and (not isinstance(start_seq, int) or isinstance(start_seq, bool) or start_seq < 1):
        raise ValueError(f"start_seq must be a positive integer or None, not {start_seq!r}.")


def verify_entries(entries: Iterable[dict], *, start_seq: int | None = 1,
                   after_hash: str | None = None) -> VerificationResult:
    """Verify entry dicts (each with "hash") in the order given.

    start_seq=1: a whole book, seq 1, 2, 3, … without gaps. start_seq=None: a slice (one
    application's entries): seqs strictly increase, gaps allowed, and prev_hash is checked
    only between entries whose seqs are consecutive. start_seq=N with after_hash: the tail of
    a book after seq N-1, whose hash (already verified) the first entry must link to.
    """
    _check_start(start_seq)
    if after_hash is not None and (start_seq is None or start_seq < 2):
        raise ValueError("after_hash needs start_seq of 2 or more: the hash of the entry before start_seq.")
    return _verify(((None, entry) for entry in entries), start_seq, after_hash)


def _refuse_constant(text: str):
    raise ValueError(f"{text} is not a number")


def _parse_lines(lines: Iterable[bytes | str]) -> Iterator[tuple[int, object]]:
    for number, raw in enumerate(lines, start=1):
        try:
            text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        except UnicodeDecodeError:
            yield number, _Unreadable(f"line {number} is not UTF-8.")
            continue
        if not text.strip():
            continue  # a blank line holds no entry; a deleted entry still shows as a gap in seq
        try:
            yield number, json.loads(text, parse_constant=_refuse_constant)
        except ValueError as exc:
            yield number, _Unreadable(f"line {number} is not a JSON entry ({exc}).")


def verify_lines(lines: Iterable[bytes | str], *, start_seq: int | None = 1) -> VerificationResult:
    """Verify JSON Lines (bytes or str, one entry per line), reporting 1-based line numbers."""
    _check_start(start_seq)
    return _verify(_parse_lines(lines), start_seq)


def main(argv=None) -> int:
    """Command line: exit 0 intact, 1 tampered, 2 usage error or unreadable file."""
    parser = argparse.ArgumentParser(prog="python -m ledger.verify",
                                     description="Verify a journal export (JSON Lines) or an auditor's dossier "
                                                 "(ZIP) offline.")
    parser.add_argument("file", help="the .jsonl export or the dossier .zip, or - for standard input")
    parser.add_argument("--slice", action="store_true",
                        help="the file holds one application's entries, not a whole book")
    parser.add_argument("--key", help="a dossier: the ledger's public key (64 hex digits) or its fingerprint, "
                                      "as the regional body publishes it; the manifest must be signed by it")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on usage errors and --help; report, don't exit
        return exc.code if isinstance(exc.code, int) else 2
    if args.file != "-" and zipfile.is_zipfile(args.file):
        return dossier_check.main(args.file, verify_lines=verify_lines, trusted_key=args.key)
    start_seq = None if args.slice else 1
    try:
        if args.file == "-":
            result = verify_lines(sys.stdin.buffer, start_seq=start_seq)
        else:
            with open(args.file, "rb") as handle:
                result = verify_lines(handle, start_seq=start_seq)
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    print(result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
