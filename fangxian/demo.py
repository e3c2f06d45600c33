"""The demo: a real district of Qingdao, filled with invented but plausible residents.

`fangxian demo` loads Qingdao's real division tree, adds 2-4 grids to every community of one
district, and invents estates, buildings, units and households below them and the people who
live there: Faker zh_CN names, a household structure and age pyramid shaped like China's 2020
census (about 18 % aged 60 and over), valid ID-card numbers, mobile phones, and care needs at
plausible rates. It creates one user per role, so that every page can be tried at once.

Nobody real is in it: names are random, ID numbers are structurally valid but invented, phone
numbers are random.

Why it writes the big tables the way it does: measured on this project's 2-core reference
machine, Django's bulk_create spends about 45 µs of Python per resident row (18 columns, each
through pre_save and get_db_prep_save), encryption only about 18 µs for the ID and phone
together, and SQLite itself about 20 µs. bulk_create alone therefore caps the demo near 15,000
residents/s, below the 20,000/s target. So the rows are generated, encrypted and hashed in worker
processes, one community per task, with the same functions the personal-data field uses
(`fangxian.core.personal.encrypt`, `lookup_hash`, `mask`), and the main process appends them
with `executemany` (SQLite) or COPY (PostgreSQL), ids assigned by us so that rows can refer to
each other without a round trip. Grids, users and role assignments, a few dozen rows, go through
the ORM as usual. The tests check that what lands in the table is exactly what the field would
have written.
"""

from __future__ import annotations

import base64
import bisect
import contextlib
import datetime as dt
import itertools
import multiprocessing
import os
import random
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from django.contrib.auth.hashers import make_password
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from fangxian.accounts.models import RoleAssignment, User
from fangxian.areas.models import Area, Building, Household, Unit
from fangxian.areas.services import divisions_load
from fangxian.core import idcard, personal
from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.roles import TWO_FACTOR_ROLES, Role
from fangxian.core.scoping import Actor
from fangxian.registry.models import (
    Relation,
    ResidenceType,
    Resident,
    ResidentStatus,
    Sex,
    Vulnerability,
    VulnerabilityKind,
)
from fangxian.registry.models.residents import name_initials

DEMO_PASSWORD = "Demo-fangxian-2026"  # noqa: S105 - the demo's published password, printed on purpose
DEFAULT_DISTRICT = "370202"
MAX_RESIDENTS = 10_000_000
# Below this many residents, starting worker processes costs more than it saves.
PARALLEL_THRESHOLD = 5_000

# username -> (role, where the role is held); see `_demo_places`.
DEMO_USERS: tuple[tuple[str, str, str], ...] = (
    ("admin", Role.ADMINISTRATOR, "city"),
    ("city", Role.CITY_OFFICIAL, "city"),
    ("district", Role.DISTRICT_OFFICIAL, "district"),
    ("street", Role.STREET_OFFICIAL, "street"),
    ("commander", Role.COMMANDER, "community"),
    ("worker", Role.COMMUNITY_WORKER, "community"),
    ("grid", Role.GRID_WORKER, "grid"),
    ("guard", Role.GUARD, "community"),
    ("volunteer", Role.VOLUNTEER, "community"),
    ("counsellor", Role.COUNSELLOR, "community"),
    ("resident", Role.RESIDENT, "grid"),
)

# --- the shape of the population ---------------------------------------------------------------

