"""The checkpoints API: scans with idempotency keys, batches, passes, visitors; hostile input."""

from __future__ import annotations

import uuid

import pytest

from fangxian.checkpoints.models import GateScan, Visitor
from fangxian.checkpoints.services.passes import pass_token
from fangxian.command.models import Task
from fangxian.core.testing import login

pytestmark = pytest.mark.django_db
BASE = "/api/v1/checkpoints"


def post(client, path, body):
    return client.post(BASE + path, body, content_type="application/json")


def test_guard_scans_a_pass_then_a_fever(client, world, gate, person_pass):
    login(client, world.users["guard_a"])
    body = {
        "checkpoint_id": gate.pk,
        "direction": "in",
        "idempotency_key": str(uuid.uuid4()),
        "token": pass_token(person_pass),
        "temperature": 36.5,
    }
    first = post(client, "/scans", body)
    assert first.status_code == 201, first.content
    data = first.json()
    assert data["verdict"] == "allow" and data["created"] and data["summary"]["name"] == "王**"
    assert "phone" not in str(data) and "id_number" not in str(data)
    again = post(client, "/scans", body)
    assert again.status_code == 200 and not again.json()["created"] and again.json()["id"] == data["id"]
    fever = post(client, "/scans", {**body, "idempotency_key": str(uuid.uuid4()), "temperature": 38.1})
    assert fever.status_code == 201 and fever.json()["reason"] == "fever"
    assert Task.objects.count() == 1


def test_batch_upload_twice(client, world, gate, person_pass):
    login(client, world.users["guard_a"])
    scans = [
        {
            "checkpoint_id": gate.pk,
            "direction": "in",
            "idempotency_key": str(uuid.uuid4()),
            "token": pass_token(person_pass),
        }
        for _ in range(5)
    ]
    scans.append({"checkpoint_id": gate.pk, "direction": "in", "idempotency_key": "x", "token": ""})
    bad = post(client, "/scans/batch", {"scans": scans})
    assert bad.status_code == 422  # the whole upload is checked for shape first
    first = post(client, "/scans/batch", {"scans": scans[:5]})
    assert first.status_code == 200 and first.json()["created"] == 5
    second = post(client, "/scans/batch", {"scans": scans[:5]})
    assert second.json()["created"] == 0 and second.json()["repeated"] == 5
    assert GateScan.objects.count() == 5


def test_verify_tells_a_guard_of_another_community_nothing(client, world, person_pass):
    login(client, world.users["guard_b"])
    response = post(client, "/passes/verify", {"token": pass_token(person_pass)})
    assert response.status_code == 200
    assert response.json() == {
        "ok": False,
        "reason": "other_community",
        "reason_label": response.json()["reason_label"],
        "summary": None,
    }


def test_issue_revoke_and_qr(client, world, person):
    login(client, world.users["grid_a1"])
    issued = post(client, "/passes", {"household_id": person.household_id, "resident_id": person.pk, "days": 7})
    assert issued.status_code == 201, issued.content
    pass_id = issued.json()["id"]
    assert issued.json()["token"].startswith("FX1.")
    qr = client.get(f"{BASE}/passes/{pass_id}/qr?format=png")
    assert qr.status_code == 200 and qr["Content-Type"] == "image/png" and qr.content.startswith(b"\x89PNG")
    revoked = post(client, f"/passes/{pass_id}/revoke", {"reason": "丢失"})
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    again = post(client, f"/passes/{pass_id}/revoke", {"reason": "丢失"})
    assert again.status_code == 409 and again.json()["code"] == "pass_already_revoked"


