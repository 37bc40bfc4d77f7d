"""Verifying the stored journal against an insider with the database (DESIGN §7).

Feeds entries from the database, in insertion order, to the same stdlib verifier that auditors run
offline on an export (`ledger.verify`), and then checks what the chain alone cannot:

* the book against every signed checkpoint of it, in the database and in the witness outside it
  (`ledger.checkpoints`, `ledger.witness`), and a consistency proof from the newest witnessed one
  to the head: a shorter book, another root, a missing or badly signed checkpoint, entries that no
  signed checkpoint covers, entries beyond the head, a book with entries and no witness at all;
* the tables against the chain (`ledger.projection`): states, decisions, balances, audit events;
* the side logs: the audit events and the verification runs, each a Merkle tree checkpointed and
  witnessed like a book, and every run signed.

Damage kinds (the `damage` of a result, named in verify_ledger's output): those of `ledger.verify`
plus TAMPER_KINDS below.
"""
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from applications.models import AuditEvent
from core import replica

from . import chain, checkpoints, keys, merkle, parallel, verify, witness
from .models import Book, Checkpoint, JournalEntry, Posting, VerificationRun
from .projection import Projection

TAMPER_KINDS = {
    "truncated": "the book is shorter than a signed checkpoint of it",
    "root-mismatch": "the entries no longer have the Merkle root a checkpoint signed",
    "bad-signature": "a checkpoint's signature, key or instance is not this ledger's",
    "checkpoint-missing": "a witnessed checkpoint was deleted from the database",
    "unsigned-entries": "entries no signed checkpoint covers (written outside the application)",
    "beyond-head": "an entry lies beyond the book's head",
    "no-witness": "a book with entries has no checkpoint in the witness or the database",
    "projection": "a table disagrees with the chain (state, decision, balance, audit event)",
    "audit-log": "audit events were deleted or altered after they were checkpointed",
    "run-forged": "a verification run has no valid signature",
    "run-missing": "verification runs were deleted or altered after they were checkpointed",
}

CHUNK = 2000
ENTRY_FIELDS = ("pk", "book_id", "seq", "kind", "occurred_at", "application__reference", "claim_id",
                "corrects__seq", "actor_name", "memo", "payload", "prev_hash", "hash")


def chain_dicts(entries, *, chunk: int = CHUNK):
    """Yield each entry's canonical dict (`ledger.chain.entry_dict`) plus its stored hash, in the
    queryset's order.

    Reads plain values, not model instances: one query per chunk of entries and one for their legs.
    Verification and the journal export are dominated by this read, and model instances with a
    prefetch cost 2.5× as much for the same dicts (bench/, measurement 2). Memory stays at one chunk.
    """
    batch = []
    for row in entries.values_list(*ENTRY_FIELDS).iterator(chunk_size=chunk):
        batch.append(row)
        if len(batch) == chunk:
            yield from _with_legs(batch)
            batch = []
    if batch:
        yield from _with_legs(batch)


def _with_legs(batch):
    legs = defaultdict(list)
    rows = (Posting.objects.filter(entry_id__in=[row[0] for row in batch]).order_by("entry_id", "ordinal")
            .values_list("entry_id", "account__code", "amount", "hours"))
    for entry_id, code, amount, hours in rows:
        legs[entry_id].append(chain.leg(code, amount, hours))
    timestamp = chain.format_timestamp
    for pk, book, seq, kind, occurred_at, reference, claim, corrects, actor, memo, payload, prev, stored in batch:
        entry = chain.entry_dict(book=book, seq=seq, kind=kind, occurred_at=timestamp(occurred_at),
                                 application=reference, claim=claim, corrects=corrects, actor=actor, memo=memo,
                                 payload=payload, legs=legs[pk], prev_hash=prev)
        entry["hash"] = stored
        yield entry


def _bad(result: verify.VerificationResult, damage: str, message: str, seq: int | None = None):
    return verify.VerificationResult(ok=False, entries_checked=result.entries_checked, head_hash=result.head_hash,
                                     bad_seq=seq, bad_line=None, damage=damage, message=message)


