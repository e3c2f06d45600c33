"""Test data of the command group, and its leak factory (members sit at the community of the grid)."""

from __future__ import annotations

from fangxian.command.models import CommandGroupMember, Duty, OrganisationKind
from fangxian.core.testing import leak_factory


def make_member(
    area_code: str,
    duty: str = Duty.LOGISTICS,
    *,
    user=None,
    name: str = "",
    phone: str = "",
    duty_label: str = "",
    organisation: str = "测试居委会",
    active: bool = True,
    order: int = 0,
) -> CommandGroupMember:
    return CommandGroupMember.objects.create(
        area_code=area_code,
        duty=duty,
        duty_label=duty_label,
        user=user,
        name=name or (str(user) if user else "联络人"),
        organisation=organisation,
        organisation_kind=OrganisationKind.RESIDENTS_COMMITTEE,
        phone=phone,
        active=active,
        order=order,
    )


@leak_factory(CommandGroupMember)
def command_group_member(grid: str, marker: str, world) -> CommandGroupMember:
    return make_member(grid[:12], Duty.MEDICAL, name=marker, phone="13800001234")
