"""Arrivals from outside (返回登记): reported by the person on a public phone page, or by a worker.

The risk areas in force on the day of arrival (kept by the community and its ancestors) suggest a
measure; a task asks the grid's worker to confirm it, which may open a case. The public page has no
account: the person proves who they are with their ID card number, their name and their room, as
the register knows them (no SMS). Its answers never say which of the three was wrong, and attempts
are counted per address and per community, so that the page cannot be used to find out who lives
where.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Household
from fangxian.command.selectors.emergencies import active_emergency
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.personal import hash_for, name_masked
from fangxian.core.scoping import Actor
from fangxian.health.models import Arrival, ArrivalSource, ArrivalStatus, CaseKind, Measure, Transport
from fangxian.health.selectors.risk import origin_risk
from fangxian.health.services.cases import case_open, grid_task
from fangxian.registry.models import Resident
from fangxian.registry.models.residents import ResidentStatus

MAX_DAYS_BACK = 30
PUBLIC_ATTEMPTS = 10  # per address, and per community, in PUBLIC_WINDOW
PUBLIC_WINDOW = 600  # seconds
MEASURE_TO_CASE = {
    Measure.HOME_QUARANTINE: CaseKind.HOME_QUARANTINE,
    Measure.MONITORING: CaseKind.MONITORING,
    Measure.CENTRALISED: CaseKind.CENTRALISED,
}


def _text(value: Any, field: str, limit: int, *, required: bool = False) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise DomainError(_("This field is required."), code="required", field=field)
    if len(text) > limit:
        raise DomainError(_("At most %(limit)s characters.") % {"limit": limit}, code="too_long", field=field)
    return text


def _checked(
    *, origin_code: str, origin_name: str, arrived_on: Any, transport: str, companions: Any
) -> tuple[str, str, dt.date, str, int]:
    origin_code = str(origin_code or "").strip()
    if len(origin_code) not in (2, 4, 6, 9, 12) or not origin_code.isdigit():
        raise DomainError(
            _("Pick the place you came from from the list (a division code)."), code="origin_code", field="origin_code"
        )
    origin_name = _text(origin_name, "origin_name", 100, required=True)
    if not isinstance(arrived_on, dt.date):
        raise DomainError(_("Give the day you arrived."), code="arrived_on", field="arrived_on")
    today = timezone.localdate()
    if arrived_on > today or arrived_on < today - dt.timedelta(days=MAX_DAYS_BACK):
        raise DomainError(
            _("The day of arrival lies within the last %(days)s days.") % {"days": MAX_DAYS_BACK},
            code="arrived_on",
            field="arrived_on",
        )
    if transport not in Transport.values:
        raise DomainError(_("Choose how you travelled."), code="transport", field="transport")
    try:
        companions = int(companions or 0)
    except (TypeError, ValueError):
        companions = -1
    if not 0 <= companions <= 50:
        raise DomainError(_("Travelling with 0 to 50 people."), code="companions", field="companions")
    return origin_code, origin_name, arrived_on, transport, companions


def _record(
    *,
    household: Household,
    resident: Resident | None,
    name: str,
    id_number: str,
    phone: str,
    source: str,
    **details: Any,
) -> Arrival:
    origin_code, origin_name, arrived_on, transport, companions = _checked(
        origin_code=details.get("origin_code"),
        origin_name=details.get("origin_name"),
        arrived_on=details.get("arrived_on"),
        transport=details.get("transport"),
        companions=details.get("companions"),
    )
    risk = origin_risk(community_code=household.area_code[:12], origin_code=origin_code, on=arrived_on)
    arrival = Arrival(
        area_code=household.area_code,
        emergency=active_emergency(household.area_code),
        household=household,
        resident=resident,
        name=_text(name, "name", 50, required=True),
        id_number=id_number,
        phone=phone,
        origin_code=origin_code,
        origin_name=origin_name,
        arrived_on=arrived_on,
        transport=transport,
        transport_detail=_text(details.get("transport_detail"), "transport_detail", 50),
        companions=companions,
        companions_note=_text(details.get("companions_note"), "companions_note", 200),
        risk_level=risk.level,
        suggested_measure=risk.measure,
        suggested_days=risk.days,
        source=source,
    )
    try:
        arrival.full_clean()
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(messages[0], code="invalid", field=field) from None
    arrival.save()
    who = name_masked(arrival.name)
    if risk.level:
        title = _("Arrival from %(place)s (%(risk)s): %(name)s, %(room)s") % {
            "place": arrival.origin_name,
            "risk": arrival.get_risk_level_display(),
            "name": who,
            "room": household.address,
        }
    else:
        title = _("Arrival from %(place)s: %(name)s, %(room)s") % {
            "place": arrival.origin_name,
            "name": who,
            "room": household.address,
        }
    task = grid_task(
        title=title,
        area_code=household.area_code,
        source_ref=f"health.arrival:{arrival.pk}",
        description=_("Suggested: %(measure)s. Check the details and confirm the measure.")
        % {"measure": arrival.get_suggested_measure_display()},
        urgent=bool(risk.level) and risk.measure != Measure.NONE,
        hours=4 if risk.level else 24,
    )
    Arrival.objects.filter(pk=arrival.pk).update(task=task)
    arrival.task = task
    return arrival


@transaction.atomic
def arrival_register(
    *,
    actor: Actor,
    household_id: int,
    name: str,
    resident_id: int | None = None,
    id_number: str = "",
    phone: str = "",
    **details: Any,
) -> Arrival:
    """A worker registers an arrival at a household of their grid (a resident or somebody new)."""
    try:
        household = Household.objects.get_visible(actor, pk=household_id)
    except Http404:
        raise NotFound(_("There is no such household in your jurisdiction."), field="household_id") from None
    if not actor.can("arrival.register", household):
        raise PermissionDenied(_("Your role may not register arrivals."))
    resident = None
    if resident_id is not None:
        resident = Resident.objects.filter(pk=resident_id, household=household).first()
        if resident is None:
            raise DomainError(_("This person does not live in this household."), code="resident_household")
        name = name or resident.name
    source = ArrivalSource.SELF if household.pk in actor.household_ids else ArrivalSource.WORKER
    return _record(
        household=household,
        resident=resident,
        name=name,
        id_number=id_number,
        phone=phone,
        source=source,
        **details,
    )


class TooManyAttempts(DomainError):
    status = 429


def _throttle(key: str) -> None:
    count = cache.get_or_set(key, 0, PUBLIC_WINDOW)
    if count >= PUBLIC_ATTEMPTS:
        raise TooManyAttempts(
            _("Too many attempts. Wait ten minutes, or ask your grid worker to register you."),
            code="too_many_attempts",
        )
    try:
        cache.incr(key)
    except ValueError:
        cache.set(key, 1, PUBLIC_WINDOW)


@transaction.atomic
def arrival_report_public(
    *, community_code: str, name: str, id_number: str, room: str, source_ip: str | None, **details: Any
) -> Arrival:
    """The person reports their own arrival from the community's public link, without an account.

    They must be an active resident of the community: ID card number (by its hash), name and room
    (`1-1-101`, or building-unit-room as the register writes it) must match the same person.
    """
    _throttle(f"health-arrival-ip:{source_ip or '-'}")
    _throttle(f"health-arrival-community:{community_code}")
    not_found = DomainError(
        _("We could not find you with this name, ID card number and room. Ask your grid worker to register you."),
        code="not_recognised",
    )
    name = _text(name, "name", 50, required=True)
    room = _text(room, "room", 40, required=True)
    try:
        id_hash = hash_for(Resident, "id_number", str(id_number or "")[:40])
    except ValidationError:
        raise DomainError(_("This is not a valid ID card number."), code="id_number", field="id_number") from None
    candidates = Resident.objects.filter(
        id_number_hash=id_hash, area_code__startswith=community_code, status=ResidentStatus.ACTIVE
    ).select_related("household__building", "household__unit")
    resident = next((r for r in candidates if r.name == name and _room_matches(r.household, room)), None)
    if resident is None:
        raise not_found
    return _record(
        household=resident.household,
        resident=resident,
        name=resident.name,
        id_number=str(id_number),
        phone=details.pop("phone", "") or "",
        source=ArrivalSource.SELF,
        **details,
    )


def _room_matches(household: Household, typed: str) -> bool:
    """`101`, `1-1-101`, `1号楼1单元101` and the address as printed all name the same room."""
    simple = "".join(ch for ch in typed if ch.isalnum())
    parts = [household.building.name, household.unit.name if household.unit_id else "", household.room]
    digits = ["".join(ch for ch in part if ch.isdigit()) for part in parts]
    variants = {
        household.room,
        "".join(d for d in digits if d),
        "".join(ch for ch in household.address if ch.isalnum()),
        "".join(ch for ch in "".join(parts) if ch.isalnum()),
    }
    return simple in {"".join(ch for ch in v if ch.isalnum()) for v in variants if v}


@transaction.atomic
def arrival_confirm(*, actor: Actor, arrival_id: int, measure: str, days: int | None = None, note: str = "") -> Arrival:
    """A worker confirms the measure (the suggestion or another); a measure other than none opens a case."""
    if not actor.can("arrival.confirm"):
        raise PermissionDenied(_("Your role may not confirm arrivals."))
    try:
        arrival = (
            Arrival.objects.select_for_update(of=("self",))
            .select_related("household")
            .get_visible(actor, pk=arrival_id)
        )
    except Http404:
        raise NotFound(_("There is no such arrival in your jurisdiction.")) from None
    if arrival.status == ArrivalStatus.CONFIRMED:
        raise Conflict(_("This arrival is confirmed already."), code="arrival_confirmed")
    if measure not in Measure.values:
        raise DomainError(_("Choose a measure."), code="measure", field="measure")
    if measure != Measure.NONE and arrival.resident_id is None:
        raise DomainError(
            _("Register the person as a resident of the household first: a case follows a resident."),
            code="resident_required",
        )
    arrival.measure, arrival.status = measure, ArrivalStatus.CONFIRMED
    arrival.confirmed_by, arrival.confirmed_at = actor.user, timezone.now()
    arrival.save()
    if measure in MEASURE_TO_CASE:
        if days is None and measure == arrival.suggested_measure and arrival.suggested_days:
            days = arrival.suggested_days
        case_open(
            actor=actor,
            resident_id=arrival.resident_id,
            kind=MEASURE_TO_CASE[measure],
            starts_on=arrival.arrived_on,
            days=days,
            arrival_id=arrival.pk,
        )
    if arrival.task_id:
        from fangxian.command.services.tasks import task_complete

        try:
            task_complete(actor=Actor.system("health"), task=arrival.task_id, note=(note or "")[:200])
        except DomainError:
            pass  # the task was closed by hand already
    return arrival
