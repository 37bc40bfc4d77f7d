"""Documents made by the worker: the call summary PDF of any size, statements beyond a size and large
dossiers (a page shows their progress).

`request_call_summary` and `request_statement` check access, record the request and enqueue the job
after commit;
`render_document` (the task) renders and keeps the file; `document_download` hands it out and
writes the download to the audit log like every other document (rule E5).
"""
import tempfile
from datetime import timedelta

from django.conf import settings
from django.core.files import File
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from applications.permissions import sees_everything_of
from core import clock
from ledger.models import TimeReport, retention_end_of
from services import reminders
from services.effects import log_event

from . import access, dossier, pdf
from .call_summary import call_summary_context
from .models import GeneratedDocument
from .statement import statement_context

CALL_SUMMARY, STATEMENT, DOSSIER = "call_summary_pdf", "statement_pdf", "dossier"
TEMPLATES = {CALL_SUMMARY: "reports/call_summary.html", STATEMENT: "reports/statement.html"}


def _request(user, *, lang: str, **fields) -> GeneratedDocument:
    with transaction.atomic():
        document = GeneratedDocument.objects.create(language=lang, requested_by=user, **fields)
        log_event(by=user, action="create", obj=document, application=fields.get("application"),
                  comment=_("Requested in the background"))
        transaction.on_commit(lambda: render_document.enqueue(document.pk))
    return document


def request_call_summary(user, call_id, *, lang: str) -> GeneratedDocument:
    call = access.summary_call(user, call_id)
    return _request(user, lang=lang, kind=CALL_SUMMARY, call=call, filename=f"call-{call.pk}-summary-{lang}.pdf")


def request_statement(user, reference: str, *, lang: str) -> GeneratedDocument:
    """The statement PDF of an application made by the worker (for the long ones); what it shows
    depends on the reader, as for the statement made while one waits (a partner gets its own)."""
    application = access.statement_application(user, reference)
    return _request(user, lang=lang, kind=STATEMENT, call=application.call, application=application,
                    filename=f"statement-{application.reference}-{lang}.pdf")


def request_dossier(user, reference: str, *, lang: str) -> GeneratedDocument:
    """Queue a whole dossier for the worker: for those who see the whole application (a partner's is small)."""
    application = access.dossier_application(user, reference)
    if not sees_everything_of(user, application):
        raise Http404(_("No such document."))
    reader = dossier.reader_of(application, user)
    dossier.check_ready(application, reader)
    return _request(user, lang=lang, kind=DOSSIER, call=application.call, application=application,
                    filename=dossier.filename(application, reader))


def statement_is_long(application) -> bool:
    """Whether the statement has more items than a page should wait for (setting
    STATEMENT_PDF_ITEMS_WHILE_WAITING): the page then offers it as a background job."""
    items = TimeReport.objects.filter(partner__application=application).count()
    items += application.cash_contributions.count()
    return items > settings.STATEMENT_PDF_ITEMS_WHILE_WAITING


def _check_access(user, document: GeneratedDocument) -> None:
    if document.kind == DOSSIER:
        application = access.dossier_application(user, document.application.reference)
        if not sees_everything_of(user, application):
            raise Http404(_("No such document."))
    elif document.kind == STATEMENT:
        access.statement_application(user, document.application.reference)
    else:
        access.summary_call(user, document.call_id)


def visible_document(user, pk) -> GeneratedDocument:
    """A document `user` asked for, of a call whose summary they may still download; anything else
    is 404 (a document is made for the one who asked: its content may depend on who reads it)."""
    document = (GeneratedDocument.objects.select_related("call", "application")
                .filter(pk=pk, requested_by=user).first())
    if document is None:
        raise Http404(_("No such document."))
    _check_access(user, document)
    return document


