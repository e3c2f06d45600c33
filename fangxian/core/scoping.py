"""The one scoping mechanism: who may see which rows.

Every row that belongs to a place stores the code of the finest area it belongs to. An actor (a
logged-in user, an API token, or the system running a job) carries grants `(role, area)`; its
jurisdiction is the union of the subtrees of the grants whose role reaches an area. Rows are
filtered with `Model.objects.visible_to(actor)`, which every view, API endpoint, export and job
calls. With no grant it returns nothing: we fail closed.

Roles without area reach (volunteer, counsellor, resident) see only what a model opens to them
explicitly through `scope_personal(actor)` (their household, their accepted tasks ...).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q
from django.http import Http404
from django.utils.translation import gettext as _

from fangxian.core.areacode import AreaCodeField, area_code_index, minimal_prefixes
from fangxian.core.roles import AREA_REACH_ROLES, PERSONAL_DATA_ROLES, Role

if TYPE_CHECKING:
    from fangxian.accounts.models import User


@dataclass(frozen=True)
class Grant:
    """One role held at one area (and, for a resident, one household)."""

    role: str
    area_code: str
    household_id: int | None = None
    assignment_id: int | None = None

    @property
    def role_label(self) -> str:
        return str(Role(self.role).label)


@dataclass(frozen=True)
class Actor:
    """Whoever is acting: the subject of every scoping and capability decision."""

    user: User | None
    grants: tuple[Grant, ...] = ()
    source_ip: str | None = None
    token_id: int | None = None
    is_system: bool = False
    extra: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def anonymous(cls, source_ip: str | None = None) -> Actor:
        return cls(user=None, source_ip=source_ip)

    @classmethod
    def system(cls, reason: str = "job") -> Actor:
        """The actor of background jobs and commands that act for the platform as a whole."""
        return cls(
            user=None, grants=(Grant(role=Role.ADMINISTRATOR, area_code=""),), is_system=True, extra={"reason": reason}
        )

    @classmethod
    def for_user(cls, user: User, *, source_ip: str | None = None, only_assignment_id: int | None = None) -> Actor:
        """Build the actor of a user; an API token narrows it to the one assignment it was issued for."""
        if not user.is_active:
            return cls.anonymous(source_ip)
        assignments = user.active_assignments()
        if only_assignment_id is not None:
            assignments = [a for a in assignments if a.pk == only_assignment_id]
        grants = tuple(
            Grant(role=a.role, area_code=a.area_code, household_id=a.household_id, assignment_id=a.pk)
            for a in assignments
        )
        return cls(user=user, grants=grants, source_ip=source_ip)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None or self.is_system

    @cached_property
    def roles(self) -> frozenset[str]:
        return frozenset(g.role for g in self.grants)

    @cached_property
    def area_prefixes(self) -> tuple[str, ...]:
        """The minimal set of subtrees this actor reaches through area roles."""
        return minimal_prefixes([g.area_code for g in self.grants if g.role in AREA_REACH_ROLES])

    @cached_property
    def personal_prefixes(self) -> tuple[str, ...]:
        """The subtrees in which this actor may see rows about people."""
        if self.is_system:
            return self.area_prefixes
        return minimal_prefixes([g.area_code for g in self.grants if g.role in PERSONAL_DATA_ROLES])

    @cached_property
    def household_ids(self) -> frozenset[int]:
        return frozenset(g.household_id for g in self.grants if g.role == Role.RESIDENT and g.household_id)

    def reaches(self, area_code: str) -> bool:
        return any(area_code.startswith(prefix) for prefix in self.area_prefixes)

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def can(self, capability: str, obj: Any = None) -> bool:
        from fangxian.core.capabilities import actor_can

        return actor_can(self, capability, obj)

    @property
    def label(self) -> str:
        if self.is_system:
            return "system"
        return self.user.username if self.user else "anonymous"

    @property
    def primary_area_code(self) -> str:
        """The area an actor's own events (logins, token use) are filed under: its widest grant."""
        codes = [g.area_code for g in self.grants]
        return min(codes, key=len) if codes else ""


def scope_q(model: type[models.Model], actor: Actor, prefixes: Iterable[str] | None = None) -> Q | None:
    """The filter for `actor` on `model`, or None when the actor may see nothing."""
    scope_field = getattr(model, "scope_field", "area_code")
    if prefixes is None:
        prefixes = actor.personal_prefixes if getattr(model, "personal_data", False) else actor.area_prefixes
    parts = [Q(**{f"{scope_field}__within": prefix}) for prefix in prefixes]
    personal = getattr(model, "scope_personal", None)
    if personal is not None:
        extra = personal(actor)
        if extra is not None:
            parts.append(extra)
    if not parts:
        return None
    combined = parts[0]
    for part in parts[1:]:
        combined |= part
    return combined


