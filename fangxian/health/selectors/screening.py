"""Reads of screening lists (协查名单) and their entries, always through `visible_to(actor)`.

An official sees the lists sent over their jurisdiction and every entry in it; community and grid
staff do not see a street's list itself, but they see its entries routed to their area (and the
list's title, deadline and source through them).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.db.models.functions import Substr
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.core.errors import NotFound
from fangxian.core.scoping import Actor
from fangxian.health.models import EntryStatus, ScreeningEntry, ScreeningList
from fangxian.registry.models import Resident

COMMUNITY_LENGTH = 12
ENTRY_VIEWS = ("open", "answered", "queue", "overdue", "all")


def screening_list_list(*, actor: Actor, area_code: str = "") -> QuerySet[ScreeningList]:
    lists = ScreeningList.objects.visible_to(actor)
    return lists.within(area_code) if area_code else lists


def screening_list_get(*, actor: Actor, list_id: int) -> ScreeningList:
    try:
        return ScreeningList.objects.get_visible(actor, pk=list_id)
    except Http404:
        raise NotFound(_("Not found.")) from None


def screening_entry_list(
    *, actor: Actor, list_id: int | None = None, show: str = "all", area_code: str = ""
) -> QuerySet[ScreeningEntry]:
    """Entries the actor may see; `show` narrows to open, answered, the street's queue or overdue ones."""
    return screening_entries_narrow(
        ScreeningEntry.objects.visible_to(actor), list_id=list_id, show=show, area_code=area_code
    )


def screening_entries_narrow(
    entries: QuerySet[ScreeningEntry], *, list_id: int | None = None, show: str = "all", area_code: str = ""
) -> QuerySet[ScreeningEntry]:
    """Narrow an already scoped queryset of entries (pages pass theirs); never widens."""
    if list_id is not None:
        entries = entries.filter(screening_list_id=list_id)
    if area_code:
        entries = entries.within(area_code)
    if show == "open":
        entries = entries.filter(status=EntryStatus.OPEN)
    elif show == "answered":
        entries = entries.filter(status=EntryStatus.ANSWERED)
    elif show == "overdue":
        entries = entries.filter(status=EntryStatus.OPEN, screening_list__deadline__lt=timezone.now())
    elif show == "queue":
        # Still at the list's own area: nobody or several people matched, and nobody routed it yet.
        entries = entries.filter(status=EntryStatus.OPEN, area_code=F("screening_list__area_code"))
    return entries


def screening_entry_candidates(*, actor: Actor, entry: ScreeningEntry, limit: int = 10) -> list[Resident]:
    """Residents of the list's area sharing the entry's ID or phone hash: whom an ambiguous entry may be."""
    hashes = Q()
    if entry.id_number_hash:
        hashes |= Q(id_number_hash=entry.id_number_hash)
    if entry.phone_hash:
        hashes |= Q(phone_hash=entry.phone_hash)
    if not hashes:
        return []
    residents = Resident.objects.visible_to(actor).within(entry.screening_list.area_code).filter(hashes)
    return list(residents.select_related("household__building", "household__unit").order_by("area_code", "pk")[:limit])


def screening_entry_get(*, actor: Actor, entry_id: int) -> ScreeningEntry:
    try:
        return ScreeningEntry.objects.select_related("screening_list", "resident__household").get_visible(
            actor, pk=entry_id
        )
    except Http404:
        raise NotFound(_("Not found.")) from None


def screening_progress(*, actor: Actor, screening_list: ScreeningList) -> dict[str, Any]:
    """Completion of a list per community (total, answered, open, overdue) and over all, for this actor.

    Entries still in the sender's queue (not in any community) make a row of their own. Overdue
    means open after the deadline. One aggregate query.
    """
    passed = screening_list.deadline < timezone.now()
    entries = ScreeningEntry.objects.visible_to(actor).filter(screening_list=screening_list)
    rows = (
        entries.annotate(community=Substr("area_code", 1, COMMUNITY_LENGTH))
        .values("community")
        .annotate(total=Count("pk"), answered=Count("pk", filter=Q(status=EntryStatus.ANSWERED)))
        .order_by("community")
    )
    rows = list(rows)
    names = dict(Area.objects.filter(code__in=[r["community"] for r in rows]).values_list("code", "name"))
    communities = []
    totals = {"total": 0, "answered": 0, "open": 0, "overdue": 0}
    for row in rows:
        code = row["community"]
        is_queue = len(code) < COMMUNITY_LENGTH
        open_count = row["total"] - row["answered"]
        item = {
            "code": code,
            "name": _("Not routed yet") if is_queue else names.get(code, code),
            "queue": is_queue,
            "total": row["total"],
            "answered": row["answered"],
            "open": open_count,
            "overdue": open_count if passed else 0,
            "percent": round(100 * row["answered"] / row["total"]) if row["total"] else 0,
        }
        communities.append(item)
        for key in totals:
            totals[key] += item[key]
    totals["percent"] = round(100 * totals["answered"] / totals["total"]) if totals["total"] else 0
    return {"communities": communities, "totals": totals, "deadline_passed": passed}
