"""The catalogue of supplies (物资目录), the stores that hold them, and the reorder levels per area."""

from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Jurisdictional


class Category(models.TextChoices):
    MASKS = "masks", _("Masks")
    PROTECTION = "protection", _("Protective equipment")
    DISINFECTION = "disinfection", _("Disinfection")
    MEDICAL = "medical", _("Medical devices and medicine")
    FOOD = "food", _("Food")
    DAILY = "daily", _("Daily necessities")


class Unit(models.TextChoices):
    PIECE = "piece", _("piece")
    PAIR = "pair", _("pair")
    BOX = "box", _("box")
    BOTTLE = "bottle", _("bottle")
    BARREL = "barrel", _("barrel")
    LITRE = "litre", _("litre")
    KG = "kg", _("kg")
    BAG = "bag", _("bag")
    SET = "set", _("set")


class Item(models.Model):
    """A kind of supply, counted in its unit (a pack of 50 masks is 50 pieces in packs of 50).

    Not about a place: every area uses the same catalogue; its names come in Chinese and English.
    """

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_zh = models.CharField(_("name (Chinese)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices)
    unit = models.CharField(_("unit"), max_length=8, choices=Unit.choices)
    pack_size = models.PositiveIntegerField(_("pack size"), default=1, validators=[MinValueValidator(1)])
    # Days a person at the front line or at home uses one unit of it, for needs and days of supply.
    per_person_per_day = models.DecimalField(
        _("use per person per day"), max_digits=8, decimal_places=3, default=0, validators=[MinValueValidator(0)]
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("item")
        verbose_name_plural = _("items")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_zh if (get_language() or "").startswith("zh") else self.name_en


class StoreKind(models.TextChoices):
    COMMUNITY = "community", _("Community store")
    STREET = "street", _("Street warehouse")
    DISTRICT = "district", _("District warehouse")
    SUPPLY_POINT = "supply_point", _("Supply point for residents")


class Store(Jurisdictional):
    """A place where supplies are kept and counted: `area_code` is the area that runs it."""

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=StoreKind.choices)
    address = models.CharField(_("address"), max_length=200, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["area_code", "name"]

    def __str__(self) -> str:
        return self.name


class ReorderLevel(Jurisdictional):
    """Below this quantity on hand in the area's stores, an item is to be reordered (per area and item)."""

    item = models.ForeignKey(Item, on_delete=models.PROTECT, related_name="+", verbose_name=_("item"))
    level = models.PositiveIntegerField(_("reorder level"))

    class Meta(Jurisdictional.Meta):
        verbose_name = _("reorder level")
        verbose_name_plural = _("reorder levels")
        indexes = [area_code_index("area_code", "sup_reorder_ac")]
        constraints = [models.UniqueConstraint(fields=["area_code", "item"], name="sup_reorder_once")]

    def __str__(self) -> str:
        return f"{self.area_code}/{self.item_id}: {self.level}"