# China 2020 census, share of the population per five-year age band (0-4 ... 95-99), per cent.
CENSUS_BANDS = (5.5, 6.4, 6.0, 5.2, 5.3, 6.5, 8.9, 7.0, 6.7, 8.3, 8.6, 7.2, 5.2, 5.0, 3.4, 2.2, 1.4, 0.8, 0.25, 0.05)
AGE_WEIGHTS = tuple(CENSUS_BANDS[age // 5] for age in range(100))
# Household sizes, census 2020 (six and more folded into five).
HOUSEHOLD_SIZES = (1, 2, 3, 4, 5)
HOUSEHOLD_SIZE_WEIGHTS = (25.4, 29.7, 20.9, 13.2, 10.8)
HOUSEHOLD_SIZE_CUMULATIVE = tuple(itertools.accumulate(HOUSEHOLD_SIZE_WEIGHTS))
# Household structures per size, with weights: H head, S spouse, C child, P parent of the head,
# G grandchild, O the child's spouse. The head's age range follows from the structure.
STRUCTURES: dict[int, tuple[tuple[str, float], ...]] = {
    1: (("H", 1.0),),
    2: (("HS", 0.74), ("HC", 0.26)),
    3: (("HSC", 0.80), ("HSP", 0.04), ("HCG", 0.06), ("HSG", 0.10)),
    4: (("HSCC", 0.55), ("HSCP", 0.25), ("HSCG", 0.20)),
    5: (("HSCPP", 0.40), ("HSCOG", 0.35), ("HSCCP", 0.25)),
}
RESIDENCE_TYPES = ((ResidenceType.REGISTERED, 0.72), (ResidenceType.FLOATING, 0.16), (ResidenceType.TENANT, 0.12))
STRUCTURE_CHOICES = {
    size: ([name for name, _weight in options], list(itertools.accumulate(w for _name, w in options)))
    for size, options in STRUCTURES.items()
}
MOBILE_PREFIXES = tuple(
    "130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 157 158 159 166 "
    "170 176 177 178 180 181 182 183 184 185 186 187 188 189 191 193 195 198 199".split()
)
DISABILITIES = tuple(
    "肢体残疾二级 肢体残疾三级 视力残疾一级 视力残疾二级 听力残疾三级 智力残疾二级 言语残疾四级 多重残疾一级".split()
)
CHRONIC = ("高血压", "糖尿病", "冠心病", "慢阻肺", "脑卒中后遗症", "慢性肾病", "高血压、糖尿病")
CHILD_CARE = ("父母外出务工", "单亲家庭", "事实无人抚养")
ESTATE_HEADS = tuple(
    "海韵 金湖 银海 翠湖 福林 瑞源 嘉和 丽景 新华 海天 鲁信 中海 东方 海信 青啤 颐和 观海 汇泉 湛山 太平 海晶 "
    "华润 万象 金茂 天泰 浮山 海尚 明珠 海逸 远洋 紫荆 银座 和达 南山 绿城 华侨 佳家 康馨 海景 安泰 德馨 欣园".split()
)
ESTATE_TAILS = ("花园", "小区", "苑", "家园", "新村", "公寓", "华庭", "名邸", "雅居", "山庄", "广场", "里院", "大厦")
CHINESE_NUMERALS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")
UNIVERSITIES = ("青岛大学", "中国海洋大学", "青岛科技大学", "青岛理工大学", "山东科技大学", "青岛农业大学")
# Rough centres of Qingdao's districts, for building coordinates that land on the map.
DISTRICT_CENTRES = {
    "370202": (36.0671, 120.3826),
    "370203": (36.0874, 120.3744),
    "370211": (35.9608, 120.1980),
    "370212": (36.1072, 120.4686),
    "370213": (36.1450, 120.4327),
    "370214": (36.3070, 120.3963),
    "370215": (36.3893, 120.4473),
    "370281": (36.2644, 120.0335),
    "370283": (36.7769, 119.9597),
    "370285": (36.8887, 120.5177),
}


@dataclass
class NamePools:
    """Names drawn once from Faker: calling Faker for each of a million residents is too slow."""

    surnames: list[str]
    male_given: list[str]
    female_given: list[str]
    employers: list[str]


def name_pools(seed: int) -> NamePools:
    from faker import Faker

    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    surnames = [fake.last_name() for _n in range(4000)]
    male = [fake.first_name_male() for _n in range(3000)]
    female = [fake.first_name_female() for _n in range(3000)]
    # Faker's given names are few; two-character names made from their characters add variety.
    rng = random.Random(seed)
    male_chars = sorted({ch for name in male for ch in name})
    female_chars = sorted({ch for name in female for ch in name})
    male += [rng.choice(male_chars) + rng.choice(male_chars) for _n in range(3000)]
    female += [rng.choice(female_chars) + rng.choice(female_chars) for _n in range(3000)]
    employers = [fake.company() for _n in range(400)]
    return NamePools(surnames=surnames, male_given=male, female_given=female, employers=employers)


@lru_cache(maxsize=64)
def _age_table(low: int, high: int) -> tuple[list[int], list[float]]:
    ages = list(range(low, high + 1))
    return ages, list(itertools.accumulate(AGE_WEIGHTS[age] if age < 100 else 0.01 for age in ages))


def _age_between(rng: random.Random, low: int, high: int) -> int:
    """An age in [low, high], distributed like the census within that range."""
    ages, cumulative = _age_table(low, high)
    return ages[bisect.bisect(cumulative, rng.random() * cumulative[-1])]


def _head_age(rng: random.Random, structure: str) -> int:
    if structure == "H":
        return _age_between(rng, *rng.choices(((18, 34), (35, 59), (60, 96)), (0.28, 0.38, 0.34))[0])
    if structure == "HS":
        return _age_between(rng, *rng.choices(((22, 38), (40, 59), (60, 92)), (0.22, 0.42, 0.36))[0])
    if structure == "HC":
        return _age_between(rng, *rng.choices(((30, 59), (60, 88)), (0.65, 0.35))[0])
    if "G" in structure:
        return _age_between(rng, 50, 82)
    if "P" in structure:
        return _age_between(rng, 28, 50)
    return _age_between(rng, 26, 52)


def household_members(rng: random.Random, size: int) -> list[tuple[str, int, str]]:
    """(relation, age, sex) of the members of one household, head first."""
    names, cumulative = STRUCTURE_CHOICES[size]
    structure = rng.choices(names, cum_weights=cumulative)[0]
    head = _head_age(rng, structure)
    head_sex = Sex.MALE if rng.random() < 0.70 else Sex.FEMALE
    other_sex = Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE
    members = [(Relation.HEAD, head, head_sex)]
    child_age = None
    parents = 0
    for part in structure[1:]:
        if part == "S":
            gap = rng.gauss(2.0, 3.0) if head_sex == Sex.MALE else rng.gauss(-2.0, 3.0)
            members.append((Relation.SPOUSE, max(18, min(100, round(head - gap))), other_sex))
        elif part == "C":
            age = head - rng.randint(22, 34)
            if age < 0:
                age = rng.randint(0, max(0, head - 22))
            if child_age is not None and age == child_age:
                age = max(0, age - rng.randint(1, 6))
            child_age = age if child_age is None else child_age
            members.append((Relation.CHILD, age, Sex.MALE if rng.random() < 0.515 else Sex.FEMALE))
        elif part == "P":
            sex = (
                (Sex.MALE, Sex.FEMALE)[parents]
                if structure.count("P") == 2
                else (Sex.FEMALE if rng.random() < 0.65 else Sex.MALE)
            )
            parents += 1
            members.append((Relation.PARENT, min(100, head + rng.randint(23, 34)), sex))
        elif part == "O":
            assert child_age is not None
            child_sex = members[-1][2]
            members.append(
                (
                    Relation.OTHER,
                    max(18, child_age + rng.randint(-3, 3)),
                    Sex.FEMALE if child_sex == Sex.MALE else Sex.MALE,
                )
            )
        elif part == "G":
            base = child_age if child_age is not None else head - rng.randint(24, 32)
            age = base - rng.randint(22, 34)
            members.append(
                (
                    Relation.GRANDCHILD,
                    min(age, 17) if age >= 0 else rng.randint(0, 6),
                    Sex.MALE if rng.random() < 0.515 else Sex.FEMALE,
                )
            )
    return members


# --- one community's rows, generated in a worker process -------------------------------------------


@dataclass
class CommunityTask:
    """What a worker needs to invent one community; rows refer to each other by position."""

    seed: int
    index: int  # of the community in the district, for ID and phone numbers unique across workers
    stripes: int  # number of communities sharing the number spaces
    district: str
    district_name: str
    community: str
    community_name: str
    grids: list[tuple[str, int]]  # (grid code, residents to invent)
    taken_estates: dict[str, set[str]]  # estate names already used per grid (a second run with --force)
    taken_numbers: frozenset[str]  # lookup hashes (first 16 characters) of ID and phone numbers in use
    today: dt.date
    centre: tuple[float, float] | None


@dataclass
class CommunityRows:
    """Rows without ids: a foreign key holds the position of the referenced row in its list."""

    community: str
    buildings: list[tuple] = field(default_factory=list)
    units: list[tuple] = field(default_factory=list)
    households: list[tuple] = field(default_factory=list)
    residents: list[tuple] = field(default_factory=list)
    vulnerabilities: list[tuple] = field(default_factory=list)


_pools: NamePools | None = None


def _init_worker(pools: NamePools) -> None:
    global _pools
    _pools = pools


class _NumberSpace:
    """ID-card sequence numbers and mobile numbers that no other community of the run can draw.

    The ID sequence (3 digits, odd for men) gives 500 numbers per birth date and sex; community i
    of n takes those congruent to i modulo n. A community that runs out on a date moves the birth
    a day earlier, which nobody will notice. Phones are split the same way. Numbers of an earlier
    run (`--force`) are skipped by their lookup hash.
    """

    def __init__(self, task: CommunityTask, rng: random.Random) -> None:
        self.rng = rng
        self.index = task.index % 500
        self.stripes = min(task.stripes, 500)
        self.region = task.district
        self.counters: dict[tuple[int, str], int] = {}
        self.phones: set[str] = set()
        self.taken = task.taken_numbers
        self.id_kind = Resident._meta.get_field("id_number").kind
        self.phone_kind = Resident._meta.get_field("phone").kind

    def _in_use(self, kind: str, number: str) -> bool:
        return bool(self.taken) and personal.lookup_hash(kind, number)[:16] in self.taken

    def id_number(self, birth: dt.date, sex: str) -> tuple[str, dt.date]:
        while True:
            key = (birth.toordinal(), sex)
            count = self.counters.get(key, 0)
            slot = count * self.stripes + self.index
            if slot < 500:
                self.counters[key] = count + 1
                sequence = slot * 2 + (1 if sex == Sex.MALE else 0)
                body = f"{self.region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{sequence:03d}"
                number = body + idcard.check_char(body)
                if not self._in_use(self.id_kind, number):
                    return number, birth
                continue
            birth -= dt.timedelta(days=1)

    def phone(self) -> str:
        while True:
            number = self.rng.randrange(10**8 // self.stripes) * self.stripes + self.index
            phone = f"{self.rng.choice(MOBILE_PREFIXES)}{number:08d}"
            if phone not in self.phones and not self._in_use(self.phone_kind, phone):
                self.phones.add(phone)
                return phone


def _ordinal(n: int) -> str:
    return CHINESE_NUMERALS[n - 1] if n <= 10 else f"{n}"


def _estate_name(rng: random.Random, task: CommunityTask, grid: str, used: set[str]) -> str:
    base = task.community_name.removesuffix("社区").removesuffix("村")
    for attempt in itertools.count():
        head = base if attempt == 0 and len(base) <= 4 else rng.choice(ESTATE_HEADS)
        name = head + rng.choice(ESTATE_TAILS)
        if attempt > 50:
            name += f"{attempt}期"
        if name not in used and name not in task.taken_estates.get(grid, ()):
            used.add(name)
            return name
    raise AssertionError("unreachable")


def _dwellings(
    rng: random.Random, task: CommunityTask, grid: str, rows: CommunityRows
) -> Iterator[tuple[int, int, str]]:
    """Endless (building position, unit position, room) of occupied dwellings, building by building."""
    used: set[str] = set()
    road = task.community_name.removesuffix("社区").removesuffix("村")
    centre = task.centre
    while True:
        estate = _estate_name(rng, task, grid, used)
        for number in range(1, rng.randint(3, 12) + 1):
            kind = rng.random()
            floors = rng.randint(5, 7) if kind < 0.45 else rng.randint(8, 18) if kind < 0.70 else rng.randint(18, 33)
            units, per_floor = rng.randint(2, 4), rng.randint(2, 4)
            latitude = longitude = None
            if centre is not None:
                latitude = f"{centre[0] + rng.uniform(-0.004, 0.004):.6f}"
                longitude = f"{centre[1] + rng.uniform(-0.005, 0.005):.6f}"
            building = len(rows.buildings)
            rows.buildings.append(
                (
                    grid,
                    f"{number}号楼",
                    estate,
                    f"{task.district_name}{road}{rng.randint(1, 300)}号",
                    floors,
                    latitude,
                    longitude,
                )
            )
            for unit_number in range(1, units + 1):
                unit = len(rows.units)
                rows.units.append((grid, building, f"{unit_number}单元"))
                for floor in range(1, floors + 1):
                    for room in range(1, per_floor + 1):
                        if rng.random() < 0.9:  # about one flat in ten stands empty
                            yield building, unit, f"{floor}{room:02d}"


def _vulnerabilities(rng: random.Random, age: int, sex: str, alone: bool) -> list[tuple[str, str]]:
    """Care needs at rates close to Chinese statistics (disability about 6 % of people, more in old age)."""
    found = []
    if alone and age >= 60:
        found.append((VulnerabilityKind.ELDERLY_ALONE, "独居"))
    disabled = 0.005 if age < 18 else 0.02 if age < 60 else 0.06 if age < 80 else 0.12
    if rng.random() < disabled:
        found.append((VulnerabilityKind.DISABLED, rng.choice(DISABILITIES)))
    if age >= 60 and rng.random() < (0.01 if age < 80 else 0.06):
        found.append((VulnerabilityKind.BEDRIDDEN, "长期卧床"))
    if age >= 40 and rng.random() < (0.05 if age < 60 else 0.25):
        found.append((VulnerabilityKind.CHRONIC, rng.choice(CHRONIC)))
    if age >= 18 and rng.random() < 0.0045:
        found.append((VulnerabilityKind.MENTAL, ""))  # the diagnosis stays with the doctor: minimum necessary
    if age < 16 and rng.random() < 0.005:
        found.append((VulnerabilityKind.CHILD, rng.choice(CHILD_CARE)))
    if sex == Sex.FEMALE and 22 <= age <= 40 and rng.random() < 0.03:
        found.append((VulnerabilityKind.PREGNANT, f"孕{rng.randint(6, 38)}周"))
    return found


def generate_community(task: CommunityTask) -> CommunityRows:
    """Invent the places and people of one community (runs in a worker process)."""
    pools = _pools
    assert pools is not None, "call _init_worker first"
    rng = random.Random(f"{task.seed}:{task.community}")
    numbers = _NumberSpace(task, rng)
    rows = CommunityRows(community=task.community)
    today_ordinal = task.today.toordinal()
    id_kind = Resident._meta.get_field("id_number").kind
    phone_kind = Resident._meta.get_field("phone").kind
    encrypt, lookup_hash, mask = personal.encrypt, personal.lookup_hash, personal.mask
    residence_types = [kind for kind, _weight in RESIDENCE_TYPES]
    residence_cumulative = list(itertools.accumulate(weight for _kind, weight in RESIDENCE_TYPES))
    for grid, quota in task.grids:
        dwellings = _dwellings(rng, task, grid, rows)
        remaining = quota
        while remaining > 0:
            size = min(rng.choices(HOUSEHOLD_SIZES, cum_weights=HOUSEHOLD_SIZE_CUMULATIVE)[0], remaining)
            remaining -= size
            building, unit, room = next(dwellings)
            household = len(rows.households)
            rows.households.append((grid, building, unit, room, ""))
            members = household_members(rng, size)
            residence = rng.choices(residence_types, cum_weights=residence_cumulative)[0]
            family = rng.choice(pools.surnames)
            low_income = rng.random() < 0.015
            for relation, age, sex in members:
                if relation in (Relation.HEAD, Relation.CHILD, Relation.GRANDCHILD) or (
                    relation == Relation.PARENT and sex == Sex.MALE
                ):
                    surname = family
                else:
                    surname = rng.choice(pools.surnames)
                given = rng.choice(pools.male_given if sex == Sex.MALE else pools.female_given)
                birth = dt.date.fromordinal(today_ordinal - int((age + rng.random()) * 365.2425))
                number, birth = numbers.id_number(birth, sex)
                phone = ""
                if age >= 14 and rng.random() < (0.97 if age < 75 else 0.6):
                    phone = numbers.phone()
                status = ResidentStatus.ACTIVE
                if age >= 75 and rng.random() < 0.015:
                    status = ResidentStatus.DECEASED
                elif rng.random() < 0.015:
                    status = ResidentStatus.MOVED_AWAY
                employer = ""
                if 6 <= age <= 22 and (age < 18 or rng.random() < 0.5):
                    if age >= 18:
                        employer = rng.choice(UNIVERSITIES)
                    else:
                        school = "小学" if age < 12 else "中学"
                        employer = f"{task.district_name}第{_ordinal(rng.randint(1, 10))}{school}"
                elif 23 <= age <= 60 and rng.random() < 0.7:
                    employer = rng.choice(pools.employers)
                resident = len(rows.residents)
                rows.residents.append(
                    (
                        grid,
                        household,
                        surname + given,
                        name_initials(surname + given),
                        sex,
                        birth.isoformat(),
                        encrypt(number),
                        lookup_hash(id_kind, number),
                        number[-4:],
                        mask(id_kind, number),
                        encrypt(phone) if phone else "",
                        lookup_hash(phone_kind, phone) if phone else "",
                        phone[-4:],
                        mask(phone_kind, phone) if phone else "",
                        relation,
                        residence,
                        status,
                        employer,
                        "",
                    )
                )
                if status != ResidentStatus.ACTIVE:
                    continue
                needs = _vulnerabilities(rng, age, sex, alone=size == 1)
                if low_income and relation == Relation.HEAD:
                    needs.append((VulnerabilityKind.LOW_INCOME, "低保户"))
                for kind, detail in needs:
                    rows.vulnerabilities.append((grid, resident, kind, detail))
    return rows


# --- writing the rows --------------------------------------------------------------------------------

# The columns of each generated row, after the id; "->Model" marks a position into Model's rows.
ROW_COLUMNS: dict[type[models.Model], tuple[str, ...]] = {
    Building: ("area_code", "name", "estate", "address", "floors", "latitude", "longitude"),
    Unit: ("area_code", "building", "name"),
    Household: ("area_code", "building", "unit", "room", "notes"),
    Resident: (
        "area_code",
        "household",
        "name",
        "name_initials",
        "sex",
        "birth_date",
        "id_number",
        "id_number_hash",
        "id_number_last4",
        "id_number_masked",
        "phone",
        "phone_hash",
        "phone_last4",
        "phone_masked",
        "relation",
        "residence_type",
        "status",
        "employer",
        "notes",
    ),
    Vulnerability: ("area_code", "resident", "kind", "detail"),
}


class _RowWriter:
    """Appends one community's rows to the five tables in one transaction, assigning the ids.

    Fields that models gain later and that the generator does not know get their default, so the
    demo keeps working when an app adds a column; a column without a default fails loudly.
    """

    def __init__(self) -> None:
        self.postgres = connection.vendor == "postgresql"
        quote = connection.ops.quote_name
        self.statements: dict[type[models.Model], str] = {}
        self.suffixes: dict[type[models.Model], tuple] = {}
        for model, names in ROW_COLUMNS.items():
            fields = [model._meta.get_field(name) for name in names]
            extra = [f for f in model._meta.concrete_fields if not f.primary_key and f not in fields]
            self.suffixes[model] = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
            columns = ", ".join(quote(f.column) for f in [model._meta.pk, *fields, *extra])
            table = quote(model._meta.db_table)
            if self.postgres:
                self.statements[model] = f"COPY {table} ({columns}) FROM STDIN"
            else:
                placeholders = ", ".join(["%s"] * (1 + len(fields) + len(extra)))
                self.statements[model] = f"INSERT INTO {table} ({columns}) VALUES ({placeholders})"  # noqa: S608

    def _next_id(self, cursor: Any, model: type[models.Model]) -> int:
        quote = connection.ops.quote_name
        cursor.execute(f"SELECT COALESCE(MAX({quote(model._meta.pk.column)}), 0) FROM {quote(model._meta.db_table)}")  # noqa: S608
        return int(cursor.fetchone()[0]) + 1

    def _insert(self, cursor: Any, model: type[models.Model], rows: Iterable[tuple]) -> None:
        suffix = self.suffixes[model]
        if suffix:
            rows = (row + suffix for row in rows)
        if self.postgres:
            with cursor.copy(self.statements[model]) as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            cursor.executemany(self.statements[model], list(rows) if suffix else rows)

    def write(self, rows: CommunityRows) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            if self.postgres:
                # Ids are ours: keep other writers out of these tables until the sequences follow.
                tables = ", ".join(connection.ops.quote_name(m._meta.db_table) for m in ROW_COLUMNS)
                cursor.execute(f"LOCK TABLE {tables} IN EXCLUSIVE MODE")
            b0, u0, h0, r0, v0 = (self._next_id(cursor, model) for model in ROW_COLUMNS)
            self._insert(cursor, Building, [(b0 + i, *row) for i, row in enumerate(rows.buildings)])
            self._insert(cursor, Unit, [(u0 + i, a, b0 + b, n) for i, (a, b, n) in enumerate(rows.units)])
            self._insert(
                cursor,
                Household,
                [(h0 + i, a, b0 + b, u0 + u, room, notes) for i, (a, b, u, room, notes) in enumerate(rows.households)],
            )
            self._insert(
                cursor, Resident, [(r0 + i, row[0], h0 + row[1], *row[2:]) for i, row in enumerate(rows.residents)]
            )
            self._insert(
                cursor,
                Vulnerability,
                [(v0 + i, a, r0 + r, kind, detail) for i, (a, r, kind, detail) in enumerate(rows.vulnerabilities)],
            )
            if self.postgres:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(ROW_COLUMNS)):
                    cursor.execute(sql)

    def finish(self) -> None:
        """Fresh statistics for the query planner after a bulk load, and everything on disk."""
        with connection.cursor() as cursor:
            if self.postgres:
                # VACUUM also sets the visibility map, so counts become index-only scans at once
                # instead of after autovacuum's next visit; it cannot run inside a transaction.
                command = "ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)"
                for model in ROW_COLUMNS:
                    cursor.execute(f"{command} {connection.ops.quote_name(model._meta.db_table)}")
            else:
                cursor.execute("PRAGMA optimize")
                if not connection.in_atomic_block:
                    cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")


@contextlib.contextmanager
def _bulk_load_session() -> Iterator[None]:
    """SQLite settings for a bulk load, restored afterwards.

    A larger page cache, because the hash indexes take random inserts all over the file; and
    checkpoints every 200 MB of WAL instead of every 4 MB: each checkpoint syncs the disk, which
    measured up to half of the writing time on a virtual disk. Safety is unchanged: in WAL mode
    with synchronous=NORMAL a commit is not synced anyway, and the final checkpoint (in
    `_RowWriter.finish`) syncs everything before the demo reports success.
    """
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        cache_size = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA wal_autocheckpoint")
        autocheckpoint = int(cursor.fetchone()[0])
        cursor.execute("PRAGMA cache_size = -262144")  # 256 MiB
        cursor.execute("PRAGMA wal_autocheckpoint = 51200")  # pages of 4 KiB: 200 MiB
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {cache_size}")
            cursor.execute(f"PRAGMA wal_autocheckpoint = {autocheckpoint}")


def _generated(tasks: list[CommunityTask], pools: NamePools, workers: int) -> Iterator[CommunityRows]:
    """Rows of each community in order, from worker processes when that pays."""
    if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        _init_worker(pools)
        yield from map(generate_community, tasks)
        return
    # fork: the workers inherit settings and keys; they never touch the database connection.
    context = multiprocessing.get_context("fork")
    with context.Pool(workers, initializer=_init_worker, initargs=(pools,)) as pool:
        yield from pool.imap(generate_community, tasks)


# --- planning the district ---------------------------------------------------------------------------


def _shares(total: int, weights: list[float]) -> list[int]:
    """Split `total` in proportion to `weights`, in whole numbers that add up (largest remainder)."""
    whole = sum(weights)
    exact = [total * w / whole for w in weights]
    shares = [int(x) for x in exact]
    for index in sorted(range(len(exact)), key=lambda i: exact[i] - shares[i], reverse=True)[: total - sum(shares)]:
        shares[index] += 1
    return shares


def _plan_grids(
    rng: random.Random, district: str, residents: int
) -> tuple[list[tuple[str, str, list[tuple[str, int]]]], int]:
    """(community, name, [(grid, residents)]) for every community of the district, and the number
    of grids created (a community that has grids already keeps them)."""
    communities = list(
        Area.objects.filter(level=12, code__within=district).order_by("code").values_list("code", "name")
    )
    if not communities:
        raise DomainError(
            _("The district %(code)s has no communities to fill.") % {"code": district}, code="no_communities"
        )
    quotas = _shares(residents, [rng.lognormvariate(0, 0.45) for _community in communities])
    if quotas[0] < min(residents, 10):
        # The demo users live and work in the first community: it must not come out empty.
        need = min(residents, 10) - quotas[0]
        largest = max(range(len(quotas)), key=quotas.__getitem__)
        quotas[largest] -= need
        quotas[0] += need
    existing: dict[str, list[str]] = {}
    for code in Area.objects.filter(level=15, code__within=district).order_by("code").values_list("code", flat=True):
        existing.setdefault(code[:12], []).append(code)
    new_grids = []
    plan = []
    for (community, name), quota in zip(communities, quotas, strict=True):
        grids = existing.get(community)
        if not grids:
            grids = [f"{community}{n:03d}" for n in range(1, rng.randint(2, 4) + 1)]
            new_grids += [
                Area(code=grid, name=f"第{_ordinal(n)}网格", level=15, parent_id=community)
                for n, grid in enumerate(grids, start=1)
            ]
        grid_quotas = _shares(quota, [rng.uniform(0.6, 1.4) for _grid in grids])
        if quota and not grid_quotas[0]:
            largest = max(range(len(grid_quotas)), key=grid_quotas.__getitem__)
            grid_quotas[largest] -= 1
            grid_quotas[0] += 1
        plan.append((community, name, list(zip(grids, grid_quotas, strict=True))))
    Area.objects.bulk_create(new_grids, ignore_conflicts=True)
    return plan, len(new_grids)


# --- the demo users ----------------------------------------------------------------------------------


@dataclass
class DemoUser:
    """A demo login as printed for the person trying fangxian out."""

    username: str
    role: str
    area_code: str
    area_name: str
    created: bool
    totp_secret: str | None = None  # base32, for an authenticator app


def _demo_places(district: str, plan: list[tuple[str, str, list[tuple[str, int]]]]) -> dict[str, str]:
    community = plan[0][0]
    return {
        "city": district[:4],
        "district": district,
        "street": community[:9],
        "community": community,
        "grid": plan[0][2][0][0],
    }


def _demo_users(rng: random.Random, places: dict[str, str], pools: NamePools) -> list[DemoUser]:
    """One user per role at sensible places; existing usernames are left exactly as they are."""
    names = dict(Area.objects.filter(code__in=places.values()).values_list("code", "name"))
    household = Household.objects.filter(area_code=places["grid"]).order_by("pk").first()
    password = make_password(DEMO_PASSWORD)  # hashed once: the hasher is slow on purpose
    result: list[DemoUser] = []
    assignments: list[RoleAssignment] = []
    for username, role, where in DEMO_USERS:
        code = places[where]
        if User.objects.filter(username__iexact=username).exists():
            result.append(DemoUser(username, role, code, names.get(code, code), created=False))
            continue
        sex_pool = pools.male_given if rng.random() < 0.5 else pools.female_given
        user = User.objects.create(
            username=username,
            password=password,
            display_name=rng.choice(pools.surnames) + rng.choice(sex_pool),
            is_staff=role == Role.ADMINISTRATOR,
        )
        assignments.append(
            RoleAssignment(
                user=user,
                role=role,
                area_code=code,
                household=household if role == Role.RESIDENT else None,
            )
        )
        secret = None
        if role in TWO_FACTOR_ROLES:
            key = secrets.token_hex(20)
            TOTPDevice.objects.create(user=user, name="demo", key=key, confirmed=True)
            secret = base64.b32encode(bytes.fromhex(key)).decode()
        result.append(DemoUser(username, role, code, names.get(code, code), created=True, totp_secret=secret))
    for assignment in assignments:
        assignment.full_clean()
    RoleAssignment.objects.bulk_create(assignments)
    return result


# --- the whole demo --------------------------------------------------------------------------------


@dataclass
class DemoResult:
    """What the demo did; `skipped` when the database had residents already."""

    skipped: bool = False
    existing_residents: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    users: list[DemoUser] = field(default_factory=list)
    seconds: float = 0.0
    generation_seconds: float = 0.0

    @property
    def residents_per_second(self) -> float:
        return self.counts.get("residents", 0) / self.generation_seconds if self.generation_seconds else 0.0


def demo_generate(
    *,
    actor: Actor,
    residents: int = 20_000,
    district: str = DEFAULT_DISTRICT,
    seed: int = 1,
    force: bool = False,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DemoResult:
    """Fill one district with the demo population and create the demo users.

    Does nothing when there are residents already (a demo must never mix with real records);
    `force` adds a further population beside them without touching what exists. Communities are
    written one transaction each, so an interrupted run leaves whole communities only.
    """
    if not actor.is_system:
        raise PermissionDenied(_("Only the platform itself generates demo data."), code="permission_denied")
    if not 1 <= residents <= MAX_RESIDENTS:
        raise DomainError(
            _("Give between 1 and %(max)s residents.") % {"max": f"{MAX_RESIDENTS:,}"},
            code="invalid",
            field="residents",
        )
    if not (len(district) == 6 and district.isascii() and district.isdigit()):
        raise DomainError(_("A district code has 6 digits, e.g. 370202."), code="invalid", field="district")
    started = time.perf_counter()
    existing = Resident.objects.count()
    if existing and not force:
        return DemoResult(skipped=True, existing_residents=existing)
    loaded = divisions_load(actor=actor, prefix=district[:4])
    district_name = Area.objects.filter(code=district).values_list("name", flat=True).first()
    if district_name is None:
        raise NotFound(
            _("There is no district %(code)s in the division data.") % {"code": district},
            code="division_not_found",
            field="district",
        )
    rng = random.Random(seed + existing)  # a forced second run invents different people
    pools = name_pools(seed)
    generation_started = time.perf_counter()
    plan, grids_created = _plan_grids(rng, district, residents)
    taken: dict[str, set[str]] = {}
    taken_numbers: dict[str, set[str]] = {}
    if existing:
        for grid, estate in Building.objects.filter(area_code__within=district).values_list("area_code", "estate"):
            taken.setdefault(grid, set()).add(estate)
        people = Resident.objects.filter(area_code__within=district)
        for area_code, id_hash, phone_hash in people.values_list("area_code", "id_number_hash", "phone_hash"):
            numbers = taken_numbers.setdefault(area_code[:12], set())
            numbers.update(digest[:16] for digest in (id_hash, phone_hash) if digest)
    centre = DISTRICT_CENTRES.get(district)
    today = timezone.localdate()
    tasks = []
    for index, (community, name, grids) in enumerate(plan):
        if not any(quota for _grid, quota in grids):
            continue
        community_centre = None
        if centre is not None:
            community_centre = (centre[0] + rng.uniform(-0.02, 0.02), centre[1] + rng.uniform(-0.025, 0.025))
        tasks.append(
            CommunityTask(
                seed=seed + existing,
                index=index,
                stripes=len(plan),
                district=district,
                district_name=district_name,
                community=community,
                community_name=name,
                grids=grids,
                taken_estates={grid: taken[grid] for grid, _quota in grids if grid in taken},
                taken_numbers=frozenset(taken_numbers.get(community, ())),
                today=today,
                centre=community_centre,
            )
        )
    if workers is None:
        workers = (os.cpu_count() or 1) if residents >= PARALLEL_THRESHOLD else 1
    counts = {
        "areas_created": loaded["created"],
        "grids": grids_created,
        "buildings": 0,
        "units": 0,
        "households": 0,
        "residents": 0,
        "vulnerabilities": 0,
    }
    writer = _RowWriter()
    with _bulk_load_session():
        for rows in _generated(tasks, pools, workers):
            writer.write(rows)
            for key in ("buildings", "units", "households", "residents", "vulnerabilities"):
                counts[key] += len(getattr(rows, key))
            if progress is not None:
                progress(counts["residents"], residents)
        writer.finish()
    generation_seconds = time.perf_counter() - generation_started
    users = _demo_users(rng, _demo_places(district, plan), pools)
    counts["users"] = sum(1 for user in users if user.created)
    audit_record(
        AuditAction.BULK_CREATE,
        actor=actor,
        object_type="demo",
        object_label="demo population",
        area_code=district,
        changes=counts,
    )
    return DemoResult(
        counts=counts, users=users, seconds=time.perf_counter() - started, generation_seconds=generation_seconds
    )
