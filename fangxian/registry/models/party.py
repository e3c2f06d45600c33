"""Party members reporting to their residential community (党员双报到).

A party member registers with the community where they live; their employer's party branch is
recorded beside. They say when they are available and what they can do, and the community gives
them tasks through the command app's inbox (`source_ref` "registry.partymember:<pk>").
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fangxian.core.scoping import Actor, Jurisdictional


class PartyMemberStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ACTIVE = "active", _("Active")
    UNAVAILABLE = "unavailable", _("Temporarily unavailable")
    LEFT = "left", _("Left the community")


class Availability(models.TextChoices):
    ANYTIME = "anytime", _("Any time")
    WEEKDAYS = "weekdays", _("Weekday evenings")
    WEEKENDS = "weekends", _("Weekends")
    ON_CALL = "on_call", _("On call in emergencies")


PARTY_MEMBER_REF_PREFIX = "registry.partymember:"


class PartyMember(Jurisdictional):
    """A party member who reported to the community they live in; `area_code` is their grid or community."""

    name = models.CharField(_("full name"), max_length=50)
    resident = models.ForeignKey(
        "registry.Resident",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_memberships",
        verbose_name=_("resident"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="party_memberships",
        verbose_name=_("user account"),
    )
    branch = models.CharField(_("employer's party branch"), max_length=100)
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    availability = models.CharField(
        _("availability"), max_length=10, choices=Availability.choices, default=Availability.WEEKENDS
    )
    skills = models.CharField(_("skills"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=PartyMemberStatus.choices, default=PartyMemberStatus.REGISTERED
    )
    registered_on = models.DateField(_("registered on"))

    personal_data = True
    audit_masked = ("name", "skills")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("party member")
        verbose_name_plural = _("party members")
        ordering = ["area_code", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["user"], condition=models.Q(user__isnull=False), name="partymember_one_per_user"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def audit_label(self) -> str:
        return f"party member #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # A member sees their own registration (the "report home" page), nothing else.
        return Q(user_id=actor.user.pk) if actor.user is not None and actor.user.pk else None

    @property
    def source_ref(self) -> str:
        return f"{PARTY_MEMBER_REF_PREFIX}{self.pk}"
