"""Capabilities of the command app (see fangxian.core.capabilities)."""

from fangxian.core.capabilities import ALL_ROLES, register_capability
from fangxian.core.roles import OFFICIAL_ROLES, Role

STAFF = {Role.COMMANDER, Role.COMMUNITY_WORKER, Role.GRID_WORKER}

register_capability("emergency.view", OFFICIAL_ROLES | STAFF | {Role.GUARD, Role.VOLUNTEER})
register_capability("emergency.manage", OFFICIAL_ROLES | {Role.COMMANDER})
# Grid workers see their grid; the group and the plans are filed at the community, so they are
# not offered to them (their part of a plan reaches them as tasks).
COMMUNITY_LEVEL = {Role.COMMANDER, Role.COMMUNITY_WORKER}
register_capability("group.view", OFFICIAL_ROLES | COMMUNITY_LEVEL)
register_capability("group.manage", {Role.COMMANDER})
register_capability("plan.view", OFFICIAL_ROLES | COMMUNITY_LEVEL)
register_capability("plan.manage", {Role.COMMANDER, Role.COMMUNITY_WORKER})
register_capability("plan.activate", {Role.COMMANDER})
register_capability("task.view", ALL_ROLES - {Role.RESIDENT})
register_capability("task.assign", OFFICIAL_ROLES | {Role.COMMANDER, Role.COMMUNITY_WORKER})
register_capability("task.update", ALL_ROLES - {Role.RESIDENT})
register_capability("directive.view", OFFICIAL_ROLES | {Role.COMMANDER, Role.COMMUNITY_WORKER})
register_capability("directive.send", OFFICIAL_ROLES)
register_capability("directive.respond", {Role.COMMANDER, Role.COMMUNITY_WORKER})
# Volunteers and guards see the drills they take part in (Drill.scope_personal).
register_capability("drill.view", OFFICIAL_ROLES | STAFF | {Role.GUARD, Role.VOLUNTEER})
register_capability("drill.manage", {Role.COMMANDER, Role.COMMUNITY_WORKER})
register_capability("training.view", OFFICIAL_ROLES | STAFF)
register_capability("training.manage", OFFICIAL_ROLES | {Role.COMMANDER})
register_capability("report.view", OFFICIAL_ROLES | {Role.COMMANDER, Role.COMMUNITY_WORKER})
register_capability("report.submit", {Role.COMMANDER, Role.COMMUNITY_WORKER})
