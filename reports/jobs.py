"""Documents made by the worker: the call summary PDF of any size (a page shows its progress).

`request_call_summary` checks access, records the request and enqueues the job after commit;
`render_document` (the task) renders and keeps the file; `document_download` hands it out and
writes the download to the audit log like every other document (rule E5).
"""
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.http import FileResponse, Http404
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from core import clock
from services.effects import log_event

from . import access, pdf
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


def visible_document(user, pk) -> GeneratedDocument:
    """A document `user` asked for, of a call whose summary they may still download; anything else
    is 404 (a document is made for the one who asked: its content may depend on who reads it)."""
    document = GeneratedDocument.objects.select_related("call").filter(pk=pk, requested_by=user).first()
    if document is None:
        raise Http404(_("No such document."))
    access.summary_call(user, document.call_id)
    return document


def _progress(document: GeneratedDocument, percent: int, **fields) -> None:
    GeneratedDocument.objects.filter(pk=document.pk).update(progress=percent, **fields)


@task()
def render_document(document_id: int) -> int:
    """Render a queued document and keep it; returns its page count."""
    document = GeneratedDocument.objects.select_related("call", "requested_by").get(pk=document_id)
    if document.status == GeneratedDocument.Status.DONE:
        return document.pages or 0
    _progress(document, 5, status=GeneratedDocument.Status.RUNNING)
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
    access.record_download(user, document=document.filename, obj=document.call)
    response = FileResponse(document.file.open("rb"), as_attachment=True, filename=document.filename,
                            content_type="application/pdf")
    response["Cache-Control"] = "no-store"
    if document.pages:
        response["X-Report-Pages"] = str(document.pages)
    return response
