"""The demo: plausible people, valid ID numbers, personal columns exactly as the field writes them."""

from __future__ import annotations

import datetime as dt
import random
import re
from collections import Counter

import pytest
from django.contrib.auth.hashers import check_password
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangxian import demo
from fangxian.accounts.models import RoleAssignment, User
from fangxian.areas.models import Area, Building, Household, Unit
from fangxian.core import idcard, personal
from fangxian.core.errors import DomainError, PermissionDenied
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.roles import ROLE_AREA_LENGTHS, TWO_FACTOR_ROLES, Role
from fangxian.core.scoping import Actor
from fangxian.registry.models import Relation, Resident, ResidentStatus, Vulnerability

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def small_demo(system_actor):
    return demo.demo_generate(actor=system_actor, residents=300, seed=1)


def age_on(birth: dt.date, today: dt.date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def test_the_demo_invents_the_number_of_residents_asked_for(small_demo):
    assert small_demo.counts["residents"] == 300 == Resident.objects.count()
    assert small_demo.counts["households"] == Household.objects.count()
    assert small_demo.counts["buildings"] == Building.objects.count()
    assert small_demo.counts["units"] == Unit.objects.count()
    assert small_demo.counts["vulnerabilities"] == Vulnerability.objects.count()
    assert small_demo.counts["areas_created"] == 2273


def test_id_numbers_are_valid_unique_and_agree_with_the_record(small_demo):
    numbers = []
    for resident in Resident.objects.all():
        number = resident.id_number.reveal()
        info = idcard.parse(number)  # raises on a wrong check character or birth date
        assert number.startswith("370202")
        assert info.birth_date == resident.birth_date
        assert info.sex == resident.sex
        numbers.append(number)
    assert len(set(numbers)) == len(numbers)


def test_personal_columns_are_what_the_field_itself_would_write(small_demo):
    with_phone = 0
    for resident in Resident.objects.all():
        number = resident.id_number.reveal()
        assert resident.id_number_hash == personal.hash_for(Resident, "id_number", number)
        assert resident.id_number_last4 == number[-4:]
        assert resident.id_number_masked == personal.mask("id_card", number)
        assert resident.id_number_masked == f"{number[:6]}********{number[-4:]}"
        if resident.phone:
            with_phone += 1
            phone = resident.phone.reveal()
            assert re.fullmatch(r"1[3-9][0-9]{9}", phone)
            assert resident.phone_hash == personal.hash_for(Resident, "phone", phone)
            assert resident.phone_masked == f"{phone[:3]}****{phone[-4:]}"
        else:
            assert resident.phone_hash == resident.phone_masked == resident.phone_last4 == ""
    assert not Resident.objects.filter(id_number_hash="").exists()
    assert with_phone > 200


def test_a_resident_found_by_the_lookup_hash_like_any_other(small_demo):
    resident = Resident.objects.order_by("?").first()
    number = resident.id_number.reveal()
    assert Resident.objects.get(id_number_hash=personal.hash_for(Resident, "id_number", number)) == resident


def test_ages_and_households_are_plausible(small_demo):
    today = dt.date.today()  # noqa: DTZ011 - ages in whole years
    ages = [age_on(birth, today) for birth in Resident.objects.values_list("birth_date", flat=True)]
    assert all(0 <= age <= 101 for age in ages)
    assert 0.08 < sum(age >= 60 for age in ages) / len(ages) < 0.35
    assert 0.05 < sum(age < 15 for age in ages) / len(ages) < 0.30
    heads = Counter(Resident.objects.filter(relation=Relation.HEAD).values_list("household_id", flat=True))
    sizes = Counter(Resident.objects.values_list("household_id", flat=True))
    assert set(heads.values()) == {1} and set(heads) == set(sizes)
    assert set(sizes.values()) <= {1, 2, 3, 4, 5}
    for birth in Resident.objects.filter(relation=Relation.HEAD).values_list("birth_date", flat=True):
        assert age_on(birth, today) >= 18


def test_places_hang_from_the_real_tree(small_demo):
    communities = Area.objects.filter(level=12, code__startswith="370202").count()
    grids = Area.objects.filter(level=15)
    assert communities == 50
    assert 2 * communities <= grids.count() <= 4 * communities
    assert all(name.startswith("第") and name.endswith("网格") for name in grids.values_list("name", flat=True))
    assert set(Building.objects.values_list("area_code", flat=True)) <= set(grids.values_list("code", flat=True))
    for household in Household.objects.select_related("building", "unit")[:100]:
        assert household.area_code == household.building.area_code == household.unit.area_code
        floor = int(household.room[:-2])
        assert re.fullmatch(r"[0-9]{3,4}", household.room) and 1 <= floor <= household.building.floors <= 33
    for resident in Resident.objects.select_related("household")[:100]:
        assert resident.area_code == resident.household.area_code


def test_care_needs_sit_with_their_resident(small_demo):
    for need in Vulnerability.objects.select_related("resident"):
        assert need.area_code == need.resident.area_code
        assert need.resident.status == ResidentStatus.ACTIVE


def test_there_is_one_user_per_role_at_a_sensible_place(small_demo):
    users = {u.username: u for u in small_demo.users}
    assert set(users) == {name for name, _role, _where in demo.DEMO_USERS}
    for username, role, _where in demo.DEMO_USERS:
        user = User.objects.get(username=username)
        assert check_password(demo.DEMO_PASSWORD, user.password)
        assignment = RoleAssignment.objects.get(user=user)
        assert assignment.role == role and len(assignment.area_code) in ROLE_AREA_LENGTHS[role]
        assert Area.objects.filter(code=assignment.area_code).exists()
        devices = TOTPDevice.objects.filter(user=user, confirmed=True)
        assert devices.exists() == (role in TWO_FACTOR_ROLES) == bool(users[username].totp_secret)
    resident = RoleAssignment.objects.get(user__username="resident")
    grid = RoleAssignment.objects.get(user__username="grid")
    assert resident.household.area_code == resident.area_code == grid.area_code
    street = RoleAssignment.objects.get(user__username="street").area_code
    assert RoleAssignment.objects.get(user__username="commander").area_code[:9] == street
    assert User.objects.get(username="admin").is_staff


def test_the_demo_users_see_their_share(small_demo):
    grid_worker = Actor.for_user(User.objects.get(username="grid"))
    street = Actor.for_user(User.objects.get(username="street"))
    district = Actor.for_user(User.objects.get(username="district"))
    in_grid = Resident.objects.visible_to(grid_worker).count()
    in_street = Resident.objects.visible_to(street).count()
    assert 0 < in_grid <= in_street < Resident.objects.visible_to(district).count() == 300


def test_one_audit_event_summarises_the_demo(small_demo):
    event = AuditEvent.objects.get(action=AuditAction.BULK_CREATE)
    assert event.changes["residents"] == 300 and event.area_code == "370202"
    assert event.actor_label == "system"
    assert AuditEvent.objects.filter(action=AuditAction.CREATE).count() == 0


def test_a_database_with_residents_is_left_alone(small_demo, system_actor):
    again = demo.demo_generate(actor=system_actor, residents=300)
    assert again.skipped and again.existing_residents == 300
    assert Resident.objects.count() == 300


def test_force_adds_people_beside_the_existing_ones(small_demo, system_actor):
    password = User.objects.get(username="admin").password
    again = demo.demo_generate(actor=system_actor, residents=200, force=True)
    assert not again.skipped and Resident.objects.count() == 500
    assert not any(user.created for user in again.users)
    assert User.objects.get(username="admin").password == password
    assert again.counts["grids"] == 0
    hashes = list(Resident.objects.values_list("id_number_hash", flat=True))
    assert len(set(hashes)) == len(hashes)


def test_worker_processes_give_the_same_kind_of_rows(system_actor):
    result = demo.demo_generate(actor=system_actor, residents=1500, workers=2, seed=7)
    assert result.counts["residents"] == Resident.objects.count() == 1500
    hashes = list(Resident.objects.values_list("id_number_hash", flat=True))
    assert len(set(hashes)) == 1500
    sample = Resident.objects.order_by("?")[:20]
    for resident in sample:
        assert resident.id_number_hash == personal.hash_for(Resident, "id_number", resident.id_number.reveal())
    households = set(Household.objects.values_list("pk", flat=True))
    assert set(Resident.objects.values_list("household_id", flat=True)) <= households


def number_space(**overrides):
    task = demo.CommunityTask(
        seed=1,
        index=499,
        stripes=500,
        district="370202",
        district_name="市南区",
        community="370202001001",
        community_name="云霄路社区",
        grids=[],
        taken_estates={},
        taken_numbers=frozenset(),
        today=dt.date(2026, 1, 1),
        centre=None,
    )
    for key, value in overrides.items():
        setattr(task, key, value)
    return demo._NumberSpace(task, random.Random(1))


def test_id_numbers_stay_unique_when_a_community_runs_out_of_sequence_numbers():
    space = number_space()
    birth = dt.date(1980, 5, 17)
    first, first_birth = space.id_number(birth, "M")
    second, second_birth = space.id_number(birth, "M")
    assert first_birth == birth and second_birth == birth - dt.timedelta(days=1)
    assert first != second and idcard.parse(second).birth_date == second_birth
    assert int(first[16]) % 2 == 1


def test_numbers_of_an_earlier_run_are_skipped():
    birth = dt.date(1980, 5, 17)
    first, _birth = number_space(index=3, stripes=50).id_number(birth, "F")
    phone = number_space(index=3, stripes=50).phone()
    taken = frozenset({personal.lookup_hash("id_card", first)[:16], personal.lookup_hash("phone", phone)[:16]})
    space = number_space(index=3, stripes=50, taken_numbers=taken)
    again, again_birth = space.id_number(birth, "F")
    assert again != first and again_birth == birth and int(again[16]) % 2 == 0
    assert space.phone() != phone


def test_the_population_shape_follows_the_census():
    rng = random.Random(3)
    ages = []
    for _household in range(20_000):
        size = rng.choices(demo.HOUSEHOLD_SIZES, demo.HOUSEHOLD_SIZE_WEIGHTS)[0]
        ages += [age for _relation, age, _sex in demo.household_members(rng, size)]
    elderly = sum(age >= 60 for age in ages) / len(ages)
    children = sum(age < 15 for age in ages) / len(ages)
    assert 0.16 < elderly < 0.22  # census 2020: 18.7 %
    assert 0.12 < children < 0.20  # census 2020: 17.9 %
    assert 2.3 < len(ages) / 20_000 < 2.8  # census 2020: 2.62 per family household


@pytest.mark.parametrize(("kwargs", "code"), [({"residents": 0}, "invalid"), ({"district": "3702"}, "invalid")])
def test_bad_arguments_are_refused(system_actor, kwargs, code):
    with pytest.raises(DomainError) as caught:
        demo.demo_generate(actor=system_actor, **kwargs)
    assert caught.value.code == code


def test_an_unknown_district_is_refused(system_actor):
    with pytest.raises(DomainError):
        demo.demo_generate(actor=system_actor, residents=10, district="370299")
    assert not Resident.objects.exists()


def test_only_the_platform_generates_a_demo(world):
    with pytest.raises(PermissionDenied):
        demo.demo_generate(actor=world.actor("admin"), residents=10)


def test_the_command_prints_the_logins(db):
    from io import StringIO

    out = StringIO()
    call_command("demo", "--residents", "120", stdout=out)
    text = out.getvalue()
    assert demo.DEMO_PASSWORD in text and "fangxian totp-code admin" in text
    for username, _role, _where in demo.DEMO_USERS:
        assert re.search(rf"\b{username}\b", text)
    assert "云霄路社区" in text
    out = StringIO()
    call_command("demo", "--residents", "120", stdout=out)
    assert "nothing was generated" in out.getvalue()


def test_the_resident_user_sees_only_their_household(small_demo):
    resident = Actor.for_user(User.objects.get(username="resident"))
    household = RoleAssignment.objects.get(user__username="resident").household
    assert set(Household.objects.visible_to(resident).values_list("pk", flat=True)) == {household.pk}
    assert Role.RESIDENT in resident.roles
