"""Command app: drills (pages)."""

from __future__ import annotations

urlpatterns: list = []