@dataclass
class BookVerdict:
    """A full verification of one book: the chain verdict (with any tampering found beyond it), the
    leaf hashes of the verified entries (to sign the next checkpoint) and the witness records to add."""

    result: verify.VerificationResult
    leaf_hashes: list = field(default_factory=list)
    to_witness: list = field(default_factory=list)
    newest_witnessed: dict | None = None


def verify_book(book: Book) -> verify.VerificationResult:
    """Verify one book completely: chain, head, checkpoints and witness, projection checks."""
    return verify_book_fully(book).result


@replica.reading
def verify_book_fully(book: Book) -> BookVerdict:
    book = Book.objects.get(pk=book.pk)  # the head now; entries appended while we read are not ours to judge
    fast = parallel.verify_chain(book, using=replica.alias_for_reads()) if parallel.worth_it(book) else None
    if fast is not None:  # intact on every core; anything else is judged by the sequential verifier below
        projection, hashes, result = fast.projection, fast.leaf_hashes, _against_head(fast.result, book)
    else:
        projection, hashes, result = _verify_sequentially(book)
    if not result.ok:
        return BookVerdict(result)
    beyond = JournalEntry.objects.filter(book=book, seq__gt=book.head_seq).order_by("seq").first()
    if beyond is not None:
        return BookVerdict(_bad(result, "beyond-head", f"entry seq {beyond.seq} lies beyond the book's head seq "
                                                       f"{book.head_seq}; the balances would count it.", beyond.seq))
    verdict = check_witness(book, hashes, result)
    if not verdict.result.ok:
        return verdict
    problems = projection.problems(book)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        return BookVerdict(_bad(result, "projection", problems[0] + more))
    return verdict


def _verify_sequentially(book: Book):
    """The chain of the book through the stdlib verifier, one entry at a time: the exact verdict."""
    # Insertion order (primary key), not seq: a swapped seq then shows up as reordered.
    entries = JournalEntry.objects.filter(book=book, seq__lte=book.head_seq).order_by("pk")
    projection, hashes = Projection(), []

    def noted(stream):
        for entry in projection.feed(stream):
            if isinstance(entry.get("hash"), str) and chain.HASH_RE.match(entry["hash"]):
                hashes.append(merkle.leaf_hash(bytes.fromhex(entry["hash"])))
            yield entry

    return projection, hashes, _against_head(verify.verify_entries(noted(chain_dicts(entries))), book)


def _records(log: str, instance: str):
    """The witness records and the database checkpoints of a log, as (where, record) pairs."""
    found = []
    for line, record in enumerate(witness.read(log, instance), start=1):
        found.append((f"witness line {line}", record))
    for checkpoint in Checkpoint.objects.filter(log=log).order_by("size", "id"):
        found.append((f"checkpoint {checkpoint.pk} in the database", checkpoints.as_record(checkpoint)))
    return found


