"""Writes shared by every app: revealing a personal value, deleting in bulk for retention."""

from __future__ import annotations

from django.db import models, transaction
from django.utils.translation import gettext as _

from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.personal import PersonalField, PersonalValue
from fangxian.core.scoping import Actor

REASON_MIN, REASON_MAX = 4, 200
DELETE_BATCH = 5000


@transaction.atomic
def personal_value_reveal(*, actor: Actor, obj: models.Model, field_name: str, reason: str) -> str:
    """The clear value of one personal field, for an actor allowed to see it, with a reason, audited.

    The caller loads `obj` through `visible_to(actor)`; this checks the capability and the
    jurisdiction again and writes the access record in the same transaction as the read, so no
    value leaves without a trace.
    """
    if not actor.can("personal.reveal"):
        raise PermissionDenied(_("Your role may not see full ID-card and phone numbers."))
    # Checked here as well, so that a caller who forgot `visible_to` still reveals nothing (fail closed).
    manager = type(obj)._default_manager
    if not hasattr(manager, "visible_to") or not manager.visible_to(actor).filter(pk=obj.pk).exists():
        raise NotFound(_("Not found."))
    try:
        field = obj._meta.get_field(field_name)
    except Exception:  # noqa: BLE001 - an unknown field name is a client error, not a crash
        field = None
    if not isinstance(field, PersonalField):
        raise DomainError(_("This is not a personal field."), code="not_personal", field="field")
    reason = " ".join(reason.split())
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        raise DomainError(
            _("Say in %(min)d to %(max)d characters why you need the full value.")
            % {"min": REASON_MIN, "max": REASON_MAX},
            code="reason_required", field="reason",
        )
    value = getattr(obj, field.attname)
    if not value:
        return ""
    clear = value.reveal() if isinstance(value, PersonalValue) else str(value)
    audit_record(AuditAction.REVEAL, actor=actor, obj=obj, changes={"field": field_name}, reason=reason)
    return clear


def raw_delete(queryset: models.QuerySet) -> int:
    """DELETE in batches of ids, without loading rows or sending signals (retention jobs record one
    summary audit event instead). The caller clears references to the rows first."""
    deleted = 0
    model = queryset.model
    while True:
        ids = list(queryset.values_list("pk", flat=True)[:DELETE_BATCH])
        if not ids:
            return deleted
        deleted += model.objects.filter(pk__in=ids)._raw_delete(model.objects.db)
