"""The command group (应急指挥小组): who holds which duty in a community's emergency response."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.core.personal import PersonalField, PersonalKind
from fangxian.core.scoping import Jurisdictional


class Duty(models.TextChoices):
    LEADER = "leader", _("Group leader")
    LIAISON = "liaison", _("Government liaison")
    LOGISTICS = "logistics", _("Logistics")
    INFORMATION = "information", _("Information collection")
    PUBLICITY = "publicity", _("Publicity")
    MOBILISATION = "mobilisation", _("Volunteer mobilisation")
    MEDICAL = "medical", _("Medical")
    SECURITY = "security", _("Security")
    CUSTOM = "custom", _("Other duty")


class OrganisationKind(models.TextChoices):
    PARTY = "party", _("Party organisation")
    RESIDENTS_COMMITTEE = "residents_committee", _("Residents' committee")
    OWNERS_COMMITTEE = "owners_committee", _("Owners' committee")
    PROPERTY = "property", _("Property management company")
    UNIT = "unit", _("Unit in the area")
    SOCIAL = "social", _("Social organisation")
    OTHER = "other", _("Other")


class CommandGroupMember(Jurisdictional):
    """A member of a community's command group: a user of fangxian or an outside contact."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="command_duties",
        verbose_name=_("user"),
    )
    name = models.CharField(_("full name"), max_length=50)
    organisation = models.CharField(_("organisation"), max_length=100, blank=True)
    organisation_kind = models.CharField(
        _("organisation kind"),
        max_length=24,
        choices=OrganisationKind.choices,
        default=OrganisationKind.RESIDENTS_COMMITTEE,
    )
    duty = models.CharField(_("duty"), max_length=16, choices=Duty.choices)
    duty_label = models.CharField(
        _("duty name"), max_length=50, blank=True, help_text=_("For another duty: what it is.")
    )
    phone = PersonalField(_("phone"), kind=PersonalKind.PHONE)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    personal_data = True
    audit_masked = ("name",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("command group member")
        verbose_name_plural = _("command group members")
        ordering = ["area_code", "order", "duty", "id"]
        indexes = [*Jurisdictional.Meta.indexes, models.Index(fields=["area_code", "duty"], name="command_member_duty")]

    def __str__(self) -> str:
        return f"{self.name} ({self.duty_display})"

    def audit_label(self) -> str:
        return f"member #{self.pk} {self.duty}"

    @property
    def duty_display(self) -> str:
        return self.duty_label if self.duty == Duty.CUSTOM and self.duty_label else str(self.get_duty_display())
