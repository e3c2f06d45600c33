"""API schemas of the checkpoints app: every field has a limit; personal values leave masked."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from typing import Literal

from ninja import Field, Schema

# Free text may hold anything but NUL, which PostgreSQL cannot store (a 500 otherwise).
NO_NUL = r"^[^\x00]*$"
ID = Field(..., ge=1, le=2**62)
OPTIONAL_ID = Field(None, ge=1, le=2**62)


class CheckpointOut(Schema):
    id: int
    area_code: str
    name: str
    kind: str
    location: str
    latitude: Decimal | None
    longitude: Decimal | None
    opens_at: dt.time | None = Field(..., description="Null with closes_at: always open")
    closes_at: dt.time | None
    active: bool


class CheckpointPage(Schema):
    items: list[CheckpointOut]
    next_cursor: int | None


class CheckpointIn(Schema):
    area_code: str = Field(..., pattern=r"^[0-9]{12}([0-9]{3})?$", description="The community or a grid")
    name: str = Field(..., min_length=1, pattern=NO_NUL, max_length=100)
    kind: Literal["pedestrian", "vehicle", "both"] = "both"
    location: str = Field("", pattern=NO_NUL, max_length=200)
    latitude: Decimal | None = Field(None, ge=-90, le=90, max_digits=9, decimal_places=6)
    longitude: Decimal | None = Field(None, ge=-180, le=180, max_digits=9, decimal_places=6)
    opens_at: dt.time | None = None
    closes_at: dt.time | None = None


class PassOut(Schema):
    id: int
    area_code: str
    household_id: int
    household_room: str
    resident_id: int | None
    holder_name: str = Field(..., description="The resident's name; empty for a household pass")
    issued_at: dt.datetime
    expires_at: dt.datetime
    revoked_at: dt.datetime | None
    revoke_reason: str
    token: str = Field(..., description="The QR content: FX1.<public id>.<expiry>.<signature>, no personal data")


class PassIssueIn(Schema):
    household_id: int = ID
    resident_id: int | None = OPTIONAL_ID
    days: int = Field(30, ge=1, le=366)


class PassRevokeIn(Schema):
    reason: str = Field(..., min_length=2, pattern=NO_NUL, max_length=200)


class PassVerifyIn(Schema):
    token: str = Field(..., min_length=1, pattern=NO_NUL, max_length=200)


class ScanSummaryOut(Schema):
    kind: str
    name: str = Field(..., description="Masked: the first character and stars")
    room: str
    plate: str = ""
    visitor_status: str = ""


class PassVerifyOut(Schema):
    ok: bool
    reason: str
    reason_label: str
    summary: ScanSummaryOut | None


class ScanIn(Schema):
    checkpoint_id: int = ID
    direction: Literal["in", "out"]
    idempotency_key: uuid.UUID = Field(..., description="Made by the device; the same key is recorded once")
    at: dt.datetime | None = Field(None, description="When the scan happened (offline scans); default now")
    token: str = Field("", pattern=NO_NUL, max_length=200, description="The scanned QR content")
    resident_id: int | None = OPTIONAL_ID
    household_id: int | None = OPTIONAL_ID
    visitor_id: int | None = OPTIONAL_ID
    plate: str = Field("", pattern=NO_NUL, max_length=20)
    temperature: float | None = Field(None, ge=30, le=45, description="°C, one decimal")


class ScanBatchIn(Schema):
    scans: list[ScanIn] = Field(..., max_length=500)


class ScanErrorOut(Schema):
    code: str
    message: str
    field: str | None = None


class ScanOut(Schema):
    idempotency_key: str
    id: int | None
    created: bool = Field(..., description="False when the key was recorded before (a repeated upload)")
    verdict: str
    reason: str
    reason_label: str
    at: dt.datetime | None
    temperature: Decimal | None
    summary: ScanSummaryOut | None
    error: ScanErrorOut | None = None


class ScanBatchOut(Schema):
    created: int
    repeated: int
    failed: int
    results: list[ScanOut]


class VisitorOut(Schema):
    id: int
    area_code: str
    checkpoint_id: int
    name: str
    phone: str = Field(..., description="Masked")
    id_number: str = Field(..., description="Masked")
    purpose: str
    origin: str
    host_household_id: int | None
    status: str
    expected_at: dt.datetime | None
    created_at: dt.datetime
    decided_at: dt.datetime | None


class VisitorPage(Schema):
    items: list[VisitorOut]
    next_cursor: int | None


class VisitorIn(Schema):
    checkpoint_id: int = ID
    name: str = Field(..., min_length=1, pattern=NO_NUL, max_length=50)
    phone: str = Field("", pattern=NO_NUL, max_length=30)
    id_number: str = Field("", pattern=NO_NUL, max_length=30)
    purpose: str = Field(..., min_length=1, pattern=NO_NUL, max_length=200)
    origin: str = Field("", pattern=NO_NUL, max_length=100)
    host_household_id: int | None = OPTIONAL_ID
    expected_at: dt.datetime | None = None


class DeliveryIn(Schema):
    checkpoint_id: int = ID
    kind: Literal["express", "takeaway"]
    household_id: int | None = OPTIONAL_ID
    note: str = Field("", pattern=NO_NUL, max_length=200)


class DeliveryOut(Schema):
    id: int
    checkpoint_id: int
    kind: str
    at: dt.datetime
    household_id: int | None
    note: str


class VehicleIn(Schema):
    household_id: int = ID
    plate: str = Field(..., min_length=1, pattern=NO_NUL, max_length=20)
    note: str = Field("", pattern=NO_NUL, max_length=200)


class VehicleOut(Schema):
    id: int
    household_id: int
    plate: str
    note: str


class GuardShiftOut(Schema):
    id: int
    area_code: str
    checkpoint_id: int
    checkpoint_name: str
    guard_id: int
    guard_name: str
    starts_at: dt.datetime
    ends_at: dt.datetime


class GuardShiftPage(Schema):
    items: list[GuardShiftOut]
    next_cursor: int | None


class GuardShiftIn(Schema):
    checkpoint_id: int = ID
    guard_id: int = ID
    starts_at: dt.datetime
    ends_at: dt.datetime


class GatePolicyOut(Schema):
    id: int
    area_code: str
    level: int
    residents_only: bool
    quota_persons: int
    quota_days: int
    hours_from: dt.time | None
    hours_to: dt.time | None
    visitors_need_host_approval: bool
    vehicles_by_plate_list: bool
    fever_celsius: Decimal
    notice: str


class GatePolicyPage(Schema):
    items: list[GatePolicyOut]
    next_cursor: int | None


class GatePolicyIn(Schema):
    """A community's policy for one emergency level; fields left out keep their value (or default)."""

    community_code: str = Field(..., pattern=r"^[0-9]{12}$")
    level: int = Field(..., ge=1, le=4)
    residents_only: bool | None = None
    quota_persons: int | None = Field(None, ge=0, le=99)
    quota_days: int | None = Field(None, ge=1, le=30)
    hours_from: dt.time | None = None
    hours_to: dt.time | None = None
    visitors_need_host_approval: bool | None = None
    vehicles_by_plate_list: bool | None = None
    fever_celsius: Decimal | None = Field(None, ge=35, le=42, max_digits=3, decimal_places=1)
    notice: str | None = Field(None, pattern=NO_NUL, max_length=200)
