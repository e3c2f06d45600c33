"""Command app API: the command group (members list and detail; phones masked)."""

from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from fangxian.command.models import CommandGroupMember
from fangxian.command.selectors.group import group_member_get, group_member_list
from fangxian.core.api import api_actor, require, scope_detail, scope_list

router = Router(tags=["command group"])
MAX_LIMIT = 500
MAX_ID = 9_223_372_036_854_775_807


class MemberOut(Schema):
    id: int
    area_code: str
    name: str
    user_id: int | None
    organisation: str
    organisation_kind: str
    duty: str
    duty_name: str
    phone_masked: str
    order: int
    active: bool

    @staticmethod
    def resolve_duty_name(obj: CommandGroupMember) -> str:
        return obj.duty_display


class MemberPage(Schema):
    items: list[MemberOut]
    next_cursor: int | None


class ListParams(Schema):
    area_code: Annotated[str | None, Field(pattern=r"^[0-9]{2,15}$")] = None
    duty: str | None = Field(None, max_length=16)
    include_inactive: bool = False
    after: int | None = Field(None, ge=0, le=MAX_ID)
    limit: int = Field(100, ge=1, le=MAX_LIMIT)


@router.get(
    "/",
    response=MemberPage,
    openapi_extra=scope_list("command.CommandGroupMember"),
    summary="Command group members of my communities (phones masked)",
)
def member_list_api(request: HttpRequest, params: Query[ListParams]):
    actor = api_actor(request)
    require(actor, "group.view")
    members = group_member_list(
        actor=actor, area_code=params.area_code or "", duty=params.duty or "", include_inactive=params.include_inactive
    ).order_by("pk")
    if params.after:
        members = members.filter(pk__gt=params.after)
    items = list(members[: params.limit + 1])
    more = len(items) > params.limit
    items = items[: params.limit]
    return {"items": items, "next_cursor": items[-1].pk if more and items else None}


@router.get(
    "/{member_id}", response=MemberOut, openapi_extra=scope_detail("command.CommandGroupMember", "pk", "member_id")
)
def member_detail_api(request: HttpRequest, member_id: int = Path(..., ge=1, le=MAX_ID)):
    actor = api_actor(request)
    require(actor, "group.view")
    return group_member_get(actor=actor, member_id=member_id)
