"""Checkpoints and the gate policies in force, kept per process between scans.

Every scan needs its checkpoint, the emergency over the community and that level's policy; these
change a few times a day, scans arrive by the thousand a minute. A process keeps them with the
stamp of the `checkpoints.gates` version (`fangxian.core.versions`), which every save or delete of
a checkpoint, a gate policy or an emergency bumps in its own transaction: a scan reads the stamp
(one primary-key read) and, when it differs, starts from an empty state. A commander's change
therefore applies to the very next scan on every server.

The stamp is random, never a count: a bump rolled back must not bring back a number that a
process has already paired with rows that were never committed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.signals import setting_changed

from fangxian.checkpoints.models import Checkpoint, GatePolicy
from fangxian.command.models import Emergency
from fangxian.core.versions import bump_on_change, version_read

VERSION = "checkpoints.gates"


@dataclass
class GateState:
    stamp: int
    checkpoints: dict[int, Checkpoint] = field(default_factory=dict)
    policies: dict[str, tuple[GatePolicy, Emergency | None]] = field(default_factory=dict)


_state = GateState(stamp=-1)


def gate_state() -> GateState:
    """This process's state, emptied if the version stamp has moved since it was filled."""
    global _state
    stamp = version_read(VERSION)
    if stamp != _state.stamp:
        _state = GateState(stamp=stamp)
    return _state


def policy_in_force(community_code: str) -> tuple[GatePolicy, Emergency | None]:
    """`gate_policy_in_force` through this process's state: no query while nothing has changed."""
    from fangxian.checkpoints.selectors import gate_policy_in_force

    policies = gate_state().policies
    if community_code not in policies:
        policies[community_code] = gate_policy_in_force(community_code)
    return policies[community_code]


def _forget(**kwargs: object) -> None:
    global _state
    _state = GateState(stamp=-1)


def connect() -> None:
    bump_on_change(VERSION, (Checkpoint, GatePolicy, Emergency))
    # The open policy's fever threshold is a setting: a test that changes it must not meet the old one.
    setting_changed.connect(_forget, weak=False, dispatch_uid="checkpoints-gatestate-settings")
