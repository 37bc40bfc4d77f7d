"""The REST API under /api/: version 1 at /api/v1/, the OpenAPI schema at /api/schema/, docs at /api/docs/.

Route names of v1 live in the "api" namespace (e.g. "api:application-detail"). Any other URL under
/api/ answers a JSON 404, like the API itself, instead of the HTML page.
"""
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView

from .base import ApiDocsView, not_found

v1_patterns = [
    path("", include("api.applications.urls")),
    path("", include("api.ledger.urls")),
]

urlpatterns = [
    path("v1/reports/", include("api.reports.urls")),
    path("v1/", include((v1_patterns, "api"))),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script as a file, so the page works under script-src 'self'.
    path("docs/", ApiDocsView.as_view(url_name="schema"), name="api-docs"),
    re_path(r"^", not_found),
]
