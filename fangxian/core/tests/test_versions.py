"""Version stamps of process caches, the prepared joined loader, and in-memory scoping."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from fangxian.areas.models import Building
from fangxian.checkpoints.models import Checkpoint, Pass
from fangxian.checkpoints.tests.conftest import make_pass
from fangxian.core.fastsql import JoinedLoader
from fangxian.core.scoping import scope_admits
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1
from fangxian.core.versions import version_bump, version_read, versions_per_request
from fangxian.registry.models import Resident

pytestmark = pytest.mark.django_db


def test_every_bump_gives_a_new_stamp():
    seen = {version_read("test.cache")}
    for _round in range(5):
        version_bump("test.cache")
        seen.add(version_read("test.cache"))
    assert len(seen) == 6


def test_a_rolled_back_bump_never_comes_back():
    version_bump("test.cache")
    before = version_read("test.cache")
    with pytest.raises(RuntimeError), transaction.atomic():
        version_bump("test.cache")
        uncommitted = version_read("test.cache")  # what this connection's process may have cached with
        raise RuntimeError
    assert version_read("test.cache") == before
    version_bump("test.cache")
    # A counter would now say `uncommitted` again, pairing it with rows that were never committed.
    assert version_read("test.cache") not in (before, uncommitted)


def test_a_request_reads_all_stamps_once_and_sees_its_own_bumps():
    version_bump("test.one")
    with versions_per_request(), CaptureQueriesContext(connection) as queries:
        first = version_read("test.one"), version_read("test.two")
        assert len(queries) == 1 and first[1] == 0
        version_bump("test.two")
        assert version_read("test.two") != 0
        assert version_read("test.one") == first[0]
    assert len([q for q in queries.captured_queries if q["sql"].startswith("SELECT")]) == 1


def test_saving_a_checkpoint_bumps_the_gates_stamp(world):
    before = version_read("checkpoints.gates")
    gate = Checkpoint.objects.create(area_code=COMMUNITY_A, name="西门")
    after_create = version_read("checkpoints.gates")
    gate.active = False
    gate.save()
    assert len({before, after_create, version_read("checkpoints.gates")}) == 3


def test_the_joined_loader_reads_what_the_orm_reads(world):
    resident = Resident.objects.create(
        area_code=GRID_A1, household=world.households["A1"], name="赵一", sex="M", phone="13900139000"
    )
    with_resident = make_pass(resident)
    household_only = Pass.objects.create(
        area_code=GRID_A1,
        household=world.households["A1"],
        issued_at=with_resident.issued_at,
        expires_at=with_resident.expires_at,
    )
    loader = JoinedLoader(
        Pass,
        key="public_id",
        related=("resident", "household", "household__building", "household__unit"),
        fields={"resident": ("area_code", "name", "status", "household")},
    )
    loaded = loader.get(with_resident.public_id)
    orm = Pass.objects.select_related("resident", "household__building", "household__unit").get(pk=with_resident.pk)
    for field in Pass._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(orm, field.attname), field.name
    with CaptureQueriesContext(connection) as queries:
        assert loaded.resident.name == "赵一" and loaded.resident.status == orm.resident.status
        assert loaded.household.address == orm.household.address
        assert isinstance(loaded.household.building, Building)
    assert len(queries) == 0  # the relations came with the row
    # A field not asked for is deferred and still reads correctly (one query, as Django's only()).
    assert str(loaded.resident.phone.reveal()) == "13900139000"
    # A null foreign key is None, as select_related gives it.
    assert loader.get(household_only.public_id).resident is None
    assert loader.get("no-such-id-00000") is None


def test_scope_admits_agrees_with_the_scoped_query(world):
    gates = [
        Checkpoint.objects.create(area_code=COMMUNITY_A, name="甲"),
        Checkpoint.objects.create(area_code=COMMUNITY_B, name="乙"),
        Checkpoint.objects.create(area_code=GRID_A1, name="甲一网格"),
    ]
    decided = 0
    for name in world.users:
        actor = world.actor(name)
        visible = set(Checkpoint.objects.visible_to(actor).values_list("pk", flat=True))
        for gate in gates:
            admitted = scope_admits(gate, actor)
            if admitted is not None:
                decided += 1
                assert admitted == (gate.pk in visible), (name, gate.name)
    assert decided >= len(gates) * 3
