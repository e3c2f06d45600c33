"""Writes of residents: register, edit, move to another household, deregister, fill pinyin initials.

Every service takes the actor first, checks the capability, loads households through
`visible_to(actor)` (a household elsewhere is "not found"), validates with `full_clean()` and is
atomic. Moves and deregistrations write a `ResidentMove` row beside the change: history is kept,
never deleted. Each row write is audited by the ScopedModel signals in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import fangxian.registry.capabilities_residents  # noqa: F401 - registers resident.* capabilities
from fangxian.areas.models import Household
from fangxian.core import idcard
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.personal import hash_for
from fangxian.core.scoping import Actor
from fangxian.registry.models.residents import (
    DocumentType,
    Resident,
    ResidentChangeKind,
    ResidentMove,
    ResidentStatus,
    name_initials,
)
from fangxian.registry.services.care import care_records_follow_resident

EDITABLE_FIELDS = (
    "name",
    "sex",
    "birth_date",
    "document_type",
    "id_number",
    "document_number",
    "phone",
    "relation",
    "residence_type",
    "employer",
    "notes",
)
PERSONAL_FIELDS = ("id_number", "document_number", "phone")
DEREGISTER_STATUSES = (ResidentStatus.MOVED_AWAY, ResidentStatus.DECEASED)


def _require(actor: Actor, capability: str) -> None:
    if not actor.can(capability):
        raise PermissionDenied(_("Your role does not allow this."))


def _household(actor: Actor, household: Household | int) -> Household:
    pk = household.pk if isinstance(household, Household) else household
    found = Household.objects.visible_to(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound(_("This household does not exist, or it is not in your jurisdiction."), field="household")
    return found


def _today() -> dt.date:
    return timezone.localdate()


def _apply(resident: Resident, data: dict[str, Any]) -> None:
    """Set the editable fields given; derive birth date and sex from a mainland ID number.

    A personal number given empty keeps the stored one (forms never show it in clear, so an empty
    box means "unchanged"); `clear_<field>` set to true empties it on purpose.
    """
    for name in EDITABLE_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name in PERSONAL_FIELDS:
            if isinstance(value, str) and value.strip():
                setattr(resident, name, value.strip())
            elif data.get(f"clear_{name}"):
                setattr(resident, name, "")
            continue
        setattr(resident, name, "" if value is None and name not in ("birth_date",) else value)
    raw_id = data.get("id_number")
    if isinstance(raw_id, str) and raw_id.strip():
        try:
            info = idcard.parse(raw_id)
        except ValidationError as error:
            raise ValidationError({"id_number": error.messages}) from None
        resident.birth_date = info.birth_date
        resident.sex = info.sex
    if resident.document_type != DocumentType.ID_CARD and not resident.document_number and not resident.id_number:
        raise ValidationError({"document_number": _("Enter the number of the passport or permit.")})


def _check_duplicate_id(resident: Resident) -> None:
    value = resident.id_number
    if not isinstance(value, str) or not value:
        return
    try:
        digest = hash_for(Resident, "id_number", value)
    except ValidationError as error:
        raise ValidationError({"id_number": error.messages}) from None
    # Across the whole registry, not only the actor's scope: one person is registered once.
    clash = Resident.objects.filter(id_number_hash=digest).exclude(pk=resident.pk)
    if clash.exists():
        raise DomainError(
            _("A resident with this ID card number is registered already."), code="duplicate_id", field="id_number"
        )


@transaction.atomic
def resident_create(*, actor: Actor, household: Household | int, data: dict[str, Any]) -> Resident:
    """Register a resident in a household the actor reaches."""
    _require(actor, "resident.manage")
    home = _household(actor, household)
    resident = Resident(household=home, area_code=home.area_code)
    _apply(resident, data)
    _check_duplicate_id(resident)
    resident.name_initials = name_initials(resident.name)
    resident.full_clean()
    resident.save()
    return resident


@transaction.atomic
def resident_update(*, actor: Actor, resident: Resident, data: dict[str, Any]) -> Resident:
    """Change a resident's record; personal numbers left empty keep their value unless cleared on purpose."""
    _require(actor, "resident.manage")
    resident = Resident.objects.visible_to(actor).select_for_update().filter(pk=resident.pk).first()
    if resident is None:
        raise NotFound(_("Not found."))
    _apply(resident, data)
    _check_duplicate_id(resident)
    resident.name_initials = name_initials(resident.name)
    resident.full_clean()
    resident.save()
    return resident