def check_log(log: str, hashes: list[bytes], result: verify.VerificationResult, *, kinds: dict,
              adopted: bool = False, noun: str = "entries") -> BookVerdict:
    """Check a log of `len(hashes)` leaves against every checkpoint of it (witness and database).

    `kinds` maps "truncated", "root-mismatch", "unsigned-entries", "no-witness" to the damage names
    of this log. Returns the verdict with the database checkpoints the witness lacks.
    """
    instance = witness.instance_id()
    n = len(hashes)
    if not instance:
        if n == 0:
            return BookVerdict(result, hashes)
        return BookVerdict(_bad(result, kinds["no-witness"], "the ledger instance id is missing from the database, "
                                                             "so no witness can vouch for it."))
    witnessed, in_db, valid = set(), {}, []
    newest_witnessed = None
    records = _records(log, instance)
    for where, record in records:
        problem = checkpoints.record_problem(record, instance=instance, signature=False)
        if problem:
            return BookVerdict(_bad(result, "bad-signature", f"{log} {where}: {problem}."))
        if where.startswith("witness"):
            witnessed.add(record["signature"])
            if newest_witnessed is None or record["size"] >= newest_witnessed["size"]:
                newest_witnessed = record
        valid.append((where, record))
    # Signatures: the witness is outside the insider's reach, so a database checkpoint identical to a
    # witnessed one is vouched for by it; every other database checkpoint, and the newest witnessed
    # one (which binds the witness to this key), is checked with Ed25519. The journal extends only
    # checkpoints whose signature it has checked, so no real signature rests on a forged one.
    witnessed_records = {r["signature"]: r for w, r in valid if w.startswith("witness")}
    for where, record in valid:
        if where.startswith("witness"):
            if record is not newest_witnessed:
                continue
        else:
            in_db[record["signature"]] = record
            twin = witnessed_records.get(record["signature"])
            if twin is not None and all(twin.get(k) == record.get(k) for k in
                                        ("instance", "log", "size", "root", "time", "key")):
                continue
        problem = checkpoints.record_problem(record, instance=instance)
        if problem:
            return BookVerdict(_bad(result, "bad-signature", f"{log} {where}: {problem}."))
    # Roots: stream the tree once, checking each checkpoint's size on the way.
    for where, record in valid:
        if record["size"] > n:
            return BookVerdict(_bad(result, kinds["truncated"],
                                    f"{log} has {n} {noun} but {where} signed {record['size']} at {record['time']}: "
                                    f"{noun} {n + 1}–{record['size']} are gone.", n + 1))
    wanted = defaultdict(list)
    for where, record in valid:
        wanted[record["size"]].append((where, record))
    builder = merkle.TreeBuilder()
    for size in [0] + list(range(1, n + 1)):
        if size:
            builder.append_hash(hashes[size - 1])
        for where, record in wanted.get(size, ()):
            if builder.root().hex() != record["root"]:
                return BookVerdict(_bad(result, kinds["root-mismatch"],
                                        f"the first {size} {noun} of {log} no longer have the root {where} signed "
                                        f"at {record['time']}: they were rewritten or replaced.", size or None))
    missing = [record for record in (r for w, r in valid if w.startswith("witness"))
               if record["signature"] not in in_db]
    if missing and kinds.get("checkpoint-missing"):
        record = missing[0]
        return BookVerdict(_bad(result, kinds["checkpoint-missing"],
                                f"the witness holds a checkpoint of {log} (size {record['size']}, {record['time']}) "
                                f"that the database no longer has."))
    covered = max((record["size"] for _where, record in valid), default=None)
    if covered is None and n and not adopted:
        return BookVerdict(_bad(result, kinds["no-witness"],
                                f"{log} has {n} {noun} but no signed checkpoint, neither in the witness for ledger "
                                f"instance {instance} nor in the database."))
    if covered is not None and covered < n and kinds.get("unsigned-entries"):
        return BookVerdict(_bad(result, kinds["unsigned-entries"],
                                f"{noun} {covered + 1}–{n} of {log} are covered by no signed checkpoint "
                                f"(the newest signs {covered}): written outside the application.", covered + 1))
    if newest_witnessed is not None:
        old, old_root = newest_witnessed["size"], merkle.hash_from_hex(newest_witnessed["root"])
        proof = merkle.consistency_proof_from_hashes(hashes, old, n)
        if not merkle.verify_consistency(old, n, old_root, merkle.root_from_hashes(hashes), proof):
            return BookVerdict(_bad(result, kinds["root-mismatch"],
                                    f"{log} is not an extension of its newest witnessed checkpoint ({old})."))
    to_witness = [record for signature, record in in_db.items() if signature not in witnessed]
    return BookVerdict(result, hashes, to_witness, newest_witnessed)


BOOK_KINDS = {"truncated": "truncated", "root-mismatch": "root-mismatch", "unsigned-entries": "unsigned-entries",
              "no-witness": "no-witness", "checkpoint-missing": "checkpoint-missing"}


def check_witness(book: Book, hashes: list[bytes], result: verify.VerificationResult) -> BookVerdict:
    adopted = str(book.pk) in witness.adopted_heads()
    return check_log(witness.book_log(book), hashes, result, kinds=BOOK_KINDS, adopted=adopted)


