"""A street official sends a directive to two communities; one commander acknowledges and reports;
the official sees 1/2 complied (DESIGN.md section 8: "a directive from the street due at 18:00")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from fangxian.command.models import Directive, DirectiveRecipient, Task, TaskStatus
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, PASSWORD
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_street_sends_commander_answers_street_sees_compliance(
    browser, live_server, live_world, screenshot_dir, locale
):
    base = live_server.url
    deadline = (timezone.localtime() + dt.timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M")

    # 14:00, street official, desktop: a directive to communities A and B.
    context, page = new_page(browser, locale=locale)
    try:
        _log_in(page, base, "street1")
        page.goto(f"{base}/command/directives/")
        page.click("[data-testid=directive-new]")
        page.fill("input[name=title]", "开展独居老人全覆盖走访")
        page.fill("textarea[name=body]", "18:00前走访辖区全部独居老人，报告走访人数和发现的问题。")
        page.fill("input[name=deadline]", deadline)
        page.check(f"input[name=communities][value='{COMMUNITY_A}']")
        page.check(f"input[name=communities][value='{COMMUNITY_B}']")
        page.screenshot(path=str(screenshot_dir / f"directive-send-street-{locale}.png"), full_page=True)
        page.click("[data-testid=directive-submit]")
        page.wait_for_selector("[data-testid=compliance-total]")
        assert page.inner_text("[data-testid=directive-title]") == "开展独居老人全覆盖走访"
        assert "0/2" in page.inner_text("[data-testid=compliance-total]")
        directive = Directive.objects.get()
        assert set(DirectiveRecipient.objects.values_list("area_code", flat=True)) == {COMMUNITY_A, COMMUNITY_B}
    finally:
        context.close()

    # The commander of community A: the directive is in the task inbox; acknowledge, then report.
    context, page = new_page(browser, locale=locale, phone=True)
    try:
        _log_in(page, base, "commander_a")
        page.goto(f"{base}/command/tasks/")
        page.click("[data-testid=task-row]:has-text('开展独居老人全覆盖走访')")
        page.click("[data-testid=task-to-directive]")
        page.wait_for_selector("[data-testid=directive-acknowledge]")
        page.click("[data-testid=directive-acknowledge]")
        page.wait_for_selector("[data-testid=respond-acknowledged]")
        page.fill("[data-testid=report-text]", "已走访独居老人 46 人，2 人需送药，已安排志愿者。")
        page.click("[data-testid=directive-report]")
        page.wait_for_selector("[data-testid=respond-reported]")
        page.screenshot(path=str(screenshot_dir / f"directive-report-commander-{locale}.png"), full_page=True)
        copy = DirectiveRecipient.objects.get(area_code=COMMUNITY_A)
        assert copy.acknowledged_at and copy.reported_at and copy.report.startswith("已走访")
        assert Task.objects.get(area_code=COMMUNITY_A, title="开展独居老人全覆盖走访").status == TaskStatus.DONE
    finally:
        context.close()

    # Back at the street: 1 of 2 communities complied, and B can be reminded.
    context, page = new_page(browser, locale=locale)
    try:
        _log_in(page, base, "street1")
        page.goto(f"{base}/command/directives/{directive.pk}/")
        # "1/2 complied" in English; the figure is the same in every language
        assert "1/2" in page.inner_text("[data-testid=compliance-total]")
        if locale == "en":
            assert page.inner_text("[data-testid=compliance-total]").strip() == "1/2 complied"
        rows = page.locator("[data-testid=compliance-row]")
        assert rows.count() == 2
        assert "已走访独居老人" in page.inner_text(f"[data-testid=compliance-row][data-code='{COMMUNITY_A}']")
        page.screenshot(path=str(screenshot_dir / f"directive-compliance-street-{locale}.png"), full_page=True)
        page.click("[data-testid=directive-remind]")
        page.wait_for_selector("main .alert-success")
        assert DirectiveRecipient.objects.get(area_code=COMMUNITY_B).reminder_count == 1
        assert DirectiveRecipient.objects.get(area_code=COMMUNITY_A).reminder_count == 0
        page.goto(f"{base}/command/directives/")
        assert "1/2" in page.inner_text("[data-testid=directive-list]")
    finally:
        context.close()
