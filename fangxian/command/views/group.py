"""Command app: group (pages)."""

from __future__ import annotations

urlpatterns: list = []