def _against_head(result: verify.VerificationResult, book: Book) -> verify.VerificationResult:
    """An intact chain must also end where the book says its head is (a deleted last entry does not)."""
    if result.ok and result.head_hash != book.head_hash and (result.entries_checked or book.head_seq):
        return verify.VerificationResult(
            ok=False, entries_checked=result.entries_checked, head_hash=result.head_hash,
            bad_seq=book.head_seq, bad_line=None, damage="missing",
            message=f"the book's head is seq {book.head_seq} but the last stored entry ends the chain elsewhere",
        )
    return result


def verify_and_record(book: Book, *, by=None) -> VerificationRun:
    """Verify the whole book and keep the verdict (verify_ledger, "verify now", a first statement);
    when intact, sign a checkpoint of its head and give the witness what it lacks.

    `by` is the user who asked, or a name (a command line), or None (the system)."""
    started = timezone.now()
    verdict = verify_book_fully(book)
    result = verdict.result
    intact_through = result.entries_checked  # gapless from seq 1, so the last intact seq
    user = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        if result.ok:
            witness.defer(verdict.to_witness)
            checkpoints.checkpoint_book(book, leaf_hashes=verdict.leaf_hashes)
        run = record_run(book=book, started_at=started, actor=user,
                         actor_name=user.get_username() if user else (by if isinstance(by, str) and by else "system"),
                         ok=result.ok, entries_checked=result.entries_checked, through_seq=intact_through,
                         head_hash=result.head_hash, damage=result.damage or "", message=result.summary())
    run.result = result  # the full verdict (first bad seq, line, reason) for whoever asked
    return run


def record_run(**fields) -> VerificationRun:
    """Write a signed verification run and checkpoint the `runs` log with it (in one transaction)."""
    with transaction.atomic():
        checkpoints.lock_instance()
        run = VerificationRun(finished_at=timezone.now(), **fields)
        run.signature = keys.sign(checkpoints.run_bytes(run)).hex()
        run.save()
        checkpoints.checkpoint_log("runs", [checkpoints.run_leaf(r) for r in VerificationRun.objects.order_by("pk")])
    return run


def run_is_signed(run: VerificationRun) -> bool:
    """Signed by the ledger key, or by one it retired before the run was read (a run names no key)."""
    try:
        data, signature = checkpoints.run_bytes(run), bytes.fromhex(run.signature)
    except ValueError:
        return False
    return any(keys.verify(data, signature, key) for key in keys.known_public_keys().values())


# --- the side logs: audit events and verification runs ------------------------------------------------


def _audit_hashes(*, settled: bool) -> list[bytes]:
    events = AuditEvent.objects.order_by("pk")
    out = []
    cutoff = timezone.now() - timedelta(seconds=settings.LEDGER_AUDIT_SETTLE_SECONDS)
    for event in events.iterator(chunk_size=2000):
        if settled and event.occurred_at > cutoff:
            break  # the tree covers a prefix by id: stop at the first event that may still have company
        out.append(merkle.leaf_hash(bytes.fromhex(checkpoints.audit_event_hash(event))))
    return out


@replica.reading
def verify_side_logs() -> verify.VerificationResult:
    """The audit log and the runs log against their checkpoints; every run's signature."""
    result = verify_audit_log()
    return verify_runs() if result.ok else result


def verify_audit_log() -> verify.VerificationResult:
    """Every audit event checkpointed so far is still there, unchanged (the audit log's Merkle tree)."""
    ok = verify.VerificationResult(True, 0, "")
    verdict = check_log("audit", _audit_hashes(settled=False), ok, noun="audit events",
                        kinds={"truncated": "audit-log", "root-mismatch": "audit-log", "no-witness": "audit-log"},
                        adopted=True)
    if verdict.result.ok:
        witness.defer(verdict.to_witness)
    return verdict.result


