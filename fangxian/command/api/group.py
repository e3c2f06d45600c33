"""Command app API: group."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["group"])
