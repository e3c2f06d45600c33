"""The street official sends a screening list (a CSV) on the desktop page: one person is found in the
register and routed to their grid, one is not and stays in the street's queue; the grid worker finds
their entry on the phone and answers it."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlparse

import pytest
from django.utils import timezone

from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, PASSWORD
from fangxian.health.models import ScreeningEntry
from fangxian.registry.models import Resident
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
ID_NUMBER = "11010519491231002X"


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_street_sends_a_screening_list_and_the_grid_worker_answers(
    browser, live_server, live_world, screenshot_dir, tmp_path, locale
):
    with acting_as(Actor.system("test")):
        Resident.objects.create(
            area_code=GRID_A1, household=live_world.households["A1"], name="王小明", sex="M", id_number=ID_NUMBER
        )
    csv = tmp_path / "协查名单.csv"
    csv.write_text(
        f"姓名,身份证号,联系电话,协查原因\n王小明,{ID_NUMBER},,密接\n李不在,,13900000000,次密接\n", encoding="utf-8"
    )
    host = urlparse(live_server.url).netloc
    outside: list[str] = []
    context, page = new_page(browser, locale=locale)
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in ("", host) else None)
    try:
        _log_in(page, live_server.url, "street1")
        page.goto(f"{live_server.url}/health/screening/new/")
        page.fill("input[name=title]", "第5批协查名单")
        deadline = timezone.localtime() + dt.timedelta(hours=6)
        page.fill("input[name=deadline]", deadline.strftime("%Y-%m-%dT%H:%M"))
        page.set_input_files("input[name=file]", str(csv))
        page.screenshot(path=str(screenshot_dir / f"screening-send-street-{locale}.png"), full_page=True)
        page.click("[data-testid=screening-send]")
        page.wait_for_selector("[data-testid=screening-progress]")
        assert page.locator("[data-testid=screening-queue]").count() == 1
    finally:
        context.close()
    assert ScreeningEntry.objects.count() == 2
    found = ScreeningEntry.objects.get(resident__isnull=False)
    assert found.area_code == GRID_A1 and found.match == "id"

    context, page = new_page(browser, locale=locale, phone=True)
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in ("", host) else None)
    try:
        _log_in(page, live_server.url, "grid_a1")
        page.goto(f"{live_server.url}/health/screening/entries/")
        page.click("[data-testid=screening-entry-row]")
        page.wait_for_selector("[data-testid=screening-answer-form]")
        page.check("input[name=outcome][value=verified]")
        page.click("[data-testid=screening-answer-form] button[type=submit]")
        page.wait_for_load_state()
    finally:
        context.close()
    found.refresh_from_db()
    assert found.status == "answered" and found.outcome == "verified"
    assert not outside, outside
