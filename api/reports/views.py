"""Report downloads in the REST API (session or token auth): the same files as the web, via reports.downloads."""
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from knox.auth import TokenAuthentication
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from api.base import ErrorDetailSerializer
from core.errors import RuleViolation
from reports import downloads

LANG = OpenApiParameter("lang", str, enum=["sv", "en"], description="Language of the document (default: the request's).")
APPLICATION = OpenApiParameter("application", str, description="Only this application's entries (its reference).")


class ReportErrorSerializer(serializers.Serializer):
    """400 of a report: the messages in one sentence, as a list, and by parameter."""

    detail = serializers.CharField()
    messages = serializers.ListField(child=serializers.CharField())
    errors = serializers.DictField(child=serializers.ListField(child=serializers.CharField()))


NOT_FOUND = OpenApiResponse(ErrorDetailSerializer, description="No such document, or not one this user may see.")


def _file(media_type: str, description: str) -> dict:
    return {(200, media_type): OpenApiResponse(OpenApiTypes.BINARY, description=description),
            400: OpenApiResponse(ReportErrorSerializer, description="A parameter is wrong; the messages say which."),
            401: OpenApiResponse(ErrorDetailSerializer, description="No valid token or session."),
            404: NOT_FOUND}


class ReportView(APIView):
    """GET a file. The file is sent whatever the Accept header says; errors come back as JSON."""

    authentication_classes = [TokenAuthentication, SessionAuthentication]  # token first, as for the API
    permission_classes = [IsAuthenticated]

    def perform_content_negotiation(self, request, force=False):
        return super().perform_content_negotiation(request, force=True)

    def handle_exception(self, exc):
        if isinstance(exc, RuleViolation):
            return Response({"detail": " ".join(exc.messages), "messages": exc.messages,
                             "errors": exc.field_errors}, status=400)
        return super().handle_exception(exc)


class StatementPdf(ReportView):
    @extend_schema(operation_id="reports_statement_pdf", parameters=[LANG], tags=["reports"],
                   responses=_file(downloads.PDF, "The application statement (A4 PDF)."))
    def get(self, request, reference):
        return downloads.statement(request.user, reference, fmt="pdf", lang=request.query_params.get("lang"),
                                   default_lang=getattr(request, "LANGUAGE_CODE", None))


class StatementXlsx(ReportView):
    @extend_schema(operation_id="reports_statement_xlsx", parameters=[LANG], tags=["reports"],
                   responses=_file(downloads.XLSX, "The statement with every time report, cash item and entry."))
    def get(self, request, reference):
        return downloads.statement(request.user, reference, fmt="xlsx", lang=request.query_params.get("lang"),
                                   default_lang=getattr(request, "LANGUAGE_CODE", None))


class CallSummaryPdf(ReportView):
    @extend_schema(operation_id="reports_call_summary_pdf", parameters=[LANG], tags=["reports"],
                   responses=_file(downloads.PDF, "The call summary (A4 landscape PDF)."))
    def get(self, request, call_id):
        return downloads.call_summary(request.user, call_id, fmt="pdf", lang=request.query_params.get("lang"),
                                      default_lang=getattr(request, "LANGUAGE_CODE", None))


class CallSummaryXlsx(ReportView):
    @extend_schema(operation_id="reports_call_summary_xlsx", parameters=[LANG], tags=["reports"],
                   responses=_file(downloads.XLSX, "The call summary as a spreadsheet."))
    def get(self, request, call_id):
        return downloads.call_summary(request.user, call_id, fmt="xlsx", lang=request.query_params.get("lang"),
                                      default_lang=getattr(request, "LANGUAGE_CODE", None))


class JournalJsonl(ReportView):
    @extend_schema(operation_id="reports_journal_jsonl", parameters=[APPLICATION], tags=["reports"],
                   responses=_file("application/jsonl", "The book's journal, one entry per line (EXPORT_FORMAT.md)."))
    def get(self, request, book_id):
        return downloads.journal(request.user, book_id, fmt="jsonl",
                                 application_reference=request.query_params.get("application"))


class JournalCsv(ReportView):
    @extend_schema(operation_id="reports_journal_csv", parameters=[APPLICATION], tags=["reports"],
                   responses=_file("text/csv", "The book's journal, one row per leg (EXPORT_FORMAT.md)."))
    def get(self, request, book_id):
        return downloads.journal(request.user, book_id, fmt="csv",
                                 application_reference=request.query_params.get("application"))


class ApplicationJournalJsonl(ReportView):
    @extend_schema(operation_id="reports_application_journal_jsonl", tags=["reports"],
                   responses=_file("application/jsonl", "One application's slice of the journal (verify with --slice)."))
    def get(self, request, reference):
        return downloads.application_journal(request.user, reference, fmt="jsonl")


class ApplicationJournalCsv(ReportView):
    @extend_schema(operation_id="reports_application_journal_csv", tags=["reports"],
                   responses=_file("text/csv", "One application's slice of the journal, one row per leg."))
    def get(self, request, reference):
        return downloads.application_journal(request.user, reference, fmt="csv")


class DossierZip(ReportView):
    @extend_schema(operation_id="reports_dossier_zip", parameters=[LANG], tags=["reports"],
                   responses=_file(downloads.ZIP, "The auditor's dossier of one application: statement, journal "
                                                 "slice with proofs and signed checkpoints, receipts, decisions, "
                                                 "audit trail and reviews, with a signed MANIFEST; verify with "
                                                 "`python -m ledger.verify`. A partner company gets its own."))
    def get(self, request, reference):
        return downloads.dossier_zip(request.user, reference, lang=request.query_params.get("lang"),
                                     default_lang=getattr(request, "LANGUAGE_CODE", None))


class AuditTrailCsv(ReportView):
    @extend_schema(operation_id="reports_audit_trail_csv", parameters=[APPLICATION], tags=["reports"],
                   responses=_file("text/csv", "Every audit event in the user's scope (EXPORT_FORMAT.md)."))
    def get(self, request):
        return downloads.audit_trail_csv(request.user, request.query_params.get("application"))


SIE_FROM = OpenApiParameter("from", OpenApiTypes.DATE, description="First day (default: the book's first entry).")
SIE_TO = OpenApiParameter("to", OpenApiTypes.DATE, description="Last day (default: today).")


class SieExport(ReportView):
    @extend_schema(operation_id="reports_sie", parameters=[SIE_FROM, SIE_TO], tags=["reports"],
                   responses=_file("text/plain", "The book's entries as SIE 4 (CP437) for the regional body's "
                                                 "accounting system; officers of the call and auditors."))
    def get(self, request, book_id):
        return downloads.sie_export(request.user, book_id, since=request.query_params.get("from"),
                                    until=request.query_params.get("to"))
