"""The admin: only administrators, only their jurisdiction, for reading and for writing."""

from __future__ import annotations

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangxian.accounts.models import RoleAssignment, User
from fangxian.core.models import AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_C, login

pytestmark = pytest.mark.django_db


def test_admin_has_no_login_of_its_own(db, client):
    response = client.get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_only_administrators_get_in(world, client):
    login(client, world.users["commander_a"])
    assert client.get("/admin/").status_code == 302
    login(client, world.users["admin_street2"])
    assert client.get("/admin/").status_code == 200


def test_an_administrator_cannot_grant_outside_the_jurisdiction(world, client):
    admin = world.users["admin_street2"]
    login(client, admin)
    target = world.users["volunteer_a"]
    url = "/admin/accounts/roleassignment/add/"
    response = client.post(url, {"user": target.pk, "role": "community_worker", "area_code": COMMUNITY_A,
                                 "active": "on", "created_at_0": "2026-01-01", "created_at_1": "00:00:00"},
                           HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert f"Area {COMMUNITY_A} is outside your jurisdiction." in response.content.decode()
    assert not RoleAssignment.objects.filter(user=target, area_code=COMMUNITY_A, role="community_worker").exists()
    response = client.post(url, {"user": target.pk, "role": "community_worker", "area_code": COMMUNITY_C,
                                 "active": "on", "created_at_0": "2026-01-01", "created_at_1": "00:00:00"})
    assert response.status_code == 302
    assert RoleAssignment.objects.filter(user=target, area_code=COMMUNITY_C).exists()


def test_a_new_user_needs_a_role_inside_the_jurisdiction(world, client):
    login(client, world.users["admin_street2"])
    base = {"username": "newworker", "password1": "Strong-pass-2026!", "password2": "Strong-pass-2026!",
            "display_name": "New", "role_assignments-TOTAL_FORMS": "1", "role_assignments-INITIAL_FORMS": "0",
            "role_assignments-MIN_NUM_FORMS": "1", "role_assignments-MAX_NUM_FORMS": "1000"}
    outside = {**base, "role_assignments-0-role": "community_worker", "role_assignments-0-area_code": COMMUNITY_A,
               "role_assignments-0-active": "on"}
    assert client.post("/admin/accounts/user/add/", outside).status_code == 200
    assert not User.objects.filter(username="newworker").exists()
    inside = {**outside, "role_assignments-0-area_code": COMMUNITY_C}
    response = client.post("/admin/accounts/user/add/", inside)
    assert response.status_code == 302
    user = User.objects.get(username="newworker")
    assert client.get(f"/admin/accounts/user/{user.pk}/change/").status_code == 200


def test_resetting_a_lost_authenticator_is_audited(world, client):
    login(client, world.users["admin"])
    device = TOTPDevice.objects.create(user=world.users["district"], name="phone", confirmed=True)
    response = client.post(f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    assert AuditEvent.objects.filter(action="otp_reset", object_label="district").exists()
