"""Malformed, oversize and hostile input gets a clear answer and changes nothing."""

from __future__ import annotations

import pytest

from fangxian.accounts.models import LoginFailure
from fangxian.areas.models import Area
from fangxian.core.audit import acting_as
from fangxian.core.models import AuditEvent
from fangxian.core.scoping import Actor
from fangxian.core.testing import COMMUNITY_A, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("username", ["x" * 10_000, "grid_a1\x00", "' OR 1=1 --", "网格员" * 100, ""])
def test_login_with_hostile_user_names_fails_cleanly(world, client, username):
    response = client.post(
        "/accounts/login/", {"username": username, "password": "whatever"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code in (200, 401)
    assert "_auth_user_id" not in client.session


def test_a_huge_password_is_refused_without_hashing_it(world, client):
    response = client.post("/accounts/login/", {"username": "grid_a1", "password": "a" * 100_000})
    assert response.status_code == 200 and "_auth_user_id" not in client.session
    assert not LoginFailure.objects.exists()  # the form refused it before any check


@pytest.mark.parametrize(
    "path",
    [
        "/areas/'%3B%20DROP%20TABLE%20areas_area%3B--/",
        "/areas/" + "9" * 500 + "/",
        "/areas/households/99999999999999999999/",
        "/personal/registry.resident/1/../../x/",
    ],
)
def test_strange_paths_are_not_found(world, client, path):
    login(client, world.users["commander_a"])
    assert client.get(path).status_code == 404


def test_markup_in_names_is_shown_as_text(world, client):
    with acting_as(Actor.system("test")):
        Area.objects.filter(code=COMMUNITY_A).update(name='<script>alert("x")</script>')
    login(client, world.users["commander_a"])
    body = client.get(f"/areas/{COMMUNITY_A}/").content.decode()
    assert '<script>alert("x")</script>' not in body and "&lt;script&gt;" in body


def test_an_oversize_request_body_is_refused(world, client, settings):
    login(client, world.users["worker_a"])
    response = client.post(
        "/api/v1/accounts/tokens", "{" + '"name": "' + "x" * (6 * 1024 * 1024) + '"}', content_type="application/json"
    )
    assert response.status_code in (400, 413, 422)


def test_token_names_are_limited(world, client):
    login(client, world.users["worker_a"])
    assignment = world.users["worker_a"].role_assignments.get()
    response = client.post(
        "/api/v1/accounts/tokens", {"name": "x" * 101, "assignment_id": assignment.pk}, content_type="application/json"
    )
    assert response.status_code == 400 and response.json()["code"] == "token_name"


def test_a_long_reason_is_refused_and_nothing_revealed(world, client):
    import datetime as dt

    from fangxian.core.testing import GRID_A1
    from fangxian.registry.models import Resident

    with acting_as(Actor.system("test")):
        resident = Resident.objects.create(
            area_code=GRID_A1,
            household=world.households["A1"],
            name="测试",
            sex="M",
            birth_date=dt.date(1960, 1, 1),
            phone="13700001111",
        )
    login(client, world.users["grid_a1"])
    response = client.post(f"/personal/registry.resident/{resident.pk}/phone/", {"reason": "r" * 10_000})
    assert "13700001111" not in response.content.decode()
    assert not AuditEvent.objects.filter(action="reveal").exists()


@pytest.mark.parametrize(
    "path",
    ["/api/v1/areas/%00", "/api/v1/areas/abc/subtree", "/api/v1/areas/?parent=%00", "/api/v1/areas/1'%3B--/tree"],
)
def test_api_paths_with_garbage_are_refused_before_the_database(world, client, path):
    login(client, world.users["commander_a"])
    response = client.get(path)
    # 400 for a NUL character (refused by NulCharacterMiddleware before any view), else 404 or 422.
    assert response.status_code in (400, 404, 422) and "code" in response.json()
