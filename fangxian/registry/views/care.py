"""Registry: care (pages)."""

from __future__ import annotations

urlpatterns: list = []
