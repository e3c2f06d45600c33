"""A community asks its street for N95 masks on a phone; the street official, with less in the warehouse
than the communities need, allocates among its three communities by need (the asking community's share
capped at what it asked), and issues the transfers in one action. No request leaves the app."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from fangxian.areas.models import Area
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, PASSWORD, STREET_1, make_household
from fangxian.registry.models import Resident
from fangxian.supplies.catalogue import catalogue_load
from fangxian.supplies.models import AllocationShare, Item, Store, SupplyRequest, Transfer
from fangxian.supplies.services.stock import stock_receive
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
COMMUNITY_D = "370202001003"


def _log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("[data-testid=login-submit]")
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_community_requests_masks_and_the_street_allocates_among_three(
    browser, live_server, live_world, screenshot_dir, locale
):
    system = Actor.system("test")
    catalogue_load()  # the live server's flush removed the catalogue of migration 0002
    masks = Item.objects.get(code="mask-n95")
    with acting_as(system):
        Area.objects.create(code=COMMUNITY_D, name="测试丁社区", level=12, parent_id=STREET_1)
        Area.objects.create(code=COMMUNITY_D + "001", name="丁社区第一网格", level=15, parent_id=COMMUNITY_D)
        stores = {}
        for code, people in ((COMMUNITY_A, 30), (COMMUNITY_B, 20), (COMMUNITY_D, 10)):
            grid = code + "001"
            home = make_household(grid, code[-3:])
            for n in range(people):
                Resident.objects.create(area_code=grid, household=home, name=f"居民{n}", sex="F")
            stores[code] = Store.objects.create(area_code=code, name=f"{code[-3:]}社区物资站", kind="community")
        warehouse = Store.objects.create(area_code=STREET_1, name="香港中路街道仓库", kind="street")
        stock_receive(actor=system, store_id=warehouse.pk, item_id=masks.pk, quantity=300, source="allocation")
    host = urlparse(live_server.url).netloc
    outside: list[str] = []

    # The commander of community A asks for 50 masks, on a phone.
    context, page = new_page(browser, locale=locale, phone=True)
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in ("", host) else None)
    try:
        _log_in(page, live_server.url, "commander_a")
        page.goto(f"{live_server.url}/supplies/stores/{stores[COMMUNITY_A].pk}/request/")
        page.fill(f"input[name=qty_{masks.pk}]", "50")
        page.fill("textarea[name=justification]", "东门、北门值守人员每日需要N95口罩")
        page.screenshot(path=str(screenshot_dir / f"supply-request-commander-{locale}.png"), full_page=True)
        page.click("[data-testid=request-new-submit]")
        page.wait_for_selector("[data-testid=request]")
    finally:
        context.close()
    request = SupplyRequest.objects.get()
    assert request.lines.get().quantity == 50 and request.to_area_code == STREET_1

    # The street official allocates the warehouse's 300 masks among A, B and D and issues them.
    context, page = new_page(browser, locale=locale)
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in ("", host) else None)
    try:
        _log_in(page, live_server.url, "street1")
        page.goto(f"{live_server.url}/supplies/stores/new/")  # the form to open a store opens cleanly
        assert page.locator("[data-testid=store-new] select[name=kind]").count() == 1
        page.goto(f"{live_server.url}/supplies/requests/")
        assert page.locator("[data-testid=request-row]").count() == 1
        page.goto(f"{live_server.url}/supplies/allocations/new/")
        page.select_option("select[name=item]", str(masks.pk))
        page.select_option("select[name=from_store]", str(warehouse.pk))
        page.fill("input[name=total]", "300")
        page.click("[data-testid=allocation-propose]")
        page.wait_for_selector("[data-testid=allocation-shares]")
        assert page.locator("[data-testid=share-row]").count() == 3
        assert page.locator("[data-testid=share-reason]").first.inner_text()
        page.screenshot(path=str(screenshot_dir / f"allocation-street-{locale}.png"), full_page=True)
        page.click("[data-testid=allocation-issue]")
        page.wait_for_load_state()
    finally:
        context.close()
    shares = {s.area_code: s.share for s in AllocationShare.objects.all()}
    assert sum(shares.values()) == 300
    assert shares[COMMUNITY_A] == 50  # capped at what it asked for
    assert shares[COMMUNITY_B] > shares[COMMUNITY_D] > 0  # more people, more masks
    assert Transfer.objects.count() == 3
    assert not outside, outside
