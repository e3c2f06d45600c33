"""Training of community workers: courses, sessions, attendance, and so each worker's record."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fangxian.core.areacode import ancestor_codes
from fangxian.core.roles import AREA_REACH_ROLES, Role
from fangxian.core.scoping import Actor, Jurisdictional

# The roles whose holders are "workers" with a training record: they attend courses.
WORKER_ROLES = frozenset({Role.COMMANDER, Role.COMMUNITY_WORKER, Role.GRID_WORKER})


class CourseTopic(models.TextChoices):
    EMERGENCY = "emergency", _("Emergency knowledge")
    LAW = "law", _("Laws and regulations")
    MEDIA = "media", _("Media communication")
    PSYCHOLOGICAL = "psychological", _("Psychological first aid")
    OTHER = "other", _("Other")


def offered_above(actor: Actor) -> Q | None:
    """Rows of the areas above the actor's own: a street's course is open to its communities' workers.

    Only the exact codes of the ancestors of the actor's area grants are opened (one `IN` on the
    indexed column), never a sibling's rows.
    """
    codes: set[str] = set()
    for grant in actor.grants:
        if grant.role in AREA_REACH_ROLES and grant.area_code:
            codes.update(ancestor_codes(grant.area_code))
    return Q(area_code__in=sorted(codes)) if codes else None


class Course(Jurisdictional):
    """A course offered at an area (a street's course is open to its communities' workers)."""

    title = models.CharField(_("title"), max_length=200)
    topic = models.CharField(_("topic"), max_length=16, choices=CourseTopic.choices)
    description = models.TextField(_("description"), blank=True, max_length=5000)
    hours = models.DecimalField(
        _("hours"), max_digits=5, decimal_places=1, default=2, validators=[MinValueValidator(0), MaxValueValidator(200)]
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("course")
        verbose_name_plural = _("courses")
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title

    def audit_label(self) -> str:
        return self.title

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return offered_above(actor)


class TrainingSession(Jurisdictional):
    """One sitting of a course: when, where, who teaches. `area_code` is the area whose workers it is for."""

    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("course"))
    starts_at = models.DateTimeField(_("starts at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    trainer = models.CharField(_("trainer"), max_length=100, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )

    class Meta(Jurisdictional.Meta):
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.course_id} {self.starts_at:%Y-%m-%d}"

    def audit_label(self) -> str:
        return f"training session #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        return offered_above(actor)


class Attendance(Jurisdictional):
    """A worker at a session; `area_code` is the worker's own area, so their record follows them."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances", verbose_name=_("session")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training", verbose_name=_("worker")
    )
    attended = models.BooleanField(_("attended"), default=False)
    score = models.PositiveSmallIntegerField(_("score"), null=True, blank=True, validators=[MaxValueValidator(100)])
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [models.UniqueConstraint(fields=["session", "user"], name="attendance_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} @ {self.session_id}"

    def audit_label(self) -> str:
        return f"attendance #{self.pk}"

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        # A worker always sees their own record, wherever the sessions were held.
        return Q(user_id=actor.user.pk) if actor.user is not None and actor.user.pk else None
