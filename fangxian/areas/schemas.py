from __future__ import annotations

from typing import Any

from ninja import Schema


class AreaOut(Schema):
    code: str
    name: str
    level: int
    level_name: str
    parent_code: str | None

    @staticmethod
    def resolve_level_name(obj: Any) -> str:
        return str(obj.get_level_display())

    @staticmethod
    def resolve_parent_code(obj: Any) -> str | None:
        return obj.parent_id


class AreaPage(Schema):
    items: list[AreaOut]
    next_cursor: str | None


class CountsOut(Schema):
    counts: dict[str, Any]


class AreaDetailOut(AreaOut):
    geometry: dict[str, Any] | None = None
    counts: dict[str, Any]


class AreaTreeNode(Schema):
    code: str
    name: str
    level: int
    children: list[AreaTreeNode] = []


AreaTreeNode.model_rebuild()
