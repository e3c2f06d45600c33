"""Users, their role assignments, login security and API tokens."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.contrib.auth.models import UserManager as DjangoUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from fangxian.core.roles import ROLE_AREA_LENGTHS, TWO_FACTOR_ROLES, Role
from fangxian.core.scoping import Jurisdictional, ScopedQuerySet


class UserManager(DjangoUserManager.from_queryset(ScopedQuerySet)):
    pass


class User(AbstractUser):
    """A person who logs in: a worker, an official, a volunteer, a resident or an administrator.

    What they may see and do comes from their role assignments, never from Django's is_staff or
    permissions tables (is_staff only opens the admin site, and only to administrators).
    """

    display_name = models.CharField(_("display name"), max_length=50, blank=True)
    phone_masked = models.CharField(_("phone (masked)"), max_length=20, blank=True)
    # Raised by "log out everywhere": every session signed with the old value becomes invalid.
    session_epoch = models.PositiveIntegerField(default=0, editable=False)

    objects = UserManager()
    scope_field = "role_assignments__area_code"

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.username

    def get_session_auth_hash(self) -> str:
        # Django invalidates sessions whose stored hash no longer matches: folding the epoch in
        # gives "log out everywhere" without scanning the session table.
        return salted_hmac(
            "fangxian.accounts.session", f"{self.password}:{self.session_epoch}", algorithm="sha256"
        ).hexdigest()

    def active_assignments(self) -> list[RoleAssignment]:
        cached = getattr(self, "_active_assignments", None)
        if cached is None:
            cached = list(self.role_assignments.filter(active=True).order_by("area_code", "role"))
            self._active_assignments = cached
        return cached

    @property
    def requires_two_factor(self) -> bool:
        return any(a.role in TWO_FACTOR_ROLES for a in self.active_assignments())


class RoleAssignment(Jurisdictional):
    """A role held at an area: the grant that every scoping and capability decision reads."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_assignments", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    household = models.ForeignKey(
        "areas.Household", on_delete=models.PROTECT, null=True, blank=True, related_name="+",
        verbose_name=_("household"), help_text=_("For residents: the household they belong to."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta(Jurisdictional.Meta):
        verbose_name = _("role assignment")
        verbose_name_plural = _("role assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "area_code"], name="assignment_unique"),
            models.CheckConstraint(
                condition=~Q(role=Role.RESIDENT) | Q(household__isnull=False), name="assignment_resident_household"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()} @ {self.area_code}"

    def audit_label(self) -> str:
        return f"{self.user_id}:{self.role}@{self.area_code}"

    def clean(self) -> None:
        lengths = ROLE_AREA_LENGTHS.get(self.role, ())
        if self.area_code and len(self.area_code) not in lengths:
            raise ValidationError({"area_code": _("This role is not granted at an area of this level.")})
        if self.role == Role.RESIDENT and self.household_id is None:
            raise ValidationError({"household": _("A resident's role names their household.")})


class LoginFailure(models.Model):
    """A failed login, kept for the lock-out windows (pruned by a periodic job)."""

    username = models.CharField(max_length=150, db_index=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M}"


class ApiToken(Jurisdictional):
    """A bearer token for a device or an upper-level platform, bound to one role assignment.

    Only a SHA-256 of the secret is stored; the full token is shown once, when it is created.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    assignment = models.ForeignKey(
        RoleAssignment, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("role assignment")
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, unique=True)
    secret_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    audit_exclude = ("secret_hash", "last_used_at")

    class Meta(Jurisdictional.Meta):
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def audit_label(self) -> str:
        return f"{self.name} {self.prefix}"

    @property
    def is_usable(self) -> bool:
        now = timezone.now()
        return self.revoked_at is None and (self.expires_at is None or self.expires_at > now)
