"""A grid worker at a door, on a phone: finds 张三丰 by "zsf", sees masked numbers, reveals the phone
with a reason, registers a new member of the household and deregisters one who moved away."""

from __future__ import annotations

import pytest

from fangxian.core.audit import acting_as
from fangxian.core.idcard import check_char
from fangxian.core.scoping import Actor
from fangxian.core.testing import PASSWORD
from fangxian.registry.models.residents import Resident, ResidentStatus
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ZHANG_ID = "37020219500506123" + check_char("37020219500506123")


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")


def test_grid_worker_finds_registers_and_deregisters_at_a_door(browser, live_server, live_world, screenshot_dir):
    household = live_world.households["A1"]
    with acting_as(Actor.system("test")):
        Resident.objects.create(
            area_code=household.area_code,
            household=household,
            name="张三丰",
            sex="M",
            id_number=ZHANG_ID,
            phone="13812345678",
        )
    context, page = new_page(browser, locale="en", phone=True)
    try:
        _log_in(page, live_server.url, "grid_a1")
        page.goto(f"{live_server.url}/registry/residents/")
        page.fill("input[name=q]", "zsf")
        page.click("[data-testid=resident-search-submit]")
        page.wait_for_selector("[data-testid=resident-row]")  # results also update as one types
        rows = page.locator("[data-testid=resident-row]")
        assert rows.count() == 1
        text = rows.first.inner_text()
        assert "张三丰" in text and "138****5678" in text and "13812345678" not in text
        page.screenshot(path=str(screenshot_dir / "resident-search-grid-worker-en.png"), full_page=True)

        rows.first.click()
        page.locator("[data-testid=resident-phone] a").click()
        page.fill("input[name=reason]", "上门核实")
        page.locator("[data-testid=resident-phone] button, [data-testid=resident-phone] [type=submit]").first.click()
        page.wait_for_selector("text=13812345678")

        page.click("[data-testid=resident-household]")
        page.click("[data-testid=household-add-member]")
        page.fill("input[name=name]", "李四")
        page.select_option("select[name=sex]", "F")
        page.select_option("select[name=relation]", "spouse")
        page.click("[data-testid=resident-save]")
        page.wait_for_selector("[data-testid=resident-name]")
        assert "李四" in page.inner_text("[data-testid=resident-name]")

        page.click("[data-testid=resident-deregister]")
        page.select_option("select[name=status]", ResidentStatus.MOVED_AWAY)
        page.fill("input[name=reason]", "迁往外地")
        page.click("[data-testid=resident-deregister-save]")
        page.wait_for_selector("[data-testid=resident-status]")
        assert "迁往外地" in page.inner_text("[data-testid=resident-history]")
        assert Resident.objects.get(name="李四").status == ResidentStatus.MOVED_AWAY
    finally:
        context.close()


def test_results_follow_typing_without_a_submit(browser, live_server, live_world):
    household = live_world.households["A1"]
    with acting_as(Actor.system("test")):
        for name in ("张三丰", "李四"):
            Resident.objects.create(area_code=household.area_code, household=household, name=name, sex="M")
    context, page = new_page(browser, locale="en", phone=True)
    try:
        _log_in(page, live_server.url, "grid_a1")
        page.goto(f"{live_server.url}/registry/residents/")
        assert page.locator("[data-testid=resident-row]").count() == 2
        page.type("input[name=q]", "ls")
        page.wait_for_function("document.querySelectorAll('[data-testid=resident-row]').length === 1")
        assert "李四" in page.inner_text("[data-testid=resident-list]")
    finally:
        context.close()
