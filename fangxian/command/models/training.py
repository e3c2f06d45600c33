"""Training of community workers: courses, sessions, attendance, and so each worker's record."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from fangxian.core.scoping import Jurisdictional


class CourseTopic(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency knowledge")
    LAW = "law", _("Laws and regulations")
    MEDIA = "media", _("Media communication")
    PSYCHOLOGICAL = "psychological", _("Psychological first aid")
    OTHER = "other", _("Other")


class Course(Jurisdictional):
    """A course offered at an area (a street's course is open to its communities' workers)."""

    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=16, choices=CourseTopic.choices)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    hours = models.DecimalField(_("hours"), max_digits=5, decimal_places=1, default=2)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(Jurisdictional):
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course"))
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.course_id} {self.starts_at:%Y-%m-%d}"


class Attendance(Jurisdictional):
    """A worker at a session; `area_code` is the worker's own area, so their record follows them."""

    session = models.ForeignKey(TrainingSession, on_delete=models.CASCADE, related_name="attendances",
                                verbose_name=_("session"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training",
                             verbose_name=_("worker"))
    attended = models.BooleanField(_("attended"), default=False)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.session_id}"
