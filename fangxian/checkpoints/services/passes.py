"""Passes: issue, revoke (at once), verify a scanned token, draw the QR code; vehicle plates."""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass

import segno
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Household
from fangxian.checkpoints.models import Pass, ScanReason, VehiclePlate
from fangxian.checkpoints.plates import plate_normalize
from fangxian.checkpoints.tokens import TokenInvalid, pass_token_make, pass_token_read
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.fastsql import JoinedLoader
from fangxian.core.scoping import Actor
from fangxian.registry.models import Resident

PASS_DEFAULT_DAYS = 30
PASS_MAX_DAYS = 366
# A scan this recent is judged "now": a revoked pass is refused even if the device's clock lags.
LIVE_WINDOW = dt.timedelta(minutes=10)


def _require(actor: Actor, capability: str, obj: object = None) -> None:
    if not actor.can(capability, obj):
        raise PermissionDenied(_("Your role does not allow this."))


def _household(actor: Actor, household_id: int) -> Household:
    try:
        return Household.objects.get_visible(actor, pk=household_id)
    except Http404:
        raise NotFound(_("There is no such household in your jurisdiction."), field="household_id") from None


@transaction.atomic
def pass_issue(
    *,
    actor: Actor,
    household_id: int,
    resident_id: int | None = None,
    days: int = PASS_DEFAULT_DAYS,
    now: dt.datetime | None = None,
) -> Pass:
    """Issue a pass for one resident or (without `resident_id`) the whole household.

    The holder's previous pass of the same kind still in force is revoked, so one person (or one
    household) carries one valid code at a time.
    """
    _require(actor, "pass.issue")
    if not isinstance(days, int) or not 1 <= days <= PASS_MAX_DAYS:
        raise DomainError(
            _("A pass is valid for 1 to %(max)s days.") % {"max": PASS_MAX_DAYS}, code="pass_days", field="days"
        )
    household = _household(actor, household_id)
    resident = None
    if resident_id is not None:
        try:
            resident = Resident.objects.get_visible(actor, pk=resident_id)
        except Http404:
            raise NotFound(_("There is no such resident in your jurisdiction."), field="resident_id") from None
        if resident.household_id != household.pk:
            raise DomainError(
                _("This resident does not live in this household."), code="resident_household", field="resident_id"
            )
    now = now or timezone.now()
    previous = Pass.objects.filter(household=household, resident=resident, revoked_at__isnull=True, expires_at__gt=now)
    for old in previous.select_for_update():
        old.revoked_at = now
        old.revoked_by = actor.user
        old.revoke_reason = _("Replaced by a new pass")[:200]
        old.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    issued = Pass(
        area_code=household.area_code,
        household=household,
        resident=resident,
        issued_at=now,
        issued_by=actor.user,
        expires_at=now + dt.timedelta(days=days),
    )
    issued.full_clean()
    issued.save()
    return issued


@transaction.atomic
def pass_revoke(*, actor: Actor, pass_id: int, reason: str) -> Pass:
    """Revoke a pass: from this moment every scan of its code is denied."""
    _require(actor, "pass.issue")
    reason = (reason or "").strip()
    if not 2 <= len(reason) <= 200:
        raise DomainError(
            _("Say why the pass is revoked (2 to 200 characters)."), code="reason_required", field="reason"
        )
    try:
        revoked = Pass.objects.select_for_update().get_visible(actor, pk=pass_id)
    except Http404:
        raise NotFound(_("There is no such pass in your jurisdiction.")) from None
    if revoked.revoked_at is not None:
        raise Conflict(_("This pass was revoked already."), code="pass_already_revoked")
    revoked.revoked_at = timezone.now()
    revoked.revoked_by = actor.user
    revoked.revoke_reason = reason
    revoked.save(update_fields=["revoked_at", "revoked_by", "revoke_reason"])
    return revoked


def pass_token(gate_pass: Pass) -> str:
    """The content of the pass's QR code."""
    return pass_token_make(gate_pass.public_id, gate_pass.expires_at)


@dataclass(frozen=True)
class PassCheck:
    """The answer to "may this code pass?": `reason` is a ScanReason; `gate_pass` when one was found."""

    ok: bool
    reason: str
    gate_pass: Pass | None = None


