"""manage.py verify_ledger [--book ID]: exit 0 when every chain is intact, 1 naming the first damage.

Each book's verdict is kept as a VerificationRun; statements build on the last intact one, so run
this nightly (cron) as well as whenever an auditor wants a verdict.
"""
from django.core.management.base import BaseCommand, CommandError

from ledger.integrity import verify_and_record
from ledger.models import Book


class Command(BaseCommand):
    help = "Recompute hashes, chain links, sequence numbers and balances of the journal."

    def add_arguments(self, parser):
        parser.add_argument("--book", type=int, help="Verify only this book (default: all books).")

    def handle(self, *args, book=None, **options):
        books = Book.objects.order_by("pk")
        if book is not None:
            books = books.filter(pk=book)
            if not books.exists():
                raise CommandError(f"No book with id {book}.", returncode=2)
        total, damaged = 0, None
        heads = []
        for each in books:
            run = verify_and_record(each)
            total += run.entries_checked
            if not run.ok:
                damaged = (each, run)
                break
            heads.append(f"book {each.pk} head {run.head_hash}")
        if damaged:
            each, run = damaged
            self.stderr.write(f"TAMPERED: book {each.pk}: {run.message}")
            raise SystemExit(1)
        self.stdout.write(f"OK: {total} entries checked in {len(heads)} book(s); " + "; ".join(heads))
