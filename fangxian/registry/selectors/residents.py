"""Reads of residents and households: the door-step search, a household with its members, the household list.

Every read starts from `visible_to(actor)`; the search narrows it by one indexed column (pinyin
initials, name prefix, last four digits, lookup hash) so that it stays a short index range scan
within the actor's subtree on a million residents.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import CharField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Concat

import fangxian.registry.capabilities_residents  # noqa: F401 - registers resident.* capabilities
from fangxian.areas.models import Household
from fangxian.core.personal import hash_for
from fangxian.core.scoping import Actor
from fangxian.registry.models.residents import Resident, ResidentMove, ResidentStatus, Vulnerability

SEARCH_MAX = 50
LAST4_RE = re.compile(r"^[0-9]{3}[0-9X]$")
INITIALS_RE = re.compile(r"^[a-z]{1,50}$")
# Building-unit-room as typed at a door: "3-2-301", "3号楼2单元301", "3 301".
ADDRESS_RE = re.compile(r"^[0-9]+([^0-9]+[0-9]+){1,2}[^0-9]*$")


@dataclass(frozen=True)
class SearchKind:
    kind: str
    value: str


def search_kind(raw: str) -> SearchKind | None:
    """What a search box input means: initials, a name, the last four digits, a full number, an address."""
    text = unicodedata.normalize("NFKC", raw or "").strip()[:SEARCH_MAX]
    if not text:
        return None
    compact = re.sub(r"\s+", "", text).upper()
    if LAST4_RE.match(compact):
        return SearchKind("last4", compact)
    if re.fullmatch(r"[0-9]{17}[0-9X]|[0-9]{15}", compact):
        return SearchKind("id_number", compact)
    if re.fullmatch(r"(\+?86)?1[3-9][0-9]{9}", compact):
        return SearchKind("phone", compact)
    if ADDRESS_RE.match(text):
        return SearchKind("address", text)
    if re.fullmatch(r"[0-9]{1,6}", compact):
        return SearchKind("room", compact)
    if INITIALS_RE.match(compact.lower()):
        return SearchKind("initials", compact.lower())
    return SearchKind("name", text)


def _address_q(text: str) -> Q:
    numbers = re.findall(r"[0-9]+", text)
    building = numbers[0]
    names = [building, f"{building}号楼", f"{building}栋", f"{building}幢", f"{building}号"]
    q = Q(household__building__name__in=names)
    if len(numbers) == 3:
        unit = numbers[1]
        q &= Q(household__unit__name__in=[unit, f"{unit}单元"])
    q &= Q(household__room=numbers[-1])
    return q


def resident_search_narrow(
    queryset: QuerySet, *, query: str = "", tag: str = "", status: str = "active", area_code: str = ""
) -> QuerySet:
    """Narrow an already scoped queryset of residents by what a worker typed (never widens)."""
    if area_code:
        queryset = queryset.within(area_code)
    if status in ResidentStatus.values:
        queryset = queryset.filter(status=status)
    if tag:
        queryset = queryset.filter(vulnerabilities__kind=tag)
    kind = search_kind(query)
    if kind is None:
        return queryset
    if kind.kind == "last4":
        return queryset.filter(Q(id_number_last4=kind.value) | Q(phone_last4=kind.value))
    if kind.kind in ("id_number", "phone"):
        try:
            digest = hash_for(Resident, kind.kind, kind.value)
        except ValidationError:
            return queryset.none()
        return queryset.filter(**{f"{kind.kind}_hash": digest})
    if kind.kind == "address":
        return queryset.filter(_address_q(kind.value))
    if kind.kind == "room":
        return queryset.filter(household__room=kind.value)
    if kind.kind == "initials":
        return queryset.filter(name_initials__startswith=kind.value)
    return queryset.filter(name__startswith=kind.value)


def resident_search(
    *, actor: Actor, query: str = "", tag: str = "", status: str = "active", area_code: str = ""
) -> QuerySet[Resident]:
    """Residents the actor may see that match the search, with their household for the address."""
    residents = Resident.objects.visible_to(actor)
    residents = resident_search_narrow(residents, query=query, tag=tag, status=status, area_code=area_code)
    return residents.select_related("household__building", "household__unit")


def resident_history(*, actor: Actor, resident: Resident) -> QuerySet[ResidentMove]:
    return (
        ResidentMove.objects.visible_to(actor)
        .filter(resident=resident)
        .select_related(
            "from_household__building", "from_household__unit", "to_household__building", "to_household__unit", "by"
        )
    )


def household_members(*, actor: Actor, household: Household) -> QuerySet[Resident]:
    """Everyone registered in the household, present first, with their care needs."""
    return (
        Resident.objects.visible_to(actor)
        .filter(household=household)
        .prefetch_related("vulnerabilities")
        .order_by("status", "relation", "birth_date", "id")
    )


def household_open_tasks(*, actor: Actor, household: Household) -> list:
    """Open tasks of the command app about this household (source_ref "areas.household:<pk>")."""
    from fangxian.command.models import Task
    from fangxian.command.models.tasks import OPEN_STATUSES

    if not actor.can("task.view"):
        return []
    return list(
        Task.objects.visible_to(actor)
        .filter(source_ref=f"areas.household:{household.pk}", status__in=OPEN_STATUSES)
        .order_by("due_at", "pk")[:50]
    )


def household_list(*, actor: Actor, area_code: str = "") -> QuerySet[Household]:
    households = Household.objects.visible_to(actor).select_related("building", "unit")
    if area_code:
        households = households.within(area_code)
    return households


def _subquery_count(queryset: QuerySet, column: str) -> Coalesce:
    """The number of rows of `queryset` per `column` (correlated with the outer row), 0 when none."""
    counted = queryset.order_by().values(column).annotate(n=Count("pk")).values("n")[:1]
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def household_list_narrow(
    queryset: QuerySet, *, actor: Actor, building: str = "", room: str = "", vulnerable: bool = False
) -> QuerySet[Household]:
    """Narrow an already scoped queryset of households and count, per household, within the actor's scope:
    members living there, those of them with a need tag, and the household's open tasks.

    The counts are correlated subqueries, so a page of households costs one query whatever its
    length; each subquery starts from `visible_to(actor)`, so a count never includes rows the actor
    could not open.
    """
    from fangxian.command.models import Task
    from fangxian.command.models.tasks import OPEN_STATUSES

    building = unicodedata.normalize("NFKC", building or "").strip()[:SEARCH_MAX]
    room = unicodedata.normalize("NFKC", room or "").strip()[:SEARCH_MAX]
    if building:
        queryset = queryset.filter(Q(building__name__contains=building) | Q(building__estate__contains=building))
    if room:
        queryset = queryset.filter(room__startswith=room)
    living = Resident.objects.visible_to(actor).filter(status=ResidentStatus.ACTIVE)
    tagged = living.filter(pk__in=Vulnerability.objects.visible_to(actor).values("resident_id"))
    if vulnerable:
        queryset = queryset.filter(pk__in=tagged.values("household_id"))
    queryset = queryset.annotate(
        member_count=_subquery_count(living.filter(household_id=OuterRef("pk")), "household_id"),
        vulnerable_count=_subquery_count(tagged.filter(household_id=OuterRef("pk")), "household_id"),
    )
    if actor.can("task.view"):
        reference = Concat(Value("areas.household:"), Cast(OuterRef("pk"), CharField()))
        open_tasks = Task.objects.visible_to(actor).filter(source_ref=reference, status__in=OPEN_STATUSES)
        queryset = queryset.annotate(open_task_count=_subquery_count(open_tasks, "source_ref"))
    return queryset.select_related("building", "unit").order_by(
        "area_code", "building__estate", "building__name", "unit__name", "room", "id"
    )
