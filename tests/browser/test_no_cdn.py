"""Government networks are often closed: no page may fetch anything from outside the app."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from fangxian.areas.models import Area
from fangxian.core.audit import acting_as
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, GRID_A1, PASSWORD
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

SQUARE = {"type": "Polygon", "coordinates": [[[120.38, 36.06], [120.39, 36.06], [120.39, 36.07], [120.38, 36.07],
                                              [120.38, 36.06]]]}


def test_pages_load_everything_from_the_app(browser, live_server, live_world):
    with acting_as(Actor.system("test")):
        grid = Area.objects.get(code=GRID_A1)
        grid.geometry = SQUARE
        grid.save()
    context, page = new_page(browser, locale="zh-CN")
    outside: list[str] = []
    failed: list[str] = []
    host = urlparse(live_server.url).netloc
    page.on("request", lambda r: outside.append(r.url) if urlparse(r.url).netloc not in ("", host)
            and not r.url.startswith(("data:", "blob:")) else None)
    page.on("requestfailed", lambda r: failed.append(r.url))
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "commander_a")
        page.fill("input[name=password]", PASSWORD)
        page.click("[data-testid=login-submit]")
        page.wait_for_selector("[data-testid=jurisdiction]")
        page.goto(f"{live_server.url}/areas/{COMMUNITY_A}/")
        page.wait_for_selector("#fx-map .leaflet-interactive")  # the grid's outline is drawn
        page.goto(f"{live_server.url}/audit/")
        page.goto(f"{live_server.url}/accounts/me/")
        page.goto(f"{live_server.url}/api/v1/docs")
        page.wait_for_selector(".swagger-ui", timeout=15000)
    finally:
        context.close()
    assert not outside, f"requests outside the app: {outside}"
    assert not failed, f"failed requests: {failed}"
    assert not errors, f"JavaScript errors: {errors}"
