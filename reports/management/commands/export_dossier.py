"""manage.py export_dossier --application REF -o FILE [--lang sv|en]

Writes the application's whole auditor's dossier (reports/dossier.py) to a ZIP file, or to standard
output with -o -; any size, streamed to the file. The export is written to the audit log (rule E5).
Verify it with `python -m ledger.verify FILE`.
"""
import sys
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from applications.models import Application
from core.errors import RuleViolation
from reports import dossier
from services.effects import log_event


class Command(BaseCommand):
    help = "Write an application's auditor's dossier (a signed ZIP) to a file."

    def add_arguments(self, parser):
        parser.add_argument("--application", required=True, help="the application's reference, e.g. TB-2026-0001")
        parser.add_argument("-o", "--output", required=True, help="the .zip to write, or - for standard output")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE, help="language of the README and statement")

    def handle(self, *args, application, output, lang, **options):
        codes = [code for code, _name in settings.LANGUAGES]
        if lang not in codes:
            raise CommandError(f"--lang must be one of {', '.join(codes)}, not {lang!r}.")
        found = Application.objects.select_related("call").filter(reference=application).first()
        if found is None:
            raise CommandError(f"No application {application!r}.")
        if found.state == Application.State.DRAFT:
            raise CommandError(f"{application} is a draft; a dossier is made from submission on.", returncode=2)
        reader = dossier.reader_of(found, None)
        try:
            dossier.check_ready(found, reader)
        except RuleViolation as exc:
            raise CommandError(" ".join(exc.messages), returncode=2) from exc
        if output == "-":
            size = dossier.write(found, reader, sys.stdout.buffer, lang=lang)
            sys.stdout.buffer.flush()
        else:
            path = Path(output)
            if not path.parent.is_dir():
                raise CommandError(f"The directory {str(path.parent)!r} does not exist.")
            try:
                with path.open("wb") as handle:
                    size = dossier.write(found, reader, handle, lang=lang)
            except OSError as exc:
                raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        log_event(by=None, action="download", obj=found, application=found,
                  comment=f"manage.py export_dossier --application {application}")
        if output != "-":
            self.stdout.write(f"Wrote {output} ({size} bytes). Verify it with: python -m ledger.verify {output}")
