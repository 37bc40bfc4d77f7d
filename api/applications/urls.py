"""Routes of the applications part of API v1 (mounted under /api/v1/ by api.urls)."""
from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("organisations", views.OrganisationViewSet, basename="organisation")
router.register("calls", views.CallViewSet, basename="call")
router.register("applications", views.ApplicationViewSet, basename="application")
router.register("partners", views.PartnerViewSet, basename="partner")
router.register("audit/events", views.AuditEventViewSet, basename="audit-event")

urlpatterns = [
    path("auth/token/", views.TokenView.as_view(), name="auth-token"),
    path("auth/logout/", views.SignOutView.as_view(), name="auth-logout"),
    path("auth/logoutall/", views.SignOutView.as_view(everything=True), name="auth-logoutall"),
    *router.urls,
]
