"""Verifying the stored journal: feeds entries from the database, in insertion order, to the
same stdlib verifier that auditors run offline on an export (`ledger.verify`)."""
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from . import chain, verify
from .models import Book, JournalEntry, Posting, VerificationRun

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


def verify_book(book: Book) -> verify.VerificationResult:
    """Recompute every hash, link, sequence number and balance of one book."""
    book = Book.objects.get(pk=book.pk)  # the head now; entries appended while we read are not ours to judge
    # Insertion order (primary key), not seq: a swapped seq then shows up as reordered.
    entries = JournalEntry.objects.filter(book=book, seq__lte=book.head_seq).order_by("pk")
    return _against_head(verify.verify_entries(chain_dicts(entries)), book)


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
    """Verify the whole book and keep the verdict (verify_ledger, "verify now", a first statement).

    `by` is the user who asked, or a name (a command line), or None (the system)."""
    started = timezone.now()
    result = verify_book(book)
    intact_through = result.entries_checked  # gapless from seq 1, so the last intact seq
    user = by if getattr(by, "is_authenticated", False) else None
    run = VerificationRun.objects.create(
        book=book, started_at=started, finished_at=timezone.now(), actor=user,
        actor_name=user.get_username() if user else (by if isinstance(by, str) and by else "system"),
        ok=result.ok, entries_checked=result.entries_checked, through_seq=intact_through,
        head_hash=result.head_hash, damage=result.damage or "", message=result.summary(),
    )
    run.result = result  # the full verdict (first bad seq, line, reason) for whoever asked
    return run


@dataclass
class SliceVerification:
    """What a statement verified at generation: the last full run it rests on, every entry
    appended since (linked to that run's head), and every entry of the application itself."""

    book: Book
    full_run: VerificationRun
    tail: verify.VerificationResult
    own: verify.VerificationResult
    ran_full_now: bool

    @property
    def ok(self) -> bool:
        return self.full_run.ok and self.tail.ok and self.own.ok

    @property
    def first_damage(self) -> verify.VerificationResult | None:
        if not self.full_run.ok:
            return None
        return next((r for r in (self.own, self.tail) if not r.ok), None)

    def summary(self) -> str:
        """One line, English like `VerificationResult.summary` (the statement also shows translated rows)."""
        if not self.full_run.ok:
            return self.full_run.message
        if self.first_damage is not None:
            return self.first_damage.summary()
        return (f"OK: {self.own.entries_checked} entries of this application and {self.tail.entries_checked} "
                f"entries after seq {self.full_run.through_seq} verified now, on a full verification of seq 1–"
                f"{self.full_run.through_seq} at {chain.format_timestamp(self.full_run.finished_at)}; "
                f"head {self.tail.head_hash}")


def verify_for_statement(application, *, by=None) -> SliceVerification | None:
    """Verify what a statement about `application` rests on, in time proportional to what is new.

    Re-hashing a whole book in every download took seconds (bench/, measurement 5) and grows
    without bound. Instead: the last intact full run of the book (verify_ledger, run nightly;
    done now if there is none or the last one found damage), every entry after it linked to
    the run's head hash, and each of the application's own entries re-hashed. An entry of another
    application altered before the last full run is found by the next verify_ledger, not here.
    """
    book = Book.objects.filter(call_id=application.call_id).first()
    if book is None:
        return None
    run = book.verification_runs.order_by("-finished_at", "-id").first()
    ran_full_now = run is None or not run.ok or run.through_seq > book.head_seq
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
    own = verify.verify_entries(chain_dicts(entries.filter(application=application).order_by("pk")), start_seq=None)
    return SliceVerification(book=book, full_run=run, tail=tail, own=own, ran_full_now=ran_full_now)
