"""Every page of the web interface: the application pages at / (namespace "web"), the ledger at
/ledger/ (namespace "ledger"), report downloads at /reports/ (namespace "reports") and the account
pages at /accounts/. config.urls mounts these lists; URL paths and names are the public contract."""
from django.contrib.auth import views as auth_views
from django.urls import path

from . import forms
from .views import (
    account,
    amendments,
    applications,
    calls,
    claims,
    contributions,
    dashboard,
    ledger,
    notifications,
    people,
    reports,
)

CLAIM = "applications/<str:reference>/claims/<int:number>/"

web_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("search/", dashboard.search, name="search"),
    path("applications/", applications.application_list, name="application_list"),
    path("applications/new/", applications.application_create, name="application_create"),
    path("applications/matching-check/", applications.matching_check, name="matching_check"),
    path("applications/retention-ended/", applications.retention_list, name="retention_list"),
    path("applications/<str:reference>/", applications.application_detail, name="application_detail"),
    path("applications/<str:reference>/edit/", applications.application_edit, name="application_edit"),
    path("applications/<str:reference>/comments/", applications.application_comment, name="application_comment"),
    path("applications/<str:reference>/actions/<str:name>/", applications.application_transition,
         name="application_transition"),
    path("applications/<str:reference>/time-reports/new/", contributions.time_report_create,
         name="time_report_create"),
    path("applications/<str:reference>/cash/new/", contributions.cash_create, name="cash_create"),
    path("applications/<str:reference>/claims/new/", claims.claim_create, name="claim_create"),
    path(CLAIM, claims.claim_detail, name="claim_detail"),
    path("applications/<str:reference>/amendments/new/", amendments.amendment_create, name="amendment_create"),
    path("applications/<str:reference>/amendments/<int:number>/", amendments.amendment_detail,
         name="amendment_detail"),
    path("applications/<str:reference>/amendments/<int:number>/decide/", amendments.amendment_decide,
         name="amendment_decide"),
    path("applications/<str:reference>/advance/", amendments.advance_create, name="advance_create"),
    path("applications/<str:reference>/advance/correct/", amendments.advance_correct, name="advance_correct"),
    path(CLAIM + "submit/", claims.claim_submit, name="claim_submit"),
    path(CLAIM + "items/<str:kind>/<int:pk>/", claims.claim_review_item, name="claim_review_item"),
    path(CLAIM + "verify/", claims.claim_verify, name="claim_verify"),
    path(CLAIM + "items/<str:kind>/<int:pk>/correct/", claims.claim_correct_item, name="claim_correct_item"),
    path(CLAIM + "accept-selected/", claims.claim_bulk_accept, name="claim_bulk_accept"),
    path(CLAIM + "return/", claims.claim_return, name="claim_return"),
    path(CLAIM + "pay/", claims.claim_pay, name="claim_pay"),
    path(CLAIM + "payment/correct/", claims.claim_correct_payment, name="claim_correct_payment"),
    path("time-reports/<int:pk>/attest/", contributions.time_report_attest, name="time_report_attest"),
    path("time-reports/<int:pk>/edit/", contributions.time_report_edit, name="time_report_edit"),
    path("time-reports/<int:pk>/delete/", contributions.time_report_delete, name="time_report_delete"),
    path("cash/<int:pk>/delete/", contributions.cash_delete, name="cash_delete"),
    path("cash/<int:pk>/receipt/", contributions.receipt_download, name="receipt_download"),
    path("calls/", calls.call_list, name="call_list"),
    path("calls/new/", calls.call_create, name="call_create"),
    path("calls/rule-preview/", calls.call_rule_preview, name="call_rule_preview"),
    path("calls/<int:pk>/", calls.call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", calls.call_edit, name="call_edit"),
    path("calls/<int:pk>/<str:name>/", calls.call_transition, name="call_transition"),
    path("organisations/", people.organisation_list, name="organisation_list"),
    path("organisations/new/", people.organisation_create, name="organisation_create"),
    path("organisations/<int:pk>/", people.organisation_detail, name="organisation_detail"),
    path("memberships/<int:pk>/end/", people.membership_end, name="membership_end"),
    path("invitations/<str:token>/", people.invitation_accept, name="invitation_accept"),
    path("notifications/", notifications.notification_list, name="notification_list"),
    path("notifications/read/", notifications.mark_read, name="notifications_read"),
    path("notifications/preferences/", notifications.preferences, name="notification_preferences"),
]

