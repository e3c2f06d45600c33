"""Screening lists (协查名单): sending a list down, matching it to residents, answering and routing entries.

An official sends a list of people with a deadline. Each entry is matched to the residents of the
list's area (the sender's jurisdiction) by the hash of its ID card number, then of its phone:
one resident is a match and the entry goes to that resident's grid; several are `ambiguous`
and none is `none`, and both stay at the list's area (the street's queue), where a street
official routes them by hand. Every grid (or area) that receives entries gets one verification
task per list through `task_create`; the task is closed as done when its last entry is answered.

Matching is done in bulk (hash lookups in batches, one `bulk_create` of the entries) so that a
list of 50,000 against a million residents takes seconds; the bulk writes skip the audit signals,
so the list's creation writes one summary event.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from fangxian.areas.models import Area
from fangxian.command.models import Emergency, Task, TaskPriority, TaskSource, TaskStatus, TaskStatusChange
from fangxian.command.selectors.emergencies import active_emergency
from fangxian.command.services.tasks import OPEN_STATUSES, task_complete, task_create
from fangxian.core.areacode import AREA_CODE_RE, LEVEL_LENGTHS
from fangxian.core.audit import audit_record
from fangxian.core.errors import DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditAction
from fangxian.core.personal import PersonalKind, PersonalValue, decrypt, encrypt, mask
from fangxian.core.scoping import Actor
from fangxian.health import capabilities  # noqa: F401 - registers screening.*
from fangxian.health.importing import (
    MAX_ENTRIES,
    ParsedList,
    RowProblem,
    ScreeningRow,
    clean_text,
    screening_file_read,
)
from fangxian.health.models import EntryStatus, MatchKind, Measure, Outcome, ScreeningEntry, ScreeningList
from fangxian.registry.models import Resident

LOOKUP_BATCH = 2000
INSERT_BATCH = 2000
MAX_TITLE = 200
MAX_NOTE = 500
MAX_RESIDENTS = 5000
SOURCE_REF_PREFIX = "health.screeninglist:"


@dataclass
class ScreeningImport:
    """What a list's creation did: the list, and the rows that were refused (line and reason)."""

    screening_list: ScreeningList
    problems: list[RowProblem] = field(default_factory=list)


def source_ref(screening_list: ScreeningList | int) -> str:
    pk = screening_list.pk if isinstance(screening_list, ScreeningList) else screening_list
    return f"{SOURCE_REF_PREFIX}{pk}"


# --- checks ------------------------------------------------------------------------------------------


def _require_send(actor: Actor) -> None:
    if not actor.is_system and not actor.can("screening.send"):
        raise PermissionDenied(_("Your role may not send screening lists."))


def _check_title(title: str) -> str:
    title = clean_text(title, MAX_TITLE + 1)
    if not title:
        raise DomainError(_("Give the list a title."), code="title_required", field="title")
    if len(title) > MAX_TITLE:
        raise DomainError(
            _("Keep the title under %(n)d characters.") % {"n": MAX_TITLE}, code="title_too_long", field="title"
        )
    return title


def _when(moment: dt.datetime) -> str:
    try:
        return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
    except (OverflowError, ValueError):
        return moment.strftime("%Y-%m-%d %H:%M")


def _check_deadline(deadline: Any) -> dt.datetime:
    if isinstance(deadline, dt.date) and not isinstance(deadline, dt.datetime):
        deadline = dt.datetime.combine(deadline, dt.time(23, 59))
    if not isinstance(deadline, dt.datetime):
        raise DomainError(_("Give the deadline as a date and time."), code="deadline_invalid", field="deadline")
    if timezone.is_naive(deadline):
        deadline = timezone.make_aware(deadline)
    if deadline <= timezone.now():
        raise DomainError(
            _("The deadline %(time)s is in the past. Choose a time after now.") % {"time": _when(deadline)},
            code="deadline_in_past",
            field="deadline",
        )
    if deadline > timezone.now() + dt.timedelta(days=366):
        raise DomainError(_("The deadline is more than a year away."), code="deadline_too_far", field="deadline")
    return deadline


