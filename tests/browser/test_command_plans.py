"""A commander declares an epidemic at level II, writes a plan with 3 actions for 2 duties, activates it,
and the command group's tasks exist (the task inbox belongs to the tasks pages)."""

from __future__ import annotations

import re

import pytest

from fangxian.command.models import Duty, Emergency, PlanActivation, Task, TaskSource
from fangxian.command.tests.factories_group import make_member
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, PASSWORD
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


def _group(world) -> None:
    with acting_as(Actor.system("test")):
        make_member(COMMUNITY_A, Duty.LOGISTICS, user=world.users["worker_a"], phone="13800001111")
        make_member(COMMUNITY_A, Duty.MEDICAL, user=world.users["grid_a1"], phone="13800002222")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_commander_declares_and_activates_a_plan(browser, live_server, live_world, screenshot_dir, locale):
    _group(live_world)
    context, page = new_page(browser, locale=locale)
    base = live_server.url
    try:
        _log_in(page, base, "commander_a")

        # Declare an epidemic, level II, for the community.
        page.goto(f"{base}/command/emergencies/")
        page.click("[data-testid=declare]")
        page.select_option("select[name=area_code]", COMMUNITY_A)
        page.select_option("select[name=kind]", "epidemic")
        page.select_option("select[name=level]", "2")
        page.fill("input[name=title]", "甲社区新冠疫情")
        page.screenshot(path=str(screenshot_dir / f"emergency-declare-commander-{locale}.png"), full_page=True)
        page.click("[data-testid=declare-submit]")
        page.wait_for_selector("[data-testid=emergency-title]")
        assert page.inner_text("[data-testid=emergency-title]") == "甲社区新冠疫情"
        assert page.get_attribute("main [data-testid=level-badge]", "data-level") == "2"
        # The banner shows the level on every page of the community.
        assert "甲社区新冠疫情" in page.inner_text("[data-testid=emergency-banner]")
        emergency = Emergency.objects.get()
        assert emergency.level == 2 and emergency.area_code == COMMUNITY_A

        # Write a plan: 3 actions for 2 duties, all applying at level II or below.
        page.goto(f"{base}/command/plans/")
        page.click("[data-testid=plan-create]")
        page.fill("input[name=title]", "疫情防控预案")
        page.select_option("select[name=hazard]", "epidemic")
        page.fill("textarea[name=body]", "一、组织领导 二、应急响应")
        for index, (duty, level, title, minutes) in enumerate(
            [
                ("logistics", "4", "清点防疫物资", "120"),
                ("logistics", "3", "开设物资发放点", "240"),
                ("medical", "2", "设置临时隔离观察点", "60"),
            ]
        ):
            page.select_option(f"select[name=actions-{index}-duty]", duty)
            page.select_option(f"select[name=actions-{index}-level]", level)
            page.fill(f"input[name=actions-{index}-title]", title)
            page.fill(f"input[name=actions-{index}-deadline_minutes]", minutes)
        page.screenshot(path=str(screenshot_dir / f"plan-write-commander-{locale}.png"), full_page=True)
        page.click("[data-testid=plan-submit]")
        page.wait_for_selector("[data-testid=plan-title]")
        assert page.locator("[data-testid=action]").count() == 3

        # Activate it for the emergency.
        page.click("[data-testid=plan-activate]")
        page.wait_for_selector("[data-testid=activate-form]")
        assert "3" in page.inner_text("[data-testid=activation-preview]")
        page.screenshot(path=str(screenshot_dir / f"plan-activate-commander-{locale}.png"), full_page=True)
        page.click("[data-testid=activate-submit]")
        page.wait_for_selector("[data-testid=activations] a")
        assert "疫情防控预案" in page.inner_text("[data-testid=activations]")
        page.screenshot(path=str(screenshot_dir / f"emergency-commander-{locale}.png"), full_page=True)

        activation = PlanActivation.objects.get()
        tasks = {t.title: t for t in Task.objects.filter(emergency=emergency).prefetch_related("assignees")}
        assert activation.task_count == 3 and set(tasks) == {"清点防疫物资", "开设物资发放点", "设置临时隔离观察点"}
        assert all(t.source == TaskSource.PLAN and t.area_code == COMMUNITY_A for t in tasks.values())
        assert [u.username for u in tasks["清点防疫物资"].assignees.all()] == ["worker_a"]
        assert [u.username for u in tasks["设置临时隔离观察点"].assignees.all()] == ["grid_a1"]
        medical = tasks["设置临时隔离观察点"]
        assert (medical.due_at - activation.activated_at).total_seconds() == 3600
    finally:
        context.close()


def test_the_roster_prints_on_one_a4_page(browser, live_server, live_world, screenshot_dir):
    _group(live_world)
    context, page = new_page(browser, locale="zh-CN")
    try:
        _log_in(page, live_server.url, "commander_a")
        page.goto(f"{live_server.url}/command/group/roster/")
        page.wait_for_selector("[data-testid=roster-page]")
        assert "13800001111" in page.inner_text("[data-testid=roster]")
        pdf = page.pdf(format="A4")  # print CSS: navigation hidden, one community per page
        assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) == 1
        page.emulate_media(media="print")
        assert not page.is_visible("nav.navbar")
        page.screenshot(path=str(screenshot_dir / "group-roster-commander-zh-CN.png"), full_page=True)
    finally:
        context.close()


def test_a_grid_worker_sees_the_level_on_their_phone(browser, live_server, live_world, screenshot_dir):
    from fangxian.command.tests.factories_emergencies import make_emergency

    with acting_as(Actor.system("test")):
        make_emergency(COMMUNITY_A, title="甲社区新冠疫情", level=2)
    context, page = new_page(browser, locale="zh-CN", phone=True)
    try:
        _log_in(page, live_server.url, "grid_a1")
        for path in ("/home/", "/command/emergencies/", "/areas/"):
            page.goto(f"{live_server.url}{path}")
            banner = page.locator("[data-testid=emergency-banner]")
            assert banner.is_visible() and "甲社区新冠疫情" in banner.inner_text(), path
            assert banner.locator("[data-testid=level-badge]").get_attribute("data-level") == "2"
        page.goto(f"{live_server.url}/home/")
        page.screenshot(path=str(screenshot_dir / "home-emergency-banner-grid-worker-zh-CN.png"))
    finally:
        context.close()