def passes_by_public_id(tokens: list[str]) -> dict[str, Pass]:
    """The passes named by well-signed tokens, in one query (a batch of scans looks them up once)."""
    public_ids = set()
    for token in tokens:
        try:
            public_ids.add(pass_token_read(token).public_id)
        except TokenInvalid:
            continue
    if not public_ids:
        return {}
    rows = Pass.objects.select_related("resident", "household__building", "household__unit").filter(
        public_id__in=sorted(public_ids)
    )
    return {row.public_id: row for row in rows.order_by()}


def pass_verify(token: str, *, at: dt.datetime | None = None, known: dict[str, Pass] | None = None) -> PassCheck:
    """Check a scanned code: signature (constant time), expiry, then the pass row (revoked: denied at once).

    `at` is the time of the scan (an offline scan is judged as of when it happened: a pass revoked
    after it was scanned was still valid then). Not scoped: the caller decides whose pass it may
    accept (the scan service requires the checkpoint's community). `known` is what
    `passes_by_public_id` read for a batch: a pass missing from it does not exist.
    """
    at = at or timezone.now()
    try:
        content = pass_token_read(token)
    except TokenInvalid:
        return PassCheck(False, ScanReason.PASS_INVALID)
    if content.expires_at <= at:
        return PassCheck(False, ScanReason.PASS_EXPIRED)
    if known is not None:
        found = known.get(content.public_id)
    else:
        found = _PASS_LOADER.get(content.public_id)
    if found is None:
        return PassCheck(False, ScanReason.PASS_UNKNOWN)
    if found.revoked_at is not None and (found.revoked_at <= at or at >= timezone.now() - LIVE_WINDOW):
        # A live scan is denied for any revocation, whatever the phone's clock says.
        return PassCheck(False, ScanReason.PASS_REVOKED, found)
    if found.expires_at <= at or found.issued_at > at:
        return PassCheck(False, ScanReason.PASS_EXPIRED, found)
    return PassCheck(True, ScanReason.OK, found)


# Every live scan reads its pass: one statement over five tables, its SQL built once per process.
_PASS_LOADER = JoinedLoader(
    Pass,
    key="public_id",
    related=("resident", "household", "household__building", "household__unit"),
    fields={"resident": ("area_code", "name", "status", "household")},
)


def pass_qr_svg(*, actor: Actor, pass_id: int) -> str:
    """The pass's QR code as an inline SVG (for the phone page and printing)."""
    gate_pass = _visible_pass(actor, pass_id)
    return segno.make(pass_token(gate_pass), error="m").svg_inline(scale=6)


def pass_qr_png(*, actor: Actor, pass_id: int, scale: int = 8) -> bytes:
    """The pass's QR code as PNG bytes (for a printed card)."""
    gate_pass = _visible_pass(actor, pass_id)
    buffer = io.BytesIO()
    segno.make(pass_token(gate_pass), error="m").save(buffer, kind="png", scale=max(1, min(scale, 20)), border=4)
    return buffer.getvalue()


def _visible_pass(actor: Actor, pass_id: int) -> Pass:
    _require(actor, "pass.view")
    try:
        return Pass.objects.get_visible(actor, pk=pass_id)
    except Http404:
        raise NotFound(_("There is no such pass in your jurisdiction.")) from None


@transaction.atomic
def vehicle_register(*, actor: Actor, household_id: int, plate: str, note: str = "") -> VehiclePlate:
    """Put a household's vehicle on the plate list (capability vehicle.register)."""
    _require(actor, "vehicle.register")
    household = _household(actor, household_id)
    try:
        canonical = plate_normalize(plate)
    except ValidationError as error:
        raise DomainError(error.messages[0], code="plate_invalid", field="plate") from None
    if VehiclePlate.objects.filter(household=household, plate=canonical).exists():
        raise Conflict(_("This vehicle is on the household's list already."), code="plate_exists", field="plate")
    vehicle = VehiclePlate(
        area_code=household.area_code, household=household, plate=canonical, note=(note or "").strip()
    )
    vehicle.full_clean()
    vehicle.save()
    return vehicle
