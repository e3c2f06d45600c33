from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from fangxian.core.navigation import nav_for
from fangxian.core.panels import page_banners


def actor(request: HttpRequest) -> dict[str, Any]:
    current = getattr(request, "actor", None)
    return {
        "actor": current,
        "nav_items": nav_for(current) if current is not None else [],
        # Lazy: computed only by templates that render the banners (base.html does; JSON does not).
        "page_banners": SimpleLazyObject(lambda: page_banners(current)) if current is not None else [],
    }
