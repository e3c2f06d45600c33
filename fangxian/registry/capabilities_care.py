"""Capabilities of the registry's care and party parts (see fangxian.core.capabilities).

Care records hold health and disability information: community staff read and plan them, grid
workers (and staff) record visits. Officials see counts only (the home panel). Volunteers get
none of these pages: what a visit needs reaches them as a task.
"""

from fangxian.core.capabilities import register_capability
from fangxian.core.roles import OFFICIAL_ROLES, Role

COMMUNITY_LEVEL = {Role.COMMANDER, Role.COMMUNITY_WORKER}
STAFF = COMMUNITY_LEVEL | {Role.GRID_WORKER}

register_capability("care.view", STAFF)
register_capability("care.manage", COMMUNITY_LEVEL)
register_capability("care.visit", STAFF)
register_capability("care.counts", OFFICIAL_ROLES | STAFF)
register_capability("party.view", STAFF)
register_capability("party.manage", COMMUNITY_LEVEL)
register_capability("party.join", {Role.RESIDENT})
