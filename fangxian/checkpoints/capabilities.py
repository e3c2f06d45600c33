"""Capabilities of the checkpoints app (see fangxian.core.capabilities).

Guards scan, register visitors and deliveries; they hold no personal-data reach
(`PERSONAL_DATA_ROLES` leaves them out), so what a scan shows them is the minimum the scan
service builds: a masked name and a room, never an ID or phone number. Commanders set the gates
up and their policies; community staff issue passes and register vehicles; the host household
decides on its visitors.
"""

import rules

from fangxian.core.capabilities import register_capability
from fangxian.core.roles import OFFICIAL_ROLES, Role

COMMUNITY_LEVEL = {Role.COMMANDER, Role.COMMUNITY_WORKER}
STAFF = COMMUNITY_LEVEL | {Role.GRID_WORKER}


@rules.predicate
def is_host_or_staff(actor, visitor) -> bool:
    """Residents decide only on visitors of their own household; staff on any they reach (scoping decides)."""
    if visitor is None or getattr(actor, "is_system", False):
        return True
    if getattr(actor, "roles", frozenset()) & COMMUNITY_LEVEL:
        return True
    return visitor.host_household_id is not None and visitor.host_household_id in actor.household_ids


register_capability("checkpoint.view", OFFICIAL_ROLES | STAFF | {Role.GUARD})
register_capability("checkpoint.manage", {Role.COMMANDER})
register_capability("checkpoint.scan", {Role.GUARD} | COMMUNITY_LEVEL)
register_capability("pass.view", STAFF | {Role.RESIDENT})
# The resident's own pages (my pass, visits to my home): in the menu of residents only.
register_capability("household.own", {Role.RESIDENT})
register_capability("pass.issue", STAFF)
register_capability("visitor.view", STAFF | {Role.RESIDENT})
register_capability("visitor.register", {Role.GUARD} | COMMUNITY_LEVEL)
register_capability("visitor.approve", COMMUNITY_LEVEL | {Role.RESIDENT}, extra=is_host_or_staff)
register_capability("delivery.record", {Role.GUARD} | COMMUNITY_LEVEL)
register_capability("vehicle.register", STAFF)
