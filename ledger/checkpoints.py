"""Signed Merkle checkpoints of the books (and of the audit and verification-run logs), and proofs.

DESIGN §7. A checkpoint says: "log L of ledger instance I had `size` leaves whose RFC 6962 Merkle
root is `root`, at `time`", signed with the ledger's Ed25519 key (`ledger.keys`). The leaves of a
book are its entries' hashes in seq order (`ledger.merkle.ledger_leaf`). Formats are documented for
auditors in reports/EXPORT_FORMAT.md §4–§6.

Public API (what statements, exports and the auditor's dossier call):

* `latest_checkpoint(book) -> Checkpoint | None` — the book's newest signed checkpoint.
* `as_record(checkpoint) -> dict` — its JSON form (witness line, export header, dossier).
* `message(record) -> bytes` — the exact bytes that are signed.
* `record_problem(record, public_key=None) -> str | None` — why a record is not a valid
  checkpoint of this instance signed by the key, or None.
* `inclusion_proof(book, seq, size=None) -> dict` — `{"seq", "index", "size", "path"}`, the audit
  path (hex, lowest level first) of entry `seq` in the tree of the first `size` entries
  (default: the latest checkpoint's size).
* `inclusion_proofs(book, seqs, size) -> dict[int, list[str]]` — many at once, O(size + k log size).
* `consistency_proof(book, old_size, new_size) -> list[str]` — RFC 6962 consistency path (hex).
* `sign_bytes(data) -> bytes` and `public_key_fingerprint() -> str` — `ledger.keys.sign` and
  `ledger.keys.fingerprint`, here so a caller needs one import.
* `checkpoint_book(book, leaf_hashes=None) -> Checkpoint` — sign the book's current head now
  (verify_ledger does, after verifying); `after_append` — the journal's hook, see below.

When checkpoints are written, and why that is safe: `ledger.journal.append` signs a checkpoint of
the book's new size in the *same transaction* as the entry, under the book's row lock, extending the
previous checkpoint's compact range (`frontier`) by the one new leaf: O(log n), no re-reading. So
every entry the application wrote is covered by a signed checkpoint the moment it commits, and an
entry no checkpoint covers was written by someone else. The witness file gets the checkpoint only
after the commit (`witness.defer`), so a rolled-back transaction never reaches it; if the process
dies between the commit and the write, the checkpoint is still in the database, signed, and the next
`verify_ledger` copies it to the witness. If the previous checkpoint does not end at the old head
(an entry inserted in SQL, or a book older than checkpoints), the append signs nothing and leaves
the gap for `verify_ledger` to report: the application never signs what it did not write.
"""
import hashlib
import json
from datetime import datetime

from django.db import connection
from django.utils import timezone

from . import (
    chain,
    checks,  # noqa: F401  (registers the system checks ledger.E001 and E002)
    keys,
    merkle,
    rows,
    verify,
    witness,
)
from .models import Book, Checkpoint, JournalEntry, LedgerInstance, VerificationRun

MESSAGE_HEADER = verify.CHECKPOINT_HEADER
RECORD_FORMAT = "testbed-ledger-checkpoint/1"


# --- the signed message -------------------------------------------------------------------------


def message(record: dict) -> bytes:
    """The signed bytes: six lines, each ending in a line feed, UTF-8 (EXPORT_FORMAT.md §4); one
    definition, in the stdlib verifier, so the server and the offline check can never disagree."""
    return verify.checkpoint_message(record)


def as_record(checkpoint: Checkpoint) -> dict:
    """The JSON form of a checkpoint: the signed fields, the key and the signature (hex)."""
    return {
        "format": RECORD_FORMAT, "instance": checkpoint.instance_id, "log": checkpoint.log,
        "size": checkpoint.size, "root": checkpoint.root, "time": chain.format_timestamp(checkpoint.signed_at),
        "key": checkpoint.key_fingerprint, "public_key": _public_key_hex(checkpoint.key_fingerprint),
        "signature": checkpoint.signature,
    }


def _public_key_hex(key_fingerprint: str) -> str:
    """The public key the checkpoint names (a retired one after a rotation), else the current key."""
    named = keys.public_key_named(key_fingerprint)
    return (named if named is not None else keys.public_key_bytes()).hex()