ledger_patterns = [
    path("", ledger.entry_list, name="entry_list"),
    path("books/<int:pk>/verify/", ledger.verify_book, name="verify_book"),
]

report_patterns = [
    path("applications/<str:reference>/statement.pdf", reports.statement_pdf, name="statement_pdf"),
    path("applications/<str:reference>/statement.xlsx", reports.statement_xlsx, name="statement_xlsx"),
    path("applications/<str:reference>/statement-job/", reports.statement_job, name="statement_job"),
    path("applications/<str:reference>/journal.jsonl", reports.application_journal_jsonl,
         name="application_journal_jsonl"),
    path("applications/<str:reference>/journal.csv", reports.application_journal_csv,
         name="application_journal_csv"),
    path("applications/<str:reference>/dossier.zip", reports.dossier_zip, name="dossier_zip"),
    path("applications/<str:reference>/dossier-job/", reports.dossier_job, name="dossier_job"),
    path("calls/<int:call_id>/summary.pdf", reports.call_summary_pdf, name="call_summary_pdf"),
    path("calls/<int:call_id>/summary.xlsx", reports.call_summary_xlsx, name="call_summary_xlsx"),
    path("books/<int:book_id>/journal.jsonl", reports.journal_jsonl, name="journal_jsonl"),
    path("books/<int:book_id>/journal.csv", reports.journal_csv, name="journal_csv"),
    path("books/<int:book_id>/sie.se", reports.sie, name="sie"),
    path("audit-trail.csv", reports.audit_trail_csv, name="audit_trail_csv"),
    path("calls/<int:call_id>/summary-job/", reports.call_summary_job, name="call_summary_job"),
    path("documents/<int:pk>/", reports.document_detail, name="document_detail"),
    path("documents/<int:pk>/download", reports.document_download, name="document_download"),
]

# Mounted before django.contrib.auth.urls: the admin app ships templates under the same
# registration/ names and comes first in INSTALLED_APPS, so these views name their own.
account_patterns = [
    path("logout/", account.SignOutView.as_view(), name="logout"),
    path("password_change/", account.PasswordChangeView.as_view(), name="password_change"),
    path("password_change/done/", auth_views.PasswordChangeDoneView.as_view(
        template_name="registration/change_password_done.html"), name="password_change_done"),
    # Sign-in hardening (DESIGN §7a): the second factor, one's tokens, lifting lockouts.
    path("mfa/setup/", account.mfa_setup, name="mfa_setup"),
    path("mfa/verify/", account.mfa_verify, name="mfa_verify"),
    path("security/", account.security, name="security"),
    path("security/recovery-codes/", account.recovery_codes, name="recovery_codes"),
    path("security/tokens/revoke/", account.token_revoke, name="token_revoke"),
    path("lockouts/", account.lockouts, name="lockouts"),
    # Password reset by e-mail, in the recipient's language (web.forms.LanguagePasswordResetForm).
    path("password_reset/", auth_views.PasswordResetView.as_view(
        template_name="registration/reset_password_form.html", form_class=forms.LanguagePasswordResetForm),
        name="password_reset"),
    path("password_reset/done/", auth_views.PasswordResetDoneView.as_view(
        template_name="registration/reset_password_done.html"), name="password_reset_done"),
    path("reset/<uidb64>/<token>/", account.PasswordResetConfirmView.as_view(), name="password_reset_confirm"),
    path("reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="registration/reset_password_complete.html"), name="password_reset_complete"),
]
