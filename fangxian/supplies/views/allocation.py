"""Supplies pages: allocation (filled by its own change)."""

urlpatterns: list = []
