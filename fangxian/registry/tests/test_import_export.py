"""Export of residents to Excel: masked by default, unmasked with the capability and a reason, audited."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from python_calamine import CalamineWorkbook

from fangxian.core.audit import acting_as
from fangxian.core.errors import DomainError, PermissionDenied
from fangxian.core.models import AuditAction, AuditEvent
from fangxian.core.testing import GRID_A1, GRID_B1
from fangxian.registry.models import Resident
from fangxian.registry.services.exports import resident_export_xlsx
from fangxian.registry.tests.factories_imports import id_number

pytestmark = pytest.mark.django_db
ID_A = id_number("19500101", 11)


@pytest.fixture
def residents(world, system_actor):
    a = Resident.objects.create(
        area_code=GRID_A1,
        household=world.households["A1"],
        name='=HYPERLINK("x")',
        sex="M",
        id_number=ID_A,
        phone="13800000001",
    )
    b = Resident.objects.create(area_code=GRID_B1, household=world.households["B1"], name="乙社区居民", sex="F")
    return a, b


def sheet_of(data: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(data)).get_sheet_by_index(0).to_python()


def export(world, name: str, **kwargs) -> list[list]:
    actor = world.actor(name)
    output = io.BytesIO()
    with acting_as(actor), translation.override("en"):
        resident_export_xlsx(actor, Resident.objects.all(), output, **kwargs)
    return sheet_of(output.getvalue())


def test_masked_by_default_scoped_and_neutralised(world, residents):
    sheet = export(world, "worker_a")
    assert len(sheet) == 2  # the header and the one resident of community A
    row = sheet[1]
    assert row[0] == '\'=HYPERLINK("x")'
    assert row[3] == f"{ID_A[:6]}********{ID_A[-4:]}" and row[5] == "138****0001"
    assert ID_A not in str(sheet)
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.changes == {"rows": 1, "unmasked": False}


def test_unmasked_needs_capability_and_reason(world, residents):
    with pytest.raises(DomainError):
        export(world, "worker_a", unmasked=True, reason=" ")
    sheet = export(world, "worker_a", unmasked=True, reason="防汛转移名单")
    assert sheet[1][3] == ID_A and sheet[1][5] == "13800000001"
    event = AuditEvent.objects.filter(action=AuditAction.EXPORT).latest("pk")
    assert event.reason == "防汛转移名单" and event.changes["unmasked"] is True


def test_roles_without_capability_cannot_export(world, residents):
    with pytest.raises(PermissionDenied):
        export(world, "guard_a")
    with pytest.raises(PermissionDenied):
        export(world, "street1", unmasked=True, reason="x")


def test_export_view_masked_get_unmasked_post_with_reason(client, world, residents):
    from django.urls import reverse

    from fangxian.core.testing import login

    login(client, world.users["worker_a"])
    url = reverse("registry:resident_export")
    response = client.get(url)
    assert response.status_code == 200
    sheet = sheet_of(b"".join(response.streaming_content))
    assert len(sheet) == 2 and ID_A not in str(sheet)
    assert client.post(url, {"unmasked": "1", "reason": ""}).status_code == 400
    response = client.post(url, {"unmasked": "1", "reason": "转移安置"})
    assert ID_A in str(sheet_of(b"".join(response.streaming_content)))
    response = client.get(url, {"area": GRID_B1})
    assert len(sheet_of(b"".join(response.streaming_content))) == 1  # the sibling's grid: header only
    login(client, world.users["guard_a"])
    assert client.get(url).status_code == 403
