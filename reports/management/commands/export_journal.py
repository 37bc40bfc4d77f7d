"""manage.py export_journal --book ID --format jsonl|csv -o FILE [--application REF]

Streams the book's journal (or one application's slice) to a file, or to standard
output with -o -. Verify a JSON Lines export offline with `python -m ledger.verify FILE`
(add --slice for one application's entries). Format: reports/EXPORT_FORMAT.md.
"""
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from applications.models import Application
from ledger.models import Book
from reports import journal_export
from services.effects import log_event


class Command(BaseCommand):
    help = "Export a book's hash-chained journal as JSON Lines or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--book", required=True, help="the book's id")
        parser.add_argument("--format", dest="fmt", required=True, choices=["jsonl", "csv"])
        parser.add_argument("-o", "--output", required=True, help="the file to write, or - for standard output")
        parser.add_argument("--application", help="only this application's entries (its reference)")

    def handle(self, *args, book, fmt, output, application=None, **options):
        if not str(book).isdigit():
            raise CommandError(f"A book is named by its id (a number), not {book!r}.")
        found = Book.objects.filter(pk=int(book)).first()
        if found is None:
            raise CommandError(f"No book with id {book}.")
        subject = None
        if application:
            subject = Application.objects.filter(reference=application).first()
            if subject is None:
                raise CommandError(f"No application with reference {application!r}.")
            if subject.call_id != found.call_id:
                raise CommandError(f"Application {application} is not in book {book} (its call has another book).")
        if output == "-":
            count = journal_export.write(found, subject, fmt, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            path = Path(output)
            if not path.parent.is_dir():
                raise CommandError(f"The directory {str(path.parent)!r} does not exist.")
            try:
                with path.open("wb") as handle:
                    count = journal_export.write(found, subject, fmt, handle)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        log_event(by=None, action="download", obj=found, application=subject,
                  comment=f"manage.py export_journal --book {book} --format {fmt}"
                          + (f" --application {application}" if application else ""))
        if output != "-":
            what = "entries" if fmt == "jsonl" else "rows (with the header)"
            self.stdout.write(f"Wrote {count} {what} to {output}.")