@transaction.atomic
def resident_move(
    *, actor: Actor, resident: Resident, household: Household | int, reason: str = "", on_date: dt.date | None = None
) -> ResidentMove:
    """Move a resident to another household the actor reaches, keeping a history row."""
    _require(actor, "resident.manage")
    resident = Resident.objects.visible_to(actor).select_for_update().filter(pk=resident.pk).first()
    if resident is None:
        raise NotFound(_("Not found."))
    target = _household(actor, household)
    if target.pk == resident.household_id:
        raise DomainError(_("The resident lives in this household already."), code="same_household", field="household")
    if resident.status != ResidentStatus.ACTIVE:
        raise DomainError(_("Register the resident again before moving them."), code="not_active")
    move = ResidentMove(
        resident=resident,
        kind=ResidentChangeKind.MOVE,
        from_household_id=resident.household_id,
        to_household=target,
        from_area_code=resident.area_code,
        area_code=target.area_code,
        from_status=resident.status,
        to_status=resident.status,
        on_date=on_date or _today(),
        reason=(reason or "").strip()[:200],
        by=actor.user,
    )
    move.full_clean()
    resident.household = target
    resident.area_code = target.area_code
    resident.save(update_fields=["household", "area_code"])
    move.save()
    # The resident's care needs follow them to the new grid, so the new grid worker sees them; so do
    # the details of those needs and the active care plans (see care_records_follow_resident).
    for vulnerability in resident.vulnerabilities.exclude(area_code=target.area_code):
        vulnerability.area_code = target.area_code
        vulnerability.save(update_fields=["area_code"])
    care_records_follow_resident(actor=actor, resident=resident)
    return move


@transaction.atomic
def resident_deregister(
    *, actor: Actor, resident: Resident, status: str, reason: str = "", on_date: dt.date | None = None
) -> ResidentMove:
    """Mark a resident as moved away or deceased; the record and its history stay."""
    _require(actor, "resident.manage")
    if status not in DEREGISTER_STATUSES:
        raise DomainError(_("Choose moved away or deceased."), code="invalid_status", field="status")
    resident = Resident.objects.visible_to(actor).select_for_update().filter(pk=resident.pk).first()
    if resident is None:
        raise NotFound(_("Not found."))
    if resident.status == status:
        raise DomainError(_("The resident is deregistered already."), code="already_deregistered", field="status")
    return _status_change(actor, resident, ResidentChangeKind.DEREGISTER, status, reason, on_date)


@transaction.atomic
def resident_reinstate(*, actor: Actor, resident: Resident, reason: str = "") -> ResidentMove:
    """Undo a deregistration made by mistake (the mistaken step stays in the history)."""
    _require(actor, "resident.manage")
    resident = Resident.objects.visible_to(actor).select_for_update().filter(pk=resident.pk).first()
    if resident is None:
        raise NotFound(_("Not found."))
    if resident.status == ResidentStatus.ACTIVE:
        raise DomainError(_("The resident is registered here already."), code="already_active")
    return _status_change(actor, resident, ResidentChangeKind.REINSTATE, ResidentStatus.ACTIVE, reason, None)


def _status_change(
    actor: Actor, resident: Resident, kind: str, status: str, reason: str, on_date: dt.date | None
) -> ResidentMove:
    day = on_date or _today()
    move = ResidentMove(
        resident=resident,
        kind=kind,
        from_household_id=resident.household_id,
        to_household_id=resident.household_id,
        from_area_code=resident.area_code,
        area_code=resident.area_code,
        from_status=resident.status,
        to_status=status,
        on_date=day,
        reason=(reason or "").strip()[:200],
        by=actor.user,
    )
    move.full_clean()
    resident.status = status
    resident.status_changed_on = day
    resident.save(update_fields=["status", "status_changed_on"])
    move.save()
    return move


def resident_initials_fill(*, batch: int | None = None, only_missing: bool = True) -> int:
    """Compute pinyin initials for residents written without them (raw SQL loads, imports); returns names done.

    Bulk, not per row: each distinct name is converted once, and the column is written by name. On
    PostgreSQL the (name, initials) pairs are copied into a temporary table and applied with one
    UPDATE (each batch is a pass over the table, so by default all names go in one batch there);
    elsewhere with executemany in batches of 20,000 names. No signals fire: callers that need an
    audit summary write one.
    """
    table = connection.ops.quote_name(Resident._meta.db_table)
    condition = "WHERE name_initials = '' AND name <> ''" if only_missing else "WHERE name <> ''"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT name FROM {table} {condition}")  # noqa: S608 - no user input
        names = [row[0] for row in cursor.fetchall()]
    postgres = connection.vendor == "postgresql"
    batch = batch or (max(len(names), 1) if postgres else 20000)
    for start in range(0, len(names), batch):
        pairs = [(name, name_initials(name)) for name in names[start : start + batch]]
        with transaction.atomic(), connection.cursor() as cursor:
            if postgres:
                cursor.execute(
                    "CREATE TEMPORARY TABLE fx_initials (name varchar(50), initials varchar(50)) ON COMMIT DROP"
                )
                with cursor.copy("COPY fx_initials (name, initials) FROM STDIN") as copy:
                    for pair in pairs:
                        copy.write_row(pair)
                cursor.execute(
                    f"UPDATE {table} AS r SET name_initials = i.initials FROM fx_initials AS i "  # noqa: S608
                    "WHERE r.name = i.name AND r.name_initials <> i.initials"
                )
            else:
                cursor.executemany(
                    f"UPDATE {table} SET name_initials = %s WHERE name = %s",  # noqa: S608
                    [(initials, name) for name, initials in pairs],
                )
    return len(names)