def _sender_area(actor: Actor, area_code: str) -> str:
    """The area the list is sent over: the one given, or the actor's only jurisdiction."""
    prefixes = actor.personal_prefixes
    if not area_code:
        if len(prefixes) != 1:
            raise DomainError(_("Choose the area the list is for."), code="area_required", field="area_code")
        area_code = prefixes[0]
    if not isinstance(area_code, str) or not AREA_CODE_RE.match(area_code) or len(area_code) not in LEVEL_LENGTHS:
        raise DomainError(
            _("“%(code)s” is not an area code.") % {"code": str(area_code)[:20]}, code="area_invalid", field="area_code"
        )
    if not any(area_code.startswith(prefix) for prefix in prefixes) or not Area.objects.filter(code=area_code).exists():
        raise DomainError(
            _("The area %(code)s is not in your jurisdiction.") % {"code": area_code},
            code="area_out_of_reach",
            field="area_code",
        )
    return area_code


def _emergency_for(actor: Actor, area_code: str) -> Emergency | None:
    """The active emergency over the area, if the actor may name it on tasks (task_create checks it)."""
    emergency = active_emergency(area_code)
    if emergency is None or actor.is_system:
        return emergency
    return emergency if Emergency.objects.visible_to(actor).filter(pk=emergency.pk).exists() else None


# --- matching ------------------------------------------------------------------------------------------


def _lookup(residents: Any, column: str, hashes: Iterable[str]) -> dict[str, list[tuple[int, str]]]:
    """hash -> [(resident id, grid)] for the residents of `residents` whose `column` is one of `hashes`."""
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    values = sorted({h for h in hashes if h})
    for start in range(0, len(values), LOOKUP_BATCH):
        batch = values[start : start + LOOKUP_BATCH]
        for digest, pk, area_code in residents.filter(**{f"{column}__in": batch}).values_list(
            column, "pk", "area_code"
        ):
            found[digest].append((pk, area_code))
    return found


@dataclass(frozen=True)
class Match:
    kind: str
    resident_id: int | None = None
    area_code: str = ""


def screening_rows_match(*, actor: Actor, area_code: str, rows: list[ScreeningRow]) -> list[Match]:
    """Match every row to the residents of `area_code` the actor reaches: by ID hash, then by phone hash."""
    residents = Resident.objects.visible_to(actor).within(area_code)
    id_hashes = [row.id_hash for row in rows]
    by_id = _lookup(residents, "id_number_hash", id_hashes)
    phone_needed = [row.phone_hash for row, digest in zip(rows, id_hashes, strict=True) if not by_id.get(digest)]
    by_phone = _lookup(residents, "phone_hash", phone_needed)
    matches = []
    for row, digest in zip(rows, id_hashes, strict=True):
        candidates, kind = by_id.get(digest) if digest else None, MatchKind.ID
        if not candidates:
            candidates, kind = (by_phone.get(row.phone_hash) if row.phone else None), MatchKind.PHONE
        if not candidates:
            matches.append(Match(MatchKind.NONE, None, area_code))
        elif len(candidates) > 1:
            matches.append(Match(MatchKind.AMBIGUOUS, None, area_code))
        else:
            matches.append(Match(kind, candidates[0][0], candidates[0][1]))
    return matches


def _personal(kind: str, normalized: str) -> dict[str, Any]:
    """The four stored columns of a personal field, computed as `PersonalField.pre_save` would."""
    if not normalized:
        return {"": "", "_hash": "", "_last4": "", "_masked": ""}
    masked = mask(kind, normalized)
    return {
        "": PersonalValue(kind, encrypt(normalized), masked, normalized),
        "_hash": "",  # filled by the caller from the row's hash
        "_last4": normalized[-4:],
        "_masked": masked,
    }


def _entry(screening_list: ScreeningList, row: ScreeningRow, match: Match) -> ScreeningEntry:
    entry = ScreeningEntry(
        screening_list=screening_list,
        row_number=row.row_number,
        name=row.name,
        reason=row.reason,
        resident_id=match.resident_id,
        match=match.kind,
        area_code=match.area_code,
    )
    for name, kind, value, digest in (
        ("id_number", PersonalKind.ID_CARD, row.id_number, row.id_hash),
        ("phone", PersonalKind.PHONE, row.phone, row.phone_hash),
    ):
        for suffix, stored in _personal(kind, value).items():
            setattr(entry, name + suffix, digest if suffix == "_hash" else stored)
    return entry


# --- tasks ---------------------------------------------------------------------------------------------


def _task_title(screening_list: ScreeningList) -> str:
    return _("Screening check: %(title)s") % {"title": screening_list.title[:150]}