def verify_runs() -> verify.VerificationResult:
    """Every verification run is signed by the ledger key, and none checkpointed has gone."""
    ok = verify.VerificationResult(True, 0, "")
    adopted_runs = witness.adopted_heads().get("runs", 0)
    for run in VerificationRun.objects.order_by("pk").iterator(chunk_size=2000):
        if run.pk > adopted_runs and not run_is_signed(run):
            return _bad(ok, "run-forged", f"verification run {run.pk} of book {run.book_id} "
                                          f"({run.finished_at:%Y-%m-%d %H:%M}) has no valid signature: it was not "
                                          f"written by this ledger.")
    runs = [checkpoints.run_leaf(run) for run in VerificationRun.objects.order_by("pk")]
    verdict = check_log("runs", runs, ok, noun="verification runs",
                        kinds={"truncated": "run-missing", "root-mismatch": "run-missing", "no-witness": "run-missing"},
                        adopted=True)
    if not verdict.result.ok:
        return verdict.result
    witness.defer(verdict.to_witness)
    return verdict.result


def checkpoint_audit_log() -> Checkpoint | None:
    """Sign the audit log's settled prefix (verify_ledger, after verify_side_logs found it intact)."""
    return checkpoints.checkpoint_log("audit", _audit_hashes(settled=True))


@dataclass
class SliceVerification:
    """What a statement verified at generation: the last full run it rests on, every entry
    appended since (linked to that run's head), every entry of the application itself, the stored
    hashes against every signed checkpoint (witness included) and the application's entries by
    inclusion proofs against the newest checkpoint, and its states and decisions against the chain."""

    book: Book
    full_run: VerificationRun
    tail: verify.VerificationResult
    own: verify.VerificationResult
    ran_full_now: bool
    checkpoint: Checkpoint | None = None
    proofs_checked: int = 0

    @property
    def ok(self) -> bool:
        return self.full_run.ok and self.tail.ok and self.own.ok

    @property
    def first_damage(self) -> verify.VerificationResult | None:
        if not self.full_run.ok:
            return None
        return next((r for r in (self.own, self.tail) if not r.ok), None)

    @property
    def damage(self) -> str:
        """The kind of the damage found ("" when intact): a name from `ledger.verify` or TAMPER_KINDS."""
        if not self.full_run.ok:
            return self.full_run.damage
        return self.first_damage.damage if self.first_damage is not None else ""

    @property
    def scope(self) -> str:
        """"full" (the whole book against checkpoint N), "proofs" (the application's entries by inclusion
        proofs against checkpoint N) or "" (nothing verified against a signed checkpoint)."""
        if not self.ok or self.checkpoint is None:
            return ""
        return "full" if self.ran_full_now else "proofs"

    def summary(self) -> str:
        """One line in the reader's language: what was verified against which signed checkpoint (the
        verifier's own damage messages stay as `ledger.verify` words them: they name entries and hashes)."""
        if not self.full_run.ok:
            return self.full_run.message
        if self.first_damage is not None:
            return self.first_damage.summary()
        if self.checkpoint is None:
            return _("NOT VERIFIED against a signed checkpoint: %(count)s entries of this application re-hashed; "
                     "the book has no signed checkpoint yet") % {"count": self.own.entries_checked}
        cp = self.checkpoint
        figures = {"size": cp.size, "root": cp.root, "signed": _moment(cp.signed_at), "head": self.tail.head_hash,
                   "through": self.full_run.through_seq, "proved": self.proofs_checked,
                   "tail": self.tail.entries_checked, "run": _moment(self.full_run.finished_at)}
        if self.ran_full_now:
            return _("OK: the full book (seq 1–%(through)s) verified now against signed checkpoint %(size)s "
                     "(root %(root)s, %(signed)s); head %(head)s") % figures
        return _("OK: %(proved)s entries of this application verified by inclusion proofs against signed checkpoint "
                 "%(size)s (root %(root)s, %(signed)s), and re-hashed; %(tail)s entries after seq %(through)s linked "
                 "to the full verification of seq 1–%(through)s at %(run)s; head %(head)s") % figures


def _moment(value) -> str:
    """A moment as people read it in the active language (2026-12-04 20:31 in both)."""
    return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")

