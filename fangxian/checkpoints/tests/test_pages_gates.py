"""Gate pages: checkpoints with guards on duty, shifts added and removed, create/edit, policies per level."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.checkpoints.models import Checkpoint, GatePolicy, GuardShift
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, login

pytestmark = pytest.mark.django_db


def _local(moment: dt.datetime) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_list_shows_kind_hours_and_guards_on_duty_now(world, client, gate):
    now = timezone.now()
    GuardShift.objects.create(
        area_code=gate.area_code,
        checkpoint=gate,
        guard=world.users["guard_a"],
        starts_at=now,
        ends_at=now + dt.timedelta(hours=2),
    )
    Checkpoint.objects.create(area_code=COMMUNITY_A, name="西门", opens_at=dt.time(6), closes_at=dt.time(22))
    login(client, world.users["worker_a"])
    page = client.get(reverse("checkpoints:checkpoints")).content.decode()
    assert "东门" in page and "guard_a" in page and "06:00–22:00" in page


def test_list_queries_do_not_grow_with_checkpoints(world, client, django_assert_max_num_queries):
    login(client, world.users["commander_a"])
    for n in range(10):
        Checkpoint.objects.create(area_code=COMMUNITY_A, name=f"门{n}")
    with django_assert_max_num_queries(20):
        assert client.get(reverse("checkpoints:checkpoints")).status_code == 200


def test_commander_sets_up_and_edits_a_checkpoint(world, client):
    login(client, world.users["commander_a"])
    response = client.post(
        reverse("checkpoints:checkpoint_create"),
        {
            "area_code": GRID_A1,
            "name": "南门",
            "kind": "vehicle",
            "location": "南京路",
            "opens_at": "06:00",
            "closes_at": "22:00",
        },
    )
    gate = Checkpoint.objects.get(name="南门")
    assert response.status_code == 302 and gate.area_code == GRID_A1 and gate.kind == "vehicle"
    edit = reverse("checkpoints:checkpoint_edit", kwargs={"pk": gate.pk})
    response = client.post(
        edit, {"name": "南门(临时)", "kind": "both", "location": "", "opens_at": "", "closes_at": ""}
    )
    gate.refresh_from_db()
    assert response.status_code == 302 and gate.name == "南门(临时)" and gate.always_open and not gate.active


@pytest.mark.parametrize(
    "data",
    [
        {"area_code": COMMUNITY_B, "name": "越界门", "kind": "both"},  # sibling community: not a choice
        {"area_code": COMMUNITY_A, "name": "x" * 101, "kind": "both"},
        {"area_code": COMMUNITY_A, "name": "门", "kind": "tank"},
        {"area_code": COMMUNITY_A, "name": "门", "kind": "both", "opens_at": "06:00"},
        {"area_code": COMMUNITY_A, "name": "门", "kind": "both", "opens_at": "25:99", "closes_at": "08:00"},
        {"area_code": "3702' OR 1=1 --", "name": "门", "kind": "both"},
    ],
)
def test_bad_checkpoint_input_is_refused(world, client, data):
    login(client, world.users["commander_a"])
    response = client.post(reverse("checkpoints:checkpoint_create"), data)
    assert response.status_code == 400 and not Checkpoint.objects.exists()
    assert response.context["form"].errors


def test_community_worker_may_read_but_not_set_up_gates(world, client, gate):
    login(client, world.users["worker_a"])
    assert client.get(reverse("checkpoints:checkpoint_create")).status_code == 403
    assert client.get(reverse("checkpoints:checkpoint_edit", kwargs={"pk": gate.pk})).status_code == 403
    detail = reverse("checkpoints:checkpoint_detail", kwargs={"pk": gate.pk})
    assert client.get(detail).status_code == 200
    assert client.post(detail, {"action": "add_shift"}).status_code == 403


def test_commander_adds_and_removes_a_shift(world, client, gate):
    login(client, world.users["commander_a"])
    detail = reverse("checkpoints:checkpoint_detail", kwargs={"pk": gate.pk})
    start = timezone.now() + dt.timedelta(hours=1)
    response = client.post(
        detail,
        {
            "action": "add_shift",
            "guard": world.users["guard_a"].pk,
            "starts_at": _local(start),
            "ends_at": _local(start + dt.timedelta(hours=8)),
        },
    )
    shift = GuardShift.objects.get()
    assert response.status_code == 302 and shift.guard == world.users["guard_a"]
    response = client.post(detail, {"action": "remove_shift", "shift": shift.pk})
    assert response.status_code == 302 and not GuardShift.objects.exists()


def test_guard_of_another_community_cannot_be_put_on_duty(world, client, gate):
    login(client, world.users["commander_a"])
    detail = reverse("checkpoints:checkpoint_detail", kwargs={"pk": gate.pk})
    start = timezone.now()
    response = client.post(
        detail,
        {
            "action": "add_shift",
            "guard": world.users["guard_b"].pk,
            "starts_at": _local(start),
            "ends_at": _local(start + dt.timedelta(hours=1)),
        },
    )
    assert response.status_code == 400 and not GuardShift.objects.exists()


def test_shift_ending_before_it_starts_is_refused(world, client, gate):
    login(client, world.users["commander_a"])
    detail = reverse("checkpoints:checkpoint_detail", kwargs={"pk": gate.pk})
    start = timezone.now()
    response = client.post(
        detail,
        {
            "action": "add_shift",
            "guard": world.users["guard_a"].pk,
            "starts_at": _local(start),
            "ends_at": _local(start - dt.timedelta(hours=1)),
        },
    )
    assert response.status_code == 400 and response.context["shift_form"].errors["ends_at"]


def test_removing_a_shift_of_a_sibling_community_finds_nothing(world, client, gate, gate_b):
    now = timezone.now()
    other = GuardShift.objects.create(
        area_code=gate_b.area_code,
        checkpoint=gate_b,
        guard=world.users["guard_b"],
        starts_at=now,
        ends_at=now + dt.timedelta(hours=1),
    )
    login(client, world.users["commander_a"])
    detail = reverse("checkpoints:checkpoint_detail", kwargs={"pk": gate.pk})
    for value in (other.pk, "abc", "9" * 30):
        response = client.post(detail, {"action": "remove_shift", "shift": value})
        assert response.status_code == 302
    assert GuardShift.objects.filter(pk=other.pk).exists()
    assert client.get(reverse("checkpoints:checkpoint_detail", kwargs={"pk": gate_b.pk})).status_code == 404


def _policy_post(level: int, **values) -> dict:
    data = {
        "level": str(level),
        f"l{level}-quota_persons": "1",
        f"l{level}-quota_days": "2",
        f"l{level}-fever_celsius": "37.3",
    }
    data.update({f"l{level}-{k}": v for k, v in values.items()})
    return data


def test_commander_sets_the_policy_of_a_level(world, client):
    login(client, world.users["commander_a"])
    url = reverse("checkpoints:policy_detail", kwargs={"code": COMMUNITY_A})
    response = client.post(
        url,
        _policy_post(
            2,
            residents_only="on",
            visitors_need_host_approval="on",
            hours_from="08:00",
            hours_to="20:00",
            fever_celsius="37.5",
        ),
    )
    assert response.status_code == 302
    policy = GatePolicy.objects.get(area_code=COMMUNITY_A, level=2)
    assert policy.residents_only and policy.visitors_need_host_approval and not policy.vehicles_by_plate_list
    assert policy.quota_persons == 1 and policy.quota_days == 2 and policy.fever_celsius == Decimal("37.5")
    assert policy.hours_from == dt.time(8) and policy.hours_to == dt.time(20)
    listing = client.get(reverse("checkpoints:policies")).content.decode()
    assert "08:00–20:00" in listing


@pytest.mark.parametrize(
    "data",
    [
        _policy_post(2, fever_celsius="50"),
        _policy_post(2, quota_days="0"),
        _policy_post(2, quota_persons="100"),
        _policy_post(2, hours_from="08:00"),
        _policy_post(2, fever_celsius="<b>"),
    ],
)
def test_bad_policy_values_are_refused(world, client, data):
    login(client, world.users["commander_a"])
    response = client.post(reverse("checkpoints:policy_detail", kwargs={"code": COMMUNITY_A}), data)
    assert response.status_code == 400 and not GatePolicy.objects.exists()
    assert (
        'data-testid="field-error"' in response.content.decode()
        or 'data-testid="form-error"' in response.content.decode()
    )


@pytest.mark.parametrize("level", ["0", "9", "x", ""])
def test_unknown_level_is_refused(world, client, level):
    login(client, world.users["commander_a"])
    response = client.post(reverse("checkpoints:policy_detail", kwargs={"code": COMMUNITY_A}), {"level": level})
    assert response.status_code == 302 and not GatePolicy.objects.exists()


def test_policy_of_a_sibling_community_is_404_and_workers_may_not_change_policies(world, client):
    login(client, world.users["commander_a"])
    url_b = reverse("checkpoints:policy_detail", kwargs={"code": COMMUNITY_B})
    assert client.get(url_b).status_code == 404
    assert client.post(url_b, _policy_post(1)).status_code == 404
    login(client, world.users["worker_a"])
    url_a = reverse("checkpoints:policy_detail", kwargs={"code": COMMUNITY_A})
    assert client.get(url_a).status_code == 200
    assert client.post(url_a, _policy_post(1)).status_code == 403
    assert not GatePolicy.objects.exists()