def record_problem(record, *, instance: str | None = None, public_key: bytes | None = None,
                   signature: bool = True) -> str | None:
    """Why `record` is not a checkpoint of `instance` validly signed by `public_key` (default: the
    ledger key it names, current or retired), or None (`signature=False`: everything but the Ed25519
    check itself, which is the expensive part)."""
    if not isinstance(record, dict):
        return "it is not a JSON object"
    try:
        size, root = record["size"], record["root"]
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            return f"its size {size!r} is not a whole number"
        merkle.hash_from_hex(root)
        raw_signature = bytes.fromhex(record["signature"])
        data = message(record)
    except (KeyError, TypeError, ValueError) as exc:
        return f"it is malformed ({exc})"
    if instance is not None and record["instance"] != instance:
        return f"it belongs to ledger instance {record['instance']}, not {instance}"
    if public_key is None:  # the key the record names, if it is this ledger's, current or retired
        public_key = keys.public_key_named(record.get("key"))
        if public_key is None:
            return (f"it names key {str(record.get('key'))[:16]}…, which is neither this ledger's key "
                    f"{keys.fingerprint()[:16]}… nor one it retired")
    if record.get("key") != keys.fingerprint_of(public_key):
        return f"it names key {str(record.get('key'))[:16]}…, not this ledger's key {keys.fingerprint_of(public_key)[:16]}…"
    if signature and not keys.verify(data, raw_signature, public_key):
        return "its Ed25519 signature does not verify"
    return None


def sign_bytes(data: bytes) -> bytes:
    """Sign arbitrary bytes (a dossier MANIFEST) with the ledger key: 64-byte Ed25519 signature."""
    return keys.sign(data)


def public_key_fingerprint() -> str:
    return keys.fingerprint()


# --- writing ------------------------------------------------------------------------------------


# The checkpoints this process signed, per log, field for field: extending one of those needs no
# Ed25519 check (a row that matches ours exactly carries our signature); anything else is checked.
_SIGNED_HERE: dict[str, tuple] = {}


def _fingerprint(checkpoint: Checkpoint) -> tuple:
    return (checkpoint.pk, checkpoint.instance_id, checkpoint.size, checkpoint.root, checkpoint.frontier,
            checkpoint.signature, checkpoint.key_fingerprint, checkpoint.signed_at)


def _signed(log: str, *, book: Book | None, size: int, root: bytes, frontier: list[bytes],
            instance: str, at: datetime | None = None) -> Checkpoint:
    at = at or timezone.now()
    record = {"instance": instance, "log": log, "size": size, "root": root.hex(), "time": chain.format_timestamp(at)}
    checkpoint = Checkpoint(
        log=log, book=book, instance_id=instance, size=size, root=record["root"], signed_at=at,
        key_fingerprint=keys.fingerprint(), signature=keys.sign(message(record)).hex(),
        frontier=merkle.proof_to_hex(frontier),
    )
    rows.insert([checkpoint])
    _SIGNED_HERE[log] = _fingerprint(checkpoint)
    witness.defer([as_record(checkpoint)])
    return checkpoint


def _builder_from(checkpoint: Checkpoint) -> merkle.TreeBuilder | None:
    """Resume the tree from a checkpoint's frontier, if that frontier folds to its signed root."""
    try:
        builder = merkle.TreeBuilder.from_state(checkpoint.size, merkle.proof_from_hex(checkpoint.frontier))
    except ValueError:
        return None
    return builder if builder.root().hex() == checkpoint.root else None


def after_append(book: Book, entry: JournalEntry, *, head_before: int,
                 batch: list[JournalEntry] | None = None) -> Checkpoint | None:
    """Sign the book's new size in the append's transaction (the caller holds the book's lock);
    `batch`: the entries head_before+1 … entry.seq of one `journal.append_many`, signed once."""
    batch = batch or [entry]
    instance = witness.instance_id(entries_allowed=len(batch) if head_before == 0 else 0)
    if not instance:
        return None
    last = latest_checkpoint(book)
    if last is None:
        if head_before != 0:
            return None  # a book older than checkpoints: verify_ledger adopts it after verifying
        builder = merkle.TreeBuilder()
    elif last.size != head_before or last.instance_id != instance:
        return None  # entries nobody signed lie between: leave them for verify_ledger to name
    else:
        # Extend only a checkpoint we signed: a row forged in SQL to cover a forged entry must not
        # become the base of a real signature (one Ed25519 check per append, bench/ measurement 7).
        ours = _SIGNED_HERE.get(last.log) == _fingerprint(last) and last.key_fingerprint == keys.fingerprint()
        if not ours and record_problem(as_record(last), instance=instance) is not None:
            return None
        builder = _builder_from(last)
        if builder is None:
            return None
    for appended in batch:
        builder.append(merkle.ledger_leaf(appended.hash))
    return _signed(witness.book_log(book), book=book, size=builder.size, root=builder.root(),
                   frontier=builder.state(), instance=instance, at=entry.occurred_at)


def checkpoint_book(book: Book, *, leaf_hashes: list[bytes] | None = None) -> Checkpoint | None:
    """Sign a checkpoint of the book's head now (verify_ledger, after verifying those leaves)."""
    instance = witness.instance_id()
    if not instance:
        return None
    if leaf_hashes is None:
        leaf_hashes = book_leaf_hashes(book, book.head_seq)
    builder = merkle.TreeBuilder()
    for h in leaf_hashes:
        builder.append_hash(h)
    return _signed(witness.book_log(book), book=book, size=builder.size, root=builder.root(),
                   frontier=builder.state(), instance=instance)


