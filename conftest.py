"""Shared pytest fixtures: personas in a fixed tree, and an audit actor for every test."""

from __future__ import annotations

import pytest


@pytest.fixture
def world(db):
    from fangxian.core.testing import build_world

    return build_world()


@pytest.fixture
def system_actor():
    from fangxian.core.audit import acting_as
    from fangxian.core.scoping import Actor

    actor = Actor.system("test")
    with acting_as(actor):
        yield actor
