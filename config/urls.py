"""URL map: the web UI at /, reports at /reports/, the API at /api/, the admin at /admin/."""
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path

from web import urls as web_urls


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include(web_urls.account_patterns)),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("api.urls")),
    path("reports/", include((web_urls.report_patterns, "reports"))),
    path("healthz", healthz),
    path("ledger/", include((web_urls.ledger_patterns, "ledger"))),
    path("", include((web_urls.web_patterns, "web"))),
]
