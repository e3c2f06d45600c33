"""Capabilities of the supplies app (see fangxian.core.capabilities).

Stock is not about people: area roles see the stores and stock of their areas. Community staff keep
their store (receive, issue, count, dispose) and request from the street; street and district
officials keep their warehouses, decide requests and allocate; grid workers and volunteers issue
and disinfect. Guards see nothing of it.
"""

from fangxian.core.capabilities import register_capability
from fangxian.core.roles import OFFICIAL_ROLES, Role

COMMUNITY_LEVEL = {Role.COMMANDER, Role.COMMUNITY_WORKER}
STAFF = COMMUNITY_LEVEL | {Role.GRID_WORKER}

register_capability("supplies.view", OFFICIAL_ROLES | STAFF)
register_capability("supplies.manage", OFFICIAL_ROLES | COMMUNITY_LEVEL)  # stores, lots, reorder levels
register_capability("supplies.move", OFFICIAL_ROLES | STAFF)  # receive, issue, count, dispose, transfer
register_capability("supplies.request", COMMUNITY_LEVEL)
register_capability("supplies.decide", OFFICIAL_ROLES)  # approve requests, allocate
register_capability("disinfection.log", STAFF | {Role.VOLUNTEER})
register_capability("disinfection.manage", COMMUNITY_LEVEL)
