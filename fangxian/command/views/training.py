"""Command app: training (pages)."""

from __future__ import annotations

urlpatterns: list = []
