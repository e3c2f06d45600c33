"""The areas and accounts API: scoping, cursor pages, errors as JSON, tokens narrowing to one role."""

from __future__ import annotations

import pytest

from fangxian.accounts.models import RoleAssignment
from fangxian.accounts.services import api_token_create
from fangxian.core.roles import Role
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_A2, GRID_B1, login

pytestmark = pytest.mark.django_db


def test_top_areas_are_the_callers_jurisdiction(world, client):
    login(client, world.users["commander_a"])
    body = client.get("/api/v1/areas/").json()
    assert [a["code"] for a in body["items"]] == [COMMUNITY_A]
    children = client.get(f"/api/v1/areas/?parent={COMMUNITY_A}").json()
    assert [a["code"] for a in children["items"]] == [GRID_A1, GRID_A2]


def test_children_of_a_sibling_are_empty_not_an_error(world, client):
    login(client, world.users["commander_a"])
    assert client.get(f"/api/v1/areas/?parent={COMMUNITY_B}").json()["items"] == []


def test_cursor_pages_walk_the_subtree_in_code_order(world, client):
    login(client, world.users["street1"])
    codes, after = [], None
    while True:
        url = "/api/v1/areas/370202001/subtree?limit=2" + (f"&after={after}" if after else "")
        page = client.get(url).json()
        codes += [a["code"] for a in page["items"]]
        after = page["next_cursor"]
        if not after:
            break
    assert codes == sorted(codes) and COMMUNITY_A in codes and GRID_B1 in codes
    assert all(code.startswith("370202001") and code != "370202001" for code in codes)


def test_detail_has_counts_and_sibling_is_not_found(world, client):
    login(client, world.users["commander_a"])
    detail = client.get(f"/api/v1/areas/{COMMUNITY_A}").json()
    assert detail["name"] == "测试甲社区" and detail["counts"]["households"] == 2
    response = client.get(f"/api/v1/areas/{COMMUNITY_B}")
    assert response.status_code == 404 and response.json()["code"] == "not_found"
    missing = client.get("/api/v1/areas/999999999999")
    assert missing.status_code == 404 and missing.json() == response.json()


def test_tree_nests_levels(world, client):
    login(client, world.users["street1"])
    tree = client.get("/api/v1/areas/370202001/tree?depth=2").json()
    assert {c["code"] for c in tree["children"]} == {COMMUNITY_A, COMMUNITY_B}
    community_a = next(c for c in tree["children"] if c["code"] == COMMUNITY_A)
    assert {g["code"] for g in community_a["children"]} == {GRID_A1, GRID_A2}


@pytest.mark.parametrize("query", ["limit=0", "limit=100000", "after=abc", "limit=x"])
def test_bad_parameters_get_a_json_error(world, client, query):
    login(client, world.users["street1"])
    response = client.get(f"/api/v1/areas/?{query}")
    assert response.status_code == 422
    assert set(response.json()) >= {"code", "message"}


def test_without_credentials_the_api_answers_401_json(db, client):
    response = client.get("/api/v1/areas/")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"


def test_a_token_acts_with_its_one_role_only(world, client):
    user = world.users["grid_a1"]
    second = RoleAssignment.objects.create(user=user, role=Role.GRID_WORKER, area_code=GRID_B1)
    first = RoleAssignment.objects.get(user=user, area_code=GRID_A1)
    from fangxian.core.scoping import Actor

    _token, secret = api_token_create(actor=Actor.for_user(user), assignment=first, name="gate phone")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
    me = client.get("/api/v1/accounts/me", **headers).json()
    assert [g["area_code"] for g in me["grants"]] == [GRID_A1] and me["via_token"] is True
    assert client.get(f"/api/v1/areas/{GRID_A1}", **headers).status_code == 200
    assert client.get(f"/api/v1/areas/{GRID_B1}", **headers).status_code == 404
    assert second.pk  # the user does hold B1: the token alone does not reach it


def test_a_bad_token_is_refused(db, client):
    for value in ["Bearer nonsense", "Bearer fx_0123456789_wrong", "Bearer " + "x" * 5000, "Basic abc"]:
        response = client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=value)
        assert response.status_code == 401, value


def test_tokens_created_and_revoked_through_the_api(world, client):
    user = world.users["worker_a"]
    login(client, user)
    assignment = RoleAssignment.objects.get(user=user)
    created = client.post("/api/v1/accounts/tokens", {"name": "scanner", "assignment_id": assignment.pk},
                          content_type="application/json")
    assert created.status_code == 201
    secret = created.json()["token"]
    listed = client.get("/api/v1/accounts/tokens").json()
    assert [t["name"] for t in listed] == ["scanner"] and "token" not in listed[0]
    client.logout()
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    login(client, user)
    assert client.delete(f"/api/v1/accounts/tokens/{created.json()['id']}").status_code == 204
    client.logout()
    assert client.get("/api/v1/accounts/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_token_for_someone_elses_assignment_is_not_found(world, client):
    login(client, world.users["worker_a"])
    other = RoleAssignment.objects.get(user=world.users["worker_b"])
    response = client.post("/api/v1/accounts/tokens", {"name": "x", "assignment_id": other.pk},
                           content_type="application/json")
    assert response.status_code == 404


def test_invalid_json_body_is_a_clear_422(world, client):
    login(client, world.users["worker_a"])
    response = client.post("/api/v1/accounts/tokens", "{not json", content_type="application/json")
    assert response.status_code in (400, 422)
    assert "code" in response.json()


def test_openapi_and_docs_are_served_without_cdn(db, client):
    schema = client.get("/api/v1/openapi.json")
    assert schema.status_code == 200 and "/api/v1/areas/" in schema.json()["paths"]
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "/static/ninja/" in html
