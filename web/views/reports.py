"""Report downloads in the web UI: thin wrappers over reports.downloads (access, rendering, audit log)."""
from functools import wraps

from django.http import HttpResponseBadRequest
from django.views.decorators.http import require_GET

from core.errors import RuleViolation
from reports import downloads


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
def audit_trail_csv(request):
    return downloads.audit_trail_csv(request.user, request.GET.get("application"))


@download
def sie(request, book_id):
    return downloads.sie_export(request.user, book_id, since=request.GET.get("from"), until=request.GET.get("to"))
