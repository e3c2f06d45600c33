"""A grid worker logs in on a phone and sees their grid, and only their grid, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest

from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, GRID_A2, PASSWORD
from fangxian.registry.models import Resident
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _residents(world) -> None:
    with acting_as(Actor.system("test")):
        Resident.objects.create(area_code=GRID_A1, household=world.households["A1"], name="王建国", sex="M",
                                birth_date=dt.date(1948, 3, 2), id_number="370202194803021231", phone="13800001234")
        Resident.objects.create(area_code=GRID_A2, household=world.households["A2"], name="李秀英", sex="F",
                                birth_date=dt.date(1951, 7, 9))


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")


@pytest.mark.parametrize("locale,expect", [("zh-CN", "户数"), ("en", "Households")])
def test_grid_worker_sees_only_their_grid(browser, live_server, live_world, screenshot_dir, locale, expect):
    _residents(live_world)
    context, page = new_page(browser, locale=locale, phone=True)
    try:
        _log_in(page, live_server.url, "grid_a1")
        page.wait_for_selector("[data-testid=jurisdiction]")
        body = page.inner_text("body")
        assert expect in body
        assert "甲社区第一网格" in body
        assert "甲社区第二网格" not in body and "乙社区" not in body
        assert page.inner_text("[data-testid=count-residents]") == "1"
        page.screenshot(path=str(screenshot_dir / f"home-grid-worker-{locale}.png"), full_page=True)

        # Down the tree to the household: the personal numbers are masked.
        page.click("[data-testid=buildings] a")
        page.click("[data-testid=households] a")
        residents = page.inner_text("[data-testid=residents]")
        assert "王建国" in residents
        assert "370202********1231" in residents and "370202194803021231" not in residents
        assert "138****1234" in residents
        page.screenshot(path=str(screenshot_dir / f"household-{locale}.png"), full_page=True)

        # The neighbouring grid's area page answers "not found", not its data.
        response = page.goto(f"{live_server.url}/areas/{GRID_A2}/")
        assert response.status == 404
        assert "李秀英" not in page.inner_text("body")
    finally:
        context.close()


def test_reveal_asks_for_a_reason_and_is_audited(browser, live_server, live_world):
    from fangxian.core.models import AuditEvent

    _residents(live_world)
    context, page = new_page(browser, locale="en")
    try:
        _log_in(page, live_server.url, "grid_a1")
        household = live_world.households["A1"]
        page.goto(f"{live_server.url}/areas/households/{household.pk}/")
        page.click("#pv-{}-id_number a".format(Resident.objects.get(name="王建国").pk))
        page.wait_for_selector("[data-testid=reveal-form]")
        page.fill("[data-testid=reveal-form] input[name=reason]", "  ab")  # passes the browser, not the server
        page.click("[data-testid=reveal-form] button")
        page.wait_for_selector("[data-testid=reveal-error]")
        page.fill("[data-testid=reveal-form] input[name=reason]", "Verifying identity at the door")
        page.click("[data-testid=reveal-form] button")
        page.wait_for_selector("[data-testid=revealed]")
        assert page.inner_text("[data-testid=revealed]") == "370202194803021231"
        event = AuditEvent.objects.get(action="reveal")
        assert event.reason == "Verifying identity at the door" and event.actor_label == "grid_a1"
    finally:
        context.close()