def _task_description(screening_list: ScreeningList, count: int) -> str:
    return _(
        "Find and verify the people of the screening list “%(title)s” in this area (%(count)d at the start) "
        "and answer each of them by %(deadline)s."
    ) % {"title": screening_list.title[:150], "count": count, "deadline": _when(screening_list.deadline)}


def _task_for(actor: Actor, screening_list: ScreeningList, area_code: str, count: int) -> Task:
    """The list's verification task in `area_code` (one per area and list; task_create de-duplicates)."""
    return task_create(
        actor=actor,
        title=_task_title(screening_list),
        area_code=area_code,
        source=TaskSource.SCREENING,
        source_ref=source_ref(screening_list),
        emergency=screening_list.emergency if screening_list.emergency_id else None,
        due_at=screening_list.deadline,
        description=_task_description(screening_list, count),
    )


def _tasks_for_areas(actor: Actor, screening_list: ScreeningList, counts: dict[str, int]) -> dict[str, int]:
    """One open task per area receiving entries of a new list, written in bulk (a list reaches a thousand grids).

    The checks of `task_create` hold by construction: the areas are the grids of residents the
    actor reaches (checked to exist here), the deadline is in the future, the emergency is one the
    actor sees, and a new list has no open task to de-duplicate against. Like
    `command.services.directives._create_tasks`: tasks, their first status change, one audit event.
    """
    if not actor.is_system and not actor.can("task.assign"):
        raise PermissionDenied(_("Your role may not assign tasks."))
    areas = sorted(area for area in counts if area != screening_list.area_code)
    if not areas:
        return {}
    known = set(Area.objects.filter(code__in=areas).values_list("code", flat=True))
    missing = [area for area in areas if area not in known]
    if missing:
        raise DomainError(
            _("Some residents are registered in areas that do not exist: %(codes)s.")
            % {"codes": ", ".join(missing[:5])},
            code="area_invalid",
        )
    now = timezone.now()
    tasks = [
        Task(
            area_code=area,
            title=_task_title(screening_list),
            description=_task_description(screening_list, counts[area]),
            source=TaskSource.SCREENING,
            source_ref=source_ref(screening_list),
            emergency_id=screening_list.emergency_id,
            assigner=actor.user,
            priority=TaskPriority.NORMAL,
            due_at=screening_list.deadline,
            status=TaskStatus.OPEN,
            created_at=now,
        )
        for area in areas
    ]
    for task in tasks:
        task.full_clean(exclude=["assigner", "emergency"])
    Task.objects.bulk_create(tasks, batch_size=INSERT_BATCH)
    TaskStatusChange.objects.bulk_create(
        [
            TaskStatusChange(
                area_code=task.area_code,
                task_id=task.pk,
                from_status="",
                to_status=TaskStatus.OPEN,
                by=actor.user,
                at=now,
            )
            for task in tasks
        ],
        batch_size=INSERT_BATCH,
    )
    audit_record(
        AuditAction.BULK_CREATE,
        actor=actor,
        object_type="command.task",
        area_code=screening_list.area_code,
        changes={"source": TaskSource.SCREENING, "screening_list": screening_list.pk, "tasks": len(tasks)},
    )
    return {task.area_code: task.pk for task in tasks}


def _close_task_if_answered(task_id: int | None, screening_list: ScreeningList) -> bool:
    """Mark the task done once none of its entries is open; True when it was closed."""
    if task_id is None:
        return False
    if ScreeningEntry.objects.filter(task_id=task_id, status=EntryStatus.OPEN).exists():
        return False
    if not Task.objects.filter(pk=task_id, status__in=OPEN_STATUSES).exists():
        return False
    task_complete(
        actor=Actor.system("screening"),
        task=task_id,
        note=_("Every entry of the screening list “%(title)s” here is answered.")
        % {"title": screening_list.title[:150]},
    )
    return True


# --- creating a list -----------------------------------------------------------------------------------


def screening_list_create(
    *,
    actor: Actor,
    title: str,
    deadline: dt.datetime,
    rows: list[ScreeningRow],
    area_code: str = "",
    source: str = "",
) -> ScreeningList:
    """Create a list from checked rows (see `fangxian.health.importing`), match and route them, task each area."""
    _require_send(actor)
    return _list_create(actor, title, deadline, rows, area_code=area_code, source=source)


