"""The columns an import knows, the header variants communities use, and finding the header row."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy as _

# field key -> (label, header variants after `header_key`). The template uses the first variant.
FIELDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "name": (_("Full name"), ("姓名", "名字", "居民姓名", "name", "fullname")),
    "id_number": (_("ID card number"), ("身份证号", "身份证号码", "证件号码", "公民身份号码", "身份证", "idnumber")),
    "document_type": (_("Document type"), ("证件类型", "证件种类", "documenttype")),
    "phone": (_("Phone"), ("联系电话", "手机号", "联系方式", "手机号码", "电话", "phone")),
    "sex": (_("Sex"), ("性别", "sex")),
    "birth_date": (_("Birth date"), ("出生日期", "出生年月", "生日", "birthdate")),
    "building": (_("Building"), ("楼号", "楼栋", "楼栋号", "楼", "building")),
    "unit": (_("Unit"), ("单元", "单元号", "unit")),
    "room": (_("Room"), ("房号", "门牌号", "房间号", "室", "room")),
    "estate": (_("Estate"), ("小区", "小区名称", "estate")),
    "address": (_("Address"), ("住址", "现住址", "居住地址", "地址", "address")),
    "relation": (_("Relation to head"), ("与户主关系", "关系", "relation")),
    "residence_type": (_("Residence type"), ("人口类型", "居住类型", "户籍类型", "residencetype")),
    "employer": (_("Employer or school"), ("工作单位", "工作单位或学校", "单位", "学校", "employer")),
    "notes": (_("Notes"), ("备注", "notes")),
    "needs": (
        _("Needs (vulnerable groups)"),
        ("特殊人群", "重点人群", "人群类别", "弱势群体", "关爱对象类型", "人员类别", "needs"),
    ),
    "grid_code": (_("Grid code"), ("网格编码", "网格代码", "gridcode")),
}
REQUIRED = ("name",)


def header_key(value: Any) -> str:
    """A header cell compared loosely: full-width folded, spaces, stars and bracketed hints dropped."""
    text = unicodedata.normalize("NFKC", str(value or "")).lower()
    text = re.sub(r"[(\[（【].*?[)\]）】]", "", text)
    return re.sub(r"[\s*_:：\-]", "", text)


VARIANTS: dict[str, str] = {header_key(v): key for key, (_label, variants) in FIELDS.items() for v in variants}


def recognise(cell: Any) -> str | None:
    return VARIANTS.get(header_key(cell))


def find_header(rows: list[list[Any]], scan: int = 15) -> tuple[int, dict[int, str]]:
    """The index of the header row (a merged title above it is skipped) and its guessed mapping."""
    best_index, best_mapping = 0, {}
    for index, row in enumerate(rows[:scan]):
        mapping = guess_mapping(row)
        if len(mapping) > len(best_mapping):
            best_index, best_mapping = index, mapping
    return best_index, best_mapping


def guess_mapping(header: list[Any]) -> dict[int, str]:
    mapping: dict[int, str] = {}
    used: set[str] = set()
    for column, cell in enumerate(header):
        key = recognise(cell)
        if key and key not in used:
            mapping[column] = key
            used.add(key)
    return mapping


def field_choices() -> list[tuple[str, Any]]:
    return [("", _("(ignore this column)"))] + [(key, label) for key, (label, _v) in FIELDS.items()]
