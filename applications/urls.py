"""The web interface at / (namespace "web") and the ledger pages at /ledger/ (namespace "ledger")."""
from django.urls import include, path

from .views import applications, calls, claims, contributions, dashboard

CLAIM = "applications/<str:reference>/claims/<int:number>/"

web_patterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("search/", dashboard.search, name="search"),
    path("applications/", applications.application_list, name="application_list"),
    path("applications/new/", applications.application_create, name="application_create"),
    path("applications/matching-check/", applications.matching_check, name="matching_check"),
    path("applications/<str:reference>/", applications.application_detail, name="application_detail"),
    path("applications/<str:reference>/edit/", applications.application_edit, name="application_edit"),
    path("applications/<str:reference>/actions/<str:name>/", applications.application_transition,
         name="application_transition"),
    path("applications/<str:reference>/time-reports/new/", contributions.time_report_create,
         name="time_report_create"),
    path("applications/<str:reference>/cash/new/", contributions.cash_create, name="cash_create"),
    path("applications/<str:reference>/claims/new/", claims.claim_create, name="claim_create"),
    path(CLAIM, claims.claim_detail, name="claim_detail"),
    path(CLAIM + "submit/", claims.claim_submit, name="claim_submit"),
    path(CLAIM + "items/<str:kind>/<int:pk>/", claims.claim_review_item, name="claim_review_item"),
    path(CLAIM + "verify/", claims.claim_verify, name="claim_verify"),
    path(CLAIM + "return/", claims.claim_return, name="claim_return"),
    path(CLAIM + "pay/", claims.claim_pay, name="claim_pay"),
    path("time-reports/<int:pk>/attest/", contributions.time_report_attest, name="time_report_attest"),
    path("cash/<int:pk>/receipt/", contributions.receipt_download, name="receipt_download"),
    path("calls/<int:pk>/<str:name>/", calls.call_transition, name="call_transition"),
]

urlpatterns = [
    path("", include((web_patterns, "web"))),
    path("ledger/", include("ledger.urls")),
]