@transaction.atomic
def _list_create(
    actor: Actor,
    title: str,
    deadline: Any,
    rows: list[ScreeningRow],
    *,
    area_code: str,
    source: str,
    direct: dict[int, tuple[int, str]] | None = None,
) -> ScreeningList:
    """`direct` (row number -> (resident id, grid)) skips the matching of rows whose resident is known."""
    title = _check_title(title)
    deadline = _check_deadline(deadline)
    area_code = _sender_area(actor, area_code)
    source = clean_text(source, 200)
    if not rows:
        raise DomainError(_("The list has nobody on it."), code="screening_list_empty", field="entries")
    if len(rows) > MAX_ENTRIES:
        raise DomainError(
            _("A screening list holds at most %(limit)d people.") % {"limit": MAX_ENTRIES},
            code="screening_list_too_long",
            field="entries",
        )
    if direct is not None:
        matches = [Match(MatchKind.ID, *direct[row.row_number]) for row in rows]
    else:
        matches = screening_rows_match(actor=actor, area_code=area_code, rows=rows)
    screening_list = ScreeningList(
        area_code=area_code,
        title=title,
        source=source,
        deadline=deadline,
        created_by=actor.user,
        emergency=_emergency_for(actor, area_code),
        entries_count=len(rows),
        matched_count=sum(1 for m in matches if m.resident_id is not None),
    )
    screening_list.full_clean()
    screening_list.save()
    counts: dict[str, int] = defaultdict(int)
    for match in matches:
        counts[match.area_code] += 1
    tasks = _tasks_for_areas(actor, screening_list, counts)
    entries = []
    for row, match in zip(rows, matches, strict=True):
        entry = _entry(screening_list, row, match)
        entry.task_id = tasks.get(match.area_code)
        entries.append(entry)
    ScreeningEntry.objects.bulk_create(entries, batch_size=INSERT_BATCH)
    audit_record(
        AuditAction.BULK_CREATE,
        actor=actor,
        object_type="health.screeningentry",
        object_label=f"{screening_list.audit_label()} entries",
        area_code=area_code,
        changes={
            "screening_list": screening_list.pk,
            "entries": len(entries),
            "matched": screening_list.matched_count,
            "tasks": len(tasks),
        },
    )
    return screening_list


def screening_list_import(
    *, actor: Actor, title: str, deadline: dt.datetime, data: bytes, name: str, area_code: str = "", source: str = ""
) -> ScreeningImport:
    """Create a list from an uploaded Excel or CSV file; the refused rows come back with their reasons."""
    _require_send(actor)
    parsed: ParsedList = screening_file_read(data, name)
    created = screening_list_create(
        actor=actor, title=title, deadline=deadline, rows=parsed.rows, area_code=area_code, source=source or name
    )
    return ScreeningImport(created, parsed.problems)


def screening_list_from_residents(
    *, actor: Actor, title: str, deadline: Any, resident_ids: list[int], reason: str = ""
) -> ScreeningList:
    """A list whose entries are these residents (contact tracing): routed to their grids, one task per grid.

    Capability `screening.send` or `tracing.run`; every resident must be visible to the actor (a
    missing one is not found, like one outside the jurisdiction). The list's area is the actor's
    jurisdiction that holds them.
    """
    if not actor.is_system and not (actor.can("screening.send") or actor.can("tracing.run")):
        raise PermissionDenied(_("Your role may not send screening lists."))
    ids = []
    for pk in resident_ids or ():
        if not isinstance(pk, int) or isinstance(pk, bool) or pk < 1:
            raise DomainError(_("Choose residents from the list."), code="resident_invalid", field="resident_ids")
        if pk not in ids:
            ids.append(pk)
    if not ids:
        raise DomainError(_("The list has nobody on it."), code="screening_list_empty", field="resident_ids")
    if len(ids) > MAX_RESIDENTS:
        raise DomainError(
            _("At most %(n)d residents at once.") % {"n": MAX_RESIDENTS},
            code="too_many_residents",
            field="resident_ids",
        )
    found = {r.pk: r for r in Resident.objects.visible_to(actor).filter(pk__in=ids)}
    if len(found) != len(ids):
        raise NotFound(_("Some of these residents are not in your jurisdiction."), field="resident_ids")
    prefixes = [p for p in actor.personal_prefixes if all(r.area_code.startswith(p) for r in found.values())]
    if not prefixes:
        raise DomainError(
            _("These residents live in areas of different jurisdictions; send one list for each."),
            code="residents_span_areas",
            field="resident_ids",
        )
    reason = clean_text(reason, 200)
    rows, direct = [], {}
    for number, pk in enumerate(ids, start=1):
        person = found[pk]
        rows.append(
            ScreeningRow(
                row_number=number,
                name=person.name,
                id_number=person.id_number.reveal() if person.id_number else "",
                phone=person.phone.reveal() if person.phone else "",
                reason=reason,
            )
        )
        direct[number] = (person.pk, person.area_code)
    return _list_create(
        actor, title, deadline, rows, area_code=min(prefixes, key=len), source=_("Contact tracing"), direct=direct
    )


