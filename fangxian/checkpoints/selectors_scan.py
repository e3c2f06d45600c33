"""Reads of the guard's scanning page: residents a guard may pick by hand at a gate, as a masked name and a room.

Guards hold no personal-data reach (`PERSONAL_DATA_ROLES` leaves them out), so `Resident.visible_to`
gives them nobody. Like the scan service, this search is the checkpoint module's own, narrow way to
people: only within the community of a checkpoint the actor reaches, only active residents, only by
what a guard can ask at the gate (pinyin initials, the beginning of the name, a room or
building-unit-room, the last four digits of the ID card or phone), and it answers no more than the
verdict screen shows: "王**", "1号楼 1单元 101". A full ID or phone number finds nobody, so the
search cannot confirm somebody's number.

The same box finds the visitors of the last day (by the beginning of their name, or all of them
with `visitors=True`), with the host's room and the state of the host's approval, and reads a
licence plate (鲁B12345) as a vehicle, saying whether it is on the community's list.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.checkpoints.models import Checkpoint, VehiclePlate, Visitor
from fangxian.checkpoints.plates import plate_normalize
from fangxian.core.errors import NotFound, PermissionDenied
from fangxian.core.personal import name_masked
from fangxian.core.scoping import Actor
from fangxian.registry.models import Resident
from fangxian.registry.models.residents import ResidentStatus
from fangxian.registry.selectors.residents import resident_search_narrow, search_kind

SCAN_SEARCH_LIMIT = 20
VISITORS_LIMIT = 50
# Visitors a guard can pick: registered, or expected, within this window.
VISITOR_WINDOW = dt.timedelta(hours=24)
# What a guard may search by; full ID and phone numbers are left out on purpose.
SCAN_SEARCH_KINDS = frozenset({"initials", "name", "room", "address", "last4"})


def scan_checkpoint_get(*, actor: Actor, checkpoint_id: int) -> Checkpoint:
    """A checkpoint the actor may scan at: 403 without the capability, 404 outside the jurisdiction."""
    if not actor.can("checkpoint.scan"):
        raise PermissionDenied(_("Your role may not record gate scans."))
    try:
        return Checkpoint.objects.get_visible(actor, pk=checkpoint_id)
    except Http404:
        raise NotFound(_("There is no such checkpoint in your jurisdiction.")) from None


def scan_resident_search(*, actor: Actor, checkpoint_id: int, query: str) -> list[dict[str, object]]:
    """Active residents of the checkpoint's community matching `query`: id, masked name and room only."""
    checkpoint = scan_checkpoint_get(actor=actor, checkpoint_id=checkpoint_id)
    kind = search_kind(query)
    if kind is None or kind.kind not in SCAN_SEARCH_KINDS:
        return []
    residents = Resident.objects.filter(area_code__within=checkpoint.community_code)
    residents = resident_search_narrow(residents, query=query, status=ResidentStatus.ACTIVE)
    rows = residents.select_related("household__building", "household__unit").order_by(
        "household_id", "name_initials", "pk"
    )[:SCAN_SEARCH_LIMIT]
    return [
        {
            "resident_id": resident.pk,
            "household_id": resident.household_id,
            "name": name_masked(resident.name),
            "room": resident.household.address,
        }
        for resident in rows
    ]


def _plate_or_empty(query: str) -> str:
    if not any(character.isdigit() for character in query) or len(query) > 12:
        return ""
    try:
        return plate_normalize(query)
    except ValidationError:
        return ""


def scan_visitors_recent(*, actor: Actor, checkpoint_id: int, query: str = "") -> list[dict[str, object]]:
    """Visitors of the checkpoint's community of the last day: id, masked name, host's room, approval."""
    checkpoint = scan_checkpoint_get(actor=actor, checkpoint_id=checkpoint_id)
    since = timezone.now() - VISITOR_WINDOW
    visitors = Visitor.objects.filter(area_code__within=checkpoint.community_code).filter(
        Q(created_at__gte=since) | Q(expected_at__gte=since, expected_at__lte=timezone.now() + VISITOR_WINDOW)
    )
    if query:
        visitors = visitors.filter(name__startswith=query)
    rows = visitors.select_related("host_household__building", "host_household__unit").order_by("-created_at", "-pk")
    return [
        {
            "visitor_id": visitor.pk,
            "name": name_masked(visitor.name),
            "room": visitor.host_household.address if visitor.host_household_id else "",
            "status": visitor.status,
            "status_label": str(visitor.get_status_display()),
        }
        for visitor in rows[:VISITORS_LIMIT]
    ]


def scan_search(*, actor: Actor, checkpoint_id: int, query: str) -> list[dict[str, object]]:
    """What the guard's search box finds: a plate as a vehicle, else residents and visitors of the last day."""
    checkpoint = scan_checkpoint_get(actor=actor, checkpoint_id=checkpoint_id)
    query = query.strip()
    plate = _plate_or_empty(query)
    if plate:
        listed = VehiclePlate.objects.filter(plate=plate, area_code__within=checkpoint.community_code).exists()
        return [{"plate": plate, "listed": listed}]
    results = scan_resident_search(actor=actor, checkpoint_id=checkpoint.pk, query=query)
    if query and not any(character.isdigit() for character in query):
        results += scan_visitors_recent(actor=actor, checkpoint_id=checkpoint.pk, query=query)[:SCAN_SEARCH_LIMIT]
    return results
