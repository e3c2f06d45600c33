"""The allocation method against a general LP solved by HiGHS, on random and edge instances (no timings)."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from fangxian.supplies.allocation import allocate, allocate_integer, min_coverage, water_level

scipy_optimize = pytest.importorskip("scipy.optimize")
np = pytest.importorskip("numpy")


def lp_max_min(daily_need, on_hand, caps, total) -> float:
    """max t s.t. t*d_c - x_c <= h_c, sum x <= T, 0 <= x_c <= u_c, over communities with a need."""
    rows = [i for i, d in enumerate(daily_need) if d > 0]
    n = len(rows)
    cost = np.zeros(n + 1)
    cost[-1] = -1.0
    a_ub = np.zeros((n + 1, n + 1))
    b_ub = np.zeros(n + 1)
    for k, i in enumerate(rows):
        a_ub[k, k] = -1.0
        a_ub[k, -1] = daily_need[i]
        b_ub[k] = on_hand[i]
    a_ub[n, :n] = 1.0
    b_ub[n] = total
    bounds = [(0, caps[i]) for i in rows] + [(0, None)]
    result = scipy_optimize.linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
    if result.status == 3:  # unbounded: no community with a need
        return math.inf
    assert result.status == 0, result.message
    return float(result.x[-1])


def random_instance(rng: random.Random, n: int):
    daily = [rng.choice([0.0, rng.uniform(0.5, 5000)]) if rng.random() < 0.1 else rng.uniform(0.5, 5000)
             for _ in range(n)]
    held = [rng.choice([0, rng.randint(0, 40000)]) for _ in range(n)]
    caps = [None if rng.random() < 0.4 else rng.randint(0, 30000) for _ in range(n)]
    total = rng.randint(0, 200000)
    return daily, held, caps, total


@pytest.mark.parametrize("seed", range(300))
def test_same_optimum_as_highs_on_random_instances(seed):
    rng = random.Random(seed)
    daily, held, caps, total = random_instance(rng, rng.randint(1, 40))
    solution = allocate(daily, held, caps, total)
    expected = lp_max_min(daily, held, caps, total)
    if math.isinf(expected):
        assert math.isinf(solution.min_coverage)
        return
    # Feasible: shares within their bounds and the total.
    assert sum(solution.shares) <= total * (1 + 1e-9) + 1e-6
    for share, cap in zip(solution.shares, caps, strict=True):
        assert share >= -1e-9 and (cap is None or share <= cap + 1e-6)
    assert solution.min_coverage == pytest.approx(expected, rel=1e-6, abs=1e-6)


def test_water_filling_raises_the_worst_off_first():
    # A holds 2 days, B none; 10 units go to B until both hold the same days.
    solution = allocate([1.0, 1.0], [2, 0], [None, None], 10)
    assert solution.shares == pytest.approx([4.0, 6.0])
    assert solution.level == pytest.approx(6.0)


def test_a_cap_keeps_a_community_below_the_level_and_the_rest_goes_on():
    solution = allocate([1.0, 1.0, 1.0], [0, 0, 0], [1, None, None], 9)
    assert solution.shares == pytest.approx([1.0, 4.0, 4.0])
    assert solution.min_coverage == pytest.approx(1.0)


def test_all_capped_leaves_the_rest_in_the_store():
    solution = allocate([2.0, 1.0], [0, 0], [3, 4], 100)
    assert math.isinf(solution.level) and solution.shares == [3.0, 4.0]


def test_no_need_receives_nothing_and_zero_total_gives_nothing():
    assert allocate([0.0, 1.0], [0, 0], [None, None], 5).shares == pytest.approx([0.0, 5.0])
    assert allocate([1.0, 1.0], [3, 0], [None, None], 0).shares == [0.0, 0.0]
    assert water_level([0.0], [5], [None], 10) == math.inf


def test_refuses_negative_numbers():
    with pytest.raises(ValueError):
        allocate([1.0], [-1], [None], 5)
    with pytest.raises(ValueError):
        allocate([1.0], [0], [None], -5)


def brute_force_integer(daily, held, caps, total) -> float:
    best = -math.inf
    ranges = [range(0, (total if c is None else min(c, total)) + 1) for c in caps]
    for shares in itertools.product(*ranges):
        if sum(shares) <= total:
            best = max(best, min_coverage(daily, held, shares))
    return best


@pytest.mark.parametrize("seed", range(60))
def test_whole_units_keep_the_sum_and_reach_the_integer_max_min(seed):
    rng = random.Random(1000 + seed)
    n = rng.randint(1, 4)
    daily = [rng.uniform(0.3, 4) for _ in range(n)]
    held = [rng.randint(0, 6) for _ in range(n)]
    caps = [None if rng.random() < 0.5 else rng.randint(0, 8) for _ in range(n)]
    total = rng.randint(0, 10)
    shares, solution = allocate_integer(daily, held, caps, total)
    assert all(isinstance(s, int) and s >= 0 for s in shares)
    assert all(c is None or s <= c for s, c in zip(shares, caps, strict=True))
    reachable = total if any(c is None for c in caps) else min(total, sum(caps))
    assert sum(shares) == reachable
    assert min_coverage(daily, held, shares) <= solution.min_coverage + 1e-9
    assert min_coverage(daily, held, shares) == pytest.approx(brute_force_integer(daily, held, caps, total))


@pytest.mark.parametrize("seed", range(20))
def test_many_problems_at_once_match_one_at_a_time(seed):
    from fangxian.supplies.allocation import allocate_many

    rng = random.Random(5000 + seed)
    problems = [random_instance(rng, rng.randint(0, 12)) for _ in range(rng.randint(1, 30))]
    flat_d, flat_h, flat_u, totals, starts = [], [], [], [], []
    for daily, held, caps, total in problems:
        starts.append(len(flat_d))
        flat_d += daily
        flat_h += held
        flat_u += [math.inf if c is None else c for c in caps]
        totals.append(total)
    levels, shares, coverage = allocate_many(flat_d, flat_h, flat_u, totals, starts)
    for p, (daily, held, caps, total) in enumerate(problems):
        one = allocate(daily, held, caps, total)
        if math.isinf(one.min_coverage):
            assert math.isinf(coverage[p])
        else:
            assert coverage[p] == pytest.approx(one.min_coverage, rel=1e-9, abs=1e-9)
        got = shares[starts[p] : starts[p] + len(daily)]
        assert list(got) == pytest.approx(one.shares, rel=1e-9, abs=1e-6)
