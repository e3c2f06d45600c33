"""Registry API: party members reporting home (mounted at /api/v1/registry/party/)."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Path, Query, Router, Schema, Status

from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.core.errors import NotFound
from fangxian.registry import capabilities_care  # noqa: F401  (party.* capabilities)
from fangxian.registry.models.party import PartyMember
from fangxian.registry.selectors.party import party_member_list
from fangxian.registry.services.party import party_member_assign_task, party_member_register, party_member_update

router = Router(tags=["registry-party"])
MAX_LIMIT = 200
IdPath = Path(..., ge=1, le=2**62)


class PartyMemberOut(Schema):
    id: int
    area_code: str
    name: str
    resident_id: int | None
    user_id: int | None
    branch: str
    employer: str
    availability: str
    skills: str
    status: str
    registered_on: dt.date


class PartyMemberPage(Schema):
    items: list[PartyMemberOut]
    next_cursor: int | None


class PartyMemberIn(Schema):
    name: str = Field("", max_length=50)
    area_code: str = Field("", max_length=15, pattern=r"^[0-9]*$")
    resident_id: int | None = Field(None, ge=1, le=2**62)
    user_id: int | None = Field(None, ge=1, le=2**62)
    branch: str = Field(..., min_length=1, max_length=100)
    employer: str = Field("", max_length=100)
    availability: str = Field("", max_length=10)
    skills: str = Field("", max_length=200)


class PartyMemberPatch(Schema):
    status: str | None = Field(None, max_length=12)
    availability: str | None = Field(None, max_length=10)
    skills: str | None = Field(None, max_length=200)


class PartyTaskIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    due_at: dt.datetime | None = None
    description: str = Field("", max_length=2000)


class TaskRefOut(Schema):
    id: int
    title: str
    source_ref: str
    status: str


@router.get(
    "/members",
    response=PartyMemberPage,
    openapi_extra=scope_list("registry.PartyMember"),
    summary="Party members registered in my jurisdiction",
)
def party_members(
    request: HttpRequest,
    status: str = Query("", max_length=12),
    q: str = Query("", max_length=50),
    after: int | None = Query(None, ge=1, le=2**62),
    limit: int = Query(50, ge=1, le=MAX_LIMIT),
):
    actor = api_actor(request)
    require(actor, "party.view")
    members = party_member_list(actor=actor, status=status, query=q).order_by("pk")
    if after:
        members = members.filter(pk__gt=after)
    items = list(members[: limit + 1])
    more = len(items) > limit
    items = items[:limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/members/{member_id}",
    response=PartyMemberOut,
    openapi_extra=scope_detail("registry.PartyMember", lookup="pk", param="member_id"),
    summary="One party member",
)
def party_member_read(request: HttpRequest, member_id: int = IdPath):
    actor = api_actor(request)
    require(actor, "party.view")
    member = PartyMember.objects.visible_to(actor).filter(pk=member_id).first()
    if member is None:
        raise NotFound(_("Not found."))
    return member


@router.post("/members", response={201: PartyMemberOut}, summary="Register a party member with the community")
def party_member_add(request: HttpRequest, payload: PartyMemberIn):
    actor = api_actor(request)
    member = party_member_register(
        actor=actor,
        name=payload.name,
        area_code=payload.area_code,
        resident=payload.resident_id,
        user=payload.user_id,
        branch=payload.branch,
        employer=payload.employer,
        availability=payload.availability,
        skills=payload.skills,
    )
    return Status(201, member)


@router.patch("/members/{member_id}", response=PartyMemberOut, summary="Change status, availability or skills")
def party_member_patch(request: HttpRequest, payload: PartyMemberPatch, member_id: int = IdPath):
    actor = api_actor(request)
    return party_member_update(actor=actor, member=member_id, **payload.dict(exclude_none=True))


@router.post(
    "/members/{member_id}/tasks",
    response={201: TaskRefOut},
    summary="Give a party member a task (it lands in their command inbox)",
)
def party_member_task(request: HttpRequest, payload: PartyTaskIn, member_id: int = IdPath):
    actor = api_actor(request)
    task = party_member_assign_task(
        actor=actor, member=member_id, title=payload.title, due_at=payload.due_at, description=payload.description
    )
    return Status(201, task)
