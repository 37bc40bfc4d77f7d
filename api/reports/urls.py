"""API endpoints for report downloads, mounted at /api/v1/reports/ (same files as /reports/)."""
from django.urls import path

from . import views as api

urlpatterns = [
    path("applications/<str:reference>/statement.pdf", api.StatementPdf.as_view(), name="api-report-statement-pdf"),
    path("applications/<str:reference>/statement.xlsx", api.StatementXlsx.as_view(),
         name="api-report-statement-xlsx"),
    path("applications/<str:reference>/journal.jsonl", api.ApplicationJournalJsonl.as_view(),
         name="api-report-application-journal-jsonl"),
    path("applications/<str:reference>/journal.csv", api.ApplicationJournalCsv.as_view(),
         name="api-report-application-journal-csv"),
    path("applications/<str:reference>/dossier.zip", api.DossierZip.as_view(), name="api-report-dossier-zip"),
    path("calls/<int:call_id>/summary.pdf", api.CallSummaryPdf.as_view(), name="api-report-call-summary-pdf"),
    path("calls/<int:call_id>/summary.xlsx", api.CallSummaryXlsx.as_view(), name="api-report-call-summary-xlsx"),
    path("books/<int:book_id>/journal.jsonl", api.JournalJsonl.as_view(), name="api-report-journal-jsonl"),
    path("books/<int:book_id>/journal.csv", api.JournalCsv.as_view(), name="api-report-journal-csv"),
    path("books/<int:book_id>/sie.se", api.SieExport.as_view(), name="api-report-sie"),
    path("audit-trail.csv", api.AuditTrailCsv.as_view(), name="api-report-audit-trail-csv"),
]
