"""Documents made by the worker: the call summary PDF of any size and large dossiers (a page shows progress).

`request_call_summary` checks access, records the request and enqueues the job after commit;
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
from ledger.models import retention_end_of
from services.effects import log_event

from . import access, dossier, pdf
from .call_summary import call_summary_context
from .models import GeneratedDocument


def request_call_summary(user, call_id, *, lang: str) -> GeneratedDocument:
    call = access.summary_call(user, call_id)
    with transaction.atomic():
        document = GeneratedDocument.objects.create(
            kind="call_summary_pdf", call=call, language=lang, requested_by=user,
            filename=f"call-{call.pk}-summary-{lang}.pdf")
        log_event(by=user, action="create", obj=document, comment=_("Requested in the background"))
        transaction.on_commit(lambda: render_document.enqueue(document.pk))
    return document


def request_dossier(user, reference: str, *, lang: str) -> GeneratedDocument:
    """Queue a whole dossier for the worker: for those who see the whole application (a partner's is small)."""
    application = access.dossier_application(user, reference)
    if not sees_everything_of(user, application):
        raise Http404(_("No such document."))
    dossier.check_ready(application, dossier.reader_of(application, user))
    with transaction.atomic():
        document = GeneratedDocument.objects.create(
            kind="dossier", call=application.call, application=application, language=lang, requested_by=user,
            filename=dossier.filename(application, dossier.reader_of(application, user)))
        log_event(by=user, action="create", obj=document, application=application,
                  comment=_("Requested in the background"))
        transaction.on_commit(lambda: render_document.enqueue(document.pk))
    return document


def visible_document(user, pk) -> GeneratedDocument:
    """A document `user` may download: a call summary of a call seen in full, or a dossier of an
    application seen in full; anything else is 404."""
    document = GeneratedDocument.objects.select_related("call", "application").filter(pk=pk).first()
    if document is None:
        raise Http404(_("No such document."))
    if document.kind == "dossier":
        application = access.dossier_application(user, document.application.reference)
        if not sees_everything_of(user, application):
            raise Http404(_("No such document."))
    else:
        access.summary_call(user, document.call_id)
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
    document = GeneratedDocument.objects.select_related("call", "requested_by").get(pk=document_id)
    if document.status == GeneratedDocument.Status.DONE:
        return document.pages or 0
    _progress(document, 5, status=GeneratedDocument.Status.RUNNING)
    if document.kind == "dossier":
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
                figures = call_summary_context(document.call, by=document.requested_by)
                _progress(document, 40)
                return figures
            rendered = pdf.render_pdf("reports/call_summary.html", context)
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
    if document.kind == "dossier":
        access.record_download(user, document=document.filename, obj=document.application,
                               application=document.application)
    else:
        access.record_download(user, document=document.filename, obj=document.call)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename,
                            content_type="application/zip" if document.kind == "dossier" else "application/pdf")
    response["Cache-Control"] = "no-store"
    if document.pages:
        response["X-Report-Pages"] = str(document.pages)
    return response
