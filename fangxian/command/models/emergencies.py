"""Emergencies: what is happening, how grave, where, since when."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import ancestor_codes, area_code_index
from fangxian.core.scoping import Actor, Jurisdictional


class EmergencyKind(models.TextChoices):
    EPIDEMIC = "epidemic", _("Epidemic")
    FLOOD = "flood", _("Flood")
    FIRE = "fire", _("Fire")
    EARTHQUAKE = "earthquake", _("Earthquake")
    OTHER = "other", _("Other")


class EmergencyLevel(models.IntegerChoices):
    """China's four response levels: I is the gravest."""

    I = 1, _("Level I (particularly serious)")  # noqa: E741 - the official numeral
    II = 2, _("Level II (serious)")
    III = 3, _("Level III (relatively serious)")
    IV = 4, _("Level IV (general)")


LEVEL_NUMERALS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def covering_scope(actor: Actor) -> Q | None:
    """Emergencies declared over an area above the actor's own (a street's, seen from a community).

    An emergency covers its whole subtree: a commander must see, and activate plans for, the
    epidemic the street declared, and a resident's page shows the level that applies to their
    grid. This opens only the rows at the exact codes of the actor's grant areas and their
    ancestors (one `IN` on the indexed column), never a sibling's.
    """
    codes: set[str] = set()
    for grant in actor.grants:
        if grant.area_code:
            codes.update(ancestor_codes(grant.area_code))
            codes.add(grant.area_code)
    return Q(area_code__in=sorted(codes)) if codes else None


class Emergency(Jurisdictional):
    """A declared emergency over an area (a community, or a street/district declared by officials).

    Its level drives the policies of other apps (gate rules, check-ins ...), read through
    `fangxian.command.selectors.emergencies.active_emergency(area_code)`. Emergency-bound records
    of other apps point here, so that retention and reports can be cut by emergency.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=EmergencyKind.choices)
    level = models.PositiveSmallIntegerField(_("level"), choices=EmergencyLevel.choices)
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True, db_index=True)
    end_note = models.CharField(_("closing note"), max_length=500, blank=True)
    declared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("declared by"),
    )
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("ended by"),
    )

    class Meta(Jurisdictional.Meta):
        verbose_name = _("emergency")
        verbose_name_plural = _("emergencies")
        ordering = ["-started_at"]
        indexes = [
            *Jurisdictional.Meta.indexes,
            # active_emergency(): `area_code IN (ancestors) AND ended_at IS NULL`, on active rows only.
            models.Index(
                fields=["area_code", "level"], condition=Q(ended_at__isnull=True), name="command_emergency_active"
            ),
        ]
        constraints = [
            # The service says so in words first; this holds under concurrent declarations.
            models.UniqueConstraint(
                fields=["area_code", "kind"], condition=Q(ended_at__isnull=True), name="command_emergency_one_active"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return self.title

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return covering_scope(actor)

    @property
    def is_active(self) -> bool:
        return self.ended_at is None

    @property
    def level_numeral(self) -> str:
        return LEVEL_NUMERALS.get(self.level, "?")

    def covers(self, area_code: str) -> bool:
        return area_code.startswith(self.area_code)


class EmergencyLevelChange(Jurisdictional):
    """One change of an emergency's level, kept as its history (the first row is the declaration)."""

    emergency = models.ForeignKey(
        Emergency, on_delete=models.CASCADE, related_name="level_changes", verbose_name=_("emergency")
    )
    from_level = models.PositiveSmallIntegerField(_("from level"), choices=EmergencyLevel.choices, null=True)
    to_level = models.PositiveSmallIntegerField(_("to level"), choices=EmergencyLevel.choices)
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("changed by"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("level change")
        verbose_name_plural = _("level changes")
        ordering = ["changed_at", "id"]
        indexes = [area_code_index("area_code", "command_levelchange_ac")]

    def __str__(self) -> str:
        return f"{self.emergency_id}: {self.from_level} -> {self.to_level}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return covering_scope(actor)
