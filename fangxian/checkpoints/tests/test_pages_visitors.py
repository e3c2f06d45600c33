"""Visitor pages: staff lists (today, pending, all), detail, the host resident's approval page; deliveries log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from fangxian.checkpoints.models import Delivery, Visitor, VisitorStatus
from fangxian.core.testing import COMMUNITY_A, GRID_A1, GRID_B1, login

pytestmark = pytest.mark.django_db


def _visitor(world, gate, *, household="A1", status=VisitorStatus.PENDING, name="赵六", purpose="探望父母", **extra):
    grid = {"A1": GRID_A1, "B1": GRID_B1}[household]
    return Visitor.objects.create(
        area_code=grid,
        checkpoint=gate,
        name=name,
        phone="13912345678",
        id_number="11010519491231002X",
        purpose=purpose,
        host_household=world.households[household],
        status=status,
        expected_at=timezone.now() + dt.timedelta(hours=1),
        **extra,
    )


def test_staff_list_today_pending_all(world, client, gate):
    today = _visitor(world, gate, purpose="今天的来访")
    old = _visitor(world, gate, purpose="上周的来访", created_at=timezone.now() - dt.timedelta(days=7))
    approved = _visitor(world, gate, purpose="已批准", status=VisitorStatus.APPROVED)
    login(client, world.users["worker_a"])

    def ids(show: str) -> set[int]:
        return {v.pk for v in client.get(reverse("checkpoints:visitors"), {"show": show}).context["object_list"]}

    assert ids("today") == ids("") == ids("<x>") == {today.pk, approved.pk}
    assert ids("pending") == {today.pk, old.pk}
    assert ids("all") == {today.pk, old.pk, approved.pk}
    page = client.get(reverse("checkpoints:visitors")).content.decode()
    assert "赵*" in page and "赵六" not in page


def test_detail_shows_masked_phone_and_id_number(world, client, gate):
    visitor = _visitor(world, gate)
    login(client, world.users["commander_a"])
    page = client.get(reverse("checkpoints:visitor_detail", kwargs={"pk": visitor.pk})).content.decode()
    assert "13912345678" not in page and "11010519491231002X" not in page
    assert visitor.phone_masked in page and 'data-testid="visitor-approve"' in page


def test_host_resident_approves_on_their_phone_page(world, client, gate):
    visitor = _visitor(world, gate)
    login(client, world.users["resident_a1"])
    page = client.get(reverse("checkpoints:my_visitors")).content.decode()
    assert "赵*" in page and "探望父母" in page and "赵六" not in page and visitor.phone_masked not in page
    response = client.post(reverse("checkpoints:visitor_decide", kwargs={"pk": visitor.pk}), {"decision": "approve"})
    assert response.status_code == 302 and response.url == reverse("checkpoints:my_visitors")
    visitor.refresh_from_db()
    assert visitor.status == VisitorStatus.APPROVED and visitor.decided_by == world.users["resident_a1"]
    # Deciding twice: a message, nothing changes.
    client.post(reverse("checkpoints:visitor_decide", kwargs={"pk": visitor.pk}), {"decision": "deny"})
    visitor.refresh_from_db()
    assert visitor.status == VisitorStatus.APPROVED


def test_host_declines(world, client, gate):
    visitor = _visitor(world, gate)
    login(client, world.users["resident_a1"])
    client.post(reverse("checkpoints:visitor_decide", kwargs={"pk": visitor.pk}), {"decision": "deny"})
    visitor.refresh_from_db()
    assert visitor.status == VisitorStatus.DENIED


def test_resident_cannot_see_or_decide_another_households_visitor(world, client, gate, gate_b):
    other = _visitor(world, gate_b, household="B1")
    login(client, world.users["resident_a1"])
    assert "赵*" not in client.get(reverse("checkpoints:my_visitors")).content.decode()
    response = client.post(reverse("checkpoints:visitor_decide", kwargs={"pk": other.pk}), {"decision": "approve"})
    assert response.status_code == 404
    other.refresh_from_db()
    assert other.status == VisitorStatus.PENDING


@pytest.mark.parametrize("decision", ["", "maybe", "approve" * 100])
def test_bad_decision_is_refused_with_a_message(world, client, gate, decision):
    visitor = _visitor(world, gate)
    login(client, world.users["resident_a1"])
    response = client.post(
        reverse("checkpoints:visitor_decide", kwargs={"pk": visitor.pk}), {"decision": decision}, follow=True
    )
    assert response.status_code == 200 and list(response.context["messages"])
    visitor.refresh_from_db()
    assert visitor.status == VisitorStatus.PENDING


def test_decide_is_post_only_and_redirect_stays_on_site(world, client, gate):
    visitor = _visitor(world, gate)
    login(client, world.users["worker_a"])
    url = reverse("checkpoints:visitor_decide", kwargs={"pk": visitor.pk})
    assert client.get(url).status_code == 405
    response = client.post(url, {"decision": "approve", "next": "https://evil.example/"})
    assert response.url == reverse("checkpoints:my_visitors")


def test_guard_and_grid_worker_may_not_decide(world, client, gate):
    visitor = _visitor(world, gate)
    for persona in ("guard_a", "grid_a1"):
        login(client, world.users[persona])
        response = client.post(
            reverse("checkpoints:visitor_decide", kwargs={"pk": visitor.pk}), {"decision": "approve"}
        )
        assert response.status_code == 403
    visitor.refresh_from_db()
    assert visitor.status == VisitorStatus.PENDING


def test_delivery_log_lists_and_filters(world, client, gate, gate_b):
    Delivery.objects.create(area_code=COMMUNITY_A, checkpoint=gate, kind="express", note="顺丰")
    Delivery.objects.create(area_code=COMMUNITY_A, checkpoint=gate, kind="takeaway", note="午饭")
    Delivery.objects.create(area_code=gate_b.area_code, checkpoint=gate_b, kind="express", note="乙社区")
    login(client, world.users["guard_a"])
    page = client.get(reverse("checkpoints:deliveries")).content.decode()
    assert "顺丰" in page and "午饭" in page and "乙社区" not in page
    page = client.get(reverse("checkpoints:deliveries"), {"kind": "takeaway"}).content.decode()
    assert "午饭" in page and "顺丰" not in page
    assert client.get(reverse("checkpoints:deliveries"), {"kind": "x" * 3000}).status_code == 200
    login(client, world.users["resident_a1"])
    assert client.get(reverse("checkpoints:deliveries")).status_code == 403
