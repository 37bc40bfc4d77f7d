"""Report downloads, mounted at /reports/ (names used by the UI: reports:statement_pdf and friends)."""
from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("applications/<str:reference>/statement.pdf", views.statement_pdf, name="statement_pdf"),
    path("applications/<str:reference>/statement.xlsx", views.statement_xlsx, name="statement_xlsx"),
    path("applications/<str:reference>/journal.jsonl", views.application_journal_jsonl,
         name="application_journal_jsonl"),
    path("applications/<str:reference>/journal.csv", views.application_journal_csv, name="application_journal_csv"),
    path("calls/<int:call_id>/summary.pdf", views.call_summary_pdf, name="call_summary_pdf"),
    path("calls/<int:call_id>/summary.xlsx", views.call_summary_xlsx, name="call_summary_xlsx"),
    path("books/<int:book_id>/journal.jsonl", views.journal_jsonl, name="journal_jsonl"),
    path("books/<int:book_id>/journal.csv", views.journal_csv, name="journal_csv"),
    path("audit-trail.csv", views.audit_trail_csv, name="audit_trail_csv"),
]
