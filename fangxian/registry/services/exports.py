"""Exporting a filtered list of residents to Excel: masked by default, revealed only on purpose.

The caller passes a queryset it has already filtered; the export narrows it to the actor's
jurisdiction again (`visible_to`), so a view that forgets to scope cannot leak. Unmasked ID and
phone numbers need the `personal.reveal` capability and a reason, and every export is audited
(AuditAction.EXPORT) with the number of rows and whether it was unmasked. Every text cell is
written as a string, never a formula, and neutralised as a CSV cell would be.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, PermissionDenied
from fangxian.core.exports import csv_safe_cell, safe_workbook
from fangxian.core.models import AuditAction
from fangxian.core.personal import decrypt
from fangxian.core.scoping import Actor
from fangxian.registry import capabilities_imports  # noqa: F401 - registers registry.export
from fangxian.registry.models import Resident


def resident_export_xlsx(
    actor: Actor, queryset: QuerySet[Resident], output: Any, *, unmasked: bool = False, reason: str = ""
) -> int:
    """Write the residents of `queryset` the actor may see to `output` (a path or binary file); return the count."""

    if not actor.can("registry.export"):
        raise PermissionDenied(_("You may not export residents."))
    reason = reason.strip()
    if unmasked:
        if not actor.can("personal.reveal"):
            raise PermissionDenied(_("You may not export full ID and phone numbers."))
        if not reason:
            raise DomainError(
                _("Give the reason for exporting full ID and phone numbers."), field="reason", code="reason_required"
            )
    rows = (
        queryset.visible_to(actor)
        .select_related("household__building", "household__unit")
        .order_by("area_code", "household_id", "id")
    )
    workbook = safe_workbook(output)
    sheet = workbook.add_worksheet(str(_("Residents"))[:31])
    bold = workbook.add_format({"bold": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    headers = [
        _("Full name"),
        _("Sex"),
        _("Birth date"),
        _("ID card number"),
        _("Other document"),
        _("Phone"),
        _("Grid code"),
        _("Estate"),
        _("Building"),
        _("Unit"),
        _("Room"),
        _("Relation to head"),
        _("Residence type"),
        _("Status"),
        _("Employer or school"),
    ]
    for column, title in enumerate(headers):
        sheet.write_string(0, column, str(title), bold)
    sheet.set_column(3, 3, 20)
    count = 0
    for count, resident in enumerate(rows.iterator(chunk_size=2000), start=1):
        if unmasked:
            id_text = decrypt(resident.id_number.ciphertext) if resident.id_number else ""
            phone_text = decrypt(resident.phone.ciphertext) if resident.phone else ""
        else:
            id_text, phone_text = resident.id_number_masked, resident.phone_masked
        document = getattr(resident, "document_number", "")
        if unmasked:
            document_text = decrypt(document.ciphertext) if document else ""
        else:
            document_text = getattr(resident, "document_number_masked", "")
        household = resident.household
        values = [
            resident.name,
            resident.get_sex_display(),
            None,
            id_text,
            document_text,
            phone_text,
            resident.area_code,
            household.building.estate,
            household.building.name,
            household.unit.name if household.unit_id else "",
            household.room,
            resident.get_relation_display(),
            resident.get_residence_type_display(),
            resident.get_status_display(),
            resident.employer,
        ]
        for column, value in enumerate(values):
            if column == 2:
                if resident.birth_date:
                    sheet.write_datetime(count, column, resident.birth_date, date_format)
                continue
            sheet.write_string(count, column, csv_safe_cell(value))
    workbook.close()
    area = min(actor.personal_prefixes, key=len) if actor.personal_prefixes else ""
    audit_record(
        AuditAction.EXPORT,
        actor=actor,
        object_type="registry.resident",
        object_label="resident export",
        area_code=area,
        changes={"rows": count, "unmasked": unmasked},
        reason=reason,
    )
    return count
