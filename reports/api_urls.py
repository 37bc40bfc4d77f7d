"""API endpoints for report downloads (owned by the reports module), mounted at /api/v1/reports/."""
urlpatterns = []
