"""Resident imports: one row per uploaded file, from upload to result, kept after its file is gone.

The upload waits in the private var directory (never under media) while the uploader corrects the
mapping; the import's counts and its error report are recorded here, so the result page, the
progress bar of a background run and the history of imports no longer depend on a session. The
files (the upload, the error report) are deleted after FANGXIAN_IMPORT_KEEP_DAYS by a daily job;
the row stays as the record of who imported what, when, and with which outcome.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.core.scoping import Jurisdictional


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Waiting for the mapping")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Importing")
    DONE = "done", _("Finished")
    FAILED = "failed", _("Failed")
    EXPIRED = "expired", _("Expired before it was run")


class ImportJob(Jurisdictional):
    """One upload of residents into a grid (`area_code`)."""

    token = models.CharField(max_length=32, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("imported by")
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    file_name = models.CharField(_("file"), max_length=200)
    stored_file = models.CharField(max_length=64, blank=True, editable=False)  # in var/imports; "" once removed
    rows = models.PositiveIntegerField(_("rows in the file"), default=0)
    mapping = models.JSONField(default=dict, blank=True)
    update_existing = models.BooleanField(_("update people already registered"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    done_rows = models.PositiveIntegerField(default=0)  # progress of a running import (updated without audit)
    counts = models.JSONField(default=dict, blank=True)  # created / existing / updated / skipped / error
    report_file = models.CharField(max_length=64, blank=True, editable=False)  # the error report, in var/imports
    message = models.CharField(_("message"), max_length=500, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    # The upload and its error report are rows about people.
    personal_data = True
    audit_exclude = ("done_rows",)
    audit_masked = ("file_name",)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("resident import")
        verbose_name_plural = _("resident imports")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.file_name

    def audit_label(self) -> str:
        return f"import #{self.pk}"

    @property
    def percent(self) -> int:
        return min(100, round(100 * self.done_rows / self.rows)) if self.rows else 0

    @property
    def in_progress(self) -> bool:
        return self.status in (ImportStatus.QUEUED, ImportStatus.RUNNING)
