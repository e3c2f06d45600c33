"""Retention: gate logs and visitor records go some days after their emergency ends; counts stay.

DESIGN.md section 4: emergency-bound personal data is purged or anonymised
FANGXIAN_RETENTION_DAYS after the emergency ends. For each such emergency, in one transaction:

1. the gate scans are counted per checkpoint, local day and hour into GateCount (added to any
   counts already there), so reports keep their figures;
2. the scans are deleted, in batches, with plain DELETE statements (no row is loaded: the gate log
   is the biggest table), and one audit event records the counts;
3. visitors are anonymised (name, phone, ID number, origin blanked), then deleted unless a
   remaining scan still points at them;
4. deliveries lose their household and note.

Scans and visitors recorded while no emergency was active are kept as long, counted from their own time.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.checkpoints.models import Delivery, Direction, GateCount, GateScan, ScanReason, Verdict, Visitor
from fangxian.command.models import Emergency
from fangxian.core.audit import audit_record
from fangxian.core.errors import PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.scoping import Actor
from fangxian.core.services import raw_delete


def _count_scans(scans, emergency_id: int | None) -> int:
    """Add the scans' per-hour counts to GateCount; return how many hour rows were touched."""
    zone = timezone.get_current_timezone()
    rows = (
        scans.annotate(day=TruncDate("at", tzinfo=zone), hour=ExtractHour("at", tzinfo=zone))
        .values("checkpoint_id", "area_code", "day", "hour")
        .annotate(
            entries=Count("pk", filter=Q(direction=Direction.IN, verdict=Verdict.ALLOW)),
            exits=Count("pk", filter=Q(direction=Direction.OUT, verdict=Verdict.ALLOW)),
            denied=Count("pk", filter=Q(verdict=Verdict.DENY)),
            fevers=Count("pk", filter=Q(reason=ScanReason.FEVER)),
        )
        .order_by()
    )
    touched = 0
    for row in rows:
        count, created = GateCount.objects.get_or_create(
            checkpoint_id=row["checkpoint_id"],
            emergency_id=emergency_id,
            day=row["day"],
            hour=row["hour"],
            defaults={
                "area_code": row["area_code"],
                "entries": row["entries"],
                "exits": row["exits"],
                "denied": row["denied"],
                "fevers": row["fevers"],
            },
        )
        if not created:
            for name in ("entries", "exits", "denied", "fevers"):
                setattr(count, name, getattr(count, name) + row[name])
            count.save(update_fields=["entries", "exits", "denied", "fevers"])
        touched += 1
    return touched


def _anonymise_visitors(visitors) -> int:
    return visitors.update(
        name="",
        origin="",
        phone="",
        phone_hash="",
        phone_last4="",
        phone_masked="",
        id_number="",
        id_number_hash="",
        id_number_last4="",
        id_number_masked="",
    )


def _purge(scans, visitors, deliveries, emergency_id: int | None) -> dict[str, int]:
    counted = _count_scans(scans, emergency_id)
    deleted_scans = raw_delete(scans)
    anonymised = _anonymise_visitors(visitors)
    still_scanned = GateScan.objects.filter(visitor__isnull=False).values("visitor_id")
    deleted_visitors = raw_delete(visitors.exclude(pk__in=still_scanned))
    cleared = deliveries.exclude(household__isnull=True, note="").update(household=None, note="")
    return {
        "hours_counted": counted,
        "scans_deleted": deleted_scans,
        "visitors_anonymised": anonymised,
        "visitors_deleted": deleted_visitors,
        "deliveries_cleared": cleared,
    }


def gate_logs_purge(*, actor: Actor, days: int | None = None, now: dt.datetime | None = None) -> dict[str, int]:
    """Purge what the retention period allows; safe to run again (it finds nothing the second time)."""
    if not actor.is_system:
        raise PermissionDenied(_("Only the retention job purges gate logs."))
    days = settings.FANGXIAN_RETENTION_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=days)
    totals: dict[str, int] = {"emergencies": 0}

    ended = Emergency.objects.filter(ended_at__lt=cutoff)
    candidates = (
        set(GateScan.objects.filter(emergency__in=ended).values_list("emergency_id", flat=True).distinct())
        | set(Visitor.objects.filter(emergency__in=ended).exclude(name="").values_list("emergency_id", flat=True))
        | set(
            Delivery.objects.filter(emergency__in=ended, household__isnull=False).values_list("emergency_id", flat=True)
        )
    )
    for emergency in Emergency.objects.filter(pk__in=candidates).order_by("pk"):
        with transaction.atomic():
            counts = _purge(
                GateScan.objects.filter(emergency=emergency),
                Visitor.objects.filter(emergency=emergency),
                Delivery.objects.filter(emergency=emergency),
                emergency.pk,
            )
            audit_record(
                AuditAction.DELETE,
                actor=actor,
                obj=emergency,
                object_type="checkpoints.gatescan",
                object_label=f"gate log of emergency #{emergency.pk}",
                changes=counts,
                reason="retention",
            )
        totals["emergencies"] += 1
        for name, value in counts.items():
            totals[name] = totals.get(name, 0) + value

    # Outside any emergency: kept as long, from the scan's (or registration's) own time.
    with transaction.atomic():
        counts = _purge(
            GateScan.objects.filter(emergency__isnull=True, at__lt=cutoff),
            Visitor.objects.filter(emergency__isnull=True, created_at__lt=cutoff),
            Delivery.objects.filter(emergency__isnull=True, at__lt=cutoff),
            None,
        )
        if any(counts.values()):
            audit_record(
                AuditAction.DELETE,
                actor=actor,
                object_type="checkpoints.gatescan",
                object_label="gate log outside emergencies",
                changes=counts,
                reason="retention",
            )
    for name, value in counts.items():
        totals[name] = totals.get(name, 0) + value
    return totals
