"""One function per downloadable document, shared by the web views and the API.

Each checks access (404 for anything the user may not see), renders or streams
the file, and writes the download to the audit log. Views and API endpoints are
thin wrappers that only translate the request into these calls.
"""
from datetime import date

from django.conf import settings
from django.http import HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from core import replica
from core.errors import RuleViolation

from . import access, audit_trail, dossier, journal_export, sie
from .call_summary import render_call_summary_pdf, render_call_summary_xlsx
from .statement import render_statement_pdf, render_statement_xlsx

PDF = "application/pdf"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV = "text/csv; charset=utf-8"
JSONL = "application/jsonl; charset=utf-8"
ZIP = "application/zip"
# SIE has no registered media type; the file is CP437 text.
SIE = "text/plain; charset=IBM437"

# A call summary lists every application on its own row; beyond this many the PDF is left to
# `manage.py render_report` (run in the background) and the web offers the spreadsheet.
CALL_SUMMARY_PDF_MAX_APPLICATIONS = 500


def choose_language(requested, default=None) -> str:
    codes = [code for code, _name in settings.LANGUAGES]
    if requested in (None, ""):
        fallback = (default or "").split("-")[0]
        return fallback if fallback in codes else settings.LANGUAGE_CODE
    if requested not in codes:
        raise RuleViolation([_("Unknown language %(lang)s; choose one of %(choices)s.")
                             % {"lang": requested, "choices": ", ".join(codes)}], {"lang": [_("Unknown language.")]})
    return requested


def _headers(filename: str) -> dict:
    return {"Content-Disposition": content_disposition_header(True, filename), "Cache-Control": "no-store"}


def file_response(content: bytes, filename: str, content_type: str, **extra) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type, headers=_headers(filename))
    for key, value in extra.items():
        response[key] = value
    return response


def stream_response(lines, filename: str, content_type: str) -> StreamingHttpResponse:
    return StreamingHttpResponse(lines, content_type=content_type, headers=_headers(filename))


@replica.reading  # reports read from the replica when there is one (core/replica.py)
def statement(user, reference: str, *, fmt: str = "pdf", lang=None, default_lang=None):
    application = access.statement_application(user, reference)
    lang = choose_language(lang, default_lang)
    name = f"statement-{application.reference}-{lang}.{fmt}"
    if fmt == "pdf":
        rendered = render_statement_pdf(application, by=user, lang=lang)
        response = file_response(rendered.content, name, PDF, **{"X-Report-Pages": str(rendered.pages)})
    else:
        response = file_response(render_statement_xlsx(application, by=user, lang=lang), name, XLSX)
    access.record_download(user, document=name, obj=application, application=application)
    return response


@replica.reading  # reports read from the replica when there is one (core/replica.py)
def call_summary(user, call_id, *, fmt: str = "pdf", lang=None, default_lang=None):
    call = access.summary_call(user, call_id)
    lang = choose_language(lang, default_lang)
    name = f"call-{call.pk}-summary-{lang}.{fmt}"
    if fmt == "pdf":
        if call.applications.count() > CALL_SUMMARY_PDF_MAX_APPLICATIONS:
            raise RuleViolation([_("This call has too many applications for a PDF made while you wait; download the "
                                   "spreadsheet, or have it rendered with manage.py render_report.")])
        rendered = render_call_summary_pdf(call, by=user, lang=lang)
        response = file_response(rendered.content, name, PDF, **{"X-Report-Pages": str(rendered.pages)})
    else:
        response = file_response(render_call_summary_xlsx(call, by=user, lang=lang), name, XLSX)
    access.record_download(user, document=name, obj=call)
    return response


def journal(user, book_id, *, fmt: str, application_reference=None):
    book, application = access.journal_book(user, book_id, application_reference or None)
    return _journal(user, book, application, fmt)


def application_journal(user, reference: str, *, fmt: str = "jsonl"):
    book, application = access.application_journal(user, reference)
    return _journal(user, book, application, fmt)


def _journal(user, book, application, fmt):
    name = journal_export.filename(book, application, fmt)
    lines = (journal_export.jsonl_lines(book, application, reader=user) if fmt == "jsonl"
             else journal_export.csv_lines(book, application, reader=user))
    access.record_download(user, document=name, obj=book, application=application)
    return stream_response(lines, name, JSONL if fmt == "jsonl" else CSV)


def audit_trail_csv(user, application_reference=None):
    events, application = access.audit_events(user, application_reference or None)
    name = f"audit-trail-{application.reference}.csv" if application else "audit-trail.csv"
    # Logged first: the export then includes its own download, as it should.
    access.record_download(user, document=name, obj=application, application=application)
    return stream_response(audit_trail.csv_lines(events), name, CSV)


def _date(value, name: str, default: date) -> date:
    if value in (None, ""):
        return default
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise RuleViolation([_("%(name)s must be a date (YYYY-MM-DD), not %(value)s.") % {"name": name, "value": value}],
                            {name: [_("Enter a date.")]}) from None


def sie_range(book, since=None, until=None) -> tuple[date, date]:
    """The export's dates from the request: by default from the book's first entry up to today."""
    first = book.entries.order_by("seq").values_list("occurred_at", flat=True).first()
    today = timezone.localdate()
    since = _date(since, "from", timezone.localdate(first) if first else today)
    until = _date(until, "to", today)
    sie.check_range(since, until)
    return since, until


@replica.reading  # reports read from the replica when there is one (core/replica.py)
def sie_export(user, book_id, *, since=None, until=None):
    """The book's SIE 4 file for [since, until] (officers of the call and auditors), streamed and logged."""
    book = access.sie_book(user, book_id)
    since, until = sie_range(book, since, until)
    sie.chart(book.call)  # a broken override is a 400 before the first byte is sent
    name = sie.filename(book, since, until)
    access.record_download(user, document=name, obj=book, comment=f"{name} ({since.isoformat()}–{until.isoformat()})")
    return stream_response(sie.lines(book, since, until, generated_by=user.get_username()), name, SIE)


@replica.reading  # reports read from the replica when there is one (core/replica.py)
def dossier_zip(user, reference: str, *, lang=None, default_lang=None):
    """The application's dossier ZIP, streamed as it is made and logged (rule E5). A dossier too large to
    make while the user waits is refused with a pointer to the background job."""
    application = access.dossier_application(user, reference)
    lang = choose_language(lang, default_lang)
    reader = dossier.reader_of(application, user)
    if reader.full and dossier.is_large(application):
        raise RuleViolation([_("This dossier is too large to make while you wait; have it prepared in the "
                               "background from the application's page, or with manage.py export_dossier.")])
    dossier.check_ready(application, reader)
    name = dossier.filename(application, reader)
    access.record_download(user, document=name, obj=application, application=application)
    return stream_response(dossier.stream(application, reader, lang=lang), name, ZIP)
