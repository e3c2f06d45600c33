"""Models shared by every app: the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import AreaCodeField, area_code_index
from fangxian.core.scoping import ScopedQuerySet


class AuditAction(models.TextChoices):
    CREATE = "create", _("Created")
    UPDATE = "update", _("Updated")
    DELETE = "delete", _("Deleted")
    BULK_CREATE = "bulk_create", _("Created in bulk")
    REVEAL = "reveal", _("Revealed personal data")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Login failed")
    LOGIN_LOCKED = "login_locked", _("Login refused: locked out")
    LOGOUT = "logout", _("Logged out")
    LOGOUT_EVERYWHERE = "logout_everywhere", _("Logged out everywhere")
    TOKEN_CREATE = "token_create", _("API token created")
    TOKEN_REVOKE = "token_revoke", _("API token revoked")
    OTP_ENROL = "otp_enrol", _("Two-factor device enrolled")
    OTP_RESET = "otp_reset", _("Two-factor device reset")
    KEY_ROTATE = "key_rotate", _("Personal data re-encrypted")


class AuditQuerySet(ScopedQuerySet):
    """Refuses bulk rewrites too (on PostgreSQL the trigger refuses them as well)."""

    def update(self, **kwargs):
        raise RuntimeError("audit events are append-only")

    def delete(self):
        raise RuntimeError("audit events are append-only")

    update.queryset_only = True
    delete.queryset_only = True


class AuditEvent(models.Model):
    """One thing somebody did that the community may have to account for later.

    Append-only: the model refuses updates and deletes, and on PostgreSQL a trigger refuses them
    as well (migration 0002), so that not even a maintenance script can rewrite history.
    """

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_label = models.CharField(_("actor name"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=AuditAction.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_label = models.CharField(_("object"), max_length=200, blank=True)
    area_code = AreaCodeField(blank=True, db_index=False)
    source_ip = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    changes = models.JSONField(_("changes"), default=dict, blank=True)
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    objects = AuditQuerySet.as_manager()
    scope_field = "area_code"

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            area_code_index("area_code", "core_audit_area_ac"),
            models.Index(fields=["object_type", "object_id"]),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.get_action_display()} {self.object_label}"

    def save(self, *args, **kwargs) -> None:
        if self.pk is not None and not kwargs.get("force_insert"):
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")


class StoredFile(models.Model):
    """What every app keeps about an uploaded file beside it, once `fangxian.core.uploads` has checked it.

    The name is the uploader's (shown, never used as a path); the type and the digest come from
    the content, never from what the client said.
    """

    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.original_name


class CacheVersion(models.Model):
    """A counter that a process-local cache compares with before trusting what it holds.

    Hot paths (a guard's scan at the morning rush) keep rarely changing rows in memory per process;
    every write to those rows bumps the counter in the same transaction (`fangxian.core.versions`),
    so each process sees the change with its next read of the counter: one indexed one-row read
    instead of re-reading and re-building the rows on every request. Not a cache of personal data.
    """

    name = models.CharField(max_length=50, primary_key=True)
    number = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("cache version")
        verbose_name_plural = _("cache versions")

    def __str__(self) -> str:
        return f"{self.name}={self.number}"
