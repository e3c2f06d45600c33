"""Health pages: arrivals, cases and reports, check-ins (filled by its own change)."""

urlpatterns: list = []
