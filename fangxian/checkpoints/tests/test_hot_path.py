"""The scan hot path: process caches of gates and tokens follow every change at once; queries per scan."""

from __future__ import annotations

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from fangxian.accounts.services import api_token_create, api_token_revoke
from fangxian.checkpoints.models import GatePolicy, GateScan
from fangxian.checkpoints.services.gates import checkpoint_update
from fangxian.checkpoints.services.passes import pass_revoke, pass_token
from fangxian.checkpoints.services.scans import scan_record
from fangxian.core.errors import NotFound
from fangxian.core.testing import COMMUNITY_A

pytestmark = pytest.mark.django_db


def scan(actor, gate, **kwargs):
    kwargs.setdefault("direction", "in")
    kwargs.setdefault("idempotency_key", uuid.uuid4())
    return scan_record(actor=actor, checkpoint=gate.pk, **kwargs)


def test_closing_a_gate_applies_to_the_next_scan(world, guard, gate, person_pass):
    assert scan(guard, gate, token=pass_token(person_pass)).verdict == "allow"  # the gate is now cached
    checkpoint_update(actor=world.actor("commander_a"), checkpoint_id=gate.pk, active=False)
    assert scan(guard, gate, token=pass_token(person_pass)).reason == "checkpoint_closed"


def test_a_new_policy_and_a_new_emergency_apply_to_the_next_scan(world, guard, gate, person_pass, epidemic):
    # Level II with no policy row: the open policy, fever at the default 37.3.
    assert scan(guard, gate, token=pass_token(person_pass), temperature="37.5").reason == "fever"
    policy = GatePolicy.objects.create(area_code=COMMUNITY_A, level=2, fever_celsius="38.0")
    assert scan(guard, gate, token=pass_token(person_pass), temperature="37.5").verdict == "allow"
    policy.fever_celsius = "37.0"
    policy.save()
    assert scan(guard, gate, token=pass_token(person_pass), temperature="37.1").reason == "fever"
    epidemic.level = 1
    epidemic.save()  # level I has no row here: back to the open policy
    assert scan(guard, gate, token=pass_token(person_pass), temperature="37.1").verdict == "allow"


def test_a_gate_cached_for_one_guard_is_still_hidden_from_a_sibling_communitys_guard(world, guard, gate, person_pass):
    scan(guard, gate, token=pass_token(person_pass))
    with pytest.raises(NotFound):
        scan(world.actor("guard_b"), gate, token=pass_token(person_pass))
    assert GateScan.objects.count() == 1


def test_a_revoked_pass_is_refused_on_the_next_scan(world, guard, gate, person_pass):
    assert scan(guard, gate, token=pass_token(person_pass)).verdict == "allow"
    pass_revoke(actor=world.actor("commander_a"), pass_id=person_pass.pk, reason="丢失")
    assert scan(guard, gate, token=pass_token(person_pass)).reason == "pass_revoked"


def test_a_repeat_that_could_not_be_decided_today_answers_with_the_stored_scan(world, guard, gate, person_pass):
    same = uuid.uuid4()
    first = scan(guard, gate, token=pass_token(person_pass), idempotency_key=same)
    again = scan_record(actor=guard, checkpoint=10**9, direction="in", idempotency_key=same)
    assert not again.created and again.scan.pk == first.scan.pk and GateScan.objects.count() == 1


def _bearer(world, name):
    user = world.users[name]
    _token, secret = api_token_create(actor=world.actor(name), assignment=user.active_assignments()[0], name="phone")
    return _token, {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


def _post(client, headers, gate, person_pass):
    body = {"checkpoint_id": gate.pk, "direction": "in", "idempotency_key": str(uuid.uuid4())}
    body["token"] = pass_token(person_pass)
    return client.post("/api/v1/checkpoints/scans", body, content_type="application/json", **headers)


def test_a_scan_over_the_api_costs_three_statements(client, world, gate, person_pass):
    _token, headers = _bearer(world, "guard_a")
    assert _post(client, headers, gate, person_pass).status_code == 201  # caches filled
    with CaptureQueriesContext(connection) as queries:
        assert _post(client, headers, gate, person_pass).status_code == 201
    # The stamps of both caches, the pass with its household, the insert.
    statements = [q["sql"] for q in queries.captured_queries if not q["sql"].startswith(("SAVEPOINT", "RELEASE"))]
    assert len(statements) == 3, statements


def test_a_revoked_token_and_a_removed_guard_are_refused_from_the_next_request(client, world, gate, person_pass):
    token, headers = _bearer(world, "guard_a")
    assert _post(client, headers, gate, person_pass).status_code == 201
    api_token_revoke(actor=world.actor("guard_a"), token=token)
    assert _post(client, headers, gate, person_pass).status_code == 401

    _token, headers = _bearer(world, "guard_a")
    assert _post(client, headers, gate, person_pass).status_code == 201
    assignment = world.users["guard_a"].active_assignments()[0]
    assignment.active = False
    assignment.save()
    assert _post(client, headers, gate, person_pass).status_code == 401

    assignment.active = True
    assignment.save()
    assert _post(client, headers, gate, person_pass).status_code == 201
    user = world.users["guard_a"]
    user.is_active = False
    user.save()
    assert _post(client, headers, gate, person_pass).status_code == 401
