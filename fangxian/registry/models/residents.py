"""Residents and their vulnerabilities (精准排摸底数).

The foundation holds the core of a resident's record, enough for the demo, the counts on the home
page and the personal-data rules; the registry issue builds search, care and import on it.
"""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangxian.core.personal import PersonalField, PersonalKind
from fangxian.core.scoping import Actor, Jurisdictional

NAME_INITIALS_MAX = 50


@lru_cache(maxsize=65536)
def _char_initial(char: str) -> str:
    from pypinyin import Style, lazy_pinyin

    if char.isascii():
        return char.lower() if char.isalnum() else ""
    letters = lazy_pinyin(char, style=Style.FIRST_LETTER, errors="ignore")
    return letters[0][:1].lower() if letters and letters[0] else ""


def name_initials(name: str) -> str:
    """The pinyin initials of a name, lower case: "张三丰" gives "zsf" (what a worker types at a door).

    Character by character, with a cache: names share few characters, so a million names cost a few
    thousand pinyin look-ups. Letters and digits in the name are kept; punctuation and spaces go.
    """
    text = unicodedata.normalize("NFKC", name or "")
    return "".join(_char_initial(char) for char in text)[:NAME_INITIALS_MAX]


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


class DocumentType(models.TextChoices):
    """The identity document a resident is registered with."""

    ID_CARD = "id_card", _("Mainland ID card")
    PASSPORT = "passport", _("Passport")
    HMT_PERMIT = "hmt_permit", _("HK/Macao/Taiwan permit")


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
    name_initials = models.CharField(
        _("pinyin initials"), max_length=NAME_INITIALS_MAX, blank=True, default="", editable=False
    )
    document_type = models.CharField(
        _("identity document"), max_length=16, choices=DocumentType.choices, default=DocumentType.ID_CARD
    )
    id_number = PersonalField(_("ID card number"), kind=PersonalKind.ID_CARD, index_last4=False)
    # A passport or HK/Macao/Taiwan permit number; both are normalised alike (5-20 letters and digits).
    document_number = PersonalField(_("document number"), kind=PersonalKind.PASSPORT)
    phone = PersonalField(_("phone"), kind=PersonalKind.PHONE, index_last4=False)
    relation = models.CharField(_("relation to head"), max_length=16, choices=Relation.choices, default=Relation.HEAD)
    residence_type = models.CharField(
        _("residence type"), max_length=16, choices=ResidenceType.choices, default=ResidenceType.REGISTERED
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ResidentStatus.choices, default=ResidentStatus.ACTIVE, db_index=True
    )
    employer = models.CharField(_("employer or school"), max_length=100, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    status_changed_on = models.DateField(_("status changed on"), null=True, blank=True)

    personal_data = True
    audit_masked = ("name", "name_initials", "birth_date", "employer", "notes")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        # By the household's id, not the household: ordering by the relation would join households,
        # buildings and units into every resident list.
        ordering = ["area_code", "household_id", "id"]
        # Door-step search is a prefix or an equality on one column within the actor's subtree:
        # each index starts with the searched column and carries area_code, so PostgreSQL scans a
        # narrow range and filters the subtree inside the index (varchar_pattern_ops serves LIKE).
        # One person, one record: also what keeps two imports of the same file running at once
        # from registering anybody twice (the loser's batch is matched again and finds them).
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_hash"],
                condition=~Q(id_number_hash=""),
                name="registry_resident_unique_id",
                violation_error_message=_("A resident with this ID card number is registered already."),
            )
        ]
        indexes = [
            *Jurisdictional.Meta.indexes,
            models.Index(
                fields=["name_initials", "area_code"],
                name="registry_res_initials_ac",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["name", "area_code"],
                name="registry_res_name_ac",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["id_number_last4", "area_code"],
                name="registry_res_idl4_ac",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
            models.Index(
                fields=["phone_last4", "area_code"],
                name="registry_res_phl4_ac",
                opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.name_initials = name_initials(self.name)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {*update_fields, "name_initials"}
        super().save(*args, **kwargs)

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

    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="vulnerabilities", verbose_name=_("resident")
    )
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


class ResidentChangeKind(models.TextChoices):
    MOVE = "move", _("Moved to another household")
    DEREGISTER = "deregister", _("Deregistered")
    REINSTATE = "reinstate", _("Registered again")


class ResidentMove(Jurisdictional):
    """One step of a resident's history of where they live: a move between households, or leaving.

    Rows are never deleted with the resident's record changing: they are the history a community
    keeps of who lived where. `area_code` is the grid the resident lives in after the step, so the
    new community sees the history that came with the person; `from_area_code` keeps the old one.
    """

    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, related_name="moves", verbose_name=_("resident"))
    kind = models.CharField(_("kind"), max_length=16, choices=ResidentChangeKind.choices)
    from_household = models.ForeignKey(
        "areas.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("from household")
    )
    to_household = models.ForeignKey(
        "areas.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("to household")
    )
    from_area_code = models.CharField(_("from area"), max_length=15)
    from_status = models.CharField(_("status before"), max_length=16, choices=ResidentStatus.choices)
    to_status = models.CharField(_("status after"), max_length=16, choices=ResidentStatus.choices)
    on_date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    personal_data = True
    audit_masked = ("reason",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("resident move")
        verbose_name_plural = _("resident moves")
        ordering = ["-on_date", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.on_date:%Y-%m-%d}"

    def audit_label(self) -> str:
        return f"resident #{self.resident_id}: {self.kind}"
