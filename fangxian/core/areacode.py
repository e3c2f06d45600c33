"""Area codes and the prefix lookup that every jurisdiction query is built on.

A statistical division code is hierarchical by prefix, so "everything under 370202" is a prefix
scan. The two databases need different SQL for the scan to use an index:

* SQLite's LIKE is case-insensitive and never uses an ordinary index, so we write the prefix as
  a range, ``code >= '370202' AND code < '370202~'`` ('~' sorts after every digit in the BINARY
  collation), which is a plain index range search.
* PostgreSQL with a non-C collation does not order '~' after the digits reliably, but
  ``LIKE '370202%'`` is an index range scan when the index uses ``varchar_pattern_ops``.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Index, Lookup
from django.utils.translation import gettext_lazy as _

# \Z, not $: "$" would let a trailing newline through.
AREA_CODE_RE = re.compile(r"\A[0-9]{0,15}\Z")
# Digits per level: province 2, city 4, district 6, street 9, community 12, grid 15.
LEVEL_LENGTHS = (2, 4, 6, 9, 12, 15)


def validate_area_code(value: str) -> None:
    if not isinstance(value, str) or not AREA_CODE_RE.match(value) or (value and len(value) not in LEVEL_LENGTHS):
        raise ValidationError(
            _("“%(value)s” is not an area code (2, 4, 6, 9, 12 or 15 digits)."),
            code="area_code",
            params={"value": value},
        )


def parent_code(code: str) -> str | None:
    """The code one level up, or None for a province."""
    index = LEVEL_LENGTHS.index(len(code))
    return code[: LEVEL_LENGTHS[index - 1]] if index > 0 else None


def ancestor_codes(code: str) -> list[str]:
    """Codes of every level above `code`, top first."""
    return [code[:length] for length in LEVEL_LENGTHS if length < len(code)]


def minimal_prefixes(codes: list[str] | tuple[str, ...] | set[str]) -> tuple[str, ...]:
    """Drop codes already covered by a shorter prefix, so that a union of subtrees is as few scans as possible."""
    result: list[str] = []
    for code in sorted(set(codes), key=lambda c: (len(c), c)):
        if not any(code.startswith(kept) for kept in result):
            result.append(code)
    return tuple(sorted(result))


class AreaCodeField(models.CharField):
    """A column holding the code of the finest area a row belongs to."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 15)
        kwargs.setdefault("validators", [validate_area_code])
        kwargs.setdefault("verbose_name", _("area code"))
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        if kwargs.get("max_length") == 15:
            del kwargs["max_length"]
        kwargs.pop("validators", None)
        return name, path, args, kwargs


@models.CharField.register_lookup
class Within(Lookup):
    """`area_code__within="370202"`: the row lies in the subtree of that code (itself included)."""

    lookup_name = "within"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        prefix = self.rhs
        if not isinstance(prefix, str) or not AREA_CODE_RE.match(prefix):
            # Codes are digits only, so no LIKE wildcard can slip through here.
            raise ValueError(f"within expects an area code prefix, got {prefix!r}")
        lhs, lhs_params = self.process_lhs(compiler, connection)
        if connection.vendor == "postgresql":
            return f"{lhs} LIKE %s", [*lhs_params, prefix + "%"]
        return f"({lhs} >= %s AND {lhs} < %s)", [*lhs_params, prefix, *lhs_params, prefix + "~"]


def area_code_index(field: str, name: str) -> Index:
    """An index that serves `within` on both databases (the opclass is ignored by SQLite)."""
    return Index(fields=[field], name=name, opclasses=["varchar_pattern_ops"])
