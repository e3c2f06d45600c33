"""Screening lists: matching, routing, one task per grid, answering, closing tasks, progress, export."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.http import Http404
from django.utils import timezone, translation

from fangxian.command.models import Task, TaskSource, TaskStatus
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.testing import COMMUNITY_A, COMMUNITY_B, GRID_A1, GRID_A2, GRID_B1, GRID_C1, STREET_1
from fangxian.health.importing import ScreeningRow
from fangxian.health.models import EntryStatus, MatchKind, ScreeningEntry
from fangxian.health.selectors.screening import screening_entry_list, screening_progress
from fangxian.health.services.screening import (
    screening_entry_answer,
    screening_entry_route,
    screening_list_create,
    screening_list_export_xlsx,
    screening_list_from_residents,
)
from fangxian.registry.models import Resident
from fangxian.registry.tests.factories_imports import id_number

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def person(world, grid: str, name: str, *, idn: str = "", phone: str = "") -> Resident:
    household = {GRID_A1: "A1", GRID_A2: "A2", GRID_B1: "B1", GRID_C1: "C1"}[grid]
    return Resident.objects.create(
        area_code=grid,
        household=world.households[household],
        name=name,
        sex="F",
        birth_date=dt.date(1980, 1, 1),
        id_number=idn,
        phone=phone,
    )


def deadline(hours: int = 24) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


@pytest.fixture
def people(world):
    return {
        "a1": person(world, GRID_A1, "甲一", idn=id_number(serial=1), phone="13800000001"),
        "a2": person(world, GRID_A2, "甲二", idn=id_number(serial=2), phone="13800000002"),
        "b1": person(world, GRID_B1, "乙一", idn=id_number(serial=3), phone="13800000003"),
        "c1": person(world, GRID_C1, "丙一", idn=id_number(serial=4), phone="13800000004"),
        # Two residents sharing a phone: a list entry with that phone alone is ambiguous.
        "twin1": person(world, GRID_A1, "双一", phone="13900000009"),
        "twin2": person(world, GRID_B1, "双二", phone="13900000009"),
    }


def rows(*items) -> list[ScreeningRow]:
    return [ScreeningRow(row_number=i + 2, name=n, id_number=idn, phone=ph) for i, (n, idn, ph) in enumerate(items)]


def send(world, items, who="street1", **extra):
    return screening_list_create(
        actor=world.actor(who), title="Close contacts batch 3", deadline=deadline(), rows=rows(*items), **extra
    )


def test_matches_by_id_then_phone_and_routes_to_the_residents_grid(world, people):
    sent = send(
        world,
        [
            ("甲一", id_number(serial=1), ""),
            ("甲二", "", "13800000002"),
            ("双", "", "13900000009"),
            ("无名", id_number(serial=77), "13700000000"),
        ],
    )
    entries = {e.row_number: e for e in ScreeningEntry.objects.filter(screening_list=sent)}
    assert (entries[2].match, entries[2].resident_id, entries[2].area_code) == (MatchKind.ID, people["a1"].pk, GRID_A1)
    assert (entries[3].match, entries[3].resident_id, entries[3].area_code) == (
        MatchKind.PHONE,
        people["a2"].pk,
        GRID_A2,
    )
    assert (entries[4].match, entries[4].resident_id, entries[4].area_code) == (MatchKind.AMBIGUOUS, None, STREET_1)
    assert (entries[5].match, entries[5].resident_id, entries[5].area_code) == (MatchKind.NONE, None, STREET_1)
    assert (sent.entries_count, sent.matched_count) == (4, 2)
    # Stored encrypted with their hash and masked form, like a resident's.
    assert entries[2].id_number_hash == people["a1"].id_number_hash
    assert entries[3].phone_masked == "138****0002"
    assert entries[2].id_number.reveal() == id_number(serial=1)


def test_residents_outside_the_senders_jurisdiction_do_not_match(world, people):
    sent = send(world, [("丙一", id_number(serial=4), "")])
    entry = ScreeningEntry.objects.get(screening_list=sent)
    assert (entry.match, entry.resident_id, entry.area_code) == (MatchKind.NONE, None, STREET_1)


def test_a_list_over_a_community_only_matches_inside_it(world, people):
    sent = send(world, [("乙一", id_number(serial=3), ""), ("甲一", id_number(serial=1), "")], area_code=COMMUNITY_A)
    matched = dict(ScreeningEntry.objects.filter(screening_list=sent).values_list("row_number", "match"))
    assert matched == {2: MatchKind.NONE, 3: MatchKind.ID}


def test_one_task_per_grid_due_at_the_deadline(world, people):
    sent = send(
        world,
        [
            ("甲一", id_number(serial=1), ""),
            ("甲一", "", "13800000001"),  # the same resident by phone: same grid, same task
            ("甲二", id_number(serial=2), ""),
            ("乙一", id_number(serial=3), ""),
            ("无名", "", "13700000000"),
        ],
    )
    tasks = Task.objects.filter(source=TaskSource.SCREENING)
    assert sorted(tasks.values_list("area_code", flat=True)) == [GRID_A1, GRID_A2, GRID_B1]
    assert {t.due_at for t in tasks} == {sent.deadline}
    entries = ScreeningEntry.objects.filter(screening_list=sent)
    assert entries.filter(area_code=GRID_A1).values("task_id").distinct().count() == 1
    assert entries.get(area_code=STREET_1).task_id is None
    assert AuditEvent.objects.filter(action=AuditAction.BULK_CREATE, object_type="health.screeningentry").exists()


def test_only_officials_send_lists(world, people):
    for who in ("commander_a", "grid_a1", "guard_a", "resident_a1"):
        with pytest.raises(PermissionDenied):
            send(world, [("甲一", id_number(serial=1), "")], who=who)


def test_deadline_in_the_past_and_empty_title_are_refused_and_nothing_is_written(world, people):
    with pytest.raises(DomainError) as refused:
        screening_list_create(
            actor=world.actor("street1"), title="x", deadline=timezone.now() - dt.timedelta(hours=1), rows=rows()
        )
    assert refused.value.code == "deadline_in_past"
    with pytest.raises(DomainError) as refused:
        screening_list_create(
            actor=world.actor("street1"), title=" ", deadline=deadline(), rows=rows(("甲一", "", "13800000001"))
        )
    assert refused.value.code == "title_required"
    with pytest.raises(DomainError) as refused:
        send(world, [("甲一", id_number(serial=1), "")], area_code="37020200100")
    assert refused.value.code == "area_invalid"
    with pytest.raises(DomainError) as refused:
        send(world, [("甲一", id_number(serial=1), "")], area_code="370202002")
    assert refused.value.code == "area_out_of_reach"
    assert not ScreeningEntry.objects.exists()
    assert not Task.objects.exists()


def test_answering_the_last_entry_of_a_grid_closes_its_task(world, people):
    sent = send(
        world, [("甲一", id_number(serial=1), ""), ("双一", "", "13900000009"), ("乙一", id_number(serial=3), "")]
    )
    entry = ScreeningEntry.objects.get(screening_list=sent, area_code=GRID_A1)
    task = entry.task
    answered = screening_entry_answer(
        actor=world.actor("grid_a1"), entry_id=entry.pk, outcome="verified", measure="home_quarantine", note="在家"
    )
    assert answered.status == EntryStatus.ANSWERED
    assert answered.answered_by == world.users["grid_a1"]
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE
    other = Task.objects.get(area_code=GRID_B1)
    assert other.status == TaskStatus.OPEN


def test_answer_checks_role_jurisdiction_and_choices(world, people):
    sent = send(world, [("甲一", id_number(serial=1), "")])
    entry = ScreeningEntry.objects.get(screening_list=sent)
    with pytest.raises(NotFound):
        screening_entry_answer(actor=world.actor("grid_a2"), entry_id=entry.pk, outcome="verified")
    with pytest.raises(NotFound):
        screening_entry_answer(actor=world.actor("commander_b"), entry_id=entry.pk, outcome="verified")
    for who in ("guard_a", "resident_a1", "volunteer_a"):
        with pytest.raises(PermissionDenied):
            screening_entry_answer(actor=world.actor(who), entry_id=entry.pk, outcome="verified")
    with pytest.raises(DomainError) as refused:
        screening_entry_answer(actor=world.actor("grid_a1"), entry_id=entry.pk, outcome="maybe")
    assert refused.value.code == "outcome_invalid"
    with pytest.raises(DomainError) as refused:
        screening_entry_answer(actor=world.actor("grid_a1"), entry_id=entry.pk, outcome="verified", measure="jail")
    assert refused.value.code == "measure_invalid"
    with pytest.raises(DomainError) as refused:
        screening_entry_answer(actor=world.actor("grid_a1"), entry_id=entry.pk, outcome="verified", note="x" * 501)
    assert refused.value.code == "note_too_long"
    entry.refresh_from_db()
    assert entry.status == EntryStatus.OPEN


def test_street_official_routes_an_unmatched_entry_to_a_resident_or_an_area(world, people):
    sent = send(world, [("无名", "", "13700000000"), ("双", "", "13900000009")])
    none, ambiguous = ScreeningEntry.objects.filter(screening_list=sent).order_by("row_number")
    routed = screening_entry_route(actor=world.actor("street1"), entry_id=none.pk, resident_id=people["twin2"].pk)
    assert (routed.area_code, routed.resident_id) == (GRID_B1, people["twin2"].pk)
    assert routed.task.area_code == GRID_B1 and routed.task.source == TaskSource.SCREENING
    routed = screening_entry_route(actor=world.actor("street1"), entry_id=ambiguous.pk, area_code=COMMUNITY_A)
    assert routed.area_code == COMMUNITY_A and routed.task.area_code == COMMUNITY_A
    with pytest.raises(DomainError) as refused:
        screening_entry_route(actor=world.actor("street1"), entry_id=ambiguous.pk, area_code=GRID_A1)
    assert refused.value.code == "entry_routed"
    # The commander of community A now sees it in their queue and may answer it.
    assert screening_entry_list(actor=world.actor("commander_a"), show="open").filter(pk=ambiguous.pk).exists()


def test_routing_stays_inside_the_lists_area(world, people):
    sent = send(world, [("无名", "", "13700000000")])
    entry = ScreeningEntry.objects.get(screening_list=sent)
    with pytest.raises(NotFound):
        screening_entry_route(actor=world.actor("street1"), entry_id=entry.pk, resident_id=people["c1"].pk)
    for area in (GRID_C1, "370202001009", "abc", STREET_1):
        with pytest.raises(DomainError):
            screening_entry_route(actor=world.actor("street1"), entry_id=entry.pk, area_code=area)
    with pytest.raises(NotFound):
        screening_entry_route(actor=world.actor("street2"), entry_id=entry.pk, area_code=GRID_A1)
    with pytest.raises(PermissionDenied):
        screening_entry_route(actor=world.actor("commander_a"), entry_id=entry.pk, area_code=GRID_A1)


def test_progress_per_community_with_overdue(world, people):
    sent = send(
        world,
        [
            ("甲一", id_number(serial=1), ""),
            ("甲二", id_number(serial=2), ""),
            ("乙一", id_number(serial=3), ""),
            ("无", "", "13700000000"),
        ],
    )
    entry = ScreeningEntry.objects.get(screening_list=sent, area_code=GRID_A1)
    screening_entry_answer(actor=world.actor("grid_a1"), entry_id=entry.pk, outcome="not_found")
    progress = screening_progress(actor=world.actor("street1"), screening_list=sent)
    rows_by_code = {row["code"]: row for row in progress["communities"]}
    assert (rows_by_code[COMMUNITY_A]["total"], rows_by_code[COMMUNITY_A]["answered"]) == (2, 1)
    assert rows_by_code[COMMUNITY_B]["open"] == 1
    assert rows_by_code[STREET_1]["queue"] is True
    assert progress["totals"]["overdue"] == 0
    type(sent).objects.filter(pk=sent.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    sent.refresh_from_db()
    progress = screening_progress(actor=world.actor("street1"), screening_list=sent)
    assert progress["deadline_passed"] and progress["totals"]["overdue"] == 3
    overdue = screening_entry_list(actor=world.actor("grid_a2"), show="overdue")
    assert overdue.count() == 1


def test_export_is_masked_scoped_and_audited(world, people):
    from python_calamine import CalamineWorkbook

    sent = send(world, [("甲一", id_number(serial=1), "13800000001"), ("乙一", id_number(serial=3), "")])
    for entry in ScreeningEntry.objects.filter(screening_list=sent):
        screening_entry_answer(actor=world.actor("street1"), entry_id=entry.pk, outcome="verified")
    output = io.BytesIO()
    count = screening_list_export_xlsx(actor=world.actor("street1"), list_id=sent.pk, output=output)
    assert count == 2
    cells = CalamineWorkbook.from_filelike(io.BytesIO(output.getvalue())).get_sheet_by_index(0).to_python()
    text = repr(cells)
    assert id_number(serial=1) not in text and "13800000001" not in text
    assert "138****0001" in text
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_type="health.screeningentry").count() == 1
    with pytest.raises(PermissionDenied):
        screening_list_export_xlsx(actor=world.actor("street1"), list_id=sent.pk, output=io.BytesIO(), unmasked=True)
    with pytest.raises(NotFound):
        screening_list_export_xlsx(actor=world.actor("street2"), list_id=sent.pk, output=io.BytesIO())
    with pytest.raises(PermissionDenied):
        screening_list_export_xlsx(actor=world.actor("guard_a"), list_id=sent.pk, output=io.BytesIO())


def test_list_from_residents_routes_each_to_its_grid(world, people):
    sent = screening_list_from_residents(
        actor=world.actor("street1"),
        title="Contacts of case 12",
        deadline=deadline(),
        resident_ids=[people["a1"].pk, people["b1"].pk, people["a1"].pk],
        reason="close contact",
    )
    entries = ScreeningEntry.objects.filter(screening_list=sent)
    assert sorted(entries.values_list("area_code", flat=True)) == [GRID_A1, GRID_B1]
    assert set(entries.values_list("reason", flat=True)) == {"close contact"}
    assert Task.objects.filter(source=TaskSource.SCREENING).count() == 2
    # A commander tracing in their own community may make one; residents elsewhere are not found.
    mine = screening_list_from_residents(
        actor=world.actor("commander_a"), title="t", deadline=deadline(), resident_ids=[people["a2"].pk]
    )
    assert mine.area_code == COMMUNITY_A
    with pytest.raises(NotFound):
        screening_list_from_residents(
            actor=world.actor("commander_a"), title="t", deadline=deadline(), resident_ids=[people["b1"].pk]
        )
    with pytest.raises(PermissionDenied):
        screening_list_from_residents(
            actor=world.actor("grid_a1"), title="t", deadline=deadline(), resident_ids=[people["a1"].pk]
        )


def test_entries_are_not_seen_by_siblings_guards_or_residents(world, people):
    send(world, [("甲一", id_number(serial=1), ""), ("乙一", id_number(serial=3), "")])
    assert screening_entry_list(actor=world.actor("grid_a1")).count() == 1
    assert screening_entry_list(actor=world.actor("commander_b")).count() == 1
    for who in ("guard_a", "resident_a1", "street2", "admin"):
        assert screening_entry_list(actor=world.actor(who)).count() == 0
    with pytest.raises(Http404):
        ScreeningEntry.objects.get_visible(world.actor("grid_a2"), pk=ScreeningEntry.objects.get(area_code=GRID_A1).pk)
