"""Residents and their vulnerabilities (精准排摸底数).

The foundation holds the core of a resident's record, enough for the demo, the counts on the home
page and the personal-data rules; the registry issue builds search, care and import on it.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangxian.core.personal import PersonalField, PersonalKind
from fangxian.core.scoping import Actor, Jurisdictional


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relation(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    GRANDCHILD = "grandchild", _("Grandchild")
    OTHER = "other", _("Other")


class ResidenceType(models.TextChoices):
    REGISTERED = "registered", _("Registered resident")
    FLOATING = "floating", _("Floating population")
    TENANT = "tenant", _("Tenant")


class ResidentStatus(models.TextChoices):
    ACTIVE = "active", _("Living here")
    MOVED_AWAY = "moved_away", _("Moved away")
    DECEASED = "deceased", _("Deceased")


class Resident(Jurisdictional):
    """A person living in the community; `area_code` is the grid of their household."""

    household = models.ForeignKey(
        "areas.Household", on_delete=models.PROTECT, related_name="residents", verbose_name=_("household")
    )
    name = models.CharField(_("full name"), max_length=50)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    id_number = PersonalField(_("ID card number"), kind=PersonalKind.ID_CARD)
    phone = PersonalField(_("phone"), kind=PersonalKind.PHONE)
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices, default=Relation.HEAD)
    residence_type = models.CharField(
        _("residence type"), max_length=16, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE, db_index=True
    )
    employer = models.CharField(_("employer or school"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)

    personal_data = True
    audit_masked = ("name", "birth_date", "employer", "notes")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        # By the household's id, not the household: ordering by the relation would join households,
        # buildings and units into every resident list.
        ordering = ["area_code", "household_id", "id"]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        # Names are personal too: the trail identifies the record by its number only.
        return f"resident #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return Q(household_id__in=sorted(actor.household_ids)) if actor.household_ids else None


class VulnerabilityKind(models.TextChoices):
    ELDERLY_ALONE = "elderly_alone", _("Elderly, living alone")
    DISABLED = "disabled", _("Disability")
    BEDRIDDEN = "bedridden", _("Bedridden")
    CHRONIC = "chronic", _("Chronic illness")
    MENTAL = "mental", _("Mental illness")
    CHILD = "child", _("Child needing care")
    PREGNANT = "pregnant", _("Pregnant")
    LOW_INCOME = "low_income", _("Low-income household")


class Vulnerability(Jurisdictional):
    """Something that makes a resident need care in an emergency (弱势群体)."""

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="vulnerabilities",
                                 verbose_name=_("resident"))
    kind = models.CharField(_("kind"), max_length=20, choices=VulnerabilityKind.choices, db_index=True)
    detail = models.CharField(_("detail"), max_length=200, blank=True)

    personal_data = True
    audit_masked = ("detail",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("vulnerability")
        verbose_name_plural = _("vulnerabilities")
        constraints = [models.UniqueConstraint(fields=["resident", "kind"], name="vulnerability_unique_kind")]

    def __str__(self) -> str:
        return self.get_kind_display()

    def audit_label(self) -> str:
        return f"resident #{self.resident_id}: {self.kind}"
