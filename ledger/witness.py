"""The witness log: every checkpoint, appended to files the database cannot change (DESIGN §7).

Public API:

* `instance_id() -> str` — this database's ledger instance id (`LedgerInstance`), made with the
  database (migration 0006) or, in an empty database (a flushed test database), on first use.
* `witness_dir() -> Path` — `settings.LEDGER_WITNESS_DIR`.
* `path_for(log, instance=None) -> Path` — the file of one log: `<dir>/<instance>.<log>.jsonl`,
  e.g. `…/8c0f…e1.book-3.jsonl`; one file per book (and one for `audit`, one for `runs`).
* `append(records)` — append checkpoint records (dicts, `ledger.checkpoints.as_record`), one JSON
  line each, under an exclusive lock, with fsync of file (and directory when it is new).
* `read(log, instance=None) -> list[dict | str]` — the records in file order; a line that is not a
  JSON object is returned as its text, so the verifier can name it.
* `defer(records)` — append after the current transaction commits (`transaction.on_commit`), so a
  rolled-back transaction never leaves a checkpoint in the witness.

The files are only ever opened with O_APPEND; nothing here rewrites or truncates them. In
production point LEDGER_WITNESS_DIR at a separate volume (or one the database host cannot write)
and forward the files (e.g. mail them to the audit authority): the database superuser of the
threat model cannot reach them.
"""
import fcntl
import json
import os
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from .models import Book, JournalEntry, LedgerInstance
from .rows import first as first_row


class WitnessMissing(ImproperlyConfigured):
    """No witness directory is configured."""


def witness_dir() -> Path:
    value = getattr(settings, "LEDGER_WITNESS_DIR", "") or ""
    if not value:
        raise WitnessMissing("No witness directory: set LEDGER_WITNESS_DIR (a directory outside the database, "
                             "in production on a separate volume) when DJANGO_DEBUG=0.")
    return Path(value)


def problem() -> str | None:
    """Why the witness directory is unusable, or None: for the system check."""
    try:
        directory = witness_dir()
    except WitnessMissing as exc:
        return str(exc)
    if directory.exists() and not os.access(directory, os.W_OK):
        return f"The witness directory {directory} is not writable."
    return None


def instance_id(*, entries_allowed: int = 0) -> str:
    """This database's ledger instance id; made now only if the database holds no entries yet
    (`entries_allowed`: the first entry, being appended in this transaction)."""
    found = first_row(LedgerInstance, "1 = 1", [], order="id")  # every append asks: SQL written once
    if found is not None:
        return found.instance_id
    if JournalEntry.objects.count() > entries_allowed:
        # The row was deleted or never made: making one now would hide that (DESIGN §7).
        return ""
    with transaction.atomic():
        found = LedgerInstance.objects.order_by("pk").first() or LedgerInstance.objects.create(
            instance_id=str(uuid.uuid4()), created_at=timezone.now(),
            adopted_heads={},
        )
    return found.instance_id


def adopted_heads() -> dict:
    found = LedgerInstance.objects.order_by("pk").first()
    return dict(found.adopted_heads) if found else {}


def book_log(book: Book | int) -> str:
    return f"book-{book if isinstance(book, int) else book.pk}"


def path_for(log: str, instance: str | None = None) -> Path:
    instance = instance if instance is not None else instance_id()
    return witness_dir() / f"{instance}.{log}.jsonl"


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def append(records: list[dict]) -> None:
    """Append each record to its log's file: one line, one write, under flock, then fsync."""
    by_path: dict[Path, list[dict]] = {}
    for record in records:
        by_path.setdefault(path_for(record["log"], record["instance"]), []).append(record)
    for path, items in by_path.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        new = not path.exists()
        data = "".join(json.dumps(item, sort_keys=True, separators=(",", ":")) + "\n" for item in items)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            os.write(fd, data.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)  # closing releases the lock
        if new:
            _fsync_dir(path.parent)


def defer(records: list[dict]) -> None:
    """Append `records` once the current transaction has committed (at once outside a transaction)."""
    transaction.on_commit(lambda: append(records), robust=True)


def read(log: str, instance: str | None = None) -> list:
    path = path_for(log, instance)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    out = []
    for line in raw.decode("utf-8", errors="replace").splitlines():
        if not line.strip():
            continue
        try:
            item = json.loads(line)
        except ValueError:
            item = line
        out.append(item if isinstance(item, dict) else line)
    return out


def logs_on_disk(instance: str | None = None) -> list[str]:
    """The log names that have a witness file for this instance."""
    instance = instance if instance is not None else instance_id()
    directory = witness_dir()
    if not directory.exists():
        return []
    prefix, suffix = f"{instance}.", ".jsonl"
    return sorted(p.name[len(prefix):-len(suffix)] for p in directory.iterdir()
                  if p.name.startswith(prefix) and p.name.endswith(suffix))
