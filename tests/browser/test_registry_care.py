"""07:30, grid worker, phone (DESIGN.md section 8): an overdue visit to an old man living alone, recorded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, GRID_A2, PASSWORD
from fangxian.registry.models.care import CarePlan, CareVisit
from fangxian.registry.tests.factories_care import care_plan
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_grid_worker_records_an_overdue_visit_on_a_phone(browser, live_server, live_world, locale):
    month_ago = timezone.localdate() - dt.timedelta(days=30)
    with acting_as(Actor.system("test")):
        plan = care_plan(GRID_A1, "王大爷", live_world, started_on=month_ago, frequency_days=7)
        care_plan(GRID_A2, "第二网格的李奶奶", live_world, started_on=month_ago, frequency_days=7)
    context, page = new_page(browser, locale=locale, phone=True)
    base = live_server.url
    try:
        _log_in(page, base, "grid_a1")
        page.goto(f"{base}/")
        page.wait_for_selector("[data-testid=home-care-overdue]")
        page.click("[data-testid=home-care-overdue] a")
        page.wait_for_selector("[data-testid=care-overdue-list]")
        rows = page.locator("[data-testid=care-overdue-row]")
        assert rows.count() == 1
        assert "王大爷" in rows.first.inner_text()
        assert "李奶奶" not in page.inner_text("[data-testid=care-overdue-list]")
        box = rows.first.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 300

        rows.first.click()
        page.wait_for_selector("[data-testid=care-visit-form]")
        assert "王大爷" in page.inner_text("[data-testid=care-plan-resident]")
        page.fill("textarea[name=findings]", "老人身体正常，药品充足")
        page.check("input[name=follow_up_needed]")
        page.click("[data-testid=care-visit-submit]")
        page.wait_for_selector("[data-testid=care-visit]")
        assert "老人身体正常" in page.inner_text("[data-testid=care-visits]")

        visit = CareVisit.objects.get(plan=plan)
        assert visit.follow_up_needed and visit.visitor == live_world.users["grid_a1"]
        assert CarePlan.objects.get(pk=plan.pk).next_due_on == timezone.localdate() + dt.timedelta(days=7)

        page.goto(f"{base}/registry/care/overdue/")
        assert page.locator("[data-testid=care-overdue-row]").count() == 0
        assert page.locator("[data-testid=care-overdue-empty]").count() == 1
    finally:
        context.close()