# --- working on entries --------------------------------------------------------------------------------


def _entry_for(actor: Actor, entry_id: int, *, lock: bool = True) -> ScreeningEntry:
    queryset = ScreeningEntry.objects.visible_to(actor).select_related("screening_list")
    if lock:
        queryset = queryset.select_for_update(of=("self",))
    try:
        return queryset.get(pk=entry_id)
    except (ScreeningEntry.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("Not found.")) from None


@transaction.atomic
def screening_entry_answer(
    *, actor: Actor, entry_id: int, outcome: str, measure: str = Measure.NONE, note: str = ""
) -> ScreeningEntry:
    """Record what was found about one person; closes the area's task when it was the last open entry.

    An answered entry can be answered again (a correction); the latest answer stands.
    """
    if not actor.can("screening.answer"):
        raise PermissionDenied(_("Your role may not answer screening lists."))
    entry = _entry_for(actor, entry_id)
    if outcome not in Outcome.values:
        raise DomainError(_("Choose what was found."), code="outcome_invalid", field="outcome")
    measure = measure or Measure.NONE
    if measure not in Measure.values:
        raise DomainError(_("Choose a measure."), code="measure_invalid", field="measure")
    note = clean_text(note, MAX_NOTE + 1)
    if len(note) > MAX_NOTE:
        raise DomainError(
            _("Keep the note under %(n)d characters.") % {"n": MAX_NOTE}, code="note_too_long", field="note"
        )
    entry.outcome, entry.measure, entry.answer_note = outcome, measure, note
    entry.status = EntryStatus.ANSWERED
    entry.answered_by = actor.user
    entry.answered_at = timezone.now()
    entry.full_clean(exclude=["id_number", "phone"])
    entry.save()
    _close_task_if_answered(entry.task_id, entry.screening_list)
    _open_case_for(actor, entry)
    return entry


def _open_case_for(actor: Actor, entry: ScreeningEntry) -> None:
    """A verified person put under a measure gets the case that follows it, unless one is active already."""
    from fangxian.health.models import CaseStatus, HealthCase
    from fangxian.health.services.arrivals import MEASURE_TO_CASE
    from fangxian.health.services.cases import case_open

    kind = MEASURE_TO_CASE.get(entry.measure)
    if entry.outcome != Outcome.VERIFIED or kind is None or entry.resident_id is None or not actor.can("case.manage"):
        return
    if HealthCase.objects.filter(resident_id=entry.resident_id, status=CaseStatus.ACTIVE).exists():
        return
    case_open(actor=actor, resident_id=entry.resident_id, kind=kind, screening_entry_id=entry.pk)


@transaction.atomic
def screening_entry_route(
    *, actor: Actor, entry_id: int, resident_id: int | None = None, area_code: str = ""
) -> ScreeningEntry:
    """Send an entry of the street's queue (unmatched or ambiguous) to a resident, or to an area, with a task."""
    _require_send(actor)
    entry = _entry_for(actor, entry_id)
    screening_list = entry.screening_list
    if entry.status != EntryStatus.OPEN:
        raise DomainError(_("This entry is already answered."), code="entry_answered")
    if entry.area_code != screening_list.area_code:
        raise DomainError(_("This entry has already been routed."), code="entry_routed")
    if (resident_id is None) == (not area_code):
        raise DomainError(_("Choose a resident or an area."), code="route_target_required", field="area_code")
    if resident_id is not None:
        try:
            person = Resident.objects.visible_to(actor).within(screening_list.area_code).get(pk=resident_id)
        except (Resident.DoesNotExist, ValueError, TypeError):
            raise NotFound(_("There is no such resident in the list's area."), field="resident_id") from None
        entry.resident = person
        entry.match = MatchKind.MANUAL
        target = person.area_code
    else:
        if (
            not isinstance(area_code, str)
            or not AREA_CODE_RE.match(area_code)
            or len(area_code) not in LEVEL_LENGTHS
            or not area_code.startswith(screening_list.area_code)
            or area_code == screening_list.area_code
            or not actor.reaches(area_code)
            or not Area.objects.filter(code=area_code).exists()
        ):
            raise DomainError(
                _("Choose an area inside the list's area %(code)s.") % {"code": screening_list.area_code},
                code="area_out_of_reach",
                field="area_code",
            )
        target = area_code
    entry.area_code = target
    entry.task = _task_for(actor, screening_list, target, 1)
    entry.save()
    return entry


