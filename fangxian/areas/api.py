"""Areas in the API: the tree, a subtree, one area. Cursor pages keyed by code."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Path, Query, Router, Schema
from ninja.errors import HttpError

from fangxian.areas.models import Area
from fangxian.areas.schemas import AreaDetailOut, AreaPage, AreaTreeNode
from fangxian.areas.selectors import area_subtree_counts
from fangxian.core.api import api_actor, require, scope_detail, scope_list
from fangxian.core.areacode import AREA_CODE_RE

router = Router(tags=["areas"])
MAX_LIMIT = 500
MAX_TREE_NODES = 5000
AreaCodePath = Path(..., pattern=r"^[0-9]{2,15}$", description="A division code (2 to 15 digits)")


class PageParams(Schema):
    after: str | None = None
    limit: int = 100


def _page(queryset, params: PageParams) -> dict:
    if params.limit < 1 or params.limit > MAX_LIMIT:
        raise HttpError(422, f"limit must be between 1 and {MAX_LIMIT}")
    if params.after:
        if not AREA_CODE_RE.match(params.after):
            raise HttpError(422, "after must be an area code")
        queryset = queryset.filter(code__gt=params.after)
    items = list(queryset.order_by("code")[: params.limit + 1])
    more = len(items) > params.limit
    items = items[: params.limit]
    return {"items": items, "next_cursor": items[-1].code if more and items else None}


@router.get(
    "/",
    response=AreaPage,
    openapi_extra=scope_list("areas.Area"),
    summary="Top areas of my jurisdiction, or the children of `parent`",
)
def area_list(
    request: HttpRequest, parent: str | None = Query(None, pattern=r"^[0-9]{2,15}$"), params: Query[PageParams] = None
):
    actor = api_actor(request)
    require(actor, "area.view")
    areas = Area.objects.visible_to(actor)
    areas = areas.filter(parent_id=parent) if parent else areas.filter(code__in=actor.area_prefixes)
    return _page(areas, params or PageParams())


@router.get("/{code}", response=AreaDetailOut, openapi_extra=scope_detail("areas.Area", "code", "code"))
def area_detail(request: HttpRequest, code: str = AreaCodePath):
    actor = api_actor(request)
    require(actor, "area.view")
    area = Area.objects.get_visible(actor, code=code)
    area.counts = area_subtree_counts(actor=actor, code=area.code)
    return area


@router.get(
    "/{code}/subtree",
    response=AreaPage,
    openapi_extra=scope_detail("areas.Area", "code", "code"),
    summary="Every area below `code`, in code order, a page at a time",
)
def area_subtree(request: HttpRequest, code: str = AreaCodePath, params: Query[PageParams] = None):
    actor = api_actor(request)
    require(actor, "area.view")
    root = Area.objects.get_visible(actor, code=code)
    return _page(Area.objects.visible_to(actor).within(root.code).exclude(code=root.code), params or PageParams())


@router.get(
    "/{code}/tree",
    response=AreaTreeNode,
    openapi_extra=scope_detail("areas.Area", "code", "code"),
    summary="The nested tree below `code`, `depth` levels deep",
)
def area_tree(request: HttpRequest, code: str = AreaCodePath, depth: int = 2):
    from fangxian.core.areacode import LEVEL_LENGTHS

    actor = api_actor(request)
    require(actor, "area.view")
    if not 1 <= depth <= 5:
        raise HttpError(422, "depth must be between 1 and 5")
    root = Area.objects.get_visible(actor, code=code)
    index = LEVEL_LENGTHS.index(len(root.code))
    lengths = LEVEL_LENGTHS[index + 1 : index + 1 + depth]
    nodes = list(
        Area.objects.visible_to(actor)
        .within(root.code)
        .filter(level__in=lengths)
        .order_by("code")
        .values("code", "name", "level", "parent_id")[: MAX_TREE_NODES + 1]
    )
    if len(nodes) > MAX_TREE_NODES:
        raise HttpError(422, f"more than {MAX_TREE_NODES} areas: ask for less depth or use /subtree")
    by_code = {root.code: {"code": root.code, "name": root.name, "level": root.level, "children": []}}
    for node in nodes:
        by_code[node["code"]] = {"code": node["code"], "name": node["name"], "level": node["level"], "children": []}
        parent = by_code.get(node["parent_id"])
        if parent is not None:
            parent["children"].append(by_code[node["code"]])
    return by_code[root.code]
