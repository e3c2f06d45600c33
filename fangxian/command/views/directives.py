"""Command app: directives (pages)."""

from __future__ import annotations

urlpatterns: list = []
