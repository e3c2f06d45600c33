"""Stores: a community store, a street or district warehouse, a supply point for residents."""

from __future__ import annotations

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.scoping import Actor
from fangxian.supplies.models import Store, StoreKind

# The level of area each kind of store belongs to (digits of its code).
KIND_LEVELS = {
    StoreKind.COMMUNITY: (12, 15),
    StoreKind.SUPPLY_POINT: (12, 15),
    StoreKind.STREET: (9,),
    StoreKind.DISTRICT: (6,),
}


@transaction.atomic
def store_create(*, actor: Actor, area_code: str, name: str, kind: str, address: str = "") -> Store:
    """Open a store for an area in reach; its kind must fit the area's level."""
    if not actor.can("supplies.manage"):
        raise PermissionDenied(_("Your role may not open stores."))
    if kind not in KIND_LEVELS:
        raise DomainError(_("Choose the kind of store."), code="kind", field="kind")
    try:
        area = Area.objects.get_visible(actor, code=area_code)
    except Http404:
        raise NotFound(_("There is no such area in your jurisdiction."), field="area_code") from None
    if len(area.code) not in KIND_LEVELS[kind]:
        raise DomainError(
            _("A %(kind)s belongs to an area of another level.") % {"kind": StoreKind(kind).label},
            code="store_level",
            field="area_code",
        )
    name, address = (name or "").strip(), (address or "").strip()
    if not name or len(name) > 100:
        raise DomainError(_("Give the store a name of at most 100 characters."), code="name", field="name")
    if len(address) > 200:
        raise DomainError(_("At most 200 characters."), code="too_long", field="address")
    store = Store(area_code=area.code, name=name, kind=kind, address=address)
    store.full_clean()
    store.save()
    return store
