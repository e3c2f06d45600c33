"""The audit trail: who did what to which record, where, when, from which address.

Every create, update and delete of a `ScopedModel` row is recorded by the signals below,
inside the transaction of the change (the model's save is atomic), so a failed audit write fails
the change. Reveals, exports and logins are recorded by the services that do them through
`audit_record`. The actor comes from a context variable that the request middleware, the API
auth and `acting_as()` (for jobs and commands) set.

Personal values appear masked whole ("******"): even a half-masked ID number shows a birth date.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import decimal
import uuid
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.personal import MASK_WHOLE, PersonalField, PersonalValue
from fangxian.core.scoping import Actor, ScopedModel

_current_actor: contextvars.ContextVar[Actor | None] = contextvars.ContextVar("fangxian_actor", default=None)


def current_actor() -> Actor | None:
    return _current_actor.get()


@contextlib.contextmanager
def acting_as(actor: Actor) -> Iterator[Actor]:
    """Attribute everything done inside the block to `actor` (jobs, commands, tests)."""
    token = _current_actor.set(actor)
    try:
        yield actor
    finally:
        _current_actor.reset(token)


def set_current_actor(actor: Actor | None) -> contextvars.Token:
    return _current_actor.set(actor)


def reset_current_actor(token: contextvars.Token) -> None:
    _current_actor.reset(token)


def _plain(value: Any) -> Any:
    if isinstance(value, PersonalValue):
        return MASK_WHOLE
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, str | int | float | bool | list | dict) or value is None:
        return value
    return str(value)


def _masked(instance: models.Model, field: models.Field) -> bool:
    """Personal values are recorded as changed, never with their content (models list extra ones in `audit_masked`)."""
    return isinstance(field, PersonalField) or field.name in getattr(instance, "audit_masked", ())


def _audited_fields(instance: models.Model) -> list[models.Field]:
    exclude = set(getattr(instance, "audit_exclude", ()))
    return [
        f for f in instance._meta.concrete_fields if f.name not in exclude and not hasattr(f, "personal_sibling_of")
    ]


def _value(instance: models.Model, field: models.Field) -> Any:
    value = getattr(instance, field.attname)
    if _masked(instance, field):
        return MASK_WHOLE if value else ""
    return _plain(value)


def snapshot(instance: models.Model, values: dict[str, Any] | None = None) -> dict[str, Any]:
    """Comparable field values, from the instance or from the raw values it was loaded with."""
    source = (
        values
        if values is not None
        else {f.attname: getattr(instance, f.attname, None) for f in instance._meta.concrete_fields}
    )
    result = {}
    for field in _audited_fields(instance):
        if field.attname not in source:
            continue  # deferred when loaded: unknown, so never reported as changed
        if isinstance(field, PersonalField):
            # Compare the hash: the same value re-encrypted is not a change.
            hash_name = f"{field.name}_hash"
            result[field.name] = (
                source.get(hash_name, getattr(instance, hash_name, "")) if source[field.attname] else ""
            )
        else:
            result[field.name] = _plain(source[field.attname])
    return result


def audit_record(
    action: str,
    *,
    actor: Actor | None = None,
    obj: models.Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_label: str = "",
    area_code: str | None = None,
    changes: dict[str, Any] | None = None,
    reason: str = "",
) -> AuditEvent:
    actor = actor or current_actor() or Actor.anonymous()
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or str(obj.pk)
        object_label = object_label or audit_label(obj)
        if area_code is None:
            area_code = obj.audit_area_code() if hasattr(obj, "audit_area_code") else getattr(obj, "area_code", "")
    return AuditEvent.objects.create(
        actor=actor.user if actor.user is not None and actor.user.pk else None,
        actor_label=actor.label[:150],
        action=action,
        object_type=object_type[:100],
        object_id=str(object_id)[:64],
        object_label=object_label[:200],
        area_code=area_code or "",
        source_ip=actor.source_ip,
        changes=changes or {},
        reason=reason[:500],
    )


def audit_label(obj: models.Model) -> str:
    """A label that never carries personal data: models may define `audit_label()`."""
    label = getattr(obj, "audit_label", None)
    if callable(label):
        return str(label())[:200]
    return f"{obj._meta.verbose_name} #{obj.pk}"


def _on_save(sender: type[models.Model], instance: models.Model, created: bool, raw: bool, **kwargs: Any) -> None:
    if raw or not isinstance(instance, ScopedModel):
        return
    after = snapshot(instance)
    if created:
        changes = {name: {"new": _value(instance, f)} for f in _audited_fields(instance) if (name := f.name) != "id"}
        audit_record(AuditAction.CREATE, obj=instance, changes=changes)
    else:
        loaded = getattr(instance, "_audit_loaded", None)
        before = snapshot(instance, loaded) if loaded is not None else {}
        changes = {}
        for field in _audited_fields(instance):
            old, new = before.get(field.name), after.get(field.name)
            if field.name in before and old != new:
                if _masked(instance, field):
                    changes[field.name] = {"old": MASK_WHOLE if old else "", "new": MASK_WHOLE if new else ""}
                else:
                    changes[field.name] = {"old": old, "new": new}
        if changes or not before:
            audit_record(AuditAction.UPDATE, obj=instance, changes=changes)
    instance._audit_loaded = {f.attname: getattr(instance, f.attname, None) for f in instance._meta.concrete_fields}


def _on_delete(sender: type[models.Model], instance: models.Model, **kwargs: Any) -> None:
    if not isinstance(instance, ScopedModel):
        return
    changes = {f.name: {"old": _value(instance, f)} for f in _audited_fields(instance) if f.name != "id"}
    audit_record(AuditAction.DELETE, obj=instance, changes=changes)


post_save.connect(_on_save, dispatch_uid="fangxian_audit_save")
post_delete.connect(_on_delete, dispatch_uid="fangxian_audit_delete")
