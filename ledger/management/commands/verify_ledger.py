"""manage.py verify_ledger [--book ID]: exit 0 when everything is intact, 1 naming the first damage.

Per book: every hash, link, sequence number and balance; the book against every signed checkpoint,
in the database and in the witness outside it, with a consistency proof from the newest witnessed
one; entries beyond the head; the tables against the chain (states, decisions, balances, audit
events). Then the audit log and the verification runs against theirs. Each book's verdict is kept
as a signed VerificationRun and, when intact, a new signed checkpoint of its head (witnessed);
statements build on the last intact run, so run this nightly (cron) as well as whenever an auditor
wants a verdict. A missing signing key or witness directory is exit 2 with one line saying what to set.
"""
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError

from ledger import checkpoints, integrity, keys
from ledger.models import Book


class Command(BaseCommand):
    help = "Verify the journal: chain, signed checkpoints and witness, projections, audit and run logs."

    def add_arguments(self, parser):
        parser.add_argument("--book", type=int, help="Verify only this book (default: all books).")

    def handle(self, *args, book=None, **options):
        try:
            return self._handle(book)
        except ImproperlyConfigured as exc:  # no signing key or witness directory: say what to set
            raise CommandError(str(exc), returncode=2) from None

    def _handle(self, book):
        keys.private_key()
        books = Book.objects.order_by("pk")
        if book is not None:
            books = books.filter(pk=book)
            if not books.exists():
                raise CommandError(f"No book with id {book}.", returncode=2)
        side = integrity.verify_side_logs()
        total, damaged = 0, None
        heads = []
        for each in books:
            run = integrity.verify_and_record(each)
            total += run.entries_checked
            if not run.ok:
                damaged = (each, run)
                break
            latest = checkpoints.latest_checkpoint(each)
            heads.append(f"book {each.pk} head {run.head_hash} (signed checkpoint {latest.size} root {latest.root})")
        if damaged:
            each, run = damaged
            kind = run.damage
            self.stderr.write(f"TAMPERED: book {each.pk}: {kind}: {run.message}")
            raise SystemExit(1)
        if not side.ok:
            self.stderr.write(f"TAMPERED: {side.damage}: {side.message}")
            raise SystemExit(1)
        integrity.checkpoint_audit_log()
        self.stdout.write(f"OK: {total} entries checked in {len(heads)} book(s); " + "; ".join(heads)
                          + f"; audit log and verification runs intact; key {keys.fingerprint()}")
