"""Health API: contact tracing, `GET /api/v1/health/tracing/{resident_id}?start=&end=&minutes=`.

The same selector as the page (`contacts_trace`): capability `tracing.run`, 404 for a person outside
the jurisdiction, contacts only within the caller's personal-data reach, numbers masked. The person
is a path parameter so that the trace is a detail read of `registry.Resident` that the jurisdiction
leak test exercises with a sibling's residents. A window without a time zone is read in local time
(`TIME_ZONE`); no window means the last 14 days.
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Path, Query, Router, Schema

from fangxian.core.api import api_actor, require, scope_detail
from fangxian.health.selectors.tracing import (
    MINUTES_DEFAULT,
    MINUTES_MAX,
    MINUTES_MIN,
    WINDOW_DEFAULT_DAYS,
    Contact,
    Reason,
    Trace,
    TracingError,
    contacts_trace,
    tracing_default_window,
)

router = Router(tags=["health"])
START_QUERY = Query(None, description="Start of the window (default: 14 days before the end)")
END_QUERY = Query(None, description="End of the window (default: now); at most 28 days long")


class ReasonOut(Schema):
    code: str
    label: str
    checkpoint: str = ""
    at: dt.datetime | None = None
    person_at: dt.datetime | None = None
    gap_minutes: float | None = None
    uncertain: bool = False


class ContactOut(Schema):
    kind: str
    id: int
    grade: str
    name: str
    area_code: str
    address: str
    id_masked: str
    phone_masked: str
    uncertain: bool
    closest_minutes: float | None
    meetings: int
    reasons: list[ReasonOut]


class PersonOut(Schema):
    id: int
    name: str
    area_code: str
    address: str


class ScanOut(Schema):
    checkpoint_id: int
    checkpoint: str
    at: dt.datetime
    direction: str
    uncertain: bool


class TraceOut(Schema):
    person: PersonOut
    start: dt.datetime
    end: dt.datetime
    minutes: int
    counts: dict[str, int]
    outside: int
    truncated: bool
    scans: list[ScanOut]
    contacts: list[ContactOut]


def _reason(reason: Reason) -> dict:
    return {
        "code": reason.code,
        "label": reason.label(),
        "checkpoint": reason.checkpoint,
        "at": reason.at,
        "person_at": reason.person_at,
        "gap_minutes": reason.gap_minutes,
        "uncertain": reason.uncertain,
    }


def _contact(contact: Contact) -> dict:
    gap = contact.closest_gap_seconds
    return {
        "kind": contact.kind,
        "id": contact.pk,
        "grade": contact.grade,
        "name": contact.name,
        "area_code": contact.area_code,
        "address": contact.address,
        "id_masked": contact.id_masked,
        "phone_masked": contact.phone_masked,
        "uncertain": contact.uncertain,
        "closest_minutes": None if gap is None else round(gap / 60, 1),
        "meetings": contact.meetings,
        "reasons": [_reason(r) for r in contact.reasons],
    }


def _trace(trace: Trace) -> dict:
    person = trace.person
    return {
        "person": {
            "id": person.pk,
            "name": person.name,
            "area_code": person.area_code,
            "address": person.household.address,
        },
        "start": trace.start,
        "end": trace.end,
        "minutes": trace.minutes,
        "counts": trace.counts(),
        "outside": trace.outside,
        "truncated": trace.truncated,
        "scans": [vars(scan) for scan in trace.scans],
        "contacts": [_contact(c) for c in trace.contacts],
    }


def _aware(value: dt.datetime | None) -> dt.datetime | None:
    if value is None or timezone.is_aware(value):
        return value
    try:
        return timezone.make_aware(value)
    except (ValueError, OverflowError):
        return value  # the window check refuses it with a clear message


@router.get(
    "/tracing/{resident_id}",
    response=TraceOut,
    openapi_extra=scope_detail("registry.Resident", "pk", "resident_id"),
    summary="Contacts of a person in a window, graded A/B/C (capability tracing.run)",
)
def tracing(
    request: HttpRequest,
    resident_id: int = Path(..., ge=1, le=2**62, description="The traced person's resident id"),
    start: dt.datetime | None = START_QUERY,
    end: dt.datetime | None = END_QUERY,
    minutes: int = Query(MINUTES_DEFAULT, ge=MINUTES_MIN, le=MINUTES_MAX, description="± minutes at the same gate"),
):
    actor = api_actor(request)
    require(actor, "tracing.run")
    start, end = _aware(start), _aware(end)
    if start is None or end is None:
        default_start, default_end = tracing_default_window()
        try:
            if end is None:
                end = default_end if start is None else min(default_end, start + dt.timedelta(days=WINDOW_DEFAULT_DAYS))
            if start is None:
                start = end - dt.timedelta(days=WINDOW_DEFAULT_DAYS)
        except OverflowError:
            raise TracingError(_("Give the window's start and end."), code="tracing_window_invalid") from None
    trace = contacts_trace(actor=actor, resident_id=resident_id, start=start, end=end, minutes=minutes)
    return _trace(trace)
