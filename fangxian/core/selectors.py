"""Reads shared by every app: the audit trail of a jurisdiction."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet

from fangxian.core.errors import PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor


def audit_event_search(
    *,
    actor: Actor,
    area_code: str = "",
    action: str = "",
    actor_label: str = "",
    object_type: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
) -> QuerySet[AuditEvent]:
    if not actor.can("audit.view"):
        raise PermissionDenied("audit.view")
    events = AuditEvent.objects.visible_to(actor).select_related(None)
    if area_code:
        events = events.within(area_code)
    if action:
        events = events.filter(action=action)
    if actor_label:
        events = events.filter(actor_label__iexact=actor_label)
    if object_type:
        events = events.filter(object_type=object_type)
    if date_from:
        events = events.filter(at__date__gte=date_from)
    if date_to:
        events = events.filter(at__date__lte=date_to)
    return events.order_by("-at", "-id")
