"""Verify a hash-chained journal using only the standard library.

Runs inside the app (``ledger.integrity`` feeds it entries from the database, in
insertion order) and offline on an export: ``python -m ledger.verify FILE.jsonl`` —
no Django, no database, so an auditor need not trust our server. Checks, per entry in
order: well-formed, sequence, balanced legs, hash over the canonical bytes, link to the
previous entry's hash. Stops at the first damage and reads one entry at a time, so
memory stays flat whatever the size of the book.

An export that starts with a header line (`{"format": "testbed-ledger-journal/1", …}` for a
whole book, `"testbed-ledger-slice/1"` for one application's or partner's slice) is recognised
by itself: the header's checkpoint signature is checked with Ed25519 (`ledger.ed25519`, RFC 8032),
a whole book's Merkle root against the checkpoint, and each slice entry's inclusion proof
(`ledger.merkle`, RFC 6962/9162) against it. Formats: reports/EXPORT_FORMAT.md §4–§6.
"""
import argparse
import hashlib
import json
import sys
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from decimal import Decimal

from ledger import dossier_check, ed25519, merkle
from ledger.chain import GENESIS_HASH, check_entry, checked_entry_hash

DAMAGE_KINDS = ("altered", "missing", "reordered", "unbalanced", "broken-link", "malformed", "bad-signature",
                "root-mismatch", "not-included", "unsigned-entries", "truncated")
BOOK_FORMAT = "testbed-ledger-journal/1"
SLICE_FORMAT = "testbed-ledger-slice/1"
CHECKPOINT_HEADER = "testbed-ledger checkpoint v1"


def checkpoint_message(record: dict) -> bytes:
    """The bytes a checkpoint's signature covers: six lines, each ending in a line feed, UTF-8."""
    return (f"{CHECKPOINT_HEADER}\n"
            f"instance {record['instance']}\n"
            f"log {record['log']}\n"
            f"size {record['size']}\n"
            f"root {record['root']}\n"
            f"time {record['time']}\n").encode()


def checkpoint_problem(record, public_key_hex: str, fingerprint: str | None = None) -> str | None:
    """Why `record` is not a checkpoint signed by the public key (hex), or None. Standard library only."""
    if not isinstance(record, dict):
        return "the header has no checkpoint"
    try:
        public_key = bytes.fromhex(public_key_hex)
        signature = bytes.fromhex(record["signature"])
        size, root = record["size"], record["root"]
        merkle.hash_from_hex(root)
        message = checkpoint_message(record)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        return f"the checkpoint is malformed ({exc})"
    if not isinstance(size, int) or isinstance(size, bool) or size < 0:
        return f"the checkpoint's size {size!r} is not a whole number"
    key_fingerprint = hashlib.sha256(public_key).hexdigest()
    if record.get("key") != key_fingerprint or (fingerprint is not None and fingerprint != key_fingerprint):
        return "the checkpoint's key fingerprint is not SHA-256 of the header's public key"
    if len(public_key) != 32 or not ed25519.verify(public_key, message, signature):
        return "the checkpoint's Ed25519 signature does not verify"
    return None


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


def _header_of(first: bytes | str | None):
    """The export header (a dict with "format"), or None for a file that starts with an entry."""
    if first is None:
        return None
    try:
        value = json.loads(first.decode("utf-8") if isinstance(first, bytes) else first)
    except (ValueError, UnicodeDecodeError):
        return None
    if isinstance(value, dict) and isinstance(value.get("format"), str) and "seq" not in value:
        return value
    return None


class _Signed:
    """Streams a headed export's entries to `_verify`, checking them against the header's checkpoint."""

    def __init__(self, header: dict, slice_: bool):
        self.header, self.slice = header, slice_
        checkpoint = header.get("checkpoint")
        self.size = checkpoint["size"] if isinstance(checkpoint, dict) else None
        self.root = bytes.fromhex(checkpoint["root"]) if isinstance(checkpoint, dict) else None
        self.builder = merkle.TreeBuilder()
        self.proved = 0
        self.failure: VerificationResult | None = None

    def feed(self, numbered):
        for line, entry in numbered:
            if self.failure is not None:
                return
            proof = entry.pop("proof", None) if self.slice and isinstance(entry, dict) else None
            yield line, entry
            if not isinstance(entry, dict) or not isinstance(entry.get("hash"), str):
                continue
            try:
                leaf = merkle.leaf_hash(merkle.ledger_leaf(entry["hash"]))
            except ValueError:
                continue  # _verify has named the malformed hash
            seq = entry.get("seq")
            if self.slice:
                self._prove(line, seq, leaf, proof)
            else:
                self.builder.append_hash(leaf)
                if self.size is not None and self.builder.size == self.size and self.builder.root() != self.root:
                    self.failure = VerificationResult(False, self.builder.size, entry["hash"], seq, line,
                                                      "root-mismatch", f"the first {self.size} entries do not have "
                                                      "the root the header's checkpoint signed.")

    def _prove(self, line, seq, leaf, proof):
        if self.size is None:
            return
        try:
            path = merkle.proof_from_hex(proof)
        except ValueError:
            path = None
        if not isinstance(seq, int) or path is None or not merkle.verify_inclusion(
                leaf, seq - 1, self.size, path, self.root, hashed=True):
            self.failure = VerificationResult(False, self.proved, "", seq, line, "not-included",
                                              f"its inclusion proof does not lead to the root of signed checkpoint "
                                              f"{self.size}.")
        else:
            self.proved += 1


