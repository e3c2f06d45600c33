"""Capabilities of the health app (see fangxian.core.capabilities).

Health rows are about people (`personal_data`): area roles reach them only through
`PERSONAL_DATA_ROLES`, so guards and administrators see none, and residents see their own
household's (cases, reports, check-ins, arrivals). Officials send screening lists down and keep
the risk areas; grid and community workers check, register, confirm and follow; the commander
sets the community's health policy.
"""

import rules

from fangxian.core.capabilities import register_capability
from fangxian.core.roles import OFFICIAL_ROLES, Role

COMMUNITY_LEVEL = {Role.COMMANDER, Role.COMMUNITY_WORKER}
STAFF = COMMUNITY_LEVEL | {Role.GRID_WORKER}


@rules.predicate
def is_own_or_staff(actor, obj) -> bool:
    """Residents report only for their own household; staff for any row they reach (scoping decides)."""
    if obj is None or getattr(actor, "is_system", False):
        return True
    if getattr(actor, "roles", frozenset()) & (STAFF | OFFICIAL_ROLES):
        return True
    household_id = obj.pk if obj._meta.model_name == "household" else getattr(obj, "household_id", None)
    return household_id is not None and household_id in actor.household_ids


register_capability("health.view", OFFICIAL_ROLES | STAFF | {Role.RESIDENT})
register_capability("health.counts", OFFICIAL_ROLES | STAFF)
register_capability("health.policy", {Role.COMMANDER})
register_capability("risk.manage", OFFICIAL_ROLES | {Role.COMMANDER})
register_capability("screening.send", OFFICIAL_ROLES)
register_capability("screening.answer", STAFF | {Role.STREET_OFFICIAL})
register_capability("arrival.register", STAFF | {Role.RESIDENT}, extra=is_own_or_staff)
register_capability("arrival.confirm", STAFF)
register_capability("case.manage", STAFF)
register_capability("case.report", STAFF | {Role.RESIDENT}, extra=is_own_or_staff)
register_capability("checkin.submit", STAFF | {Role.RESIDENT}, extra=is_own_or_staff)
register_capability("tracing.run", OFFICIAL_ROLES | COMMUNITY_LEVEL)
