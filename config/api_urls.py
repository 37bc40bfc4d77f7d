"""URL patterns (filled in by the interface that owns this module)."""
urlpatterns = []
