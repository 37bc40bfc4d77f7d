"""The journal export: JSON Lines (verifiable offline with `python -m ledger.verify`) and CSV.

Both are generators over `ledger.integrity.chain_dicts`, which reads the entries in
chunks, so memory stays flat whatever the size of the book. The field-by-field
format is in reports/EXPORT_FORMAT.md.

JSON Lines: exactly one entry per line, the canonical dict that was hashed plus its
"hash", serialised as canonical JSON (sorted keys, no spaces, UTF-8).
CSV: one row per leg, the entry's fields repeated on each of its rows; an entry
without legs (a state transition) has one row with empty leg fields.
"""
import json

from ledger.integrity import chain_dicts
from ledger.models import Book, JournalEntry
from ledger.selectors import application_entries

from .cells import SafeCsvWriter, restore

CSV_COLUMNS = ["book", "seq", "kind", "occurred_at", "application", "claim", "corrects", "actor", "memo",
               "payload", "prev_hash", "hash", "legs", "leg", "account", "amount", "hours"]


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def journal_entries(book: Book, application=None, reader=None):
    """The book's entries up to its head when the export starts (a consistent prefix), in chain order.

    An application's slice for a `reader` holds what that user may see of it (ledger.selectors:
    a partner company's slice is its own); None (the command line) means every entry.
    """
    entries = JournalEntry.objects.filter(book=book, seq__lte=book.head_seq)
    if application is not None:
        entries = entries.filter(application=application)
        if reader is not None:
            entries = entries.filter(pk__in=application_entries(reader, application).values("pk"))
    return entries.order_by("seq")


def jsonl_lines(book: Book, application=None, reader=None):
    """Yield the export line by line, as UTF-8 bytes."""
    for entry in chain_dicts(journal_entries(book, application, reader)):
        yield (canonical_json(entry) + "\n").encode("utf-8")


class LineBuffer:
    """A write-only buffer: csv.writer writes a row, we hand it straight back."""

    def write(self, value):
        return value


def _cell(value):
    return "" if value is None else value


def csv_lines(book: Book, application=None, reader=None):
    """Yield the CSV export row by row (header first), as UTF-8 bytes."""
    writer = SafeCsvWriter(LineBuffer())
    yield writer.writerow(CSV_COLUMNS).encode("utf-8")
    for entry in chain_dicts(journal_entries(book, application, reader)):
        common = [entry["book"], entry["seq"], entry["kind"], entry["occurred_at"], _cell(entry["application"]),
                  _cell(entry["claim"]), _cell(entry["corrects"]), entry["actor"], entry["memo"],
                  canonical_json(entry["payload"]), entry["prev_hash"], entry["hash"], len(entry["legs"])]
        if not entry["legs"]:
            yield writer.writerow(common + ["", "", "", ""]).encode("utf-8")
        for number, leg in enumerate(entry["legs"], start=1):
            yield writer.writerow(common + [number, leg["account"], leg["amount"], _cell(leg["hours"])]).encode("utf-8")


def entries_from_csv_rows(rows):
    """Rebuild the chain dicts from CSV rows (dicts keyed by CSV_COLUMNS): the inverse of `csv_lines`.

    An auditor's verifier can do the same; the tests use it to prove the CSV loses nothing. A cell that
    begins with a single quote had it added by `cells.neutralise` and loses exactly one (EXPORT_FORMAT 1.5).
    """
    current = None
    for row in rows:
        row = {column: restore(value) if isinstance(value, str) else value for column, value in row.items()}
        key = (int(row["book"]), int(row["seq"]))
        if current is None or key != (current["book"], current["seq"]):
            if current is not None:
                yield current
            current = {
                "book": key[0], "seq": key[1], "kind": row["kind"], "occurred_at": row["occurred_at"],
                "application": row["application"] or None, "claim": int(row["claim"]) if row["claim"] else None,
                "corrects": int(row["corrects"]) if row["corrects"] else None, "actor": row["actor"],
                "memo": row["memo"], "payload": json.loads(row["payload"], parse_float=str),
                "prev_hash": row["prev_hash"], "hash": row["hash"], "legs": [],
            }
        if row["leg"]:
            current["legs"].append({"account": row["account"], "amount": row["amount"],
                                    "hours": row["hours"] or None})
    if current is not None:
        yield current


def filename(book: Book, application, extension: str) -> str:
    suffix = f"-{application.reference}" if application is not None else ""
    return f"journal-book{book.pk}{suffix}.{extension}"


def write(book: Book, application, fmt: str, handle) -> int:
    """Write the export to a binary file handle; return the number of lines (rows) written."""
    lines = jsonl_lines(book, application) if fmt == "jsonl" else csv_lines(book, application)
    count = 0
    for line in lines:
        handle.write(line)
        count += 1
    return count
