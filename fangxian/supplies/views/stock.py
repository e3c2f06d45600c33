"""Supplies pages: stock (filled by its own change)."""

urlpatterns: list = []
