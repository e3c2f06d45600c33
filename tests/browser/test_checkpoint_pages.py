"""Checkpoint pages in a browser: a commander issues a household pass and opens its printable card; the
resident opens /checkpoints/my-pass/ on a phone and sees the QR code; the live view draws its chart."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from fangxian.checkpoints.models import Checkpoint, GatePolicy, GateScan, Pass
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


# The zh-Hans catalogue of these strings comes later (the lead translates): either wording is accepted.
def _morning_traffic(gate) -> None:
    """A few scans in the hours before now, so that the live view's chart has bars."""
    now = timezone.now()
    for minutes in range(0, 360, 25):
        for direction in ("in", "out", "out"):
            GateScan.objects.create(
                area_code=gate.area_code,
                checkpoint=gate,
                direction=direction,
                at=now - dt.timedelta(minutes=minutes),
                verdict="allow",
                reason="ok",
                idempotency_key=uuid.uuid4(),
            )


@pytest.mark.parametrize("locale,holder", [("zh-CN", ("全户", "Whole household")), ("en", ("Whole household",))])
def test_commander_issues_a_household_pass_and_the_resident_shows_it(
    browser, live_server, live_world, screenshot_dir, locale, holder
):
    with acting_as(Actor.system("test")):
        Resident.objects.create(
            area_code=GRID_A1,
            household=live_world.households["A1"],
            name="王建国",
            sex="M",
            birth_date=dt.date(1960, 1, 2),
        )
        gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门")
        _morning_traffic(gate)
    household = live_world.households["A1"]
    context, page = new_page(browser, locale=locale)
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        _log_in(page, live_server.url, "commander_a")
        page.goto(f"{live_server.url}/checkpoints/passes/households/?q=101")
        page.click("[data-testid=household-row]")
        page.fill("input[name=days]", "14")
        page.screenshot(path=str(screenshot_dir / f"pass-issue-commander-{locale}.png"), full_page=True)
        page.click("[data-testid=pass-issue-submit]")
        page.wait_for_selector("[data-testid=pass-qr] svg")
        issued = Pass.objects.get(household=household)
        assert issued.resident is None
        page.click("[data-testid=pass-card-link]")
        page.wait_for_selector("[data-testid=pass-card]")
        assert page.inner_text("[data-testid=card-holder]").strip() in holder
        assert page.locator("[data-testid=card-qr] svg").count() == 1
        page.emulate_media(media="print")
        page.screenshot(path=str(screenshot_dir / f"pass-card-commander-{locale}.png"), full_page=True)
        page.emulate_media(media="screen")

        # Level II of the community's gate policy: one exit per household every 2 days.
        page.goto(f"{live_server.url}/checkpoints/policies/{COMMUNITY_A}/")
        page.click("[data-testid=policy-level-2] summary")
        page.fill("input[name=l2-quota_persons]", "1")
        page.fill("input[name=l2-quota_days]", "2")
        page.check("input[name=l2-visitors_need_host_approval]")
        page.click("[data-testid=policy-submit-2]")
        page.wait_for_selector("[data-testid=policy-level-2]")
        assert GatePolicy.objects.get(area_code=COMMUNITY_A, level=2).quota_days == 2
        page.screenshot(path=str(screenshot_dir / f"gate-policies-commander-{locale}.png"), full_page=True)

        page.goto(f"{live_server.url}/checkpoints/live/")
        page.wait_for_selector("#live-chart canvas")
        page.screenshot(path=str(screenshot_dir / f"checkpoints-live-commander-{locale}.png"), full_page=True)
    finally:
        context.close()

    context, page = new_page(browser, locale=locale, phone=True)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        _log_in(page, live_server.url, "resident_a1")
        page.goto(f"{live_server.url}/checkpoints/my-pass/")
        qr = page.locator("[data-testid=my-pass-qr] svg")
        qr.wait_for()
        box = qr.bounding_box()
        assert box is not None and box["width"] >= 250  # big enough to scan from a phone held out
        assert "王建国" not in page.inner_text("body")
        page.screenshot(path=str(screenshot_dir / f"my-pass-resident-{locale}.png"), full_page=True)
    finally:
        context.close()
    assert not errors, errors
