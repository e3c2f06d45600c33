"""Command app: reports (pages)."""

from __future__ import annotations

urlpatterns: list = []
