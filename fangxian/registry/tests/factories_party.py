"""Leak factories of the party part."""

import datetime as dt

from fangxian.core.testing import leak_factory
from fangxian.registry.models.party import PartyMember


@leak_factory(PartyMember)
def party_member(grid: str, marker: str, world, user=None):
    return PartyMember.objects.create(
        area_code=grid, name=marker, branch="市税务局机关党支部", user=user, registered_on=dt.date(2026, 1, 1)
    )
