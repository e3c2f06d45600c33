"""Pages of the shell: login, second factor, home, audit, reveal, tokens, errors, languages."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangxian.core.audit import acting_as
from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor
from fangxian.core.testing import GRID_A1, GRID_B1, PASSWORD, login
from fangxian.registry.models import Resident

pytestmark = pytest.mark.django_db


def _resident(world, grid=GRID_A1, key="A1") -> Resident:
    with acting_as(Actor.system("test")):
        return Resident.objects.create(area_code=grid, household=world.households[key], name="赵桂兰", sex="F",
                                       birth_date=dt.date(1940, 1, 1), id_number="11010519400101000X",
                                       phone="13912345678")


def test_login_page_speaks_the_browsers_language(db, client):
    assert "登录" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert "Log in" in client.get("/accounts/login/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_wrong_password_says_so_in_the_users_language(world, client):
    response = client.post("/accounts/login/", {"username": "grid_a1", "password": "wrong"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 401
    assert "The user name or the password is wrong." in response.content.decode()


def test_login_then_home_shows_the_grid(world, client):
    response = client.post("/accounts/login/", {"username": "grid_a1", "password": PASSWORD}, follow=True)
    body = response.content.decode()
    assert response.status_code == 200 and "甲社区第一网格" in body and "乙社区" not in body


def test_an_open_redirect_after_login_is_refused(world, client):
    response = client.post("/accounts/login/?next=https://evil.example/", {
        "username": "grid_a1", "password": PASSWORD, "next": "https://evil.example/"})
    assert response.status_code == 302 and response["Location"] == "/home/"


def test_pages_require_login(db, client):
    for url in ["/home/", "/audit/", f"/areas/{GRID_A1}/", "/accounts/me/"]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"], url


def test_administrator_must_pass_the_second_factor(world, client):
    response = client.post("/accounts/login/", {"username": "admin", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"].startswith("/accounts/otp/")
    # Until verified, nothing is reachable.
    assert client.get("/home/")["Location"].startswith("/accounts/otp/")
    assert client.get("/api/v1/areas/").status_code == 401
    enrol = client.get("/accounts/otp/")
    assert "<svg" in enrol.content.decode()
    device = TOTPDevice.objects.get(user=world.users["admin"], confirmed=False)
    assert client.post("/accounts/otp/", {"token": "000000"}).status_code == 200
    device.refresh_from_db()
    device.throttle_reset()  # a wrong code throttles the device (django-otp); the test skips the wait
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    response = client.post("/accounts/otp/", {"token": f"{code:06d}"})
    assert response.status_code == 302 and response["Location"] == "/home/"
    assert client.get("/home/").status_code == 200
    assert TOTPDevice.objects.get(pk=device.pk).confirmed


def test_audit_page_needs_the_capability_and_stays_in_the_jurisdiction(world, client):
    with acting_as(Actor.system("test")):
        AuditEvent.objects.create(action="update", area_code=GRID_A1, object_label="event-in-A")
        AuditEvent.objects.create(action="update", area_code=GRID_B1, object_label="event-in-B")
    login(client, world.users["grid_a1"])
    assert client.get("/audit/").status_code == 403
    login(client, world.users["commander_a"])
    body = client.get("/audit/").content.decode()
    assert "event-in-A" in body and "event-in-B" not in body
    filtered = client.get("/audit/?action=update&area_code=370202001001002").content.decode()
    assert "event-in-A" not in filtered
    bad = client.get("/audit/?area_code=abc&date_from=notadate")
    assert bad.status_code == 200 and "event-in-B" not in bad.content.decode()


def test_reveal_needs_capability_reason_and_jurisdiction(world, client):
    resident = _resident(world)
    url = f"/personal/registry.resident/{resident.pk}/id_number/"
    login(client, world.users["grid_b1"])
    assert client.post(url, {"reason": "checking"}).status_code == 404
    login(client, world.users["street1"])
    assert client.post(url, {"reason": "checking"}).status_code == 403
    login(client, world.users["grid_a1"])
    assert "reveal-error" in client.post(url, {"reason": "x"}).content.decode()
    assert not AuditEvent.objects.filter(action="reveal").exists()
    response = client.post(url, {"reason": "door-to-door check"})
    assert "11010519400101000X" in response.content.decode()
    event = AuditEvent.objects.get(action="reveal")
    assert event.reason == "door-to-door check" and event.area_code == GRID_A1
    assert client.post(f"/personal/registry.resident/{resident.pk}/name/", {"reason": "abcd"}).status_code == 200
    assert client.get("/personal/auth.user/1/password/").status_code == 404
    assert client.get("/personal/nonsense/1/x/").status_code == 404


def test_household_page_masks_numbers(world, client):
    _resident(world)
    login(client, world.users["grid_a1"])
    body = client.get(f"/areas/households/{world.households['A1'].pk}/").content.decode()
    assert "110105********000X" in body and "139****5678" in body
    assert "11010519400101000X" not in body and "13912345678" not in body


def test_tokens_from_the_account_page_are_shown_once(world, client):
    login(client, world.users["worker_a"])
    assignment = world.users["worker_a"].role_assignments.get()
    response = client.post("/accounts/me/", {"action": "create", "name": "gate phone", "assignment": assignment.pk})
    secret = re.search(r"fx_[0-9a-f]{10}_[\w-]+", response.content.decode()).group(0)
    page = client.get("/accounts/me/").content.decode()
    assert "gate phone" in page and secret not in page
    invalid = client.post("/accounts/me/", {"action": "create", "name": "", "assignment": assignment.pk})
    assert invalid.status_code == 400


def test_logout_everywhere_ends_other_sessions(world, client, django_user_model):
    from django.test import Client

    other = Client()
    login(client, world.users["worker_a"])
    login(other, world.users["worker_a"])
    assert other.get("/home/").status_code == 200
    client.post("/accounts/me/", {"action": "logout_everywhere"})
    assert other.get("/home/").status_code == 302


def test_unknown_area_is_a_friendly_404(world, client):
    login(client, world.users["grid_a1"])
    with translation.override("en"):
        response = client.get("/areas/370202999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    assert "not in your jurisdiction" in response.content.decode()


def test_language_switch_sets_english(world, client):
    login(client, world.users["grid_a1"])
    client.post("/i18n/setlang/", {"language": "en", "next": "/home/"})
    assert "Households" in client.get("/home/").content.decode()


def test_area_import_rejects_an_oversize_file(world, client, settings):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.FANGXIAN_MAX_UPLOAD_BYTES = 100
    login(client, world.users["admin"])
    upload = SimpleUploadedFile("areas.csv", b"code,name\n" + b"1" * 500, content_type="text/csv")
    response = client.post("/areas/import/", {"file": upload}, HTTP_ACCEPT_LANGUAGE="en")
    assert "at most" in response.content.decode()


def test_healthz(db, client):
    assert client.get("/healthz").json() == {"status": "ok"}
