"""manage.py export_sie --book ID --from YYYY-MM-DD --to YYYY-MM-DD -o FILE [--series S] [--accounts JSON]

Writes the book's journal entries of the range as an SIE 4 file (CP437) for the regional body's
accounting system (reports/sie.py), or to standard output with -o -. The chart of accounts is the
BAS default (settings.SIE_ACCOUNTS) with the call's overrides; --series and --accounts override
them for this file only, e.g. --accounts '{"fund_paid": ["4010", "Utbetalda bidrag"]}'.
"""
import json
import sys
from datetime import date
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.errors import RuleViolation
from ledger.models import Book
from reports import sie
from services.effects import log_event


def _date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{option} must be a date (YYYY-MM-DD), not {value!r}.") from None


class Command(BaseCommand):
    help = "Export a book's entries of a date range as an SIE 4 file."

    def add_arguments(self, parser):
        parser.add_argument("--book", required=True, help="the book's id")
        parser.add_argument("--from", dest="since", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="until", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("-o", "--output", required=True, help="the file to write, or - for standard output")
        parser.add_argument("--series", help="the verification series (default: the call's)")
        parser.add_argument("--accounts", help='JSON {kind: [number, name]} overriding the call\'s chart')

    def handle(self, *args, book, since, until, output, series=None, accounts=None, **options):
        if not str(book).isdigit():
            raise CommandError(f"A book is named by its id (a number), not {book!r}.")
        found = Book.objects.select_related("call__regional_body").filter(pk=int(book)).first()
        if found is None:
            raise CommandError(f"No book with id {book}.")
        first, last = _date(since, "--from"), _date(until, "--to")
        overrides = {}
        if series:
            overrides["series"] = series
        if accounts:
            try:
                overrides["accounts"] = json.loads(accounts)
            except json.JSONDecodeError as exc:
                raise CommandError(f"--accounts is not JSON: {exc.msg}.") from exc
        try:
            sie.check_range(first, last)
            sie.chart(found.call, overrides)
            if output == "-":
                count = sie.write(found, first, last, sys.stdout.buffer, overrides=overrides)
                sys.stdout.buffer.flush()
            else:
                path = Path(output)
                if not path.parent.is_dir():
                    raise CommandError(f"The directory {str(path.parent)!r} does not exist.")
                try:
                    with path.open("wb") as handle:
                        count = sie.write(found, first, last, handle, overrides=overrides)
                except OSError as exc:
                    raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        except RuleViolation as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        log_event(by=None, action="download", obj=found,
                  comment=f"manage.py export_sie --book {book} --from {since} --to {until}")
        if output != "-":
            self.stdout.write(f"Wrote {count} verifications to {output}.")
