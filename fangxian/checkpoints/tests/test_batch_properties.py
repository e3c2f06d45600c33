"""Property tests of offline uploads: however a batch is repeated or cut, the counts are those of one upload."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from fangxian.checkpoints.models import GateScan
from fangxian.checkpoints.services.passes import pass_token
from fangxian.checkpoints.services.scans import ScanInput, scan_batch
from fangxian.command.models import Task, TaskSource

SCAN = st.tuples(
    st.sampled_from(["in", "out"]),
    st.sampled_from([None, "36.4", "36.9", "37.3", "38.6"]),
    st.integers(min_value=1, max_value=600),
)
PROPERTY_SETTINGS = hypothesis_settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _counts() -> tuple[int, int, int]:
    return (
        GateScan.objects.count(),
        GateScan.objects.filter(verdict="deny").count(),
        Task.objects.filter(source=TaskSource.CHECKPOINT).count(),
    )


def _clear() -> None:
    Task.objects.filter(source=TaskSource.CHECKPOINT).delete()
    GateScan.objects.all()._raw_delete(GateScan.objects.db)


def _batch(gate, token, spec) -> list[ScanInput]:
    now = timezone.now()
    return [
        ScanInput(
            checkpoint_id=gate.pk,
            direction=direction,
            idempotency_key=uuid.uuid4(),
            token=token,
            temperature=temperature,
            at=now - dt.timedelta(minutes=minutes),
        )
        for direction, temperature, minutes in spec
    ]


@pytest.mark.django_db
@PROPERTY_SETTINGS
@given(
    spec=st.lists(SCAN, min_size=1, max_size=30),
    cuts=st.lists(st.integers(min_value=0, max_value=30), max_size=3),
    repeats=st.integers(1, 3),
)
def test_repeated_and_cut_uploads_count_like_one(guard, gate, person_pass, spec, cuts, repeats):
    _clear()
    batch = _batch(gate, pass_token(person_pass), spec)
    # The device sends prefixes (cut connections), then the whole batch, possibly several times.
    for cut in cuts:
        scan_batch(actor=guard, scans=batch[: cut % (len(batch) + 1)])
    results = [scan_batch(actor=guard, scans=batch) for _ in range(repeats)]
    counts = _counts()
    assert counts[0] == len(batch)
    fevers = sum(1 for direction, temperature, _m in spec if direction == "in" and temperature in ("37.3", "38.6"))
    assert counts[2] == fevers
    # Every repeat answers the same stored verdicts.
    answers = [[(r.scan.pk, r.verdict, r.reason) for r in result] for result in results]
    assert all(answer == answers[0] for answer in answers)
    assert sum(r.created for result in results for r in result) == len(batch) - len(
        {s.idempotency_key for s in batch[: max((c % (len(batch) + 1) for c in cuts), default=0)]}
    )
