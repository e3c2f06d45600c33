"""Command app API: directives (list, one directive, send, acknowledge, report, remind, compliance, roll-up).

Mounted at /api/v1/command/directives/. Sending takes JSON (files go with the page's form); the
community answers with acknowledge and report.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status
from ninja.errors import HttpError

from fangxian.command.models import Directive
from fangxian.command.selectors.directives import (
    directive_attachments,
    directive_compliance,
    directive_compliance_totals,
    directive_copy_for,
    directive_list,
    directive_received,
    directive_rollup,
    directive_rollup_area,
)
from fangxian.command.services.directives import (
    directive_acknowledge,
    directive_remind,
    directive_report,
    directive_send,
)
from fangxian.core.api import StoredFileOut, api_actor, require, scope_detail, scope_list
from fangxian.core.errors import NotFound

router = Router(tags=["directives"])
MAX_LIMIT = 200
AREA_CODE_PATTERN = r"^[0-9]{2,15}$"
DirectiveIdPath = Path(..., ge=1, le=2**62, description="The directive's id")


class CopyOut(Schema):
    """A community's copy of a directive: its acknowledgement, report and reminders."""

    id: int
    directive_id: int
    community_code: str
    acknowledged_at: dt.datetime | None
    reported_at: dt.datetime | None
    report: str
    reminder_count: int
    reminded_at: dt.datetime | None

    @staticmethod
    def resolve_community_code(obj: Any) -> str:
        return obj.area_code


class TotalsOut(Schema):
    total: int
    complied: int
    overdue: int


class DirectiveOut(Schema):
    id: int
    title: str
    area_code: str
    deadline: dt.datetime
    report_required: bool
    sent_at: dt.datetime
    emergency_id: int | None
    totals: TotalsOut | None = None
    my_copy: CopyOut | None = None


class DirectivePage(Schema):
    items: list[DirectiveOut]
    next_cursor: int | None


class AttachmentOut(StoredFileOut):
    @staticmethod
    def resolve_url(obj: Any) -> str:
        return reverse("command:directive_attachment", kwargs={"pk": obj.pk})


class ComplianceRowOut(Schema):
    community_code: str
    name: str
    acknowledged_at: dt.datetime | None
    reported_at: dt.datetime | None
    report: str
    complied: bool
    overdue: bool
    late: bool
    reminder_count: int
    reminded_at: dt.datetime | None


class ComplianceOut(Schema):
    directive_id: int
    total: int
    acknowledged: int
    reported: int
    complied: int
    overdue: int
    laggards: int
    label: str
    rows: list[ComplianceRowOut]


class DirectiveDetailOut(DirectiveOut):
    body: str
    attachments: list[AttachmentOut]
    compliance: ComplianceOut


class ReceivedPage(Schema):
    items: list[CopyOut]
    next_cursor: int | None


class RollupRowOut(Schema):
    code: str
    name: str
    directives: int
    copies: int
    acknowledged: int
    complied: int
    overdue: int
    pending: int


class RollupOut(Schema):
    area_code: str
    rows: list[RollupRowOut]
    totals: dict[str, int]


class DirectiveSendIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    body: str = Field(..., min_length=1, max_length=20000)
    deadline: dt.datetime
    report_required: bool = True
    community_codes: list[Annotated[str, Field(max_length=12)]] = Field(
        ..., min_length=1, max_length=10000, description='Community codes (12 digits), or ["all"]'
    )
    area_code: str | None = Field(None, pattern=AREA_CODE_PATTERN, description="The office it is sent from")
    emergency_id: int | None = Field(None, ge=1, le=2**62)


class AnswerIn(Schema):
    community_code: str | None = Field(None, pattern=r"^[0-9]{12}$")


class ReportIn(AnswerIn):
    text: str = Field("", max_length=20000)


class RemindOut(Schema):
    reminded: int


def _compliance(actor: Any, directive: Directive) -> dict[str, Any]:
    data = directive_compliance(actor=actor, directive=directive)
    rows = [{**{k: v for k, v in row.items() if k != "copy"}, "community_code": row["code"]} for row in data["rows"]]
    return {**data, "rows": rows, "directive_id": directive.pk}


def _load(request: HttpRequest, directive_id: int) -> Directive:
    actor = api_actor(request)
    require(actor, "directive.view")
    directive = Directive.objects.visible_to(actor).filter(pk=directive_id).first()
    if directive is None:
        raise NotFound(_("Not found."))
    return directive


def _detail(request: HttpRequest, directive: Directive) -> dict[str, Any]:
    actor = api_actor(request)
    compliance = _compliance(actor, directive)
    return {
        **{f: getattr(directive, f) for f in ("id", "title", "area_code", "deadline", "report_required", "sent_at")},
        "emergency_id": directive.emergency_id,
        "body": directive.body,
        "totals": {k: compliance[k] for k in ("total", "complied", "overdue")},
        "my_copy": directive_copy_for(actor=actor, directive=directive),
        "attachments": list(directive_attachments(actor=actor, directive=directive)),
        "compliance": compliance,
    }


