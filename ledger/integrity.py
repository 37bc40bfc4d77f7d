"""Verifying the stored journal: feeds entries from the database, in insertion order, to the
same stdlib verifier that auditors run offline on an export (`ledger.verify`)."""
from django.db.models import Prefetch

from . import verify
from .journal import chain_dict
from .models import Book, JournalEntry, Posting


def chain_dicts(entries):
    """Yield each entry's canonical dict plus its stored hash, streaming in chunks."""
    postings = Posting.objects.select_related("account").order_by("ordinal")
    queryset = (entries.select_related("application", "corrects")
                .prefetch_related(Prefetch("postings", queryset=postings)))
    for entry in queryset.iterator(chunk_size=2000):
        data = chain_dict(entry, [(p.account.code, p.amount, p.hours) for p in entry.postings.all()])
        data["hash"] = entry.hash
        yield data


def verify_book(book: Book) -> verify.VerificationResult:
    """Recompute every hash, link, sequence number and balance of one book."""
    # Insertion order (primary key), not seq: a swapped seq then shows up as reordered.
    entries = JournalEntry.objects.filter(book=book).order_by("pk")
    result = verify.verify_entries(chain_dicts(entries))
    if result.ok and result.head_hash != book.head_hash and result.entries_checked:
        result = verify.VerificationResult(
            ok=False, entries_checked=result.entries_checked, head_hash=result.head_hash,
            bad_seq=book.head_seq, bad_line=None, damage="missing",
            message=f"the book's head is seq {book.head_seq} but the last stored entry ends the chain elsewhere",
        )
    return result
