"""Choices shared by the health app's models."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Measure(models.TextChoices):
    """What is done about a person (处置措施), from nothing to a quarantine hotel."""

    NONE = "none", _("None")
    MONITORING = "monitoring", _("Health monitoring")
    HOME_QUARANTINE = "home_quarantine", _("Home quarantine")
    CENTRALISED = "centralised", _("Centralised quarantine")


class RiskLevel(models.TextChoices):
    HIGH = "high", _("High risk")
    MEDIUM = "medium", _("Medium risk")
    LOW = "low", _("Low risk")


RISK_ORDER = {RiskLevel.HIGH: 3, RiskLevel.MEDIUM: 2, RiskLevel.LOW: 1, "": 0}


def emergency_field() -> models.ForeignKey:
    """The emergency a record belongs to (retention and reports are cut by it; DESIGN.md section 3)."""
    return models.ForeignKey(
        "command.Emergency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("emergency"),
    )


def user_field(verbose_name: str, **extra) -> models.ForeignKey:
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
        **extra,
    )
