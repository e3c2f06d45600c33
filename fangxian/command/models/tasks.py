"""Tasks: the one inbox every app feeds (plans, directives, checkpoints, screening, services ...)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.models import StoredFile
from fangxian.core.scoping import Actor, Jurisdictional


class TaskSource(models.TextChoices):
    MANUAL = "manual", _("Assigned by hand")
    PLAN = "plan", _("Emergency plan")
    DIRECTIVE = "directive", _("Directive from above")
    DRILL = "drill", _("Drill finding")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    HEALTH = "health", _("Health monitoring")
    SCREENING = "screening", _("Screening list")
    SERVICE = "service", _("Service request")
    CARE = "care", _("Care visit")
    OTHER = "other", _("Other")


class TaskPriority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class TaskStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ACCEPTED = "accepted", _("Accepted")
    DONE = "done", _("Done")
    CANNOT_DO = "cannot_do", _("Cannot be done")


OPEN_STATUSES = (TaskStatus.OPEN, TaskStatus.ACCEPTED)
CLOSED_STATUSES = (TaskStatus.DONE, TaskStatus.CANNOT_DO)

# The status flow: which status may follow which. Anything else is refused with a message.
TASK_TRANSITIONS: dict[str, frozenset[str]] = {
    TaskStatus.OPEN: frozenset({TaskStatus.ACCEPTED, TaskStatus.DONE, TaskStatus.CANNOT_DO}),
    TaskStatus.ACCEPTED: frozenset({TaskStatus.DONE, TaskStatus.CANNOT_DO, TaskStatus.OPEN}),
    TaskStatus.DONE: frozenset({TaskStatus.OPEN}),
    TaskStatus.CANNOT_DO: frozenset({TaskStatus.OPEN}),
}
# Sort key of priorities, gravest first (the stored values sort alphabetically, not by weight).
PRIORITY_RANK = {TaskPriority.URGENT: 0, TaskPriority.HIGH: 1, TaskPriority.NORMAL: 2, TaskPriority.LOW: 3}


class TaskCommentKind(models.TextChoices):
    COMMENT = "comment", _("Comment")
    ESCALATION = "escalation", _("Escalated: overdue")
    REMINDER = "reminder", _("Reminder")
    NOTE = "note", _("Note")


def _opened_through_task(actor: Actor) -> Q | None:
    """The history, comments and files of a task are opened to whoever the task is opened to personally."""
    if actor.user is None:
        return None
    return Q(task_id__in=Task.assignees.through.objects.filter(user_id=actor.user.pk).values("task_id"))


class Task(Jurisdictional):
    """Something somebody must do by a time, with a trail of who took it and how it ended."""

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("details"), blank=True, max_length=5000)
    source = models.CharField(_("source"), max_length=16, choices=TaskSource.choices, default=TaskSource.MANUAL)
    # What created it, as "<app_label>.<model>:<pk>", for links back and de-duplication.
    source_ref = models.CharField(_("source reference"), max_length=100, blank=True, db_index=True)
    emergency = models.ForeignKey(
        "command.Emergency",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tasks",
        verbose_name=_("emergency"),
    )
    duty = models.CharField(_("duty"), max_length=16, blank=True)
    assigner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assigned_tasks",
        verbose_name=_("assigned by"),
    )
    assignees = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="tasks", blank=True, verbose_name=_("assignees")
    )
    priority = models.CharField(_("priority"), max_length=8, choices=TaskPriority.choices, default=TaskPriority.NORMAL)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    status = models.CharField(
        _("status"), max_length=10, choices=TaskStatus.choices, default=TaskStatus.OPEN, db_index=True
    )
    status_reason = models.CharField(_("reason"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)

    # Tasks are about people (a fever at the gate, a visit to an old man living alone): guards and
    # administrators see only the tasks given to them, not every task of their area.
    personal_data = True
    audit_masked = ("title", "description", "status_reason")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        ordering = ["due_at", "-priority", "id"]
        indexes = [*Jurisdictional.Meta.indexes, models.Index(fields=["status", "due_at"], name="command_task_due")]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return f"task #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # Everybody sees the tasks given to them, also outside their area (a community task given
        # to a grid worker, a delivery given to a volunteer). A subquery keeps rows unique.
        if actor.user is None:
            return None
        mine = cls.assignees.through.objects.filter(user_id=actor.user.pk).values("task_id")
        return Q(pk__in=mine)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from fangxian.command.models.group import Duty

        super().clean()
        if self.duty and self.duty not in Duty.values:
            raise ValidationError({"duty": _("“%(duty)s” is not a duty of the command group.") % {"duty": self.duty}})

    @property
    def duty_label(self) -> str:
        from fangxian.command.models.group import Duty

        return str(dict(Duty.choices).get(self.duty, self.duty))

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_at is not None and self.due_at < timezone.now()


class TaskStatusChange(Jurisdictional):
    """One step of a task's status flow, with who took it and why."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("task"))
    from_status = models.CharField(_("from"), max_length=10, choices=TaskStatus.choices, blank=True)
    to_status = models.CharField(_("to"), max_length=10, choices=TaskStatus.choices)
    reason = models.CharField(_("reason"), max_length=500, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    personal_data = True
    audit_masked = ("reason",)

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return _opened_through_task(actor)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("task status change")
        verbose_name_plural = _("task status changes")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.task_id}: {self.from_status} -> {self.to_status}"


class TaskComment(Jurisdictional):
    """A note on a task by a person, or by fangxian itself (an escalation, a reminder)."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments", verbose_name=_("task"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("author"),
    )
    kind = models.CharField(_("kind"), max_length=12, choices=TaskCommentKind.choices, default=TaskCommentKind.COMMENT)
    # Blank for notes fangxian writes itself: the kind says what happened, in the reader's language.
    text = models.TextField(_("comment"), max_length=5000, blank=True)
    created_at = models.DateTimeField(_("at"), default=timezone.now)

    personal_data = True
    audit_masked = ("text",)

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return _opened_through_task(actor)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment #{self.pk}"


class TaskAttachment(StoredFile, Jurisdictional):
    """A file attached to a task: size-limited and type-checked by content, not by name."""

    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("task"))
    file = models.FileField(_("file"), upload_to="tasks/%Y/%m/")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    personal_data = True
    audit_masked = ("original_name",)

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return _opened_through_task(actor)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name
