"""Directives from above (上级指令): sent by a street or district to communities below, acknowledged and reported."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.models import StoredFile
from fangxian.core.scoping import Actor, Jurisdictional, scope_q


class Directive(Jurisdictional):
    """An order from a street, district or city official; `area_code` is the sender's area."""

    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"), max_length=20000)
    deadline = models.DateTimeField(_("deadline"))
    report_required = models.BooleanField(_("completion report required"), default=True)
    emergency = models.ForeignKey(
        "command.Emergency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="directives",
        verbose_name=_("emergency"),
    )
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("directive")
        verbose_name_plural = _("directives")
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return self.title

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # A community sees the directives addressed to it, though they were sent from above.
        recipients = scope_q(DirectiveRecipient, actor)
        if recipients is None:
            return None
        return Q(pk__in=DirectiveRecipient.objects.filter(recipients).values("directive_id"))


class DirectiveRecipient(Jurisdictional):
    """One community's copy of a directive: acknowledgement, report, reminders. `area_code` is the community."""

    directive = models.ForeignKey(
        Directive, on_delete=models.CASCADE, related_name="recipients", verbose_name=_("directive")
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("acknowledged by"),
    )
    reported_at = models.DateTimeField(_("reported at"), null=True, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reported by"),
    )
    report = models.TextField(_("completion report"), blank=True, max_length=20000)
    reminded_at = models.DateTimeField(_("last reminded at"), null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(_("reminders"), default=0)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("directive recipient")
        verbose_name_plural = _("directive recipients")
        ordering = ["directive", "area_code"]
        constraints = [models.UniqueConstraint(fields=["directive", "area_code"], name="directive_recipient_unique")]

    def __str__(self) -> str:
        return f"{self.directive_id} -> {self.area_code}"


class DirectiveAttachment(StoredFile, Jurisdictional):
    """A file sent with a directive (a notice, a form to fill in); `area_code` is the sender's area."""

    directive = models.ForeignKey(
        Directive, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("directive")
    )
    file = models.FileField(_("file"), upload_to="directives/%Y/%m/")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("directive attachment")
        verbose_name_plural = _("directive attachments")

    def __str__(self) -> str:
        return self.original_name

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # The communities a directive went to read its files, like the directive itself.
        recipients = scope_q(DirectiveRecipient, actor)
        if recipients is None:
            return None
        return Q(directive_id__in=DirectiveRecipient.objects.filter(recipients).values("directive_id"))