def _render_dossier(document: GeneratedDocument) -> None:
    """Write the whole dossier to a temporary file (never to memory), keep it until retention ends."""
    application = document.application
    reader = dossier.reader_of(application, document.requested_by)
    with tempfile.TemporaryFile() as handle:
        dossier.write(application, reader, handle, lang=document.language)
        _progress(document, 90)
        handle.seek(0)
        document.refresh_from_db()
        document.file.save(document.filename, File(handle), save=False)
    document.status, document.progress, document.finished_at = GeneratedDocument.Status.DONE, 100, clock.now()
    # Kept as long as the application's records (rule E6); None (no payment yet) keeps it.
    document.keep_until = retention_end_of(application)
    document.save()


def _progress(document: GeneratedDocument, percent: int, **fields) -> None:
    GeneratedDocument.objects.filter(pk=document.pk).update(progress=percent, **fields)


@task()
def render_document(document_id: int) -> int:
    """Render a queued document and keep it; returns its page count."""
    document = GeneratedDocument.objects.select_related("call", "application", "requested_by").get(pk=document_id)
    if document.status == GeneratedDocument.Status.DONE:
        return document.pages or 0
    _progress(document, 5, status=GeneratedDocument.Status.RUNNING)
    if document.kind == DOSSIER:
        try:
            _render_dossier(document)
        except Exception as exc:
            _progress(document, 0, status=GeneratedDocument.Status.FAILED, error=str(exc)[:2000],
                      finished_at=timezone.now())
            raise
        return 0
    try:
        with translation.override(document.language):
            def context():
                if document.kind == STATEMENT:
                    figures = statement_context(document.application, by=document.requested_by)
                else:
                    figures = call_summary_context(document.call, by=document.requested_by)
                _progress(document, 40)
                return figures
            rendered = pdf.render_pdf(TEMPLATES[document.kind], context)
        _progress(document, 90)
        document.refresh_from_db()
        document.file.save(document.filename, ContentFile(rendered.content), save=False)
        document.pages, document.status, document.progress = rendered.pages, GeneratedDocument.Status.DONE, 100
        document.finished_at = clock.now()
        document.keep_until = clock.today() + timedelta(days=settings.GENERATED_DOCUMENT_RETENTION_DAYS)
        document.save()
    except Exception as exc:
        _progress(document, 0, status=GeneratedDocument.Status.FAILED, error=str(exc)[:2000],
                  finished_at=timezone.now())
        raise
    return rendered.pages


def document_download(user, pk) -> FileResponse:
    document = visible_document(user, pk)
    if document.status != GeneratedDocument.Status.DONE or not document.file:
        raise Http404(_("The document is not ready."))
    if document.kind in (STATEMENT, DOSSIER):
        access.record_download(user, document=document.filename, obj=document.application,
                               application=document.application)
    else:
        access.record_download(user, document=document.filename, obj=document.call)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename,
                            content_type="application/zip" if document.kind == DOSSIER else "application/pdf")
    response["Cache-Control"] = "no-store"
    if document.pages:
        response["X-Report-Pages"] = str(document.pages)
    return response


def purge_expired_documents(today=None) -> int:
    """Delete the files of documents whose retention (`keep_until`) has passed; the record stays,
    marked expired, and the deletion is audited (rule E5). Returns how many were purged."""
    today = today or clock.today()
    purged = 0
    for document in GeneratedDocument.objects.filter(status=GeneratedDocument.Status.DONE, keep_until__lt=today):
        with transaction.atomic():
            if document.file:
                document.file.delete(save=False)
            GeneratedDocument.objects.filter(pk=document.pk).update(status=GeneratedDocument.Status.EXPIRED, file="")
            log_event(by=None, action="delete", obj=document, application=document.application,
                      comment=_("Retention period ended"))
        purged += 1
    return purged


def scheduled_jobs(today=None) -> dict:
    """What runs on the schedule (hourly by the worker in `make run`, `manage.py send_reminders` from
    cron in production): reminders, daily digests, and expired documents. Idempotent."""
    return reminders.daily_jobs(today) | {"expired_documents": purge_expired_documents(today)}


@task()
def scheduled_jobs_task() -> dict:
    return scheduled_jobs()
