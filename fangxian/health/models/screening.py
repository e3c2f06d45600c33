"""Screening lists sent down from above (协查名单) and their entries, each routed to whoever must check it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import area_code_index
from fangxian.core.personal import PersonalField, PersonalKind
from fangxian.core.scoping import Jurisdictional
from fangxian.health.models.common import Measure, emergency_field, user_field


class ScreeningList(Jurisdictional):
    """A list of people to find and check, sent by an official with a deadline.

    `area_code` is the sender's area (a street, district or city): the list and its unmatched
    entries stay there; each matched entry goes to the grid of the resident it matched.
    """

    emergency = emergency_field()
    title = models.CharField(_("title"), max_length=200)
    source = models.CharField(_("source"), max_length=200, blank=True, help_text=_("Who sent it, which batch."))
    deadline = models.DateTimeField(_("deadline"))
    created_by = user_field(_("created by"))
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    entries_count = models.PositiveIntegerField(_("entries"), default=0)
    matched_count = models.PositiveIntegerField(_("matched"), default=0)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("screening list")
        verbose_name_plural = _("screening lists")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"screening list #{self.pk}"


class MatchKind(models.TextChoices):
    ID = "id", _("By ID card number")
    PHONE = "phone", _("By phone number")
    AMBIGUOUS = "ambiguous", _("Several residents match")
    NONE = "none", _("Not found in the register")
    MANUAL = "manual", _("Picked by hand")


class EntryStatus(models.TextChoices):
    OPEN = "open", _("To check")
    ANSWERED = "answered", _("Answered")


class Outcome(models.TextChoices):
    VERIFIED = "verified", _("Found and verified")
    NOT_FOUND = "not_found", _("Not found")
    MOVED_AWAY = "moved_away", _("Moved away")
    WRONG_INFO = "wrong_info", _("Wrong information")


class ScreeningEntry(Jurisdictional):
    """One person of a screening list: who they are said to be, whom they matched, what was found.

    `area_code` is where the entry is checked: the matched resident's grid, or the list's own area
    (the street's queue) when nobody or several people matched. The ID card and phone numbers are
    encrypted like a resident's; matching uses their hashes only.
    """

    screening_list = models.ForeignKey(
        ScreeningList, on_delete=models.CASCADE, related_name="entries", verbose_name=_("screening list")
    )
    row_number = models.PositiveIntegerField(_("row"), default=0)
    name = models.CharField(_("name"), max_length=50)
    id_number = PersonalField(_("ID card number"), kind=PersonalKind.ID_CARD)
    phone = PersonalField(_("phone"), kind=PersonalKind.PHONE)
    reason = models.CharField(_("reason given"), max_length=200, blank=True, help_text=_("e.g. close contact"))
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("resident"),
    )
    match = models.CharField(_("match"), max_length=10, choices=MatchKind.choices, default=MatchKind.NONE)
    status = models.CharField(_("status"), max_length=10, choices=EntryStatus.choices, default=EntryStatus.OPEN)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    measure = models.CharField(_("measure"), max_length=16, choices=Measure.choices, blank=True)
    answer_note = models.CharField(_("note"), max_length=500, blank=True)
    answered_by = user_field(_("answered by"))
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    task = models.ForeignKey(
        "command.Task", on_delete=models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("task")
    )

    personal_data = True
    audit_masked = ("name", "answer_note")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("screening entry")
        verbose_name_plural = _("screening entries")
        ordering = ["screening_list_id", "row_number", "id"]
        indexes = [
            area_code_index("area_code", "health_entry_ac"),
            models.Index(fields=["screening_list", "status"], name="health_entry_list_st"),
            models.Index(fields=["resident"], name="health_entry_res"),
        ]

    def __str__(self) -> str:
        return f"{self.screening_list_id}/{self.row_number}"

    def audit_label(self) -> str:
        return f"screening entry #{self.pk}"
