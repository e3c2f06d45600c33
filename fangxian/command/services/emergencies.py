"""Writes of emergencies: declare, change the level (kept as history), end.

Who may do what: the capability `emergency.manage` (officials and commanders), over an area the
actor reaches, at the level its role declares at (a commander its community; officials a street,
district or city). An area outside the actor's reach reads as "not found", like everywhere else.
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.command.models import Emergency, EmergencyKind, EmergencyLevel, EmergencyLevelChange
from fangxian.command.selectors.emergencies import can_declare_over
from fangxian.core.areacode import AREA_CODE_RE
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor

# A start a little ahead of the server's clock is a clock skew, not a plan for the future.
START_TOLERANCE = dt.timedelta(minutes=5)
REASON_MAX = 500


def _require_manage(actor: Actor) -> None:
    if not actor.can("emergency.manage"):
        raise PermissionDenied(_("Your role may not declare or change emergencies."))


def checked_level(level: object) -> int:
    """The level as an int of I-IV (1-4), or a clear error."""
    try:
        value = int(level)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        value = 0
    if value not in EmergencyLevel.values or isinstance(level, bool):
        raise DomainError(_("The level must be I, II, III or IV."), code="invalid_level", field="level")
    return value


def _checked_kind(kind: object) -> str:
    if kind not in EmergencyKind.values:
        choices = ", ".join(str(label) for label in EmergencyKind.labels)
        raise DomainError(
            _("Unknown kind of emergency. Choose one of: %(choices)s.") % {"choices": choices},
            code="unknown_kind",
            field="kind",
        )
    return str(kind)


def _checked_reason(reason: str, *, required: bool) -> str:
    reason = (reason or "").strip()
    if required and not reason:
        raise DomainError(_("Say why the level changes."), code="reason_required", field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(
            _("The reason is too long (at most %(max)d characters).") % {"max": REASON_MAX},
            code="too_long",
            field="reason",
        )
    return reason


def _load_for_change(actor: Actor, emergency: Emergency | int) -> Emergency:
    """The emergency again, locked, through the actor's scope; only its declaring level may change it."""
    pk = emergency.pk if isinstance(emergency, Emergency) else emergency
    locked = Emergency.objects.select_for_update().get_visible(actor, pk=pk)
    if not (actor.reaches(locked.area_code) and can_declare_over(actor, locked.area_code)):
        raise PermissionDenied(
            _("This emergency was declared by a higher level; only that level can change or end it.")
        )
    if not locked.is_active:
        raise Conflict(_("This emergency has already ended."), code="emergency_ended")
    return locked


@transaction.atomic
def emergency_declare(
    *,
    actor: Actor,
    area_code: str,
    kind: str,
    level: int,
    title: str = "",
    description: str = "",
    started_at: dt.datetime | None = None,
) -> Emergency:
    """Declare an emergency over an area; the declaration is the first row of the level history."""
    _require_manage(actor)
    if not isinstance(area_code, str) or not area_code or not AREA_CODE_RE.match(area_code):
        raise NotFound(_("Not found."), field="area_code")
    area = Area.objects.visible_to(actor).filter(code=area_code).first()
    if area is None or not actor.reaches(area_code):
        raise NotFound(_("Not found."), field="area_code")
    if not can_declare_over(actor, area_code):
        raise DomainError(
            _(
                "Your role declares emergencies for its community (commanders) or for a street, district or city "
                "(officials); %(area)s is not one of them."
            )
            % {"area": area.name},
            code="wrong_area_level",
            field="area_code",
        )
    kind = _checked_kind(kind)
    level = checked_level(level)
    now = timezone.now()
    if started_at is None:
        started_at = now
    elif timezone.is_naive(started_at):
        started_at = timezone.make_aware(started_at)
    if started_at > now + START_TOLERANCE:
        raise DomainError(
            _("An emergency cannot start in the future: declare it when it starts."),
            code="start_in_future",
            field="started_at",
        )
    if Emergency.objects.visible_to(actor).filter(area_code=area_code, kind=kind, ended_at__isnull=True).exists():
        raise Conflict(
            _("A %(kind)s emergency is already active for %(area)s: change its level or end it first.")
            % {"kind": EmergencyKind(kind).label, "area": area.name},
            code="already_active",
            field="kind",
        )
    title = (title or "").strip() or f"{area.name} {EmergencyKind(kind).label}"
    emergency = Emergency(
        area_code=area_code,
        kind=kind,
        level=level,
        title=title[:200],
        description=(description or "").strip(),
        started_at=started_at,
        declared_by=actor.user,
    )
    emergency.full_clean(validate_constraints=False)
    try:
        emergency.save()
    except IntegrityError:
        # Two declarations at the same moment: the partial unique constraint let one through.
        raise Conflict(
            _("An emergency of this kind was just declared for this area."), code="already_active", field="kind"
        ) from None
    EmergencyLevelChange.objects.create(
        area_code=area_code,
        emergency=emergency,
        from_level=None,
        to_level=level,
        changed_at=started_at,
        changed_by=actor.user,
    )
    return emergency


@transaction.atomic
def emergency_level_change(*, actor: Actor, emergency: Emergency | int, level: int, reason: str) -> Emergency:
    """Raise or lower the level of an active emergency, keeping the change and its reason."""
    _require_manage(actor)
    emergency = _load_for_change(actor, emergency)
    level = checked_level(level)
    if level == emergency.level:
        raise DomainError(_("The emergency is already at this level."), code="same_level", field="level")
    reason = _checked_reason(reason, required=True)
    change = EmergencyLevelChange(
        area_code=emergency.area_code,
        emergency=emergency,
        from_level=emergency.level,
        to_level=level,
        changed_at=timezone.now(),
        changed_by=actor.user,
        reason=reason,
    )
    change.full_clean(exclude=["emergency", "changed_by"])
    change.save()
    emergency.level = level
    emergency.full_clean(validate_constraints=False)
    emergency.save(update_fields=["level"])
    return emergency


@transaction.atomic
def emergency_end(*, actor: Actor, emergency: Emergency | int, note: str = "") -> Emergency:
    """End an active emergency. Its records stay; retention runs from this moment."""
    _require_manage(actor)
    emergency = _load_for_change(actor, emergency)
    note = (note or "").strip()
    if len(note) > REASON_MAX:
        raise DomainError(
            _("The note is too long (at most %(max)d characters).") % {"max": REASON_MAX}, code="too_long", field="note"
        )
    emergency.ended_at = timezone.now()
    emergency.ended_by = actor.user
    emergency.end_note = note
    emergency.full_clean(validate_constraints=False)
    emergency.save(update_fields=["ended_at", "ended_by", "end_note"])
    return emergency