@router.get(
    "/",
    response=DirectivePage,
    openapi_extra=scope_list("command.Directive"),
    summary="Directives I see, newest first: sent from my office, or to my community",
)
def directive_list_read(
    request: HttpRequest,
    box: Literal["all", "sent", "received"] = "all",
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "directive.view")
    directives = directive_list(actor=actor, box=box).order_by("-pk")
    if after:
        directives = directives.filter(pk__lt=after)
    items = list(directives[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    totals = directive_compliance_totals(actor=actor, directive_ids=[d.pk for d in items])
    for directive in items:
        directive.totals = totals.get(directive.pk)
        directive.my_copy = directive_copy_for(actor=actor, directive=directive)
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/received",
    response=ReceivedPage,
    openapi_extra=scope_list("command.DirectiveRecipient"),
    summary="My communities' copies of directives (their acknowledgements and reports), newest first",
)
def directive_received_read(
    request: HttpRequest,
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "directive.view")
    copies = directive_received(actor=actor).order_by("-pk")
    if after:
        copies = copies.filter(pk__lt=after)
    items = list(copies[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/rollup",
    response=RollupOut,
    openapi_extra=scope_list("command.DirectiveRecipient"),
    summary="Compliance per child area (communities of a street, streets of a district, districts of a city)",
)
def directive_rollup_read(request: HttpRequest, area_code: str | None = Query(None, pattern=AREA_CODE_PATTERN)):
    actor = api_actor(request)
    require(actor, "directive.view")
    code = area_code or directive_rollup_area(actor=actor) or actor.primary_area_code
    if not code:
        return {"area_code": "", "rows": [], "totals": {}}
    if len(code) not in (2, 4, 6, 9, 12, 15):
        raise HttpError(422, _("Not an area code."))
    return directive_rollup(actor=actor, area_code=code)


@router.get(
    "/{directive_id}",
    response=DirectiveDetailOut,
    openapi_extra=scope_detail("command.Directive", "pk", "directive_id"),
    summary="One directive with its files and the compliance of the communities I see",
)
def directive_detail_read(request: HttpRequest, directive_id: int = DirectiveIdPath):
    return _detail(request, _load(request, directive_id))


@router.get(
    "/{directive_id}/compliance",
    response=ComplianceOut,
    openapi_extra=scope_detail("command.Directive", "pk", "directive_id"),
    summary="Compliance per community: acknowledged, reported, overdue, and the total (k/n complied)",
)
def directive_compliance_read(request: HttpRequest, directive_id: int = DirectiveIdPath):
    directive = _load(request, directive_id)
    return _compliance(api_actor(request), directive)


@router.post("/", response={201: DirectiveDetailOut}, summary="Send a directive to communities below my office")
def directive_send_endpoint(request: HttpRequest, payload: DirectiveSendIn):
    actor = api_actor(request)
    require(actor, "directive.send")
    codes: Any = payload.community_codes
    if any(code.strip().lower() == "all" for code in codes):
        codes = "all"
    directive = directive_send(
        actor=actor,
        title=payload.title,
        body=payload.body,
        deadline=payload.deadline,
        report_required=payload.report_required,
        community_codes=codes,
        area_code=payload.area_code,
        emergency=payload.emergency_id,
    )
    return Status(201, _detail(request, _load(request, directive.pk)))


@router.post("/{directive_id}/acknowledge", response=CopyOut, summary="My community acknowledges the directive")
def directive_acknowledge_endpoint(request: HttpRequest, payload: AnswerIn, directive_id: int = DirectiveIdPath):
    actor = api_actor(request)
    require(actor, "directive.respond")
    directive = _load(request, directive_id)
    return directive_acknowledge(actor=actor, directive=directive, community_code=payload.community_code)


@router.post("/{directive_id}/report", response=CopyOut, summary="My community reports what it did")
def directive_report_endpoint(request: HttpRequest, payload: ReportIn, directive_id: int = DirectiveIdPath):
    actor = api_actor(request)
    require(actor, "directive.respond")
    directive = _load(request, directive_id)
    return directive_report(actor=actor, directive=directive, text=payload.text, community_code=payload.community_code)


@router.post("/{directive_id}/remind", response=RemindOut, summary="Remind every community that has not complied")
def directive_remind_endpoint(request: HttpRequest, directive_id: int = DirectiveIdPath):
    actor = api_actor(request)
    require(actor, "directive.send")
    directive = _load(request, directive_id)
    return {"reminded": directive_remind(actor=actor, directive=directive)}
