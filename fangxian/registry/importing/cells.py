"""Normalising messy cells: full-width characters, spaces in numbers, Excel floats and serial dates."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from fangxian.core import idcard, personal

EXCEL_EPOCH = dt.date(1899, 12, 30)
SCIENTIFIC_RE = re.compile(r"^\d+(\.\d+)?E\+?\d+$", re.IGNORECASE)
TOTAL_WORDS = ("合计", "总计", "小计", "total")


def text(value: Any) -> str:
    """A cell as clean text: full-width folded, outer spaces stripped, inner runs of spaces collapsed."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        if value.isascii() and value.isalnum():
            return value
    elif isinstance(value, float) and value.is_integer():
        value = str(int(value))
    elif isinstance(value, dt.datetime):
        value = str(value.date())
    else:
        value = str(value)
    # The quick check skips the normalisation of text that is already normal: most cells are.
    if not unicodedata.is_normalized("NFKC", value):
        value = unicodedata.normalize("NFKC", value)
    # str.split() splits on exactly the characters regular expressions call \s, and drops the ends.
    return " ".join(value.split())


def is_blank(row: list[Any]) -> bool:
    return all(cell is None or cell == "" or (isinstance(cell, str) and text(cell) == "") for cell in row)


def is_total(row: list[Any]) -> bool:
    return any(
        isinstance(cell, str) and text(cell).replace(" ", "").lower().startswith(TOTAL_WORDS) for cell in row[:3]
    )


def id_number(value: Any) -> str:
    return id_card(value).number


def id_card(value: Any) -> idcard.IdCardInfo:
    """The 18-character ID number, or ValidationError; a number Excel turned into a float is refused."""
    if isinstance(value, float) and (not value.is_integer() or abs(value) >= 1e15):
        raise ValidationError(
            _(
                "Excel has turned this ID number into a number and lost its last digits (%(shown)s): "
                "format the column as text and type the number again."
            )
            % {"shown": f"{value:.11E}"},
            code="id_precision_lost",
        )
    raw = re.sub(r"\s", "", text(value))
    if SCIENTIFIC_RE.match(raw):
        raise ValidationError(
            _(
                "Excel has turned this ID number into a number and lost its last digits (%(shown)s): "
                "format the column as text and type the number again."
            )
            % {"shown": raw},
            code="id_precision_lost",
        )
    return idcard.parse(raw)


def phone(value: Any) -> str:
    return personal.normalize(personal.PersonalKind.PHONE, re.sub(r"\s", "", text(value)))


DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")


def date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if 1 <= value < 80000:
            return EXCEL_EPOCH + dt.timedelta(days=int(value))
        raise ValidationError(_("This is not a date."), code="date")
    raw = text(value).replace(" ", "")
    match = DATE_RE.match(raw)
    if not match and re.fullmatch(r"\d{8}", raw):
        match = re.match(r"(\d{4})(\d{2})(\d{2})", raw)
    if match:
        try:
            return dt.date(*(int(part) for part in match.groups()))
        except ValueError:
            pass
    raise ValidationError(_("Write the date as 1950-01-31."), code="date")


SEXES = {"男": "M", "女": "F", "m": "M", "f": "F", "male": "M", "female": "F"}
RELATIONS = {
    "户主": "head",
    "本人": "head",
    "配偶": "spouse",
    "妻": "spouse",
    "妻子": "spouse",
    "夫": "spouse",
    "丈夫": "spouse",
    "子": "child",
    "女": "child",
    "子女": "child",
    "儿子": "child",
    "女儿": "child",
    "长子": "child",
    "长女": "child",
    "次子": "child",
    "次女": "child",
    "父亲": "parent",
    "母亲": "parent",
    "父母": "parent",
    "孙子": "grandchild",
    "孙女": "grandchild",
    "外孙": "grandchild",
    "外孙女": "grandchild",
}
RESIDENCE_TYPES = {
    "户籍": "registered",
    "户籍人口": "registered",
    "常住": "registered",
    "常住人口": "registered",
    "流动": "floating",
    "流动人口": "floating",
    "租户": "tenant",
    "租住": "tenant",
    "租房": "tenant",
}


