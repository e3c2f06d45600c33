"""The 18:00 journey: a commander submits the community's daily report; the street sees it beside the others."""

from __future__ import annotations

import pytest

from fangxian.command.models import DailyReport
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, PASSWORD
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_commander_submits_and_street_sees_the_rollup(browser, live_server, live_world, screenshot_dir, locale):
    context, page = new_page(browser, locale=locale, phone=True)
    try:
        _log_in(page, live_server.url, "commander_a")
        page.goto(f"{live_server.url}/command/reports/")
        page.wait_for_selector("[data-testid=report-figures]")
        assert page.locator("[data-testid=report-status] .text-bg-warning").count() == 1
        page.fill("[data-testid=report-form] textarea[name=notes]", "今日辖区平稳，3号楼隔离户物资已送达。")
        page.screenshot(path=str(screenshot_dir / f"daily-report-commander-{locale}.png"), full_page=True)
        page.click("[data-testid=report-submit]")
        page.wait_for_selector("[data-testid=report-status] .text-bg-success")
        assert "3号楼隔离户物资已送达" in page.input_value("[data-testid=report-form] textarea[name=notes]")
    finally:
        context.close()
    report = DailyReport.objects.get(area_code=COMMUNITY_A)
    assert report.status == "submitted" and report.submitted_by.username == "commander_a"

    context, page = new_page(browser, locale=locale)
    try:
        _log_in(page, live_server.url, "street1")
        page.goto(f"{live_server.url}/command/reports/")
        page.click("[data-testid=rollup-link]")
        page.wait_for_selector("[data-testid=rollup]")
        assert page.locator(f"[data-testid=rollup-status-{COMMUNITY_A}] .text-success").count() == 1
        assert page.locator(f"[data-testid=rollup-status-{COMMUNITY_B}] .text-danger").count() == 1
        table = page.inner_text("[data-testid=rollup]")
        assert "测试甲社区" in table and "测试乙社区" in table and "3号楼隔离户物资已送达" in table
        if locale == "en":
            assert "Not submitted" in page.inner_text(f"[data-testid=rollup-status-{COMMUNITY_B}]")
        else:
            assert page.get_attribute("html", "lang") == "zh-hans"
        page.screenshot(path=str(screenshot_dir / f"daily-report-rollup-street-{locale}.png"), full_page=True)
        with page.expect_download() as download:
            page.click("[data-testid=rollup-export]")
        assert download.value.suggested_filename.endswith(".xlsx")
    finally:
        context.close()
