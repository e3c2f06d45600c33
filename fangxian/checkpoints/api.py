"""Checkpoints API (mounted at /api/v1/checkpoints/): gates, passes, scans (single and batch), visitors.

Reads go through the selectors (scoped), writes through the services. Scans carry an idempotency
key: a device that uploads a scan twice gets the stored answer back, with `created: false`.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Path, Query, Router, Status

from fangxian.checkpoints import capabilities  # noqa: F401  (checkpoint.*, pass.*, visitor.* capabilities)
from fangxian.checkpoints.models import GateScan, Pass, ScanReason, Visitor
from fangxian.checkpoints.schemas import (
    CheckpointIn,
    CheckpointOut,
    CheckpointPage,
    DeliveryIn,
    DeliveryOut,
    GatePolicyIn,
    GatePolicyOut,
    GatePolicyPage,
    GuardShiftIn,
    GuardShiftOut,
    GuardShiftPage,
    PassIssueIn,
    PassOut,
    PassRevokeIn,
    PassVerifyIn,
    PassVerifyOut,
    ScanBatchIn,
    ScanBatchOut,
    ScanIn,
    ScanOut,
    VehicleIn,
    VehicleOut,
    VisitorIn,
    VisitorOut,
    VisitorPage,
)
from fangxian.checkpoints.selectors import (
    checkpoint_get,
    checkpoint_list,
    gate_policy_list,
    guard_shift_list,
    pass_get,
    visitor_get,
    visitor_list,
)
from fangxian.checkpoints.services.gates import checkpoint_create, gate_policy_set, guard_shift_add, guard_shift_remove
from fangxian.checkpoints.services.passes import (
    pass_issue,
    pass_qr_png,
    pass_qr_svg,
    pass_revoke,
    pass_token,
    pass_verify,
    vehicle_register,
)
from fangxian.checkpoints.services.scans import (
    ScanInput,
    ScanResult,
    name_masked,
    scan_batch,
    scan_record,
    scan_summary,
)
from fangxian.checkpoints.services.visitors import delivery_record, visitor_approve, visitor_deny, visitor_register
from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.core.scoping import Actor

router = Router(tags=["checkpoints"])
MAX_LIMIT = 200
AREA_CODE_PATTERN = r"^[0-9]{2,15}$"
CheckpointIdPath = Path(..., ge=1, le=2**62, description="The checkpoint's id")
PassIdPath = Path(..., ge=1, le=2**62, description="The pass's id")
VisitorIdPath = Path(..., ge=1, le=2**62, description="The visitor's id")
ShiftIdPath = Path(..., ge=1, le=2**62, description="The shift's id")


def _page(rows, after: int | None, limit: int) -> dict[str, Any]:
    rows = rows.order_by("pk")
    if after:
        rows = rows.filter(pk__gt=after)
    items = list(rows[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


# --- checkpoints -------------------------------------------------------------------------------------


@router.get(
    "/",
    response=CheckpointPage,
    openapi_extra=scope_list("checkpoints.Checkpoint"),
    summary="Checkpoints in my jurisdiction, by id",
)
def checkpoints(
    request: HttpRequest,
    area_code: str = Query("", pattern=r"^([0-9]{2,15})?$"),
    active: bool = False,
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "checkpoint.view")
    return _page(checkpoint_list(actor=actor, area_code=area_code, active_only=active), after, limit)


@router.post("/", response={201: CheckpointOut}, summary="Set up a checkpoint (capability checkpoint.manage)")
def checkpoint_create_endpoint(request: HttpRequest, payload: CheckpointIn):
    actor = api_actor(request)
    require(actor, "checkpoint.manage")
    return Status(201, checkpoint_create(actor=actor, **payload.dict()))


# --- shifts and policies -------------------------------------------------------------------------------


def _shift_out(shift) -> dict[str, Any]:
    return {
        "id": shift.pk,
        "area_code": shift.area_code,
        "checkpoint_id": shift.checkpoint_id,
        "checkpoint_name": shift.checkpoint.name,
        "guard_id": shift.guard_id,
        "guard_name": str(shift.guard),
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
    }


@router.get(
    "/shifts",
    response=GuardShiftPage,
    openapi_extra=scope_list("checkpoints.GuardShift"),
    summary="Guard shifts in my jurisdiction; `on_duty` for those running now",
)
def shifts(
    request: HttpRequest,
    checkpoint_id: int | None = Query(None, ge=1, le=2**62),
    guard_id: int | None = Query(None, ge=1, le=2**62),
    on_duty: bool = False,
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "checkpoint.view")
    rows = guard_shift_list(
        actor=actor, checkpoint_id=checkpoint_id, guard_id=guard_id, at=timezone.now() if on_duty else None
    )
    page = _page(rows, after, limit)
    return {"items": [_shift_out(shift) for shift in page["items"]], "next_cursor": page["next_cursor"]}


@router.post("/shifts", response={201: GuardShiftOut}, summary="Put a guard on a shift (checkpoint.manage)")
def shift_add_endpoint(request: HttpRequest, payload: GuardShiftIn):
    actor = api_actor(request)
    require(actor, "checkpoint.manage")
    shift = guard_shift_add(
        actor=actor,
        checkpoint_id=payload.checkpoint_id,
        guard=payload.guard_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, _shift_out(guard_shift_list(actor=actor).get(pk=shift.pk)))


@router.delete("/shifts/{shift_id}", response={204: None}, summary="Take a guard off a shift (checkpoint.manage)")
def shift_remove_endpoint(request: HttpRequest, shift_id: int = ShiftIdPath):
    actor = api_actor(request)
    require(actor, "checkpoint.manage")
    guard_shift_remove(actor=actor, shift_id=shift_id)
    return Status(204, None)


@router.get(
    "/policies",
    response=GatePolicyPage,
    openapi_extra=scope_list("checkpoints.GatePolicy"),
    summary="Gate policies per community and emergency level in my jurisdiction",
)
def policies(
    request: HttpRequest,
    area_code: str = Query("", pattern=r"^([0-9]{2,15})?$"),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(100, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "checkpoint.view")
    return _page(gate_policy_list(actor=actor, area_code=area_code), after, limit)


@router.put(
    "/policies", response=GatePolicyOut, summary="Set a community's gate policy for one level (checkpoint.manage)"
)
def policy_set_endpoint(request: HttpRequest, payload: GatePolicyIn):
    actor = api_actor(request)
    require(actor, "checkpoint.manage")
    fields = payload.dict(exclude_unset=True)
    community_code, level = fields.pop("community_code"), fields.pop("level")
    return gate_policy_set(actor=actor, community_code=community_code, level=level, **fields)


# --- passes --------------------------------------------------------------------------------------------


def _pass_out(gate_pass: Pass) -> dict[str, Any]:
    return {
        "id": gate_pass.pk,
        "area_code": gate_pass.area_code,
        "household_id": gate_pass.household_id,
        "household_room": gate_pass.household.address,
        "resident_id": gate_pass.resident_id,
        "holder_name": gate_pass.resident.name if gate_pass.resident_id else "",
        "issued_at": gate_pass.issued_at,
        "expires_at": gate_pass.expires_at,
        "revoked_at": gate_pass.revoked_at,
        "revoke_reason": gate_pass.revoke_reason,
        "token": pass_token(gate_pass),
    }


@router.post("/passes", response={201: PassOut}, summary="Issue a pass to a resident or a household (pass.issue)")
def pass_issue_endpoint(request: HttpRequest, payload: PassIssueIn):
    actor = api_actor(request)
    require(actor, "pass.issue")
    issued = pass_issue(
        actor=actor, household_id=payload.household_id, resident_id=payload.resident_id, days=payload.days
    )
    return Status(201, _pass_out(pass_get(actor=actor, pass_id=issued.pk)))


# Before /passes/{pass_id}: Django tries paths in order, and that one would catch /passes/verify.
@router.post("/passes/verify", response=PassVerifyOut, summary="Check a scanned code without recording a scan")
def pass_verify_endpoint(request: HttpRequest, payload: PassVerifyIn):
    actor = api_actor(request)
    require(actor, "checkpoint.scan")
    check = pass_verify(payload.token)
    found = check.gate_pass
    if found is not None and not actor.reaches(found.area_code):
        # A pass of another jurisdiction: say no more than "not ours".
        return {
            "ok": False,
            "reason": ScanReason.OTHER_COMMUNITY,
            "reason_label": str(ScanReason.OTHER_COMMUNITY.label),
            "summary": None,
        }
    summary = None
    if found is not None:
        summary = scan_summary(resident=found.resident, household=found.household, visitor=None, plate="")
    return {
        "ok": check.ok,
        "reason": check.reason,
        "reason_label": str(ScanReason(check.reason).label),
        "summary": summary,
    }


@router.get(
    "/passes/{pass_id}",
    response=PassOut,
    openapi_extra=scope_detail("checkpoints.Pass", "pk", "pass_id"),
    summary="One pass, with its QR content",
)
def pass_detail(request: HttpRequest, pass_id: int = PassIdPath):
    actor = api_actor(request)
    require(actor, "pass.view")
    return _pass_out(pass_get(actor=actor, pass_id=pass_id))


@router.get(
    "/passes/{pass_id}/qr",
    openapi_extra=scope_detail("checkpoints.Pass", "pk", "pass_id"),
    summary="The pass's QR code: SVG (default) or PNG (`format=png`)",
)
def pass_qr(request: HttpRequest, pass_id: int = PassIdPath, format: str = Query("svg", pattern="^(svg|png)$")):
    actor = api_actor(request)
    require(actor, "pass.view")
    if format == "png":
        response = HttpResponse(pass_qr_png(actor=actor, pass_id=pass_id), content_type="image/png")
    else:
        response = HttpResponse(pass_qr_svg(actor=actor, pass_id=pass_id), content_type="image/svg+xml")
    response["Cache-Control"] = "private, no-store"
    return response


@router.post("/passes/{pass_id}/revoke", response=PassOut, summary="Revoke a pass at once (pass.issue)")
def pass_revoke_endpoint(request: HttpRequest, payload: PassRevokeIn, pass_id: int = PassIdPath):
    actor = api_actor(request)
    require(actor, "pass.issue")
    pass_revoke(actor=actor, pass_id=pass_id, reason=payload.reason)
    return _pass_out(pass_get(actor=actor, pass_id=pass_id))


# --- scans ---------------------------------------------------------------------------------------------


def _scan_out(result: ScanResult) -> dict[str, Any]:
    row: GateScan | None = result.scan
    error = result.error
    return {
        "idempotency_key": str(result.idempotency_key)[:40],
        "id": row.pk if row else None,
        "created": result.created,
        "verdict": result.verdict,
        "reason": result.reason,
        "reason_label": result.reason_label,
        "at": row.at if row else None,
        "temperature": row.temperature if row else None,
        "summary": result.summary or None,
        "error": {"code": error.code, "message": str(error.message), "field": error.field} if error else None,
    }


def _scan_input(payload: ScanIn) -> ScanInput:
    return ScanInput(**payload.dict())


@router.post(
    "/scans",
    response={200: ScanOut, 201: ScanOut},
    summary="Record one scan; 201 when recorded, 200 when its idempotency key was recorded before",
)
def scan_endpoint(request: HttpRequest, payload: ScanIn):
    actor = api_actor(request)
    require(actor, "checkpoint.scan")
    item = _scan_input(payload)
    result = scan_record(
        actor=actor,
        checkpoint=item.checkpoint_id,
        direction=item.direction,
        idempotency_key=item.idempotency_key,
        token=item.token,
        resident_id=item.resident_id,
        household_id=item.household_id,
        visitor_id=item.visitor_id,
        plate=item.plate,
        temperature=item.temperature,
        at=item.at,
    )
    return Status(201 if result.created else 200, _scan_out(result))


@router.post(
    "/scans/batch",
    response=ScanBatchOut,
    summary="Upload scans queued offline (at most 500); each gets its own result, repeats are absorbed",
)
def scan_batch_endpoint(request: HttpRequest, payload: ScanBatchIn):
    actor = api_actor(request)
    require(actor, "checkpoint.scan")
    results = scan_batch(actor=actor, scans=[_scan_input(item) for item in payload.scans])
    return {
        "created": sum(1 for r in results if r.created),
        "repeated": sum(1 for r in results if r.scan is not None and not r.created),
        "failed": sum(1 for r in results if r.error is not None),
        "results": [_scan_out(r) for r in results],
    }


# --- visitors, deliveries, vehicles -----------------------------------------------------------------------


def _visitor_out(visitor: Visitor, actor: Actor) -> dict[str, Any]:
    # Guards register visitors but reach no personal data: they get the name masked.
    full = actor.is_system or bool(actor.personal_prefixes) or visitor.host_household_id in actor.household_ids
    return {
        "id": visitor.pk,
        "area_code": visitor.area_code,
        "checkpoint_id": visitor.checkpoint_id,
        "name": visitor.name if full else name_masked(visitor.name),
        "phone": str(visitor.phone) if visitor.phone else "",
        "id_number": str(visitor.id_number) if visitor.id_number else "",
        "purpose": visitor.purpose,
        "origin": visitor.origin,
        "host_household_id": visitor.host_household_id,
        "status": visitor.status,
        "expected_at": visitor.expected_at,
        "created_at": visitor.created_at,
        "decided_at": visitor.decided_at,
    }


@router.get(
    "/visitors",
    response=VisitorPage,
    openapi_extra=scope_list("checkpoints.Visitor"),
    summary="Visitors I may see (staff: my area; residents: my household's), by id",
)
def visitors(
    request: HttpRequest,
    status: str = Query("", pattern="^(|pending|approved|denied)$"),
    area_code: str = Query("", pattern=r"^([0-9]{2,15})?$"),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "visitor.view")
    page = _page(visitor_list(actor=actor, status=status, area_code=area_code), after, limit)
    page["items"] = [_visitor_out(v, actor) for v in page["items"]]
    return page


@router.get(
    "/visitors/{visitor_id}",
    response=VisitorOut,
    openapi_extra=scope_detail("checkpoints.Visitor", "pk", "visitor_id"),
    summary="One visitor",
)
def visitor_detail(request: HttpRequest, visitor_id: int = VisitorIdPath):
    actor = api_actor(request)
    require(actor, "visitor.view")
    return _visitor_out(visitor_get(actor=actor, visitor_id=visitor_id), actor)


@router.post("/visitors", response={201: VisitorOut}, summary="Register a visitor at a gate (visitor.register)")
def visitor_register_endpoint(request: HttpRequest, payload: VisitorIn):
    actor = api_actor(request)
    require(actor, "visitor.register")
    return Status(201, _visitor_out(visitor_register(actor=actor, **payload.dict()), actor))


@router.post("/visitors/{visitor_id}/approve", response=VisitorOut, summary="The host lets the visitor in")
def visitor_approve_endpoint(request: HttpRequest, visitor_id: int = VisitorIdPath):
    actor = api_actor(request)
    require(actor, "visitor.approve")
    return _visitor_out(visitor_approve(actor=actor, visitor_id=visitor_id), actor)


@router.post("/visitors/{visitor_id}/deny", response=VisitorOut, summary="The host declines the visit")
def visitor_deny_endpoint(request: HttpRequest, visitor_id: int = VisitorIdPath):
    actor = api_actor(request)
    require(actor, "visitor.approve")
    return _visitor_out(visitor_deny(actor=actor, visitor_id=visitor_id), actor)


@router.post("/deliveries", response={201: DeliveryOut}, summary="A parcel or takeaway left at the gate")
def delivery_endpoint(request: HttpRequest, payload: DeliveryIn):
    actor = api_actor(request)
    require(actor, "delivery.record")
    return Status(201, delivery_record(actor=actor, **payload.dict()))


@router.post("/vehicles", response={201: VehicleOut}, summary="Put a household's vehicle on the plate list")
def vehicle_endpoint(request: HttpRequest, payload: VehicleIn):
    actor = api_actor(request)
    require(actor, "vehicle.register")
    return Status(201, vehicle_register(actor=actor, **payload.dict()))


# Last on purpose: Django tries the router's paths in order, and `/{checkpoint_id}` would otherwise
# catch `/visitors` (and answer 422 instead of the list).
@router.get(
    "/{checkpoint_id}",
    response=CheckpointOut,
    openapi_extra=scope_detail("checkpoints.Checkpoint", "pk", "checkpoint_id"),
    summary="One checkpoint",
)
def checkpoint_detail(request: HttpRequest, checkpoint_id: int = CheckpointIdPath):
    actor = api_actor(request)
    require(actor, "checkpoint.view")
    return checkpoint_get(actor=actor, checkpoint_id=checkpoint_id)
