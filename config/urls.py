"""URL map: the web UI at /, reports at /reports/, the API at /api/, the admin at /admin/."""
from django.contrib import admin
from django.http import HttpResponse
from django.urls import include, path


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/", include("applications.account_urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/", include("config.api_urls")),
    path("reports/", include("reports.urls")),
    path("healthz", healthz),
    path("", include("applications.urls")),
]
