"""Supplies pages: requests (filled by its own change)."""

urlpatterns: list = []
