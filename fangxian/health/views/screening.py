"""Health pages: screening (filled by its own change)."""

urlpatterns: list = []
