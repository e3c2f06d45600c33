"""The scan service: verdicts by policy, idempotency, fever tasks, batches, who may scan."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from fangxian.checkpoints.models import GatePolicy, GateScan, VehiclePlate, Visitor, VisitorStatus
from fangxian.checkpoints.services.passes import pass_token
from fangxian.checkpoints.services.scans import ScanInput, scan_batch, scan_record
from fangxian.checkpoints.tests.conftest import key, make_pass
from fangxian.command.models import Task, TaskSource
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.testing import COMMUNITY_A

pytestmark = pytest.mark.django_db


def scan(actor, gate, **kwargs):
    kwargs.setdefault("direction", "in")
    kwargs.setdefault("idempotency_key", key())
    return scan_record(actor=actor, checkpoint=gate, **kwargs)


def test_guard_scans_a_valid_pass_and_sees_only_a_masked_name_and_the_room(guard, gate, person, person_pass):
    result = scan(guard, gate, token=pass_token(person_pass), temperature="36.5")
    assert result.created and result.verdict == "allow" and result.reason == "ok"
    assert result.summary == {"kind": "resident", "name": "王**", "room": person.household.address}
    row = GateScan.objects.get()
    assert row.resident == person and row.household == person.household and row.gate_pass == person_pass
    assert row.temperature == Decimal("36.5") and row.guard == guard.user and row.emergency is None


def test_the_scan_is_bound_to_the_active_emergency(guard, gate, person_pass, epidemic):
    scan(guard, gate, token=pass_token(person_pass))
    assert GateScan.objects.get().emergency == epidemic


def test_the_same_idempotency_key_records_once_and_answers_the_same(guard, gate, person_pass):
    same = key()
    first = scan(guard, gate, token=pass_token(person_pass), idempotency_key=same)
    # The repeat differs (a later temperature): the stored answer wins, nothing is added.
    second = scan(guard, gate, token="garbage", idempotency_key=same, temperature="39.0")
    assert not second.created and second.scan.pk == first.scan.pk
    assert (second.verdict, second.reason) == (first.verdict, first.reason)
    assert GateScan.objects.count() == 1


def test_a_fever_at_entry_is_denied_and_creates_exactly_one_task(guard, gate, person_pass, epidemic):
    same = key()
    result = scan(guard, gate, token=pass_token(person_pass), temperature="38.1", idempotency_key=same)
    assert result.verdict == "deny" and result.reason == "fever"
    again = scan(guard, gate, token=pass_token(person_pass), temperature="38.1", idempotency_key=same)
    assert not again.created
    tasks = Task.objects.filter(source=TaskSource.CHECKPOINT)
    assert tasks.count() == 1
    task = tasks.get()
    assert task.area_code == COMMUNITY_A and task.emergency == epidemic and task.priority == "urgent"
    assert "王小明" not in task.title + task.description and "13800138000" not in task.description
    assert "王**" in task.description


def test_a_fever_is_alerted_even_with_a_forged_pass(guard, gate):
    result = scan(guard, gate, token="FX1.AAAAAAAAAAAAAAAA.zzzzzz.AAAAAAAAAAAAAAAAAAAAAA", temperature="39.0")
    assert result.reason == "fever"
    assert Task.objects.filter(source=TaskSource.CHECKPOINT).count() == 1


def test_the_fever_threshold_is_inclusive_and_configurable(guard, gate, person_pass, settings):
    assert scan(guard, gate, token=pass_token(person_pass), temperature="37.2").verdict == "allow"
    assert scan(guard, gate, token=pass_token(person_pass), temperature="37.3").reason == "fever"
    settings.FANGXIAN_FEVER_CELSIUS = "38.0"
    assert scan(guard, gate, token=pass_token(person_pass), temperature="37.5").verdict == "allow"


def test_a_fever_on_the_way_out_is_recorded_but_not_denied(guard, gate, person_pass):
    result = scan(guard, gate, token=pass_token(person_pass), temperature="38.5", direction="out")
    assert result.verdict == "allow"
    assert not Task.objects.exists()


def test_two_fever_scans_make_two_tasks(guard, gate, person_pass):
    scan(guard, gate, token=pass_token(person_pass), temperature="38.1")
    scan(guard, gate, token=pass_token(person_pass), temperature="38.4")
    assert Task.objects.filter(source=TaskSource.CHECKPOINT).count() == 2


def test_revoked_and_forged_passes_are_denied(guard, gate, person_pass):
    token = pass_token(person_pass)
    assert scan(guard, gate, token=token[:-2] + ("AA" if token[-2:] != "AA" else "BB")).reason == "pass_invalid"
    type(person_pass).objects.filter(pk=person_pass.pk).update(revoked_at=timezone.now())
    assert scan(guard, gate, token=token).reason == "pass_revoked"


def test_a_pass_of_another_community_is_denied(guard, gate, person_b):
    other = make_pass(person_b)
    result = scan(guard, gate, token=pass_token(other))
    assert result.reason == "other_community" and result.summary["kind"] == "unknown"
    assert GateScan.objects.get().household is None
    type(other).objects.filter(pk=other.pk).update(revoked_at=timezone.now())
    assert scan(guard, gate, token=pass_token(other)).reason == "other_community"


def test_quota_one_exit_per_household_every_two_days(guard, gate, person, person_pass, strict_policy):
    strict_policy.quota_persons, strict_policy.quota_days = 1, 2
    strict_policy.save()
    assert scan(guard, gate, token=pass_token(person_pass), direction="out").verdict == "allow"
    assert scan(guard, gate, token=pass_token(person_pass), direction="in").verdict == "allow"
    assert scan(guard, gate, token=pass_token(person_pass), direction="out").reason == "quota"
    # Once the first exit is more than two days old, the household may go out again.
    GateScan.objects.filter(direction="out", verdict="allow").update(
        at=timezone.now() - dt.timedelta(days=2, minutes=1)
    )
    assert scan(guard, gate, token=pass_token(person_pass), direction="out").verdict == "allow"


def test_hours_limit_going_out_but_never_coming_home(guard, gate, person_pass, strict_policy):
    strict_policy.hours_from, strict_policy.hours_to = dt.time(8, 0), dt.time(10, 0)
    strict_policy.save()
    # Valid since well before yesterday morning, whatever the time of day the test runs at.
    person_pass.issued_at = timezone.now() - dt.timedelta(days=3)
    person_pass.save()
    day = timezone.localdate()
    noon = timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))
    nine = timezone.make_aware(dt.datetime.combine(day, dt.time(9, 0)))
    if noon > timezone.now():
        noon -= dt.timedelta(days=1)
        nine -= dt.timedelta(days=1)
    token = pass_token(person_pass)
    assert scan(guard, gate, token=token, direction="out", at=noon).reason == "hours"
    assert scan(guard, gate, token=token, direction="in", at=noon).verdict == "allow"
    assert scan(guard, gate, token=token, direction="out", at=nine).verdict == "allow"


def test_a_closed_checkpoint_denies(guard, gate, person_pass):
    now = timezone.localtime()
    gate.opens_at = (now + dt.timedelta(hours=1)).time()
    gate.closes_at = (now + dt.timedelta(hours=2)).time()
    gate.save()
    assert scan(guard, gate, token=pass_token(person_pass)).reason == "checkpoint_closed"


def _visitor(gate, world, status=VisitorStatus.PENDING):
    return Visitor.objects.create(
        area_code=world.households["A1"].area_code,
        checkpoint=gate,
        name="赵访客",
        purpose="探亲",
        host_household=world.households["A1"],
        status=status,
    )


def test_residents_only_turns_visitors_away(guard, gate, world, strict_policy):
    strict_policy.residents_only = True
    strict_policy.save()
    visitor = _visitor(gate, world, VisitorStatus.APPROVED)
    result = scan(guard, gate, visitor_id=visitor.pk)
    assert result.reason == "residents_only" and result.summary["name"] == "赵**"
    assert scan(guard, gate, visitor_id=visitor.pk, direction="out").verdict == "allow"


def test_visitors_wait_for_their_host_when_the_policy_says_so(guard, gate, world, strict_policy):
    strict_policy.visitors_need_host_approval = True
    strict_policy.save()
    visitor = _visitor(gate, world)
    assert scan(guard, gate, visitor_id=visitor.pk).reason == "visitor_pending"
    Visitor.objects.filter(pk=visitor.pk).update(status=VisitorStatus.APPROVED)
    assert scan(guard, gate, visitor_id=visitor.pk).verdict == "allow"
    Visitor.objects.filter(pk=visitor.pk).update(status=VisitorStatus.DENIED)
    assert scan(guard, gate, visitor_id=visitor.pk).reason == "visitor_denied"


def test_vehicles_by_plate_list(guard, gate, world, strict_policy):
    strict_policy.vehicles_by_plate_list = True
    strict_policy.save()
    household = world.households["A1"]
    VehiclePlate.objects.create(area_code=household.area_code, household=household, plate="鲁B12345")
    assert scan(guard, gate, plate="鲁b·12345").verdict == "allow"
    assert scan(guard, gate, plate="鲁BD12345").reason == "plate_not_listed"
    assert scan(guard, gate, plate="鲁BD12345", direction="out").verdict == "allow"
    with pytest.raises(DomainError):
        scan(guard, gate, plate="not a plate")


def test_without_an_emergency_the_gates_are_open(guard, gate, world, epidemic):
    # A policy exists for level I only; the epidemic is at level II: the open policy applies.
    GatePolicy.objects.create(area_code=COMMUNITY_A, level=1, residents_only=True)
    visitor = _visitor(gate, world)
    assert scan(guard, gate, visitor_id=visitor.pk).verdict == "allow"


def test_a_resident_who_moved_away_is_denied(guard, gate, person, person_pass):
    type(person).objects.filter(pk=person.pk).update(status="moved_away")
    assert scan(guard, gate, token=pass_token(person_pass)).reason == "resident_inactive"


def test_guard_may_pick_a_resident_of_the_community_by_hand_but_not_of_another(guard, gate, person, person_b):
    assert scan(guard, gate, resident_id=person.pk).summary["name"] == "王**"
    with pytest.raises(NotFound):
        scan(guard, gate, resident_id=person_b.pk)


def test_who_may_scan(world, gate, gate_b, person_pass):
    token = pass_token(person_pass)
    for name in ("guard_a", "commander_a", "worker_a"):
        assert scan(world.actor(name), gate, token=token).created
    for name in ("resident_a1", "volunteer_a", "grid_a1", "admin"):
        with pytest.raises(PermissionDenied):
            scan(world.actor(name), gate, token=token)
    with pytest.raises(NotFound):
        scan(world.actor("guard_b"), gate, token=token)


def test_another_communitys_key_says_nothing_about_its_scan(world, gate, gate_b, person_pass):
    same = key()
    scan(world.actor("guard_a"), gate, token=pass_token(person_pass), idempotency_key=same)
    with pytest.raises(DomainError) as error:
        scan(world.actor("guard_b"), gate_b, plate="鲁B12345", idempotency_key=same)
    assert error.value.code == "idempotency_key_used"


@pytest.mark.parametrize(
    ("field", "value", "code"),
    [
        ("temperature", "hot", "temperature"),
        ("temperature", "50", "temperature"),
        ("direction", "sideways", "direction"),
        ("idempotency_key", "not-a-uuid", "idempotency_key"),
        ("at", "future", "scan_time"),
        ("at", "ancient", "scan_time"),
    ],
)
def test_bad_input_is_refused_with_a_code(guard, gate, person_pass, field, value, code):
    kwargs = {"token": pass_token(person_pass), field: value}
    if field == "at":
        kwargs["at"] = (
            timezone.now() + dt.timedelta(hours=1) if value == "future" else timezone.now() - dt.timedelta(days=30)
        )
    with pytest.raises(DomainError) as error:
        scan(guard, gate, **kwargs)
    assert error.value.code == code
    assert not GateScan.objects.exists()


def test_a_scan_must_name_somebody(guard, gate):
    with pytest.raises(DomainError) as error:
        scan(guard, gate)
    assert error.value.code == "scan_subject_required"


# --- batches ---------------------------------------------------------------------------------------


def _batch(gate, person_pass, n=6, fever_at=(2,)):
    now = timezone.now()
    token = pass_token(person_pass)
    return [
        ScanInput(
            checkpoint_id=gate.pk,
            direction="in" if i % 2 == 0 else "out",
            idempotency_key=key(),
            at=now - dt.timedelta(minutes=60 - i),
            token=token,
            temperature="38.2" if i in fever_at else "36.6",
        )
        for i in range(n)
    ]


def _counts():
    return (GateScan.objects.count(), Task.objects.filter(source=TaskSource.CHECKPOINT).count())


def test_a_batch_uploaded_twice_leaves_the_same_counts(guard, gate, person_pass):
    batch = _batch(gate, person_pass)
    first = scan_batch(actor=guard, scans=batch)
    assert all(r.created for r in first) and _counts() == (6, 1)
    second = scan_batch(actor=guard, scans=batch)
    assert not any(r.created for r in second) and _counts() == (6, 1)
    assert [(r.verdict, r.reason, r.scan.pk) for r in first] == [(r.verdict, r.reason, r.scan.pk) for r in second]


def test_a_batch_cut_halfway_then_resent_leaves_the_same_counts(guard, gate, person_pass):
    batch = _batch(gate, person_pass, n=8, fever_at=(2, 6))
    scan_batch(actor=guard, scans=batch[:3])  # the connection dropped after three
    results = scan_batch(actor=guard, scans=batch)
    assert [r.created for r in results] == [False] * 3 + [True] * 5
    assert _counts() == (8, 2)


def test_a_key_repeated_within_a_batch_is_recorded_once(guard, gate, person_pass):
    batch = _batch(gate, person_pass, n=2, fever_at=())
    batch.append(batch[0])
    results = scan_batch(actor=guard, scans=batch)
    assert GateScan.objects.count() == 2
    assert results[0].created and not results[2].created and results[2].scan.pk == results[0].scan.pk


def test_one_bad_scan_does_not_stop_the_batch(guard, gate, gate_b, person_pass):
    batch = _batch(gate, person_pass, n=3, fever_at=())
    batch[1].checkpoint_id = gate_b.pk  # not this guard's
    batch.append(ScanInput(checkpoint_id=gate.pk, direction="in", idempotency_key="nope", token="x"))
    results = scan_batch(actor=guard, scans=batch)
    assert [r.error.code if r.error else None for r in results] == [None, "not_found", None, "idempotency_key"]
    assert GateScan.objects.count() == 2


def test_quota_counts_the_exits_earlier_in_the_same_batch(guard, gate, person_pass, strict_policy):
    strict_policy.quota_persons = 1
    strict_policy.save()
    now = timezone.now()
    token = pass_token(person_pass)
    batch = [
        ScanInput(
            checkpoint_id=gate.pk, direction="out", idempotency_key=key(), token=token, at=now - dt.timedelta(minutes=m)
        )
        for m in (10, 30)
    ]
    results = scan_batch(actor=guard, scans=batch)
    # Decided in the order they happened: the exit 30 minutes ago was first.
    assert [r.reason for r in results] == ["quota", "ok"]


def test_a_batch_is_limited(guard, gate, person_pass):
    with pytest.raises(DomainError):
        scan_batch(actor=guard, scans=_batch(gate, person_pass, n=1) * 501)
