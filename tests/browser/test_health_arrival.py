"""A resident back from a risk area reports the arrival on the community's public link, on a phone, without
an account; the grid worker finds the urgent task in the inbox, opens the arrival, confirms home
quarantine, and the case with its end date is there. No request leaves the app."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from fangxian.command.models import Task, TaskSource
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, GRID_A1, PASSWORD, STREET_1
from fangxian.health.models import Arrival, HealthCase, RiskArea
from fangxian.registry.models import Resident
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ID_NUMBER = "11010519491231002X"


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_resident_reports_an_arrival_and_the_grid_worker_opens_a_home_quarantine(
    browser, live_server, live_world, screenshot_dir, locale
):
    with acting_as(Actor.system("test")):
        Resident.objects.create(
            area_code=GRID_A1, household=live_world.households["A1"], name="王小明", sex="M", id_number=ID_NUMBER
        )
        RiskArea.objects.create(
            area_code=STREET_1,
            division_code="420106",
            name="武汉市武昌区",
            level="high",
            measure="home_quarantine",
            days=14,
            since=timezone.localdate() - dt.timedelta(days=5),
        )
    context, page = new_page(browser, locale=locale, phone=True)
    host = urlparse(live_server.url).netloc
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in ("", host) else None)
    try:
        page.goto(f"{live_server.url}/health/arrive/{COMMUNITY_A}/")
        page.fill("input[name=name]", "王小明")
        page.fill("input[name=id_number]", ID_NUMBER)
        page.fill("input[name=room]", "1-1-101")
        page.fill("input[name=origin_code]", "420106")
        page.fill("input[name=origin_name]", "武汉市武昌区")
        page.fill("input[name=arrived_on]", (timezone.localdate() - dt.timedelta(days=1)).isoformat())
        page.select_option("select[name=transport]", "train")
        page.fill("input[name=transport_detail]", "G1234")
        page.screenshot(path=str(screenshot_dir / f"arrival-report-resident-{locale}.png"), full_page=True)
        page.click("[data-testid=arrival-submit]")
        page.wait_for_selector("[data-testid=arrival-risky]")
        assert "王**" in page.inner_text("[data-testid=arrival-done]")
        page.screenshot(path=str(screenshot_dir / f"arrival-done-resident-{locale}.png"), full_page=True)
        arrival = Arrival.objects.get()
        assert arrival.risk_level == "high" and arrival.source == "self"
        task = Task.objects.get(source=TaskSource.HEALTH)
        assert task.priority == "urgent"

        # The grid worker, on their phone: the task is in the inbox; the arrival page confirms the measure.
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "grid_a1")
        page.fill("input[name=password]", PASSWORD)
        page.click("[data-testid=login-submit]")
        page.wait_for_load_state()
        page.goto(f"{live_server.url}/command/tasks/")
        assert "武汉市武昌区" in page.inner_text("[data-testid=task-list]")
        page.goto(f"{live_server.url}/health/arrivals/{arrival.pk}/")
        assert page.input_value("select[name=measure]") == "home_quarantine"
        page.screenshot(path=str(screenshot_dir / f"arrival-confirm-grid-worker-{locale}.png"), full_page=True)
        page.click("[data-testid=arrival-confirm-submit]")
        page.wait_for_selector("[data-testid=arrival-case]")
        page.click("[data-testid=arrival-case]")
        page.wait_for_selector("[data-testid=case]")
        case = HealthCase.objects.get()
        assert case.kind == "home_quarantine" and case.ends_on == arrival.arrived_on + dt.timedelta(days=14)
        assert case.ends_on.isoformat() in page.inner_text("[data-testid=case-ends]")
        page.screenshot(path=str(screenshot_dir / f"case-grid-worker-{locale}.png"), full_page=True)
        assert not outside, outside
    finally:
        context.close()
