from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from fangxian.core.navigation import nav_for


def actor(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "actor", None)
    return {"actor": current, "nav_items": nav_for(current) if current is not None else []}