# --- export ----------------------------------------------------------------------------------------------


def screening_list_export_xlsx(
    *, actor: Actor, list_id: int, output: Any, unmasked: bool = False, reason: str = "", answered_only: bool = True
) -> int:
    """Write the list's entries the actor may see (answered ones by default) as Excel, for reporting upward.

    ID and phone numbers are masked unless the actor may reveal them (`personal.reveal`) and gives
    a reason; every export is audited with its row count and whether it was unmasked.
    """
    from fangxian.core.exports import csv_safe_cell, safe_workbook
    from fangxian.health.selectors.screening import screening_list_get

    if not (actor.can("screening.send") or actor.can("screening.answer")):
        raise PermissionDenied(_("Your role may not export screening lists."))
    screening_list = screening_list_get(actor=actor, list_id=list_id)
    reason = clean_text(reason, 500)
    if unmasked:
        if not actor.can("personal.reveal"):
            raise PermissionDenied(_("You may not export full ID and phone numbers."))
        if not reason:
            raise DomainError(
                _("Give the reason for exporting full ID and phone numbers."), field="reason", code="reason_required"
            )
    entries = ScreeningEntry.objects.visible_to(actor).filter(screening_list=screening_list)
    if answered_only:
        entries = entries.filter(status=EntryStatus.ANSWERED)
    entries = entries.select_related("answered_by").order_by("row_number", "id")
    areas = dict(Area.objects.filter(code__in=entries.values("area_code")).values_list("code", "name"))
    workbook = safe_workbook(output)
    sheet = workbook.add_worksheet(str(_("Screening"))[:31])
    bold = workbook.add_format({"bold": True})
    headers = [
        _("Row"),
        _("Full name"),
        _("ID card number"),
        _("Phone"),
        _("Reason"),
        _("Match"),
        _("Area code"),
        _("Area"),
        _("Status"),
        _("Outcome"),
        _("Measure"),
        _("Note"),
        _("Answered by"),
        _("Answered at"),
    ]
    for column, heading in enumerate(headers):
        sheet.write_string(0, column, str(heading), bold)
    sheet.set_column(2, 2, 20)
    count = 0
    for count, entry in enumerate(entries.iterator(chunk_size=2000), start=1):
        if unmasked:
            id_text = decrypt(entry.id_number.ciphertext) if entry.id_number else ""
            phone_text = decrypt(entry.phone.ciphertext) if entry.phone else ""
        else:
            id_text, phone_text = entry.id_number_masked, entry.phone_masked
        answered_at = timezone.localtime(entry.answered_at).strftime("%Y-%m-%d %H:%M") if entry.answered_at else ""
        values = [
            entry.name,
            id_text,
            phone_text,
            entry.reason,
            entry.get_match_display(),
            entry.area_code,
            areas.get(entry.area_code, ""),
            entry.get_status_display(),
            entry.get_outcome_display(),
            entry.get_measure_display(),
            entry.answer_note,
            entry.answered_by.display_name if entry.answered_by_id and entry.answered_by else "",
            answered_at,
        ]
        sheet.write_number(count, 0, entry.row_number)
        for column, value in enumerate(values, start=1):
            sheet.write_string(count, column, csv_safe_cell(value))
    workbook.close()
    audit_record(
        AuditAction.EXPORT,
        actor=actor,
        object_type="health.screeningentry",
        object_label=f"{screening_list.audit_label()} export",
        area_code=screening_list.area_code if actor.reaches(screening_list.area_code) else None,
        changes={"rows": count, "unmasked": unmasked, "screening_list": screening_list.pk},
        reason=reason,
    )
    return count


__all__ = [
    "ScreeningImport",
    "screening_entry_answer",
    "screening_entry_route",
    "screening_list_create",
    "screening_list_export_xlsx",
    "screening_list_from_residents",
    "screening_list_import",
    "screening_rows_match",
    "source_ref",
]