@replica.reading
def verify_for_statement(application, *, by=None) -> SliceVerification | None:
    """Verify what a statement about `application` rests on, in time proportional to what is new.

    Re-hashing a whole book in every download took seconds (bench/, measurement 5) and grows
    without bound. Instead: the last intact, validly signed full run of the book (verify_ledger,
    run nightly; done now if there is none or the last one found damage), every entry after it
    linked to the run's head hash, each of the application's own entries re-hashed, the stored entry
    hashes against every signed checkpoint (database and witness: a shorter or rewritten book), the
    application's entries by inclusion proofs against the newest checkpoint, and the application's
    and its claims' states and decisions against its chained entries. An entry of another
    application altered before the last full run is found by the next verify_ledger, not here.
    """
    book = Book.objects.filter(call_id=application.call_id).first()
    if book is None:
        return None
    run = book.verification_runs.order_by("-finished_at", "-id").first()
    ran_full_now = run is None or not run.ok or run.through_seq > book.head_seq or not run_is_signed(run)
    if ran_full_now:
        run = verify_and_record(book, by=by)
    book = Book.objects.get(pk=book.pk)
    entries = JournalEntry.objects.filter(book=book, seq__lte=book.head_seq)
    if run.through_seq:
        tail = verify.verify_entries(chain_dicts(entries.filter(seq__gt=run.through_seq).order_by("pk")),
                                     start_seq=run.through_seq + 1, after_hash=run.head_hash)
    else:
        tail = verify.verify_entries(chain_dicts(entries.order_by("pk")))
    tail = _against_head(tail, book)
    projection = Projection()
    own_entries = list(projection.feed(chain_dicts(entries.filter(application=application).order_by("pk"))))
    own = verify.verify_entries(own_entries, start_seq=None)
    checkpoint, proofs_checked = None, 0
    runs = verify_runs()  # a forged or deleted run would make this statement rest on a lie
    if not runs.ok and own.ok:
        own = runs
    if run.ok and tail.ok and own.ok:
        own, checkpoint, proofs_checked = _against_checkpoints(book, own, own_entries, projection, application)
    return SliceVerification(book=book, full_run=run, tail=tail, own=own, ran_full_now=ran_full_now,
                             checkpoint=checkpoint, proofs_checked=proofs_checked)


def _against_checkpoints(book, own, own_entries, projection, application):
    """The stored hashes against every signed checkpoint, then inclusion proofs of the application's entries."""
    beyond = JournalEntry.objects.filter(book=book, seq__gt=book.head_seq).order_by("seq").first()
    if beyond is not None:
        return _bad(own, "beyond-head", f"entry seq {beyond.seq} lies beyond the book's head seq {book.head_seq}.",
                    beyond.seq), None, 0
    try:
        hashes = checkpoints.book_leaf_hashes(book, book.head_seq)
    except ValueError as exc:
        return _bad(own, "missing", str(exc)), None, 0
    verdict = check_witness(book, hashes, own)
    if not verdict.result.ok:
        return verdict.result, None, 0
    problems = [p for p in projection.problems_for(application)]
    if problems:
        return _bad(own, "projection", problems[0]), None, 0
    checkpoint = checkpoints.latest_checkpoint(book)
    if checkpoint is None or checkpoint.size == 0:
        return own, None, 0
    root = merkle.hash_from_hex(checkpoint.root)
    covered = [entry for entry in own_entries if entry["seq"] <= checkpoint.size]
    proofs = merkle.proofs_for(hashes, [entry["seq"] - 1 for entry in covered], checkpoint.size)
    for entry in covered:
        leaf = merkle.leaf_hash(bytes.fromhex(entry["hash"]))
        if not merkle.verify_inclusion(leaf, entry["seq"] - 1, checkpoint.size, proofs[entry["seq"] - 1], root,
                                       hashed=True):
            return _bad(own, "root-mismatch", f"entry seq {entry['seq']} is not in signed checkpoint "
                                              f"{checkpoint.size}.", entry["seq"]), None, 0
    return own, checkpoint, len(covered)
