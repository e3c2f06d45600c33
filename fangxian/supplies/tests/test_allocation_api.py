"""Allocation API: propose, adjust, issue; scoped reads; refusals with codes."""

from __future__ import annotations

import pytest

from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, login
from fangxian.supplies.models import Transfer
from fangxian.supplies.tests.test_allocation_services import mask, setup  # noqa: F401 - fixtures

pytestmark = pytest.mark.django_db
BASE = "/api/v1/supplies"


def post(client, path, body=None):
    return client.post(BASE + path, body or {}, content_type="application/json")


def test_propose_adjust_issue_through_the_api(client, world, mask, setup):  # noqa: F811
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    login(client, world.users["street1"])
    created = post(client, "/allocations", {"item_id": mask.pk, "from_store_id": setup["warehouse"].pk, "total": 60})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["status"] == "draft" and body["from_store_name"] == "街道仓库"
    shares = {s["area_code"]: s for s in body["shares"]}
    assert sum(s["share"] for s in shares.values()) == 60 and "front-line workers" in shares[COMMUNITY_A]["reason"]
    over = post(client, f"/allocations/{body['id']}/adjust", {"shares": {COMMUNITY_A: 61}})
    assert over.status_code == 400 and over.json()["code"] == "over_total"
    adjusted = post(client, f"/allocations/{body['id']}/adjust", {"shares": {COMMUNITY_A: 30, COMMUNITY_B: 30}})
    assert adjusted.status_code == 200 and {s["share"] for s in adjusted.json()["shares"]} == {30}
    issued = post(client, f"/allocations/{body['id']}/issue")
    assert issued.status_code == 200 and issued.json()["status"] == "issued"
    assert Transfer.objects.count() == 2
    assert post(client, f"/allocations/{body['id']}/issue").json()["code"] == "allocation_issued"
    listed = client.get(BASE + "/allocations").json()["items"]
    assert [a["id"] for a in listed] == [body["id"]]


def test_other_street_and_community_staff_cannot_reach_it(client, world, mask, setup):  # noqa: F811
    login(client, world.users["street1"])
    created = post(client, "/allocations", {"item_id": mask.pk, "from_store_id": setup["warehouse"].pk, "total": 10})
    allocation_id = created.json()["id"]
    client.logout()
    login(client, world.users["street2"])
    assert client.get(f"{BASE}/allocations/{allocation_id}").status_code == 404
    assert client.get(BASE + "/allocations").json()["items"] == []
    assert post(client, f"/allocations/{allocation_id}/issue").status_code == 404
    client.logout()
    login(client, world.users["commander_a"])
    assert post(client, f"/allocations/{allocation_id}/issue").status_code == 403
    refused = post(client, "/allocations", {"item_id": mask.pk, "from_store_id": setup["warehouse"].pk, "total": 1})
    assert refused.status_code == 403


def test_hostile_bodies_are_refused(client, world, mask, setup):  # noqa: F811
    login(client, world.users["street1"])
    for body in (
        {"item_id": mask.pk, "from_store_id": setup["warehouse"].pk, "total": 0},
        {"item_id": mask.pk, "from_store_id": setup["warehouse"].pk, "total": "lots"},
        {"item_id": 0, "from_store_id": setup["warehouse"].pk, "total": 1},
    ):
        assert post(client, "/allocations", body).status_code in (400, 422)
    assert (
        post(
            client, "/allocations", {"item_id": 999999, "from_store_id": setup["warehouse"].pk, "total": 1}
        ).status_code
        == 404
    )
    created = post(client, "/allocations", {"item_id": mask.pk, "from_store_id": setup["warehouse"].pk, "total": 10})
    allocation_id = created.json()["id"]
    for shares in ({COMMUNITY_A: -1}, {COMMUNITY_A: 10**12}, {"x\x00": 1}):
        assert post(client, f"/allocations/{allocation_id}/adjust", {"shares": shares}).status_code in (400, 422)