def test_guard_registers_a_visitor_and_sees_the_name_masked(client, world, gate, strict_policy):
    strict_policy.visitors_need_host_approval = True
    strict_policy.save()
    login(client, world.users["guard_a"])
    response = post(
        client,
        "/visitors",
        {
            "checkpoint_id": gate.pk,
            "name": "赵访客",
            "phone": "13900001111",
            "purpose": "探亲",
            "host_household_id": world.households["A1"].pk,
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["name"] == "赵**" and response.json()["phone"] == "139****1111"
    assert client.get(f"{BASE}/visitors").status_code == 403
    client.logout()
    login(client, world.users["resident_a1"])
    listed = client.get(f"{BASE}/visitors").json()["items"]
    assert [v["name"] for v in listed] == ["赵访客"]
    approved = post(client, f"/visitors/{listed[0]['id']}/approve", {})
    assert approved.status_code == 200 and approved.json()["status"] == "approved"
    assert Visitor.objects.get().decided_by == world.users["resident_a1"]


@pytest.mark.parametrize(
    "body",
    [
        {"checkpoint_id": 1, "direction": "in", "idempotency_key": str(uuid.uuid4()), "token": "A" * 5000},
        {"checkpoint_id": 1, "direction": "in", "idempotency_key": str(uuid.uuid4()), "temperature": 1e308},
        {"checkpoint_id": 2**70, "direction": "in", "idempotency_key": str(uuid.uuid4())},
        {"checkpoint_id": 1, "direction": "in\x00", "idempotency_key": str(uuid.uuid4())},
        {"checkpoint_id": 1, "direction": "in", "idempotency_key": "'; drop table x; --"},
        {"checkpoint_id": 1, "direction": "in", "idempotency_key": str(uuid.uuid4()), "plate": "鲁" * 100},
    ],
)
def test_hostile_scans_are_refused_with_a_code(client, world, gate, body):
    login(client, world.users["guard_a"])
    response = post(client, "/scans", body)
    # A NUL anywhere in the body is refused by the middleware (400) before the schema (422).
    assert response.status_code in (400, 422) and response.json()["code"] in ("invalid", "invalid_characters")
    assert not GateScan.objects.exists()


def test_an_oversize_batch_is_refused(client, world, gate):
    login(client, world.users["guard_a"])
    scans = [
        {"checkpoint_id": gate.pk, "direction": "in", "idempotency_key": str(uuid.uuid4()), "plate": "鲁B12345"}
        for _ in range(501)
    ]
    response = post(client, "/scans/batch", {"scans": scans})
    assert response.status_code == 422 and not GateScan.objects.exists()


def test_a_resident_cannot_scan(client, world, gate, person_pass):
    login(client, world.users["resident_a1"])
    response = post(
        client,
        "/scans",
        {
            "checkpoint_id": gate.pk,
            "direction": "in",
            "idempotency_key": str(uuid.uuid4()),
            "token": pass_token(person_pass),
        },
    )
    assert response.status_code == 403 and response.json()["code"] == "permission_denied"


def test_checkpoint_list_and_detail(client, world, gate, gate_b):
    login(client, world.users["guard_a"])
    items = client.get(f"{BASE}/").json()["items"]
    assert [i["name"] for i in items] == ["东门"]
    assert client.get(f"{BASE}/{gate.pk}").status_code == 200
    assert client.get(f"{BASE}/{gate_b.pk}").status_code == 404


def test_a_nul_byte_in_free_text_is_refused_before_the_database(client, world, gate):
    login(client, world.users["guard_a"])
    response = post(client, "/visitors", {"checkpoint_id": gate.pk, "name": "赵\x00", "purpose": "探亲"})
    assert response.status_code in (400, 422) and {"code", "message"} <= set(response.json())
    response = post(client, "/deliveries", {"checkpoint_id": gate.pk, "kind": "express", "note": "\x00"})
    assert response.status_code in (400, 422)
    assert not Visitor.objects.exists()


# --- shifts and policies ------------------------------------------------------------------------------------


def test_commander_puts_a_guard_on_a_shift_and_takes_him_off_by_api(client, world, gate, gate_b):
    from django.utils import timezone

    login(client, world.users["commander_a"])
    now = timezone.now()
    body = {
        "checkpoint_id": gate.pk,
        "guard_id": world.users["guard_a"].pk,
        "starts_at": (now - timezone.timedelta(hours=1)).isoformat(),
        "ends_at": (now + timezone.timedelta(hours=7)).isoformat(),
    }
    created = post(client, "/shifts", body)
    assert created.status_code == 201, created.content
    shift = created.json()
    assert shift["checkpoint_name"] == "东门" and shift["guard_id"] == world.users["guard_a"].pk
    on_duty = client.get(BASE + "/shifts", {"on_duty": "true"}).json()["items"]
    assert [row["id"] for row in on_duty] == [shift["id"]]
    # A guard of another community, a shift that ends before it starts, another community's gate.
    other_guard = post(client, "/shifts", {**body, "guard_id": world.users["guard_b"].pk})
    assert other_guard.status_code == 400 and other_guard.json()["code"] == "not_a_guard"
    backwards = post(client, "/shifts", {**body, "ends_at": body["starts_at"]})
    assert backwards.status_code in (400, 422)
    assert post(client, "/shifts", {**body, "checkpoint_id": gate_b.pk}).status_code == 404
    assert client.delete(f"{BASE}/shifts/{shift['id']}").status_code == 204
    assert client.get(BASE + "/shifts").json()["items"] == []
    assert client.delete(f"{BASE}/shifts/{shift['id']}").status_code == 404


def test_a_guard_reads_shifts_but_may_not_plan_them(client, world, gate):
    login(client, world.users["guard_a"])
    assert client.get(BASE + "/shifts").status_code == 200
    body = {
        "checkpoint_id": gate.pk,
        "guard_id": world.users["guard_a"].pk,
        "starts_at": "2026-12-01T08:00:00+08:00",
        "ends_at": "2026-12-01T16:00:00+08:00",
    }
    assert post(client, "/shifts", body).status_code == 403


def test_commander_sets_a_policy_by_api_and_the_next_scan_obeys_it(client, world, gate, person_pass, epidemic):
    from fangxian.core.testing import COMMUNITY_A

    login(client, world.users["commander_a"])
    response = client.put(
        BASE + "/policies",
        {"community_code": COMMUNITY_A, "level": 2, "fever_celsius": "37.0", "residents_only": True},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["fever_celsius"] == "37.0" and response.json()["quota_persons"] == 0
    # Only the fields sent change.
    again = client.put(
        BASE + "/policies",
        {"community_code": COMMUNITY_A, "level": 2, "quota_persons": 1},
        content_type="application/json",
    )
    assert again.json()["fever_celsius"] == "37.0" and again.json()["quota_persons"] == 1
    noticed = client.put(
        BASE + "/policies",
        {"community_code": COMMUNITY_A, "level": 2, "notice": "凭证出入"},
        content_type="application/json",
    )
    assert noticed.json()["notice"] == "凭证出入" and noticed.json()["quota_persons"] == 1
    assert [row["level"] for row in client.get(BASE + "/policies").json()["items"]] == [2]
    scan = {"checkpoint_id": gate.pk, "direction": "in", "idempotency_key": str(uuid.uuid4())}
    scan.update(token=pass_token(person_pass), temperature=37.1)
    assert post(client, "/scans", scan).json()["reason"] == "fever"
    bad = [
        {"community_code": COMMUNITY_A, "level": 9},
        {"community_code": COMMUNITY_A[:9], "level": 2},
        {"community_code": COMMUNITY_A, "level": 2, "fever_celsius": "50"},
        {"community_code": COMMUNITY_A, "level": 2, "hours_from": "08:00:00"},
        {"community_code": COMMUNITY_A, "level": 2, "notice": "长" * 201},
    ]
    for body in bad:
        refused = client.put(BASE + "/policies", body, content_type="application/json")
        assert refused.status_code in (400, 422), body


def test_a_sibling_commander_cannot_set_our_policy(client, world):
    from fangxian.core.testing import COMMUNITY_A

    login(client, world.users["commander_b"])
    response = client.put(
        BASE + "/policies", {"community_code": COMMUNITY_A, "level": 2}, content_type="application/json"
    )
    assert response.status_code == 404
