"""Command app: emergencies (pages)."""

from __future__ import annotations

urlpatterns: list = []
