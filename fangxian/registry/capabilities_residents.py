"""Capabilities of the registry's residents and households (see fangxian.core.capabilities)."""

from fangxian.core.capabilities import COMMUNITY_STAFF, register_capability
from fangxian.core.roles import OFFICIAL_ROLES

# Officials read the registry of their subtree; community staff keep it.
register_capability("resident.view", OFFICIAL_ROLES | COMMUNITY_STAFF)
register_capability("resident.manage", COMMUNITY_STAFF)
