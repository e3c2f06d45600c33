"""Reads of supply requests: the community's own and the street's queue, through `visible_to`."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from fangxian.core.scoping import Actor
from fangxian.supplies.models import RequestLine, RequestStatus, SupplyRequest

OPEN_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.APPROVED, RequestStatus.PARTLY_APPROVED)


def request_list(*, actor: Actor, status: str | None = None, queue: bool = False) -> QuerySet[SupplyRequest]:
    """Requests the actor sees: its areas' own, and those asked of its areas.

    `queue` narrows to the requests asked of the actor's areas that were submitted (not drafts)
    and are still open: what a street has to decide or send.
    """
    requests = SupplyRequest.objects.visible_to(actor).select_related("store", "created_by", "decided_by")
    if status:
        requests = requests.filter(status=status)
    if queue:
        asked_of_me = Q(pk__in=[])
        for prefix in actor.area_prefixes:
            asked_of_me |= Q(to_area_code__startswith=prefix)
        requests = requests.filter(asked_of_me, draft=False, status__in=OPEN_STATUSES)
    return requests.order_by("-pk")


def request_get(*, actor: Actor, request_id: int) -> SupplyRequest:
    """One request, or Http404 alike for "missing" and "outside your jurisdiction"."""
    return SupplyRequest.objects.select_related("store", "created_by", "decided_by").get_visible(actor, pk=request_id)


def request_lines(request: SupplyRequest) -> list[RequestLine]:
    return list(request.lines.select_related("item").order_by("item__category", "item__code"))