def sex(value: Any) -> str:
    found = SEXES.get(text(value).lower())
    if not found:
        raise ValidationError(_("Write the sex as 男 or 女."), code="sex")
    return found


def relation(value: Any) -> str:
    raw = text(value)
    return RELATIONS.get(raw, "other") if raw else "head"


def residence_type(value: Any) -> str:
    raw = text(value)
    if not raw:
        return "registered"
    found = RESIDENCE_TYPES.get(raw)
    if not found:
        raise ValidationError(_("Write the residence type as 户籍, 流动 or 租户."), code="residence_type")
    return found


def place_part(value: Any, suffix: str) -> str:
    """A building or unit as communities write it: "3" becomes "3号楼" / "2单元"."""
    raw = text(value).replace(" ", "")
    if re.fullmatch(r"\d+", raw):
        return raw + suffix
    return raw


ADDRESS_RE = re.compile(
    r"(?P<building>[0-9A-Za-z]+)\s*(号楼|栋|号|幢)\s*(?:(?P<unit>\d+)\s*单元)?\s*(?P<room>[0-9A-Za-z-]+)\s*(室|号)?$"
)


def split_address(value: Any) -> tuple[str, str, str] | None:
    """Building, unit and room from an address like "阳光小区3号楼2单元301室", or None."""
    match = ADDRESS_RE.search(text(value).replace(" ", ""))
    if not match:
        return None
    building = match.group("building") + "号楼"
    unit = f"{match.group('unit')}单元" if match.group("unit") else ""
    return building, unit, match.group("room")


DOCUMENT_TYPES = {
    "身份证": "id_card",
    "居民身份证": "id_card",
    "二代身份证": "id_card",
    "idcard": "id_card",
    "护照": "passport",
    "passport": "passport",
    "港澳台居民通行证": "hmt_permit",
    "港澳居民来往内地通行证": "hmt_permit",
    "台湾居民来往大陆通行证": "hmt_permit",
    "回乡证": "hmt_permit",
    "台胞证": "hmt_permit",
    "港澳台通行证": "hmt_permit",
}


def document_type(value: Any) -> str:
    raw = text(value).replace(" ", "").lower()
    if not raw:
        return "id_card"
    found = DOCUMENT_TYPES.get(raw)
    if not found:
        raise ValidationError(_("Write the document type as 身份证, 护照 or 港澳台居民通行证."), code="document_type")
    return found


# How community registers name the vulnerable groups (VulnerabilityKind), several per cell.
NEEDS = {
    "独居老人": "elderly_alone",
    "独居": "elderly_alone",
    "空巢老人": "elderly_alone",
    "孤寡老人": "elderly_alone",
    "残疾": "disabled",
    "残疾人": "disabled",
    "残障": "disabled",
    "卧床": "bedridden",
    "长期卧床": "bedridden",
    "失能": "bedridden",
    "失能老人": "bedridden",
    "慢性病": "chronic",
    "慢病": "chronic",
    "慢性病患者": "chronic",
    "精神障碍": "mental",
    "严重精神障碍": "mental",
    "精神病": "mental",
    "留守儿童": "child",
    "困境儿童": "child",
    "孕妇": "pregnant",
    "孕产妇": "pregnant",
    "低保": "low_income",
    "低保户": "low_income",
    "低收入": "low_income",
    "特困": "low_income",
    "特困户": "low_income",
}
NEEDS_SPLIT_RE = re.compile(r"[、,，;；/|\s]+")


def needs(value: Any) -> tuple[str, ...]:
    """The vulnerable groups of a cell like "独居老人、慢性病", in the order given, each once."""
    found: list[str] = []
    for word in NEEDS_SPLIT_RE.split(text(value)):
        if not word:
            continue
        kind = NEEDS.get(word)
        if kind is None:
            raise ValidationError(
                _("“%(word)s” is not a group the register knows; write for example 独居老人、残疾、慢性病、低保.")
                % {"word": word[:20]},
                code="needs",
            )
        if kind not in found:
            found.append(kind)
    return tuple(found)


def document_number(value: Any) -> str:
    return personal.normalize(personal.PersonalKind.PASSPORT, re.sub(r"\s", "", text(value)))
