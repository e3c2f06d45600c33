"""Health pages: tracing (filled by its own change)."""

urlpatterns: list = []