def verify_export(lines: Iterable[bytes | str], *, slice_: bool = False,
                  expect_key: str | None = None) -> VerificationResult:
    """Verify an export file's lines: a headed export (book or slice, recognised by its header) or a bare
    chain (a whole book, or a slice when `slice_`)."""
    lines = iter(lines)
    first = next(lines, None)
    header = _header_of(first)
    if header is None:
        rest = lines if first is None else _chain_lines(first, lines)
        return verify_lines(rest, start_seq=None if slice_ else 1)
    fmt = header.get("format")
    if fmt not in (BOOK_FORMAT, SLICE_FORMAT):
        return VerificationResult(False, 0, "", None, 1, "malformed", f"unknown export format {fmt!r}.")
    is_slice = fmt == SLICE_FORMAT
    public_key, checkpoint = header.get("public_key"), header.get("checkpoint")
    if expect_key is not None and header.get("fingerprint") != expect_key.replace(" ", "").lower():
        return VerificationResult(False, 0, "", None, 1, "bad-signature",
                                  f"the export names key {header.get('fingerprint')}, not the expected {expect_key}.")
    if checkpoint is not None:
        problem = checkpoint_problem(checkpoint, str(public_key), header.get("fingerprint"))
        if problem:
            return VerificationResult(False, 0, "", None, 1, "bad-signature", problem + ".")
    signed = _Signed(header, is_slice)
    numbered = signed.feed((number + 1, entry) for number, entry in _parse_lines(lines))
    result = _verify(numbered, None if is_slice else 1)
    if signed.failure is not None and (result.ok or (signed.failure.bad_seq or 0) <= (result.bad_seq or 0)):
        return signed.failure
    if not result.ok:
        return result
    return _signed_verdict(result, signed, checkpoint, is_slice, header)


def _signed_verdict(result, signed, checkpoint, is_slice, header) -> VerificationResult:
    if checkpoint is None:
        result.message = "hashes and links intact, but the export carries no signed checkpoint to check them against."
        return result
    size = checkpoint["size"]
    where = f"signed checkpoint {size} (root {checkpoint['root']}, {checkpoint['time']}, key {checkpoint['key']})"
    if is_slice:
        result.message = (f"{signed.proved} entries of {header.get('subject', 'the slice')} verified by inclusion "
                          f"proofs against {where}.")
        return result
    if result.entries_checked < size:
        return VerificationResult(False, result.entries_checked, result.head_hash, result.entries_checked + 1, None,
                                  "truncated", f"the export ends at seq {result.entries_checked} but the "
                                               f"checkpoint signed {size} entries.")
    if result.entries_checked > size:
        return VerificationResult(False, result.entries_checked, result.head_hash, size + 1, None, "unsigned-entries",
                                  f"entries seq {size + 1}–{result.entries_checked} are not covered by the "
                                  "header's signed checkpoint.")
    result.message = f"the full book of {size} entries verified against {where}."
    return result


def _chain_lines(first, rest):
    yield first
    yield from rest


def main(argv=None) -> int:
    """Command line: exit 0 intact, 1 tampered, 2 usage error or unreadable file."""
    parser = argparse.ArgumentParser(prog="python -m ledger.verify",
                                     description="Verify a journal export (JSON Lines: a whole book or a slice, "
                                                 "recognised by its header, with its signed checkpoint) or an "
                                                 "auditor's dossier (ZIP) offline.")
    parser.add_argument("file", help="the .jsonl export or the dossier .zip, or - for standard input")
    parser.add_argument("--slice", action="store_true",
                        help="a file without header holds one application's entries, not a whole book")
    parser.add_argument("--key", help="the ledger key fingerprint you expect (from the statement or the authority); "
                                      "a dossier's manifest must be signed by it")
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # argparse exits on usage errors and --help; report, don't exit
        return exc.code if isinstance(exc.code, int) else 2
    if args.file != "-" and zipfile.is_zipfile(args.file):
        return dossier_check.main(args.file, verify_lines=verify_lines, trusted_key=args.key)
    try:
        if args.file == "-":
            result = verify_export(sys.stdin.buffer, slice_=args.slice, expect_key=args.key)
        else:
            with open(args.file, "rb") as handle:
                result = verify_export(handle, slice_=args.slice, expect_key=args.key)
    except OSError as exc:
        print(f"cannot read {args.file}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    # A headed export says what it was checked against; a bare chain keeps its one-line verdict.
    signed = result.ok and not result.message.startswith("every entry")
    print(f"{result.summary()} — {result.message}" if signed else result.summary())
    return 0 if result.ok else 1


if __name__ == "__main__":
    sys.exit(main())
