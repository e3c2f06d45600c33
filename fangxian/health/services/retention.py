"""Retention: the health data of an emergency goes some days after it ends; the numbers stay.

DESIGN.md section 4: emergency-bound personal data is purged FANGXIAN_RETENTION_DAYS after the
emergency ends. For each such emergency, in one transaction and with one audit event of the counts:
reports of its cases, its service requests, its closed cases, its arrivals, the entries of its
screening lists (the lists stay with their counts) and its check-ins are deleted with plain DELETEs
in batches (no row is loaded, no per-row signal). A case still active is kept, with its reports:
somebody is still under a measure. References from rows that stay (a case of a later emergency that
points at an arrival being deleted) are cleared first, so no foreign key is left dangling.
Submitted daily reports keep their frozen figures.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.command.models import Emergency
from fangxian.core.audit import audit_record
from fangxian.core.errors import PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.scoping import Actor
from fangxian.core.services import raw_delete
from fangxian.health.models import (
    Arrival,
    CaseStatus,
    CheckIn,
    HealthCase,
    HealthReport,
    ScreeningEntry,
    ScreeningList,
    ServiceRequest,
)


def _purge(emergency: Emergency) -> dict[str, int]:
    cases = HealthCase.objects.filter(emergency=emergency).exclude(status=CaseStatus.ACTIVE)
    arrivals = Arrival.objects.filter(emergency=emergency)
    entries = ScreeningEntry.objects.filter(screening_list__emergency=emergency)
    # Rows that stay must not point at rows that go.
    ServiceRequest.objects.filter(case__in=cases).exclude(emergency=emergency).update(case=None)
    HealthCase.objects.filter(arrival__in=arrivals).exclude(pk__in=cases).update(arrival=None)
    HealthCase.objects.filter(screening_entry__in=entries).exclude(pk__in=cases).update(screening_entry=None)
    return {
        "reports_deleted": raw_delete(HealthReport.objects.filter(case__in=cases)),
        "service_requests_deleted": raw_delete(ServiceRequest.objects.filter(emergency=emergency)),
        "cases_deleted": raw_delete(cases),
        "arrivals_deleted": raw_delete(arrivals),
        "screening_entries_deleted": raw_delete(entries),
        "check_ins_deleted": raw_delete(CheckIn.objects.filter(emergency=emergency)),
    }


def health_data_purge(*, actor: Actor, days: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Purge the health data of emergencies ended more than `days` ago; running it again finds nothing."""
    if not actor.is_system:
        raise PermissionDenied(_("Only the retention job purges health data."))
    days = settings.FANGXIAN_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    totals: dict[str, int] = {"emergencies": 0}
    ended = Emergency.objects.filter(ended_at__lt=cutoff)
    candidates = (
        set(
            HealthCase.objects.filter(emergency__in=ended)
            .exclude(status=CaseStatus.ACTIVE)
            .values_list("emergency_id", flat=True)
        )
        | set(Arrival.objects.filter(emergency__in=ended).values_list("emergency_id", flat=True))
        | set(CheckIn.objects.filter(emergency__in=ended).values_list("emergency_id", flat=True))
        | set(ServiceRequest.objects.filter(emergency__in=ended).values_list("emergency_id", flat=True))
        | set(
            ScreeningList.objects.filter(emergency__in=ended, entries__isnull=False).values_list(
                "emergency_id", flat=True
            )
        )
    )
    for emergency in Emergency.objects.filter(pk__in=candidates).order_by("pk"):
        with transaction.atomic():
            counts = _purge(emergency)
            audit_record(
                AuditAction.DELETE,
                actor=actor,
                obj=emergency,
                object_type="health.healthcase",
                object_label=f"health data of emergency #{emergency.pk}",
                changes=counts,
                reason="retention",
            )
        totals["emergencies"] += 1
        for name, value in counts.items():
            totals[name] = totals.get(name, 0) + value
    return totals
