"""The one capability check: which role may do which action.

Scoping (`visible_to`) answers "which rows"; this answers "which actions". Each capability is a
`rules` predicate over the actor (and optionally an object), kept in one RuleSet so that views,
API endpoints, exports, jobs and templates ask the same question the same way:
`actor.can("personal.reveal")`. Apps add their own with `register_capability`.

A missing capability is a 403; an object outside the jurisdiction is a 404 (decided by scoping).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import rules

from fangxian.core.roles import AREA_REACH_ROLES, OFFICIAL_ROLES, Role

capability_rules = rules.RuleSet()
# capability -> roles, kept for documentation, the role matrix page and tests.
CAPABILITY_ROLES: dict[str, frozenset[str]] = {}


def _has_any_role(roles: frozenset[str]) -> rules.Predicate:
    @rules.predicate
    def predicate(actor: Any) -> bool:
        return getattr(actor, "is_system", False) or bool(getattr(actor, "roles", frozenset()) & roles)

    return predicate


def register_capability(name: str, roles: Iterable[str], extra: rules.Predicate | None = None) -> None:
    """Declare a capability held by `roles` (and, if given, only where `extra(actor, obj)` holds)."""
    role_set = frozenset(roles)
    CAPABILITY_ROLES[name] = role_set
    predicate = _has_any_role(role_set)
    if extra is not None:
        predicate = predicate & extra
    capability_rules.set_rule(name, predicate)


def actor_can(actor: Any, capability: str, obj: Any = None) -> bool:
    if capability not in CAPABILITY_ROLES:
        raise KeyError(f"unknown capability {capability!r}: register it in the app's capabilities")
    return capability_rules.test_rule(capability, actor, obj)


ALL_ROLES = frozenset(Role.values)
COMMUNITY_STAFF = frozenset({Role.COMMANDER, Role.COMMUNITY_WORKER, Role.GRID_WORKER})

register_capability("area.view", AREA_REACH_ROLES | {Role.RESIDENT, Role.VOLUNTEER, Role.COUNSELLOR})
register_capability("area.manage", {Role.ADMINISTRATOR})
register_capability("area.export", {Role.ADMINISTRATOR} | OFFICIAL_ROLES | {Role.COMMANDER})
register_capability("household.view", OFFICIAL_ROLES | COMMUNITY_STAFF | {Role.RESIDENT})
register_capability("household.manage", COMMUNITY_STAFF)
register_capability("personal.reveal", {Role.COMMANDER, Role.COMMUNITY_WORKER, Role.GRID_WORKER})
register_capability("audit.view", {Role.COMMANDER, Role.ADMINISTRATOR})
register_capability("user.view", {Role.ADMINISTRATOR, Role.COMMANDER})
register_capability("user.manage", {Role.ADMINISTRATOR})
register_capability("token.manage", ALL_ROLES - {Role.RESIDENT})
register_capability("admin.access", {Role.ADMINISTRATOR})
