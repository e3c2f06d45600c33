"""Passes (出入证) and the plates of households' vehicles."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangxian.checkpoints.plates import PLATE_MAX_LENGTH, validate_plate
from fangxian.core.areacode import area_code_index
from fangxian.core.scoping import Actor, Jurisdictional


def new_public_id() -> str:
    """16 URL-safe random characters: what the QR code names, and nothing about the person."""
    return secrets.token_urlsafe(12)


class Pass(Jurisdictional):
    """A resident's or a whole household's permission to go in and out (出入证); `area_code` is the household's grid.

    The QR code shows a signed token (`fangxian.checkpoints.tokens`) naming `public_id` only.
    """

    public_id = models.CharField(_("public id"), max_length=16, unique=True, default=new_public_id, editable=False)
    household = models.ForeignKey(
        "areas.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("household")
    )
    # Empty: a household pass, for any member.
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    issued_at = models.DateTimeField(_("issued at"))
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    expires_at = models.DateTimeField(_("expires at"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("revoked by"),
    )
    revoke_reason = models.CharField(_("reason for revoking"), max_length=200, blank=True)

    personal_data = True
    audit_masked = ("revoke_reason",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        ordering = ["-issued_at", "-id"]
        indexes = [area_code_index("area_code", "chk_pass_ac")]

    def __str__(self) -> str:
        return f"pass #{self.pk}"

    def audit_label(self) -> str:
        return f"pass #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # A resident sees the passes of their own household (to show one at the gate).
        return Q(household_id__in=sorted(actor.household_ids)) if actor.household_ids else None

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None


class VehiclePlate(Jurisdictional):
    """A vehicle of a household that may pass the gates when vehicles go by plate list; `area_code` is the grid."""

    plate = models.CharField(_("plate"), max_length=PLATE_MAX_LENGTH, validators=[validate_plate])
    household = models.ForeignKey(
        "areas.Household", on_delete=models.CASCADE, related_name="+", verbose_name=_("household")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    personal_data = True
    audit_masked = ("note",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("vehicle plate")
        verbose_name_plural = _("vehicle plates")
        ordering = ["plate"]
        indexes = [
            area_code_index("area_code", "chk_plate_ac"),
            models.Index(fields=["plate", "area_code"], name="chk_plate_plate_ac"),
        ]
        constraints = [models.UniqueConstraint(fields=["household", "plate"], name="chk_plate_once_per_household")]

    def __str__(self) -> str:
        return self.plate

    def audit_label(self) -> str:
        return f"vehicle plate #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return Q(household_id__in=sorted(actor.household_ids)) if actor.household_ids else None
