"""Capabilities of the registry's import and export."""

from fangxian.core.capabilities import register_capability
from fangxian.core.roles import Role

register_capability("registry.import", {Role.COMMANDER, Role.COMMUNITY_WORKER})
register_capability("registry.export", {Role.COMMANDER, Role.COMMUNITY_WORKER, Role.GRID_WORKER})
