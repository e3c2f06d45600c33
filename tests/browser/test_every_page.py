"""Every page opens in a real browser for the people who use it: no server error, no script error,
nothing fetched from outside the app. Pages are discovered like the leak test discovers them, so a
new list or detail page is covered without editing this file."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from fangxian.core.testing import GRID_A1, LEAK_FACTORIES, PASSWORD
from fangxian.core.tests.test_jurisdiction_leak import _detail_url, _html_routes, _load_factories
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

PERSONAS = ["commander_a", "grid_a1", "street1"]


def test_every_list_and_detail_page_opens_cleanly(browser, live_server, live_world):
    _load_factories()
    lists, details, _ = _html_routes()
    own = {}
    for index, (model, factory) in enumerate(sorted(LEAK_FACTORIES.items(), key=lambda item: item[0]._meta.label)):
        own[model] = factory(GRID_A1, f"PGA1M{index:02d}X", live_world)
    host = urlparse(live_server.url).netloc
    problems: list[str] = []
    opened = 0
    for persona in PERSONAS:
        context, page = new_page(browser, locale="zh-CN")
        errors: list[str] = []
        page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
        page.on(
            "request",
            lambda request, errors=errors: (
                errors.append(f"outside: {request.url}")
                if urlparse(request.url).netloc not in ("", host) and not request.url.startswith(("data:", "blob:"))
                else None
            ),
        )
        try:
            page.goto(f"{live_server.url}/accounts/login/")
            page.fill("input[name=username]", persona)
            page.fill("input[name=password]", PASSWORD)
            page.click("[data-testid=login-submit]")
            page.wait_for_url(f"{live_server.url}/home/")
            urls = [reverse(route.name) for route in lists if not route.kwargs]
            for route in details:
                obj = own.get(route.view_class.model)
                if obj is not None:
                    urls.append(_detail_url(route, obj))
            for url in urls:
                try:
                    response = page.goto(f"{live_server.url}{url}")
                except PlaywrightError as error:
                    if "Download is starting" in str(error):  # a file served as an attachment: fine
                        opened += 1
                        continue
                    raise
                opened += 1
                if response is None or response.status not in (200, 403, 404):
                    problems.append(f"{persona} {url}: {response.status if response else 'no response'}")
                for error in errors:
                    problems.append(f"{persona} {url}: {error}")
                errors.clear()
        finally:
            context.close()
    assert opened > 20
    assert not problems, "\n".join(problems)
