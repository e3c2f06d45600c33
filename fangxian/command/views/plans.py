"""Command app: plans (pages)."""

from __future__ import annotations

urlpatterns: list = []
