"""Contact tracing in a browser: a commander finds the person, traces the window, the graph is drawn
(an ECharts canvas with the person and the graded contacts), and the page stays usable on a phone."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangxian.areas.models import Household
from fangxian.checkpoints.models import Checkpoint, GateScan
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, GRID_A1, PASSWORD
from fangxian.registry.models import Resident
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_url(f"{base}/home/")


def _scan(gate, at, resident) -> None:
    GateScan.objects.create(
        area_code=gate.area_code,
        checkpoint=gate,
        direction="out",
        at=at,
        resident=resident,
        household=resident.household,
        verdict="allow",
        reason="ok",
        idempotency_key=uuid.uuid4(),
    )


@pytest.mark.parametrize("locale,phone", [("zh-CN", True), ("en", False)])
def test_commander_traces_a_person_and_the_graph_is_drawn(
    browser, live_server, live_world, screenshot_dir, locale, phone
):
    home = live_world.households["A1"]
    with acting_as(Actor.system("test")):
        person = Resident.objects.create(area_code=GRID_A1, household=home, name="追踪对象", sex="M")
        Resident.objects.create(area_code=GRID_A1, household=home, name="同户家人", sex="F")
        neighbour = Household.objects.create(area_code=GRID_A1, building=home.building, unit=home.unit, room="202")
        Resident.objects.create(area_code=GRID_A1, household=neighbour, name="楼上邻居", sex="F")
        passer = Resident.objects.create(area_code=GRID_A1, household=neighbour, name="同门路人", sex="M")
        gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门")
        at = timezone.now() - dt.timedelta(hours=3)
        _scan(gate, at, person)
        _scan(gate, at + dt.timedelta(minutes=9), passer)
    context, page = new_page(browser, locale=locale, phone=phone)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        _log_in(page, live_server.url, "commander_a")
        page.goto(f"{live_server.url}/health/tracing/")
        page.fill("input[name=q]", "追踪")
        page.locator("[data-testid=tracing-search] button[type=submit]").click()
        page.locator("[data-testid=tracing-result]").first.click()
        page.wait_for_selector("[data-testid=trace-graph] canvas")
        assert page.locator("[data-testid=trace-person]").inner_text() == "追踪对象"
        assert page.locator("[data-testid=trace-contact]").count() == 3
        grades = page.locator("[data-testid=trace-contact]").evaluate_all("rows => rows.map(r => r.dataset.grade)")
        assert grades == ["A", "B", "B"]
        # The graph holds the person and the three contacts: ECharts keeps its option on the instance.
        nodes = page.evaluate(
            "() => echarts.getInstanceByDom(document.getElementById('trace-graph')).getOption().series[0].data.length"
        )
        assert nodes == 4
        box = page.locator("[data-testid=trace-graph] canvas").bounding_box()
        assert box and box["width"] > 200 and box["height"] > 200
        assert not errors, errors
        page.wait_for_timeout(600)  # the force layout settles
        page.screenshot(path=str(screenshot_dir / f"tracing-commander-{locale}.png"), full_page=True)
    finally:
        context.close()
