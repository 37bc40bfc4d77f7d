"""Report downloads in the web UI: thin wrappers over reports.downloads (access, rendering, audit log)."""
from functools import wraps

from django.http import HttpResponseBadRequest, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from core.errors import RuleViolation
from reports import downloads, jobs


def download(view):
    """GET only; a broken rule (an unknown language, say) is a 400 that says what is wrong."""
    @require_GET
    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except RuleViolation as exc:
            return HttpResponseBadRequest("\n".join(exc.messages), content_type="text/plain; charset=utf-8")
    return wrapper


@download
def statement_pdf(request, reference):
    return downloads.statement(request.user, reference, fmt="pdf", lang=request.GET.get("lang"),
                               default_lang=request.LANGUAGE_CODE)


@download
def statement_xlsx(request, reference):
    return downloads.statement(request.user, reference, fmt="xlsx", lang=request.GET.get("lang"),
                               default_lang=request.LANGUAGE_CODE)


@download
def call_summary_pdf(request, call_id):
    return downloads.call_summary(request.user, call_id, fmt="pdf", lang=request.GET.get("lang"),
                                  default_lang=request.LANGUAGE_CODE)


@download
def call_summary_xlsx(request, call_id):
    return downloads.call_summary(request.user, call_id, fmt="xlsx", lang=request.GET.get("lang"),
                                  default_lang=request.LANGUAGE_CODE)


@download
def journal_jsonl(request, book_id):
    return downloads.journal(request.user, book_id, fmt="jsonl", application_reference=request.GET.get("application"))


@download
def journal_csv(request, book_id):
    return downloads.journal(request.user, book_id, fmt="csv", application_reference=request.GET.get("application"))


@download
def application_journal_jsonl(request, reference):
    return downloads.application_journal(request.user, reference, fmt="jsonl")


@download
def application_journal_csv(request, reference):
    return downloads.application_journal(request.user, reference, fmt="csv")


@download
def dossier_zip(request, reference):
    return downloads.dossier_zip(request.user, reference, lang=request.GET.get("lang"),
                                 default_lang=request.LANGUAGE_CODE)


@require_POST
def dossier_job(request, reference):
    """Have the worker make a large dossier; the document page shows its progress and the download."""
    try:
        lang = downloads.choose_language(request.POST.get("lang"), request.LANGUAGE_CODE)
        document = jobs.request_dossier(request.user, reference, lang=lang)
    except RuleViolation as exc:
        return HttpResponseBadRequest("\n".join(exc.messages), content_type="text/plain; charset=utf-8")
    return redirect("reports:document_detail", pk=document.pk)


@download
def audit_trail_csv(request):
    return downloads.audit_trail_csv(request.user, request.GET.get("application"))


@require_POST
def call_summary_job(request, call_id):
    """Have the worker make the call summary PDF (any size); the document page shows its progress."""
    lang = downloads.choose_language(request.POST.get("lang"), request.LANGUAGE_CODE)
    document = jobs.request_call_summary(request.user, call_id, lang=lang)
    return redirect("reports:document_detail", pk=document.pk)


@require_POST
def statement_job(request, reference):
    """Have the worker make a long statement PDF; the document page shows its progress."""
    lang = downloads.choose_language(request.POST.get("lang"), request.LANGUAGE_CODE)
    document = jobs.request_statement(request.user, reference, lang=lang)
    return redirect("reports:document_detail", pk=document.pk)


@require_GET
def document_detail(request, pk):
    """The document's progress while the worker makes it, then its download; `?format=json` is the
    status the page polls."""
    document = jobs.visible_document(request.user, pk)
    pending = document.status in ("queued", "running")
    if request.GET.get("format") == "json":
        return JsonResponse({"status": document.status, "label": str(document.get_status_display()),
                             "progress": document.progress, "pending": pending})
    return render(request, "web/document_detail.html", {"document": document, "pending": pending})


@require_GET
def document_download(request, pk):
    return jobs.document_download(request.user, pk)


@download
def sie(request, book_id):
    return downloads.sie_export(request.user, book_id, since=request.GET.get("from"), until=request.GET.get("to"))
