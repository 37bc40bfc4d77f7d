"""manage.py render_report statement REFERENCE -o FILE.pdf|FILE.xlsx [--lang sv]
   manage.py render_report call CALL_ID -o FILE.pdf|FILE.xlsx [--lang sv]

For scripts and cron, and for documents too large to render inside a web request.
Bad input ends with a message and a non-zero exit code, never a traceback.
"""
import getpass
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from applications.models import Application, FundingCall
from reports.call_summary import render_call_summary_pdf, render_call_summary_xlsx
from reports.statement import render_statement_pdf, render_statement_xlsx
from services.effects import log_event

FORMATS = {".pdf": "pdf", ".xlsx": "xlsx"}


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name in a bare container
        return "unknown user"


class Command(BaseCommand):
    help = "Render an application statement or a call summary to a PDF or XLSX file."

    def add_arguments(self, parser):
        parser.add_argument("document", choices=["statement", "call"],
                            help="statement (of an application) or call (summary of a funding call)")
        parser.add_argument("target", help="the application's reference (statement) or the call's id (call)")
        parser.add_argument("-o", "--output", required=True, help="the file to write: .pdf or .xlsx")
        parser.add_argument("--lang", default=settings.LANGUAGE_CODE,
                            choices=[code for code, _name in settings.LANGUAGES], help="language of the document")

    def handle(self, *args, document, target, output, lang, **options):
        path = Path(output)
        fmt = FORMATS.get(path.suffix.lower())
        if fmt is None:
            raise CommandError(f"The output file must end in .pdf or .xlsx, not {path.name!r}.")
        if not path.parent.is_dir():
            raise CommandError(f"The directory {str(path.parent)!r} does not exist.")
        started = time.perf_counter()
        if document == "statement":
            subject = Application.objects.filter(reference=target).first()
            if subject is None:
                raise CommandError(f"No application with reference {target!r}.")
            render_pdf, render_xlsx = render_statement_pdf, render_statement_xlsx
            application = subject
        else:
            if not target.isdigit():
                raise CommandError(f"A call is named by its id (a number), not {target!r}.")
            subject = FundingCall.objects.filter(pk=int(target)).first()
            if subject is None:
                raise CommandError(f"No funding call with id {target}.")
            render_pdf, render_xlsx = render_call_summary_pdf, render_call_summary_xlsx
            application = None
        author = f"manage.py render_report ({_os_user()})"
        pages = None
        if fmt == "pdf":
            rendered = render_pdf(subject, by=author, lang=lang)
            content, pages = rendered.content, rendered.pages
        else:
            content = render_xlsx(subject, by=author, lang=lang)
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"Cannot write {output}: {exc.strerror}.") from exc
        log_event(by=None, action="download", obj=subject, application=application,
                  comment=f"manage.py render_report {document} {target} -o {path.name}")
        seconds = time.perf_counter() - started
        detail = f"{pages} page(s), " if pages is not None else ""
        self.stdout.write(f"Wrote {path} ({detail}{len(content)} bytes, {seconds:.2f} s).")