def checkpoint_log(log: str, leaf_hashes: list[bytes]) -> Checkpoint | None:
    """Sign a checkpoint of a side log (`audit`, `runs`) over the given leaf hashes."""
    instance = witness.instance_id()
    if not instance:
        return None
    builder = merkle.TreeBuilder()
    for h in leaf_hashes:
        builder.append_hash(h)
    return _signed(log, book=None, size=builder.size, root=builder.root(), frontier=builder.state(),
                   instance=instance)


# --- reading and proofs -------------------------------------------------------------------------


def latest_checkpoint(book: Book | int) -> Checkpoint | None:
    """The book's newest checkpoint (largest size, then latest) of this instance."""
    return rows.first(Checkpoint, "log = %s", [witness.book_log(book)], order="size DESC, signed_at DESC, id DESC")


def book_leaf_hashes(book: Book | int, size: int) -> list[bytes]:
    """The leaf hashes (SHA-256(0x00 ‖ entry hash)) of entries seq 1..size, in seq order."""
    book_id = book if isinstance(book, int) else book.pk
    hashes = (JournalEntry.objects.filter(book_id=book_id, seq__lte=size).order_by("seq")
              .values_list("seq", "hash").iterator(chunk_size=5000))
    out = []
    for expected, (seq, stored) in enumerate(hashes, start=1):
        if seq != expected:
            raise ValueError(f"book {book_id} has no entry seq {expected}")
        out.append(merkle.leaf_hash(merkle.ledger_leaf(stored)))
    if len(out) != size:
        raise ValueError(f"book {book_id} has {len(out)} entries, not {size}")
    return out


def inclusion_proofs(book: Book | int, seqs, size: int) -> dict[int, list[str]]:
    """Audit paths (hex) of entries `seqs` in the tree of the first `size` entries."""
    leaves = book_leaf_hashes(book, size)
    if not leaves:
        return {}
    proofs = merkle.proofs_for(leaves, [seq - 1 for seq in seqs], size)
    return {index + 1: merkle.proof_to_hex(path) for index, path in proofs.items()}


def inclusion_proof(book: Book | int, seq: int, size: int | None = None) -> dict:
    """`{"seq", "index", "size", "path"}`: entry `seq` is leaf index seq−1 of the tree of `size`."""
    if size is None:
        latest = latest_checkpoint(book)
        if latest is None:
            raise ValueError("the book has no checkpoint yet")
        size = latest.size
    return {"seq": seq, "index": seq - 1, "size": size, "path": inclusion_proofs(book, [seq], size)[seq]}


def consistency_proof(book: Book | int, old_size: int, new_size: int) -> list[str]:
    """RFC 6962 consistency proof (hex) that the tree of old_size entries is a prefix of new_size's."""
    leaves = book_leaf_hashes(book, new_size)
    return merkle.proof_to_hex(merkle.consistency_proof_from_hashes(leaves, old_size, new_size))


# --- side logs: audit events and verification runs ------------------------------------------------


def _row_hash(data: dict) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, separators=(",", ":"),
                                     ensure_ascii=False).encode("utf-8")).hexdigest()


def audit_event_dict(event) -> dict:
    """The canonical form of an audit event that is hashed (and chained into its transition entry)."""
    return {"id": event.pk, "occurred_at": chain.format_timestamp(event.occurred_at), "actor": event.actor_name,
            "action": event.action, "object_type": event.object_type, "object_id": event.object_id,
            "object_repr": event.object_repr, "application": event.application_id, "from": event.from_state,
            "to": event.to_state, "comment": event.comment, "changes": event.changes}


def audit_event_hash(event) -> str:
    return _row_hash(audit_event_dict(event))


def run_dict(run: VerificationRun) -> dict:
    """The fields of a verification run that its signature covers."""
    return {"book": run.book_id, "started_at": chain.format_timestamp(run.started_at),
            "finished_at": chain.format_timestamp(run.finished_at), "actor": run.actor_name, "ok": run.ok,
            "entries_checked": run.entries_checked, "through_seq": run.through_seq, "head_hash": run.head_hash,
            "damage": run.damage, "message": run.message}


def run_bytes(run: VerificationRun) -> bytes:
    return json.dumps(run_dict(run), sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def run_leaf(run: VerificationRun) -> bytes:
    """A run's leaf in the `runs` log: its signed fields, its id and its signature."""
    data = dict(run_dict(run), id=run.pk, signature=run.signature)
    return merkle.leaf_hash(bytes.fromhex(_row_hash(data)))


def lock_instance() -> None:
    """Serialise writers of the `runs` log (PostgreSQL row lock; SQLite holds the database lock)."""
    if connection.vendor == "postgresql":
        list(LedgerInstance.objects.select_for_update().order_by("pk")[:1])
