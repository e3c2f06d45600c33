"""The supplies part of the demo: a street warehouse, the demo community's store with lots, issues of
the last days, reorder levels, a drafted replenishment request, disinfection points and a log.

Seeded after the command demo, through the app's services, as people would do it.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from fangxian.accounts.models import RoleAssignment
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor
from fangxian.supplies.catalogue import catalogue_load
from fangxian.supplies.models import Item, Lot, Store
from fangxian.supplies.services.disinfection import disinfection_log_create, disinfection_point_create
from fangxian.supplies.services.levels import reorder_levels_set
from fangxian.supplies.services.requests import request_draft_replenishment
from fangxian.supplies.services.stock import stock_issue, stock_receive
from fangxian.supplies.services.stores import store_create

COMMUNITY_STOCK = [
    # item code, quantity, days to expiry, source, donor
    ("mask-n95", 400, 20, "donation", "青岛某医药公司"),
    ("mask-surgical", 3000, 400, "purchase", ""),
    ("alcohol-75", 60, 300, "purchase", ""),
    ("chlorine-tablets", 40, 700, "allocation", ""),
    ("gloves", 500, 900, "purchase", ""),
    ("suit", 30, 600, "allocation", ""),
]
ISSUES = [
    ("mask-n95", 120, "team", "东门、北门值守"),
    ("mask-surgical", 600, "team", "网格员入户"),
    ("gloves", 80, "team", "消杀队"),
]
LEVELS = {"mask-n95": 500, "mask-surgical": 1500, "alcohol-75": 40, "gloves": 200, "suit": 20}


def supplies_demo(*, actor: Actor) -> int:
    """Seed supplies around the demo commander's community; returns the stores opened (0: skipped)."""
    if Store.objects.exists():
        return 0
    community = (
        RoleAssignment.objects.filter(role=Role.COMMANDER, user__username="commander", active=True)
        .values_list("area_code", flat=True)
        .first()
    )
    if not community:
        return 0
    catalogue_load()
    items = {item.code: item for item in Item.objects.all()}
    today = timezone.localdate()
    warehouse = store_create(actor=actor, area_code=community[:9], name="街道应急物资仓库", kind="street")
    store = store_create(
        actor=actor, area_code=community, name="社区应急物资站", kind="community", address="社区服务中心一楼"
    )
    stock_receive(actor=actor, store_id=warehouse.pk, item_id=items["mask-n95"].pk, quantity=5000, source="allocation")
    stock_receive(actor=actor, store_id=warehouse.pk, item_id=items["alcohol-75"].pk, quantity=400, source="purchase")
    for code, quantity, days, source, donor in COMMUNITY_STOCK:
        stock_receive(
            actor=actor,
            store_id=store.pk,
            item_id=items[code].pk,
            quantity=quantity,
            source=source,
            donor=donor,
            expires_on=today + dt.timedelta(days=days),
        )
    for code, quantity, kind, recipient in ISSUES:
        stock_issue(
            actor=actor,
            store_id=store.pk,
            item_id=items[code].pk,
            quantity=quantity,
            recipient_kind=kind,
            recipient=recipient,
        )
    reorder_levels_set(
        actor=actor, area_code=community, levels={items[code].pk: level for code, level in LEVELS.items()}
    )
    request_draft_replenishment(actor=actor, store_id=store.pk)
    alcohol = Lot.objects.filter(store=store, item=items["alcohol-75"]).first()
    for name, kind, hours in (
        ("1号楼电梯", "lift", 12),
        ("1号楼楼梯间", "stairwell", 24),
        ("小区东门", "gate", 8),
        ("垃圾分类点", "rubbish", 12),
    ):
        point = disinfection_point_create(actor=actor, area_code=community, name=name, kind=kind, every_hours=hours)
        if kind in ("lift", "gate") and alcohol is not None:
            disinfection_log_create(
                actor=actor, point_id=point.pk, lot_id=alcohol.pk, quantity=1, note="含氯消毒液擦拭"
            )
    return 2
