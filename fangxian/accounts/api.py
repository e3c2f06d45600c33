"""Who am I, and my API tokens."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status

from fangxian.accounts.models import ApiToken, RoleAssignment
from fangxian.accounts.services import api_token_create, api_token_revoke
from fangxian.core.api import api_actor, require, scope_exempt, scope_list
from fangxian.core.errors import NotFound

router = Router(tags=["accounts"])


class GrantOut(Schema):
    role: str
    role_name: str
    area_code: str
    household_id: int | None
    assignment_id: int | None


class MeOut(Schema):
    username: str | None
    display_name: str
    grants: list[GrantOut]
    jurisdiction: list[str]
    via_token: bool


class TokenOut(Schema):
    id: int
    name: str
    prefix: str
    assignment_id: int
    area_code: str
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class TokenIn(Schema):
    name: str
    assignment_id: int
    expires_at: dt.datetime | None = None


class TokenCreatedOut(TokenOut):
    token: str


@router.get("/me", response=MeOut, openapi_extra=scope_exempt("the caller's own identity and grants"))
def me(request: HttpRequest):
    actor = api_actor(request)
    return {
        "username": actor.user.username if actor.user else None,
        "display_name": str(actor.user) if actor.user else "",
        "grants": [
            {"role": g.role, "role_name": g.role_label, "area_code": g.area_code, "household_id": g.household_id,
             "assignment_id": g.assignment_id}
            for g in actor.grants
        ],
        "jurisdiction": list(actor.area_prefixes),
        "via_token": isinstance(getattr(request, "auth", None), type(actor)) and request.headers.get(
            "Authorization", "").startswith("Bearer "),
    }


@router.get("/tokens", response=list[TokenOut], openapi_extra=scope_list("accounts.ApiToken", own="user"))
def token_list(request: HttpRequest):
    actor = api_actor(request)
    require(actor, "token.manage")
    return list(ApiToken.objects.visible_to(actor).filter(user=actor.user).order_by("-created_at"))


@router.post("/tokens", response={201: TokenCreatedOut})
def token_create(request: HttpRequest, payload: TokenIn):
    actor = api_actor(request)
    require(actor, "token.manage")
    assignment = RoleAssignment.objects.filter(pk=payload.assignment_id, user=actor.user, active=True).first()
    if assignment is None or assignment.pk not in {g.assignment_id for g in actor.grants}:
        raise NotFound("Not found.")
    token, secret = api_token_create(actor=actor, assignment=assignment, name=payload.name,
                                     expires_at=payload.expires_at)
    token.token = secret
    return Status(201, token)


@router.delete("/tokens/{token_id}", response={204: None})
def token_revoke(request: HttpRequest, token_id: int):
    actor = api_actor(request)
    token = ApiToken.objects.get_visible(actor, pk=token_id, user=actor.user)
    api_token_revoke(actor=actor, token=token)
    return Status(204, None)
