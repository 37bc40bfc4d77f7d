"""Routes of the ledger part of API v1 (mounted under /api/v1/ by api.urls)."""
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("time-reports", views.TimeReportViewSet, basename="time-report")
router.register("cash-contributions", views.CashContributionViewSet, basename="cash-contribution")
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("advances", views.AdvanceViewSet, basename="advance")
router.register("amendments", views.AmendmentViewSet, basename="amendment")
router.register("ledger/entries", views.JournalEntryViewSet, basename="ledger-entry")
router.register("ledger/checkpoints", views.CheckpointViewSet, basename="ledger-checkpoint")
router.register("ledger/balances/applications", views.ApplicationBalancesViewSet, basename="application-balances")
router.register("ledger/balances/calls", views.CallBalancesViewSet, basename="call-balances")

urlpatterns = router.urls
