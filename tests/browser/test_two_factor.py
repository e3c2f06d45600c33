"""An administrator's first login: password, then enrolment of an authenticator, then in."""

from __future__ import annotations

import base64
import re

import pytest
from django_otp.oath import totp

from fangxian.core.testing import PASSWORD
from tests.browser.conftest import new_page

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


def test_administrator_enrols_an_authenticator_then_reaches_the_admin(browser, live_server, live_world):
    context, page = new_page(browser, locale="en")
    try:
        page.goto(f"{live_server.url}/admin/")
        assert "/accounts/login/" in page.url  # the admin has no login of its own
        page.fill("input[name=username]", "admin")
        page.fill("input[name=password]", PASSWORD)
        page.click("[data-testid=login-submit]")
        page.wait_for_selector("[data-testid=otp-qr] svg")
        secret = re.search(r"[A-Z2-7]{16,}", page.inner_text("body")).group(0)
        page.fill("input[name=token]", "000000")
        page.click("button:has-text('Verify')")
        assert "not valid" in page.inner_text("[data-testid=otp-error]")

        from django_otp.plugins.otp_totp.models import TOTPDevice

        device = TOTPDevice.objects.get(user__username="admin")
        device.throttle_reset()  # the wrong code throttled the device; a person would wait a second
        code = totp(base64.b32decode(secret), step=30, digits=6)
        page.fill("input[name=token]", f"{code:06d}")
        page.click("button:has-text('Verify')")
        page.wait_for_url(f"{live_server.url}/admin/")
        assert "Site administration" in page.inner_text("body")
    finally:
        context.close()
