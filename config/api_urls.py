"""The REST API, version 1, under /api/ (the applications/ledger API modules fill in the routes)."""
from django.urls import include, path

urlpatterns = [
    path("v1/reports/", include("reports.api_urls")),
]
