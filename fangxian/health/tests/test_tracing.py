"""Contact tracing: the selector's grades, windows, household and building, visitors, jurisdiction, queries."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fangxian.areas.models import Building, Household, Unit
from fangxian.checkpoints.models import Checkpoint, GateScan, Visitor
from fangxian.core.errors import PermissionDenied
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_A2, GRID_B1
from fangxian.health.selectors.tracing import TracingError, contacts_trace
from fangxian.registry.models import Resident

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 11, 20, 8, 0, tzinfo=dt.UTC)
WINDOW = {"start": T0 - dt.timedelta(days=3), "end": T0 + dt.timedelta(days=1)}


def scan(gate: Checkpoint, at: dt.datetime, *, resident=None, household=None, visitor=None, direction="out"):
    return GateScan.objects.create(
        area_code=gate.area_code,
        checkpoint=gate,
        direction=direction,
        at=at,
        resident=resident,
        household=household if household is not None else (resident.household if resident else None),
        visitor=visitor,
        verdict="allow",
        reason="ok",
        idempotency_key=uuid.uuid4(),
    )


def person_in(household: Household, name: str, **extra) -> Resident:
    return Resident.objects.create(
        area_code=household.area_code, household=household, name=name, sex="F", phone="13800001111", **extra
    )


def home_in(grid: str, estate: str, building: str, room: str) -> Household:
    block, _ = Building.objects.get_or_create(area_code=grid, estate=estate, name=building)
    unit, _ = Unit.objects.get_or_create(area_code=grid, building=block, name="1单元")
    return Household.objects.create(area_code=grid, building=block, unit=unit, room=room)


class Scene:
    """The traced person of grid A1 and everybody around them."""

    def __init__(self, world) -> None:
        self.world = world
        home = world.households["A1"]
        self.gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门")
        self.gate_b = Checkpoint.objects.create(area_code=COMMUNITY_B, name="乙北门")
        self.person = person_in(home, "被追踪者", id_number="11010519491231002X")
        self.spouse = person_in(home, "同户人")
        self.moved = person_in(home, "已迁出", status="moved_away")
        neighbour_home = Household.objects.create(area_code=GRID_A1, building=home.building, unit=home.unit, room="102")
        self.neighbour = person_in(neighbour_home, "同楼人")
        self.far_home = home_in(GRID_A2, "别处小区", "9号楼", "901")
        self.close = person_in(self.far_home, "近门人")  # 3 minutes after at the same gate: B
        other_home = home_in(GRID_A2, "别处小区", "9号楼", "902")
        self.near = person_in(other_home, "同门人")  # 10 minutes: C
        self.late = person_in(home_in(GRID_A2, "别处小区", "9号楼", "903"), "太晚的人")  # 20 minutes: none
        self.sibling = person_in(home_in(GRID_B1, "乙小区", "1号楼", "101"), "乙社区人")  # 1 minute, community B
        self.pass_home = home_in(GRID_A2, "别处小区", "8号楼", "801")
        self.pass_member = person_in(self.pass_home, "户证家人")
        self.visitor = Visitor.objects.create(
            area_code=COMMUNITY_A, checkpoint=self.gate, name="过门访客", phone="13900002222", purpose="送货"
        )
        self.guest = Visitor.objects.create(
            area_code=GRID_A1,
            checkpoint=self.gate,
            name="来访亲戚",
            purpose="探亲",
            host_household=home,
            created_at=T0 - dt.timedelta(days=1),
        )
        scan(self.gate, T0, resident=self.person)
        scan(self.gate, T0 + dt.timedelta(minutes=3), resident=self.close)
        scan(self.gate, T0 - dt.timedelta(minutes=10), resident=self.near)
        scan(self.gate, T0 + dt.timedelta(minutes=20), resident=self.late)
        scan(self.gate, T0 + dt.timedelta(minutes=1), resident=self.sibling)
        scan(self.gate, T0 + dt.timedelta(minutes=4), visitor=self.visitor)
        scan(self.gate, T0 - dt.timedelta(minutes=2), household=self.pass_home)  # a household pass, nobody named
        scan(self.gate, T0 + dt.timedelta(minutes=2))  # a vehicle: nobody to follow

    def trace(self, persona: str = "commander_a", **kwargs):
        options = {**WINDOW, "minutes": 15, **kwargs}
        return contacts_trace(actor=self.world.actor(persona), resident_id=self.person.pk, **options)


@pytest.fixture
def scene(world):
    return Scene(world)


def by_name(trace) -> dict:
    return {c.name: c for c in trace.contacts}


def test_contacts_are_graded_and_sorted(scene):
    trace = scene.trace()
    contacts = by_name(trace)
    assert contacts["同户人"].grade == "A" and contacts["来访亲戚"].grade == "A"
    assert contacts["同楼人"].grade == "B"
    assert contacts["近门人"].grade == "B" and contacts["近门人"].closest_gap_seconds == 180
    assert contacts["过门访客"].grade == "B" and contacts["过门访客"].kind == "visitor"
    assert contacts["同门人"].grade == "C"
    assert "太晚的人" not in contacts and "被追踪者" not in contacts
    assert "已迁出" not in contacts  # moved away: not a household member any more
    grades = [c.grade for c in trace.contacts]
    assert grades == sorted(grades)
    assert trace.counts()["A"] == 2 and len(trace.scans) == 1
    gate_reason = contacts["近门人"].reasons[0]
    assert gate_reason.code == "gate" and gate_reason.checkpoint == "东门" and gate_reason.person_at == T0


def test_a_household_pass_makes_its_members_less_certain_contacts(scene):
    contacts = by_name(scene.trace())
    member = contacts["户证家人"]
    assert member.uncertain and member.grade == "B" and member.reasons[0].uncertain
    assert not contacts["近门人"].uncertain


def test_the_persons_own_household_pass_counts_as_a_less_certain_scan(scene):
    later = T0 + dt.timedelta(hours=5)
    scan(scene.gate, later, household=scene.person.household)
    other = person_in(home_in(GRID_A2, "别处小区", "7号楼", "701"), "户证同门")
    scan(scene.gate, later + dt.timedelta(minutes=8), resident=other)
    trace = scene.trace()
    assert [s.uncertain for s in trace.scans] == [False, True]
    contact = by_name(trace)["户证同门"]
    assert contact.uncertain and contact.grade == "C"


def test_window_edges(scene):
    edge = person_in(home_in(GRID_A2, "别处小区", "6号楼", "601"), "正好十五分")
    beyond = person_in(home_in(GRID_A2, "别处小区", "6号楼", "602"), "多一秒")
    scan(scene.gate, T0 + dt.timedelta(minutes=15), resident=edge)
    scan(scene.gate, T0 - dt.timedelta(minutes=15, seconds=1), resident=beyond)
    contacts = by_name(scene.trace())
    assert "正好十五分" in contacts and "多一秒" not in contacts
    # The window's end is exclusive, its start inclusive: the person's scan at T0 is in or out.
    assert scene.trace(start=T0, end=T0 + dt.timedelta(hours=1)).scans
    assert not scene.trace(start=T0 - dt.timedelta(hours=1), end=T0).scans
    narrow = by_name(scene.trace(minutes=5))
    assert "近门人" in narrow and "同门人" not in narrow


def test_household_and_building_members_come_from_the_registry_without_gate_scans(world):
    gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="东门")
    home = world.households["A1"]
    person = person_in(home, "只在家")
    person_in(home, "家人")
    person_in(Household.objects.create(area_code=GRID_A1, building=home.building, unit=home.unit, room="301"), "楼上")
    person_in(home_in(GRID_A1, "A1小区", "2号楼", "101"), "别楼")
    trace = contacts_trace(actor=world.actor("worker_a"), resident_id=person.pk, **WINDOW)
    assert {c.name: c.grade for c in trace.contacts} == {"家人": "A", "楼上": "B"}
    assert not trace.scans and gate.pk


def test_a_sibling_commander_gets_404_for_the_person(scene):
    with pytest.raises(Http404):
        scene.trace("commander_b")
    with pytest.raises(Http404):
        scene.trace("street2")


def test_contacts_outside_the_personal_reach_never_appear(scene):
    trace = scene.trace("commander_a")
    assert "乙社区人" not in by_name(trace) and trace.outside == 1
    # The street official reaches both communities: the same gate meeting shows.
    street = scene.trace("street1")
    assert by_name(street)["乙社区人"].grade == "B" and street.outside == 0


def test_the_gate_log_is_read_at_the_actors_gates_only(scene):
    # The person passed a gate of community B: commander A does not read B's gate log.
    scan(scene.gate_b, T0 + dt.timedelta(hours=2), resident=scene.person)
    b_person = person_in(home_in(GRID_A2, "别处小区", "5号楼", "501"), "乙门相遇")
    scan(scene.gate_b, T0 + dt.timedelta(hours=2, minutes=1), resident=b_person)
    assert len(scene.trace("commander_a").scans) == 1 and "乙门相遇" not in by_name(scene.trace("commander_a"))
    street = scene.trace("street1")
    assert len(street.scans) == 2 and by_name(street)["乙门相遇"].grade == "B"


@pytest.mark.parametrize("persona", ["guard_a", "grid_a1", "resident_a1", "volunteer_a", "admin"])
def test_roles_without_tracing_are_refused(scene, persona):
    with pytest.raises(PermissionDenied):
        scene.trace(persona)


@pytest.mark.parametrize(
    ("options", "code"),
    [
        ({"start": T0, "end": T0}, "tracing_window_invalid"),
        ({"start": T0, "end": T0 - dt.timedelta(days=1)}, "tracing_window_invalid"),
        ({"start": T0, "end": T0 + dt.timedelta(days=28, seconds=1)}, "tracing_window_too_long"),
        ({"minutes": 0}, "tracing_minutes_out_of_range"),
        ({"minutes": 121}, "tracing_minutes_out_of_range"),
        (
            {"start": dt.datetime(1, 1, 1, tzinfo=dt.UTC), "end": dt.datetime(1, 1, 2, tzinfo=dt.UTC)},
            "tracing_window_invalid",
        ),
        ({"start": dt.datetime(2026, 1, 1), "end": dt.datetime(2026, 1, 2)}, "tracing_window_invalid"),  # noqa: DTZ001
    ],
)
def test_bad_windows_are_refused_with_a_code(scene, options, code):
    with pytest.raises(TracingError) as error:
        scene.trace(**options)
    assert error.value.code == code and str(error.value.message)


def test_a_28_day_window_is_allowed(scene):
    assert scene.trace(start=T0 - dt.timedelta(days=27), end=T0 + dt.timedelta(days=1)).scans


def test_the_number_of_queries_does_not_grow_with_contacts(scene):
    actor = scene.world.actor("commander_a")

    def count() -> int:
        with CaptureQueriesContext(connection) as captured:
            contacts_trace(actor=actor, resident_id=scene.person.pk, **WINDOW)
        return len(captured)

    count()  # warm-up: the actor's grants and caches

    before = count()
    for index in range(15):
        other = person_in(home_in(GRID_A2, "多人小区", f"{index}号楼", "101"), f"多人{index}")
        scan(scene.gate, T0 + dt.timedelta(minutes=index % 14), resident=other)
        visitor = Visitor.objects.create(area_code=COMMUNITY_A, checkpoint=scene.gate, name=f"访{index}", purpose="x")
        scan(scene.gate, T0 - dt.timedelta(minutes=index % 14), visitor=visitor)
        scan(scene.gate, T0 + dt.timedelta(hours=index + 1), resident=scene.person)  # more scans of the person
    after = count()
    assert after == before <= 7
    assert len(scene.trace().contacts) > 30


def test_the_chart_data_puts_the_person_in_the_middle(scene):
    data = scene.trace().chart_data()
    assert data["nodes"][0]["id"] == "p" and data["nodes"][0]["fixed"]
    assert {n["grade"] for n in data["nodes"][1:]} == {"A", "B", "C"}
    assert len(data["links"]) == len(data["nodes"]) - 1 and len(data["categories"]) == 4
    assert timezone.is_aware(T0)


def test_a_trace_beyond_its_caps_says_it_is_truncated(scene, monkeypatch):
    from fangxian.health.selectors import tracing

    assert not scene.trace().truncated
    monkeypatch.setattr(tracing, "GATE_ROWS_MAX", 2)
    trace = scene.trace()
    assert trace.truncated and len([c for c in trace.contacts if any(r.code == "gate" for r in c.reasons)]) <= 2
