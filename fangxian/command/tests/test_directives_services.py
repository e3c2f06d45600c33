"""Directive services and selectors: send with its checks, acknowledge, report, remind, compliance, roll-ups."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone, translation

from fangxian.command.models import Directive, DirectiveRecipient, Task, TaskComment, TaskSource, TaskStatus
from fangxian.command.models.tasks import TaskCommentKind
from fangxian.command.selectors.directives import (
    directive_attachments,
    directive_compliance,
    directive_compliance_totals,
    directive_counts,
    directive_list,
    directive_received,
    directive_rollup,
)
from fangxian.command.services.directives import (
    directive_acknowledge,
    directive_remind,
    directive_report,
    directive_send,
    directive_task_ref,
)
from fangxian.command.services.tasks import task_complete
from fangxian.core.errors import Conflict, DomainError, NotFound, PermissionDenied
from fangxian.core.models import AuditEvent
from fangxian.core.testing import CITY, COMMUNITY_A, COMMUNITY_B, COMMUNITY_C, DISTRICT, STREET_1, STREET_2

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff" + b"\x00" * 100


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def media(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage", "OPTIONS": {"location": tmp_path}},
    }
    return tmp_path


def later(hours: float = 6) -> dt.datetime:
    return timezone.now() + dt.timedelta(hours=hours)


def send(world, *, actor="street1", communities=(COMMUNITY_A, COMMUNITY_B), **extra) -> Directive:
    return directive_send(
        actor=world.actor(actor),
        title=extra.pop("title", "全面开展入户排查"),
        body=extra.pop("body", "今日18:00前完成辖区入户排查并报告。"),
        deadline=extra.pop("deadline", later()),
        report_required=extra.pop("report_required", True),
        community_codes=communities,
        **extra,
    )


def task_of(copy: DirectiveRecipient) -> Task:
    return Task.objects.get(source_ref=directive_task_ref(copy))


# --- send -------------------------------------------------------------------------------------------


def test_a_street_sends_to_two_communities_and_each_commander_gets_a_task(world):
    directive = send(world)
    assert directive.area_code == STREET_1 and directive.sent_by == world.users["street1"]
    copies = list(DirectiveRecipient.objects.filter(directive=directive).order_by("area_code"))
    assert [c.area_code for c in copies] == [COMMUNITY_A, COMMUNITY_B]
    task_a = task_of(copies[0])
    assert task_a.source == TaskSource.DIRECTIVE and task_a.due_at == directive.deadline
    assert list(task_a.assignees.all()) == [world.users["commander_a"]] and task_a.assigner == world.users["street1"]
    assert list(task_of(copies[1]).assignees.all()) == [world.users["commander_b"]]
    assert task_a.status_changes.count() == 1
    assert AuditEvent.objects.filter(action="bulk_create", object_type="command.task").exists()
    assert AuditEvent.objects.filter(action="create", object_type="command.directive").exists()


def test_all_communities_below(world):
    directive = send(world, communities="all")
    assert set(directive.recipients.values_list("area_code", flat=True)) == {COMMUNITY_A, COMMUNITY_B}
    district_wide = send(world, actor="district", communities=["all"])
    assert set(district_wide.recipients.values_list("area_code", flat=True)) == {COMMUNITY_A, COMMUNITY_B, COMMUNITY_C}
    assert district_wide.area_code == DISTRICT


def test_a_deadline_in_the_past_is_refused_with_a_clear_message(world):
    with pytest.raises(DomainError) as error:
        send(world, deadline=timezone.now() - dt.timedelta(minutes=5))
    assert error.value.code == "deadline_in_past" and error.value.field == "deadline"
    assert "in the past" in str(error.value.message)
    assert not Directive.objects.exists() and not Task.objects.exists()


@pytest.mark.parametrize(
    "communities,code",
    [
        ([COMMUNITY_C], "community_out_of_reach"),  # street 2's community
        ([STREET_1], "not_a_community"),
        (["370202001099"], "unknown_community"),
        (["37020200100x"], "not_a_community"),
        ([], "no_communities"),
    ],
)
def test_every_community_must_exist_below_the_senders_area(world, communities, code):
    with pytest.raises(DomainError) as error:
        send(world, communities=communities)
    assert error.value.code == code and error.value.field == "community_codes"
    assert not Directive.objects.exists()


def test_only_officials_send(world):
    with pytest.raises(PermissionDenied):
        send(world, actor="commander_a", communities=[COMMUNITY_A])


def test_an_official_of_several_areas_names_the_sending_area(world):
    from fangxian.accounts.models import RoleAssignment
    from fangxian.core.scoping import Actor

    RoleAssignment.objects.create(user=world.users["street1"], role="street_official", area_code=STREET_2)
    actor = Actor.for_user(world.users["street1"])
    with pytest.raises(DomainError) as error:
        directive_send(actor=actor, title="t", body="b", deadline=later(), community_codes=[COMMUNITY_C])
    assert error.value.code == "sender_area_required"
    directive = directive_send(
        actor=actor, title="t", body="b", deadline=later(), community_codes=[COMMUNITY_C], area_code=STREET_2
    )
    assert directive.area_code == STREET_2
    with pytest.raises(PermissionDenied):
        directive_send(
            actor=actor, title="t", body="b", deadline=later(), community_codes=[COMMUNITY_C], area_code=DISTRICT
        )


def test_attachments_are_checked_before_anything_is_sent(world, media):
    with pytest.raises(DomainError) as error:
        send(world, attachments=[SimpleUploadedFile("通知.pdf", PDF), SimpleUploadedFile("表格.pdf", EXE)])
    assert error.value.code == "upload_executable"
    assert not Directive.objects.exists() and not any(media.rglob("*.pdf"))
    directive = send(world, attachments=[SimpleUploadedFile("通知.pdf", PDF)])
    attachment = directive.attachments.get()
    assert attachment.content_type == "application/pdf" and attachment.area_code == STREET_1
    # the receiving community reads the file; a community it did not go to does not
    assert list(directive_attachments(actor=world.actor("commander_a"), directive=directive)) == [attachment]
    assert not directive_attachments(actor=world.actor("commander_c"), directive=directive).exists()


def test_a_community_without_a_commander_gets_an_unassigned_task(world):
    from fangxian.accounts.models import RoleAssignment

    RoleAssignment.objects.filter(user=world.users["commander_b"]).update(active=False)
    directive = send(world)
    task = task_of(directive.recipients.get(area_code=COMMUNITY_B))
    assert not task.assignees.exists()
    from fangxian.command.selectors.tasks import task_inbox

    assert task in task_inbox(actor=world.actor("worker_b"))


# --- acknowledge and report ------------------------------------------------------------------------


def test_acknowledge_then_report_closes_the_task(world):
    directive = send(world)
    commander = world.actor("commander_a")
    copy = directive_acknowledge(actor=commander, directive=directive)
    assert copy.acknowledged_at and copy.acknowledged_by == world.users["commander_a"]
    assert task_of(copy).status == TaskStatus.ACCEPTED
    again = directive_acknowledge(actor=commander, directive=directive)
    assert again.acknowledged_at == copy.acknowledged_at  # twice changes nothing
    with pytest.raises(DomainError) as error:
        directive_report(actor=commander, directive=directive, text="  ")
    assert error.value.code == "report_required"
    reported = directive_report(actor=commander, directive=directive.pk, text="已排查 312 户，发现 2 名返乡人员。")
    assert reported.reported_at and task_of(copy).status == TaskStatus.DONE


def test_reporting_acknowledges_too(world):
    directive = send(world)
    copy = directive_report(actor=world.actor("worker_a"), directive=directive, text="完成")
    assert copy.acknowledged_at == copy.reported_at and copy.acknowledged_by == world.users["worker_a"]


def test_acknowledging_a_directive_without_report_completes_the_task(world):
    directive = send(world, report_required=False)
    copy = directive_acknowledge(actor=world.actor("commander_a"), directive=directive)
    assert task_of(copy).status == TaskStatus.DONE
    assert directive_compliance(actor=world.actor("street1"), directive=directive)["label"] == "1/2"


def test_the_directive_task_cannot_be_closed_from_the_inbox(world):
    directive = send(world)
    task = task_of(directive.recipients.get(area_code=COMMUNITY_A))
    with pytest.raises(Conflict):
        task_complete(actor=world.actor("commander_a"), task=task)


def test_only_the_recipient_community_answers(world):
    directive = send(world, communities=[COMMUNITY_A])
    with pytest.raises(NotFound):
        directive_acknowledge(actor=world.actor("commander_b"), directive=directive)
    with pytest.raises(PermissionDenied):
        directive_acknowledge(actor=world.actor("street1"), directive=directive)
    with pytest.raises(PermissionDenied):
        directive_acknowledge(actor=world.actor("grid_a1"), directive=directive)


def test_a_long_report_is_refused(world):
    directive = send(world)
    with pytest.raises(DomainError) as error:
        directive_report(actor=world.actor("commander_a"), directive=directive, text="x" * 20001)
    assert error.value.code == "report_too_long"


# --- compliance, reminders, roll-ups --------------------------------------------------------------


def test_compliance_math(world):
    directive = send(world)
    street = world.actor("street1")
    empty = directive_compliance(actor=street, directive=directive)
    assert (empty["total"], empty["complied"], empty["laggards"], empty["label"]) == (2, 0, 2, "0/2")
    directive_acknowledge(actor=world.actor("commander_b"), directive=directive)
    half = directive_compliance(actor=street, directive=directive)
    assert (half["acknowledged"], half["complied"], half["label"]) == (1, 0, "0/2")  # B acknowledged, no report
    directive_report(actor=world.actor("commander_a"), directive=directive, text="完成")
    done = directive_compliance(actor=street, directive=directive)
    assert (done["complied"], done["reported"], done["label"]) == (1, 1, "1/2")
    rows = {row["code"]: row for row in done["rows"]}
    assert rows[COMMUNITY_A]["complied"] and not rows[COMMUNITY_B]["complied"] and rows[COMMUNITY_A]["name"]
    # past the deadline the laggard is overdue; the one that complied is not
    future = directive.deadline + dt.timedelta(minutes=1)
    late = directive_compliance(actor=street, directive=directive, now=future)
    assert late["overdue"] == 1 and {r["code"]: r["overdue"] for r in late["rows"]} == {
        COMMUNITY_A: False,
        COMMUNITY_B: True,
    }
    totals = directive_compliance_totals(actor=street, directive_ids=[directive.pk], now=future)
    assert totals == {directive.pk: {"total": 2, "complied": 1, "overdue": 1}}


def test_compliance_shows_only_the_communities_the_actor_sees(world):
    directive = send(world, actor="district", communities=[COMMUNITY_A, COMMUNITY_C])
    assert directive_compliance(actor=world.actor("district"), directive=directive)["total"] == 2
    # street 1 sees the district's directive through its community, and only that row
    street = directive_compliance(actor=world.actor("street1"), directive=directive)
    assert [row["code"] for row in street["rows"]] == [COMMUNITY_A]
    assert directive in directive_list(actor=world.actor("street1"))
    assert directive not in directive_list(actor=world.actor("commander_b"))


def test_remind_the_laggards(world):
    directive = send(world)
    directive_report(actor=world.actor("commander_a"), directive=directive, text="完成")
    assert directive_remind(actor=world.actor("street1"), directive=directive) == 1
    copy_b = directive.recipients.get(area_code=COMMUNITY_B)
    assert copy_b.reminder_count == 1 and copy_b.reminded_at
    assert directive.recipients.get(area_code=COMMUNITY_A).reminder_count == 0
    task_b = task_of(copy_b)
    assert task_b.priority == "urgent"
    assert TaskComment.objects.get(task=task_b).kind == TaskCommentKind.REMINDER
    directive_remind(actor=world.actor("street1"), directive=directive)
    copy_b.refresh_from_db()
    assert copy_b.reminder_count == 2


def test_remind_creates_a_task_when_the_old_one_was_closed(world):
    directive = send(world)
    copy_b = directive.recipients.get(area_code=COMMUNITY_B)
    Task.objects.filter(source_ref=directive_task_ref(copy_b)).update(status=TaskStatus.CANNOT_DO)
    directive_remind(actor=world.actor("street1"), directive=directive)
    assert Task.objects.filter(source_ref=directive_task_ref(copy_b), status=TaskStatus.OPEN).count() == 1


def test_only_the_sending_side_reminds(world):
    directive = send(world)
    with pytest.raises(PermissionDenied):
        directive_remind(actor=world.actor("commander_a"), directive=directive)
    with pytest.raises(NotFound):
        directive_remind(actor=world.actor("street2"), directive=directive)
    assert directive_remind(actor=world.actor("district"), directive=directive) == 2  # the level above may
    city_directive = send(world, actor="city", communities=[COMMUNITY_A])
    with pytest.raises(PermissionDenied):
        directive_remind(actor=world.actor("street1"), directive=city_directive)


def test_nobody_to_remind(world):
    directive = send(world, communities=[COMMUNITY_A], report_required=False)
    directive_acknowledge(actor=world.actor("commander_a"), directive=directive)
    assert directive_remind(actor=world.actor("street1"), directive=directive) == 0


def test_rollups_at_street_district_and_city(world):
    first = send(world)  # A and B
    send(world, actor="street2", communities=[COMMUNITY_C], title="二街道指令")
    directive_report(actor=world.actor("commander_a"), directive=first, text="完成")
    # street: one row per community
    street = directive_rollup(actor=world.actor("street1"), area_code=STREET_1)
    assert [(r["code"], r["copies"], r["complied"]) for r in street["rows"]] == [
        (COMMUNITY_A, 1, 1),
        (COMMUNITY_B, 1, 0),
    ]
    assert street["rows"][0]["name"] == "测试甲社区"
    # district: one row per street
    district = directive_rollup(actor=world.actor("district"), area_code=DISTRICT)
    assert [(r["code"], r["copies"], r["complied"], r["directives"]) for r in district["rows"]] == [
        (STREET_1, 2, 1, 1),
        (STREET_2, 1, 0, 1),
    ]
    assert district["totals"]["copies"] == 3 and district["totals"]["pending"] == 2
    # city: one row per district, overdue after the deadline
    future = first.deadline + dt.timedelta(hours=1)
    city = directive_rollup(actor=world.actor("city"), area_code=CITY, now=future)
    assert [(r["code"], r["copies"], r["complied"], r["overdue"]) for r in city["rows"]] == [(DISTRICT, 3, 1, 2)]
    # a street official asking about the district sees only their street
    assert [r["code"] for r in directive_rollup(actor=world.actor("street1"), area_code=DISTRICT)["rows"]] == [STREET_1]
    with pytest.raises(ValueError):
        directive_rollup(actor=world.actor("city"), area_code="37020")


def test_received_and_daily_counts(world):
    directive = send(world)
    directive_acknowledge(actor=world.actor("commander_a"), directive=directive)
    assert [c.area_code for c in directive_received(actor=world.actor("commander_a"))] == [COMMUNITY_A]
    today = timezone.localdate()
    counts = directive_counts(actor=world.actor("street1"), area_code=STREET_1, date=today)
    assert counts == {"received": 2, "acknowledged": 1, "reported": 0, "overdue": 0}
    assert directive_counts(actor=world.actor("commander_a"), area_code=COMMUNITY_A, date=today)["received"] == 1
