"""The command part of the demo: what a community looks like on the morning of DESIGN.md section 8.

An epidemic at level II over the demo commander's community, its command group, an epidemic plan
activated into tasks, and a directive from the street due this evening. Everything goes through
the app's services, as a person would do it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from fangxian.accounts.models import RoleAssignment, User
from fangxian.command.models import Duty, OrganisationKind
from fangxian.command.services.directives import directive_send
from fangxian.command.services.emergencies import emergency_declare
from fangxian.command.services.group import group_member_add
from fangxian.command.services.plans import plan_activate, plan_create
from fangxian.core.roles import Role
from fangxian.core.scoping import Actor

PLAN_ACTIONS = [
    # (duty, level, title, minutes, priority)
    (Duty.LEADER, 4, "召开应急指挥小组会议，明确分工", 60, "high"),
    (Duty.LIAISON, 4, "向街道报告社区疫情防控启动情况", 120, "normal"),
    (Duty.INFORMATION, 4, "排查近14天外地返回人员", 240, "high"),
    (Duty.PUBLICITY, 4, "在楼栋张贴防控告示并推送居民群通知", 180, "normal"),
    (Duty.LOGISTICS, 3, "清点口罩、消毒液、测温枪库存", 120, "high"),
    (Duty.SECURITY, 3, "设置小区出入口防控点并排班值守", 90, "urgent"),
    (Duty.MOBILISATION, 3, "招募党员和志愿者参与值守与配送", 240, "normal"),
    (Duty.MEDICAL, 2, "对居家隔离人员每日两次测温随访", 180, "urgent"),
    (Duty.LOGISTICS, 2, "为独居老人和隔离家庭安排代购送药", 360, "high"),
    (Duty.LEADER, 1, "启动封闭管理，报请街道支援人员与物资", 30, "urgent"),
]


@dataclass
class CommandDemo:
    emergency_id: int
    tasks: int
    directive_id: int


def _user_in(role: str, username: str) -> tuple[User, str] | None:
    assignment = (
        RoleAssignment.objects.select_related("user").filter(role=role, user__username=username, active=True).first()
    )
    return (assignment.user, assignment.area_code) if assignment else None


def command_demo(*, actor: Actor) -> CommandDemo | None:
    """Seed the command module around the demo users; None when they are not there or it is seeded already."""
    from fangxian.command.models import Emergency

    if Emergency.objects.exists():
        return None
    commander = _user_in(Role.COMMANDER, "commander")
    street = _user_in(Role.STREET_OFFICIAL, "street")
    worker = _user_in(Role.COMMUNITY_WORKER, "worker")
    grid = _user_in(Role.GRID_WORKER, "grid")
    if not (commander and street and worker and grid):
        return None
    community = commander[1]
    members = [
        (
            Duty.LEADER,
            {"user": commander[0].pk, "organisation": "社区党委", "organisation_kind": OrganisationKind.PARTY},
        ),
        (Duty.LIAISON, {"user": worker[0].pk, "organisation": "社区居委会"}),
        (Duty.INFORMATION, {"user": grid[0].pk, "organisation": "社区居委会"}),
        (Duty.PUBLICITY, {"user": worker[0].pk, "organisation": "社区居委会"}),
        (
            Duty.LOGISTICS,
            {
                "name": "物业服务中心",
                "organisation": "小区物业公司",
                "phone": "13700000001",
                "organisation_kind": OrganisationKind.PROPERTY,
            },
        ),
        (
            Duty.SECURITY,
            {
                "name": "业委会值班组",
                "organisation": "业主委员会",
                "phone": "13700000002",
                "organisation_kind": OrganisationKind.OWNERS_COMMITTEE,
            },
        ),
        (Duty.MOBILISATION, {"user": grid[0].pk, "organisation": "社区居委会"}),
        (
            Duty.MEDICAL,
            {
                "name": "社区卫生服务站",
                "organisation": "社区卫生服务站",
                "phone": "13700000003",
                "organisation_kind": OrganisationKind.UNIT,
            },
        ),
    ]
    for order, (duty, values) in enumerate(members):
        group_member_add(actor=actor, area_code=community, duty=duty, order=order, **values)
    plan = plan_create(
        actor=actor,
        area_code=community,
        hazard="epidemic",
        title="社区新冠肺炎疫情防控应急预案",
        body="依据《突发公共卫生事件应急条例》和街道总体预案制定，分四级响应。",
        actions=[
            {"duty": d, "level": lv, "title": t, "deadline_minutes": m, "priority": p}
            for d, lv, t, m, p in PLAN_ACTIONS
        ],
    )
    emergency = emergency_declare(
        actor=actor,
        area_code=community,
        kind="epidemic",
        level=2,
        title="社区疫情防控（二级响应）",
        started_at=timezone.now() - dt.timedelta(hours=3),
    )
    activation = plan_activate(actor=actor, plan=plan, emergency=emergency)
    deadline = timezone.localtime().replace(hour=18, minute=0, second=0, microsecond=0)
    if deadline <= timezone.now() + dt.timedelta(hours=1):
        deadline += dt.timedelta(days=1)
    directive = directive_send(
        actor=actor,
        title="关于开展重点人群全面排查的通知",
        body="请各社区于今日18时前完成辖区内近14天外地返回人员排查，并上报排查结果。",
        deadline=deadline,
        report_required=True,
        community_codes="all",
        area_code=street[1],
    )
    return CommandDemo(emergency_id=emergency.pk, tasks=activation.task_count, directive_id=directive.pk)