def prefix_q(field: str, codes: Iterable[str]) -> Q | None:
    """`field` starts with any of `codes` (an OR of prefix lookups); None for no codes.

    For `scope_personal` rules that open rows by another area column than the row's own (the
    receiving end of a transfer, the area a request is addressed to, the areas a volunteer serves).
    """
    combined: Q | None = None
    for code in codes:
        part = Q(**{f"{field}__startswith": code})
        combined = part if combined is None else combined | part
    return combined


def scope_admits(obj: models.Model, actor: Actor) -> bool | None:
    """Whether `visible_to(actor)` would include `obj`, decided on the instance in memory.

    For rows a process keeps between requests (`fangxian.core.versions`): the same rule as
    `scope_q`. None when memory cannot tell (a model scoped through a relation, or one that opens
    rows to this actor by a per-actor rule): then ask the database.
    """
    model = type(obj)
    scope_field = getattr(model, "scope_field", "area_code")
    personal = getattr(model, "scope_personal", None)
    if "__" in scope_field or (personal is not None and personal(actor) is not None):
        return None
    prefixes = actor.personal_prefixes if getattr(model, "personal_data", False) else actor.area_prefixes
    code = getattr(obj, scope_field)
    return any(code.startswith(prefix) for prefix in prefixes)


class ScopedQuerySet(models.QuerySet):
    """The queryset every jurisdictional model uses (NetBox's RestrictedQuerySet, by area)."""

    def visible_to(self, actor: Actor) -> Self:
        q = scope_q(self.model, actor)
        if q is None:
            return self.none()
        scope_field = getattr(self.model, "scope_field", "area_code")
        if "__" in scope_field:
            # Through a to-many relation: a subquery keeps rows unique without DISTINCT.
            return self.filter(pk__in=self.model._default_manager.filter(q).values("pk"))
        return self.filter(q)

    def within(self, area_code: str) -> Self:
        """Narrow an already scoped queryset to one subtree (a filter, never a widening)."""
        scope_field = getattr(self.model, "scope_field", "area_code")
        return self.filter(**{f"{scope_field}__within": area_code})

    def get_visible(self, actor: Actor, **lookup: Any) -> models.Model:
        """One object, or Http404 alike for "missing" and "outside your jurisdiction"."""
        try:
            return self.visible_to(actor).get(**lookup)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404(_("Not found.")) from None


class ScopedModel(models.Model):
    """Base of every model scoped by the area tree and audited on every write.

    Subclasses inherit the scoped manager and automatic audit of every create, update and delete
    (see `fangxian.core.audit`); `scope_field` names the column holding the area code.
    """

    objects = ScopedQuerySet.as_manager()

    scope_field = "area_code"
    # Rows about people: area roles reach them only if they are PERSONAL_DATA_ROLES.
    personal_data = False
    # Fields left out of the audit trail altogether.
    audit_exclude: tuple[str, ...] = ()
    # Fields recorded as changed but never with their values: names, birth dates, free text about
    # people. PersonalField values are always treated so.
    audit_masked: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        from django.db import transaction

        from fangxian.core.personal import with_sibling_fields

        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = with_sibling_fields(type(self), kwargs["update_fields"])
        # The audit row is written inside the same transaction: if it fails, the change fails.
        with transaction.atomic():
            super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        from django.db import transaction

        with transaction.atomic():
            return super().delete(*args, **kwargs)

    @classmethod
    def scope_personal(cls, actor: Actor) -> Q | None:
        """Override to open rows to roles without area reach. The default opens nothing."""
        return None

    def audit_area_code(self) -> str:
        return getattr(self, self.scope_field.split("__")[0], "") if "__" not in self.scope_field else ""

    @classmethod
    def from_db(cls, db: str, field_names: list[str], values: list[Any]) -> Self:
        instance = super().from_db(db, field_names, values)
        # Kept cheap on purpose (lists load many rows): compared only when the row is saved.
        loaded_names = [f.attname for f in cls._meta.concrete_fields if f.attname in field_names]
        instance._audit_loaded = dict(zip(loaded_names, values, strict=False))
        return instance


class Jurisdictional(ScopedModel):
    """A row that belongs to one place: it stores the code of the finest area it belongs to."""

    area_code = AreaCodeField(db_index=False)

    class Meta:
        abstract = True
        indexes = [area_code_index("area_code", "%(app_label)s_%(class)s_ac")]
