"""The area tree (DESIGN.md section 2) and the places below grids: buildings, units, households."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import LEVEL_LENGTHS, AreaCodeField, area_code_index, parent_code
from fangxian.core.scoping import Actor, Jurisdictional, ScopedModel


class AreaLevel(models.IntegerChoices):
    PROVINCE = 2, _("Province")
    CITY = 4, _("City")
    DISTRICT = 6, _("District")
    STREET = 9, _("Street")
    COMMUNITY = 12, _("Community")
    GRID = 15, _("Grid")


class Area(ScopedModel):
    """A node of the statistical division tree, or a grid that fangxian adds below a community.

    The code is the key: its length is the level and its prefixes are the ancestors, so a
    subtree is one indexed prefix scan.
    """

    code = AreaCodeField(primary_key=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=AreaLevel.choices, db_index=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent"),
        db_index=True,
    )
    geometry = models.JSONField(_("outline (GeoJSON)"), null=True, blank=True)

    scope_field = "code"

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        ordering = ["code"]
        indexes = [area_code_index("code", "areas_area_code_ac")]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"{self.code} {self.name}"

    def audit_area_code(self) -> str:
        return self.code

    def clean(self) -> None:
        if len(self.code) not in LEVEL_LENGTHS:
            raise ValidationError({"code": _("An area code has 2, 4, 6, 9, 12 or 15 digits.")})
        if self.level != len(self.code):
            raise ValidationError({"level": _("The level does not match the length of the code.")})
        expected_parent = parent_code(self.code)
        if (self.parent_id or None) != expected_parent:
            raise ValidationError({"parent": _("The parent of %(code)s must be %(parent)s.")
                                   % {"code": self.code, "parent": expected_parent or "-"}})
        if self.geometry is not None:
            validate_geojson(self.geometry)


def validate_geojson(value: object) -> None:
    allowed = {"Polygon", "MultiPolygon", "Feature", "FeatureCollection", "Point"}
    if not isinstance(value, dict) or value.get("type") not in allowed:
        raise ValidationError({"geometry": _("The outline must be a GeoJSON Polygon, MultiPolygon or Feature.")})


class Building(Jurisdictional):
    """A residential building in a grid (楼栋); `area_code` is the grid's code."""

    name = models.CharField(_("name"), max_length=50, help_text=_("As written on the building, e.g. 3号楼."))
    estate = models.CharField(_("estate"), max_length=100, blank=True, help_text=_("The residential estate (小区)."))
    address = models.CharField(_("street address"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("floors"), null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        ordering = ["area_code", "estate", "name"]
        constraints = [models.UniqueConstraint(fields=["area_code", "estate", "name"], name="building_unique_name")]

    def __str__(self) -> str:
        return f"{self.estate} {self.name}".strip()

    def audit_label(self) -> str:
        return str(self)


class Unit(Jurisdictional):
    """A stairwell entrance of a building (单元)."""

    building = models.ForeignKey(Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building"))
    name = models.CharField(_("name"), max_length=20)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["building", "name"]
        constraints = [models.UniqueConstraint(fields=["building", "name"], name="unit_unique_name")]

    def __str__(self) -> str:
        return f"{self.building} {self.name}"

    def audit_label(self) -> str:
        return str(self)


class Household(Jurisdictional):
    """A dwelling and the people who live in it (户): the unit of care, passes and quarantine."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="households", verbose_name=_("building")
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.PROTECT, null=True, blank=True, related_name="households", verbose_name=_("unit")
    )
    room = models.CharField(_("room"), max_length=20)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    audit_masked = ("notes",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("household")
        verbose_name_plural = _("households")
        ordering = ["area_code", "building", "unit", "room"]
        constraints = [models.UniqueConstraint(fields=["building", "unit", "room"], name="household_unique_room")]

    def __str__(self) -> str:
        return self.address

    @property
    def address(self) -> str:
        unit = f"{self.unit.name} " if self.unit_id else ""
        return f"{self.building} {unit}{self.room}"

    def audit_label(self) -> str:
        return f"{self.building_id}-{self.unit_id or ''}-{self.room}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # A resident sees their own household and nothing else.
        return Q(pk__in=sorted(actor.household_ids)) if actor.household_ids else None
