"""What the dossier needs from the ledger's signed checkpoints (ledger.checkpoints, ledger.keys, DESIGN §7).

`proven_slice(book, last_seq)` picks the checkpoints a slice is proven in: the first signed checkpoint
that covers the slice's last entry (the anchor) and the newest one, reads the book's leaf hashes once,
and returns what the dossier writes: both records, inclusion proofs in the anchor's tree and the
consistency proof from the anchor to the newest.
"""
from dataclasses import dataclass

from django.utils.translation import gettext as _

from core.errors import RuleViolation
from ledger import checkpoints, keys, merkle, witness
from ledger.models import Book, Checkpoint


def sign(data: bytes) -> bytes:
    return checkpoints.sign_bytes(data)


def public_key() -> bytes:
    return keys.public_key_bytes()


def key_fingerprint() -> str:
    return checkpoints.public_key_fingerprint()


@dataclass(frozen=True)
class ProvenSlice:
    anchor: dict          # the checkpoint record the slice's entries are proven in
    newest: dict          # the book's newest checkpoint record
    consistency: list     # hex path: anchor's tree is a prefix of the newest
    proofs: dict          # {seq: hex path in the anchor's tree}


def require_covered(book: Book, last_seq: int) -> Checkpoint:
    """The book's newest checkpoint, if it covers entry `last_seq`; else a RuleViolation saying what to do."""
    newest = checkpoints.latest_checkpoint(book)
    if newest is None or newest.size < last_seq:
        raise RuleViolation([_("No signed checkpoint covers this application's entries yet; run "
                               "manage.py verify_ledger, which checks the book and signs its head.")])
    return newest


def proven_slice(book: Book, seqs: list[int]) -> ProvenSlice:
    """Proofs for entries `seqs` of the book against its signed checkpoints (RuleViolation if none covers them)."""
    log = witness.book_log(book)
    last = max(seqs, default=0)
    newest = require_covered(book, last)
    anchor = (Checkpoint.objects.filter(log=log, instance_id=newest.instance_id, size__gte=max(last, 1))
              .order_by("size", "signed_at", "id").first()) or newest
    hashes = checkpoints.book_leaf_hashes(book, newest.size)
    proofs = merkle.proofs_for(hashes, [seq - 1 for seq in seqs], anchor.size) if seqs else {}
    consistency = merkle.consistency_proof_from_hashes(hashes, anchor.size, newest.size)
    return ProvenSlice(anchor=checkpoints.as_record(anchor), newest=checkpoints.as_record(newest),
                       consistency=merkle.proof_to_hex(consistency),
                       proofs={index + 1: merkle.proof_to_hex(path) for index, path in proofs.items()})
