"""Live view: hourly in/out per checkpoint and community, visitors inside, fevers today; constant queries."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from fangxian.checkpoints.models import Checkpoint, GateScan, Visitor, VisitorStatus
from fangxian.core.testing import COMMUNITY_A, GRID_A1, login

pytestmark = pytest.mark.django_db


def _scan(gate, *, direction="in", verdict="allow", reason="ok", temperature=None, visitor=None, at=None, **extra):
    return GateScan.objects.create(
        area_code=gate.area_code,
        checkpoint=gate,
        direction=direction,
        at=at or timezone.now(),
        verdict=verdict,
        reason=reason,
        temperature=temperature,
        visitor=visitor,
        idempotency_key=uuid.uuid4(),
        **extra,
    )


def _chart(response) -> dict:
    return response.context["chart_data"]


def test_counts_per_hour_per_checkpoint_and_community(world, client, gate, person):
    west = Checkpoint.objects.create(area_code=GRID_A1, name="西门")
    _scan(gate)
    _scan(gate, direction="out")
    _scan(west)
    _scan(
        west, verdict="deny", reason="fever", temperature=Decimal("38.4"), resident=person, household=person.household
    )
    login(client, world.users["commander_a"])
    response = client.get(reverse("checkpoints:live"))
    series = {s["key"]: s for s in _chart(response)["series"]}
    hour = timezone.localtime().hour
    assert (
        series["all"]["entries"][hour] == 2 and series["all"]["exits"][hour] == 1 and series["all"]["fevers"][hour] == 1
    )
    assert series[f"c{gate.pk}"]["entries"][hour] == 1 and series[f"c{west.pk}"]["denied"][hour] == 1
    assert series[f"a{COMMUNITY_A}"]["entries"][hour] == 2
    page = response.content.decode()
    assert 'id="live-chart-data"' in page and "echarts.min.js" in page and 'hx-trigger="every 30s"' in page
    assert "38.4" in page and "王**" in page and "王小明" not in page


def test_current_visitors_are_in_and_not_out(world, client, gate):
    def visitor(name):
        return Visitor.objects.create(
            area_code=GRID_A1,
            checkpoint=gate,
            name=name,
            purpose="来访",
            host_household=world.households["A1"],
            status=VisitorStatus.APPROVED,
        )

    inside, left, never = visitor("钱一"), visitor("孙二"), visitor("周三")
    _scan(gate, visitor=inside)
    _scan(gate, visitor=left, at=timezone.now() - dt.timedelta(minutes=30))
    _scan(gate, visitor=left, direction="out")
    login(client, world.users["worker_a"])
    names = [v["name"] for v in client.get(reverse("checkpoints:live")).context["overview"].visitors]
    assert names == ["钱*"]
    assert never.pk


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_query_count_is_the_same_for_2_and_10_checkpoints(world, client):
    login(client, world.users["commander_a"])
    url = reverse("checkpoints:live")
    gates = [Checkpoint.objects.create(area_code=COMMUNITY_A, name=f"门{n}") for n in range(2)]
    for gate in gates:
        _scan(gate)
    _queries(client, url)  # warm the session and caches
    two = _queries(client, url)
    for n in range(8):
        _scan(Checkpoint.objects.create(area_code=COMMUNITY_A if n % 2 else GRID_A1, name=f"新门{n}"))
    ten = _queries(client, url)
    assert Checkpoint.objects.count() == 10
    assert two == ten


def test_htmx_refresh_answers_the_data_part_only(world, client, gate):
    login(client, world.users["commander_a"])
    response = client.get(reverse("checkpoints:live"), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="live-data"') and "<html" not in body


def test_street_official_sees_counts_of_their_communities_but_no_people(world, client, gate, person):
    _scan(
        gate, verdict="deny", reason="fever", temperature=Decimal("38.9"), resident=person, household=person.household
    )
    login(client, world.users["street1"])
    response = client.get(reverse("checkpoints:live"))
    assert response.status_code == 200
    series = {s["key"]: s for s in _chart(response)["series"]}
    assert sum(series["all"]["fevers"]) == 1
    login(client, world.users["street2"])
    response = client.get(reverse("checkpoints:live"))
    assert sum(s for s in _chart(response)["series"][0]["fevers"]) == 0 and "东门" not in response.content.decode()


@pytest.mark.parametrize(
    "query", [{"area": "37' OR 1=1"}, {"area": "9" * 40}, {"checkpoint": "abc"}, {"checkpoint": "-1"}]
)
def test_hostile_filters_get_a_message_not_an_error(world, client, gate, query):
    login(client, world.users["commander_a"])
    response = client.get(reverse("checkpoints:live"), query)
    assert response.status_code == 200 and response.context["problems"]


def test_filter_by_checkpoint_of_a_sibling_shows_nothing(world, client, gate, gate_b):
    _scan(gate_b)
    login(client, world.users["commander_a"])
    response = client.get(reverse("checkpoints:live"), {"checkpoint": gate_b.pk})
    assert response.status_code == 200 and "乙社区北门" not in response.content.decode()
    assert sum(_chart(response)["series"][0]["entries"]) == 0


def test_resident_and_volunteer_may_not_open_the_live_view(world, client):
    for persona in ("resident_a1", "volunteer_a"):
        login(client, world.users[persona])
        assert client.get(reverse("checkpoints:live")).status_code == 403


def test_chart_data_is_json_in_a_script_tag(world, client, gate):
    login(client, world.users["commander_a"])
    page = client.get(reverse("checkpoints:live")).content.decode()
    start = page.index('id="live-chart-data"')
    payload = page[page.index(">", start) + 1 : page.index("</script>", start)]
    assert len(json.loads(payload)["hours"]) == 24
