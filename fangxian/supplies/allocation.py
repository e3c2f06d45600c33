"""Sharing scarce stock of one item among communities by need: the most days of supply for the worst off.

Pure Python, no Django: the services give it numbers and store what it returns.

The problem. Community c uses `daily_need[c]` units a day and holds `on_hand[c]`; it may receive at most
`cap[c]` (what it asked for; `None` when it asked for nothing, i.e. no upper bound). Give out at most
`total` so that the smallest coverage

    coverage[c] = (on_hand[c] + x[c]) / daily_need[c]      (days of supply)

is as large as possible. As a linear programme: maximise t subject to t * d_c - x_c <= h_c,
sum x_c <= T, 0 <= x_c <= u_c.

The method (water-filling with exact breakpoints). At a coverage level L community c needs
x_c(L) = clip(L * d_c - h_c, 0, u_c): nothing while it already holds L days, then d_c units per day of
level, until its cap. S(L) = sum x_c(L) is piecewise linear and non-decreasing with breakpoints at
h_c / d_c (starts to receive) and (h_c + u_c) / d_c (reaches its cap). Sorting the 2n breakpoints and
sweeping them with the running slope finds the level L* where S(L*) = total exactly, in O(n log n),
with no tolerance or iteration count to choose. If every community reaches its cap before the stock
runs out, L* is infinite and each gets its cap (the rest stays in the store).

x(L*) is not only max-min optimal but the lexicographic (leximin) optimum: communities capped below
L* keep their whole cap, the others are all raised to exactly L*, so no stock is left over while
anyone could still be raised. The max-min value is min(L*, the smallest coverage of a capped
community), the LP's optimum t*.

Whole units. `allocate_integer` floors x(L*) and gives the few units left (fewer than the number of
communities) one at a time to the community with the lowest coverage that is still below its cap, so the
sum is exactly min(total, sum of caps) and the smallest coverage is as high as whole units allow from
those floors.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Sequence
from dataclasses import dataclass

INFINITY = math.inf

# People counted in a community's daily use, per group, in multiples of one resident's use of the item
# (`Item.per_person_per_day`). Every active resident counts once; a vulnerable resident (elderly living
# alone, bedridden, chronic illness ...) adds half a person for the carer who visits; a person under
# quarantine adds one more (the household and the worker who delivers to it); a front-line worker (staff,
# guards, volunteers) counts three, changing masks and gloves every few hours on duty, on top of the
# residents because many do not live in the community they guard.
NEED_WEIGHTS = {"residents": 1.0, "vulnerable": 0.5, "quarantined": 1.0, "front_line": 3.0}


def daily_need(
    *, per_person_per_day: float, residents: int, vulnerable: int, quarantined: int, front_line: int
) -> float:
    """Units a community uses a day, from its people weighted by group (NEED_WEIGHTS)."""
    people = (
        NEED_WEIGHTS["residents"] * residents
        + NEED_WEIGHTS["vulnerable"] * vulnerable
        + NEED_WEIGHTS["quarantined"] * quarantined
        + NEED_WEIGHTS["front_line"] * front_line
    )
    return float(per_person_per_day) * people


@dataclass(frozen=True)
class Solution:
    """Continuous shares, the water level reached and the smallest coverage (days) among the needy."""

    shares: list[float]
    level: float
    min_coverage: float


def _check(daily_need: Sequence[float], on_hand: Sequence[float], caps: Sequence[float | None], total: float) -> None:
    if not len(daily_need) == len(on_hand) == len(caps):
        raise ValueError("daily_need, on_hand and caps must have the same length")
    if total < 0 or math.isnan(total):
        raise ValueError("total must be zero or more")
    for need, held, cap in zip(daily_need, on_hand, caps, strict=True):
        if need < 0 or held < 0 or (cap is not None and cap < 0):
            raise ValueError("needs, stocks and caps must be zero or more")


def water_level(
    daily_need: Sequence[float], on_hand: Sequence[float], caps: Sequence[float | None], total: float
) -> float:
    """The coverage level L at which sum clip(L*d - h, 0, u) equals `total` (infinite if the caps run out first)."""
    _check(daily_need, on_hand, caps, total)
    events: list[tuple[float, float]] = []  # (level, change of slope)
    for need, held, cap in zip(daily_need, on_hand, caps, strict=True):
        if need <= 0 or cap == 0:
            continue  # nothing to cover, or may receive nothing
        events.append((held / need, need))
        if cap is not None:
            events.append(((held + cap) / need, -need))
    if not events:
        return INFINITY
    events.sort()
    level, given, slope = events[0][0], 0.0, 0.0
    for at, change in events:
        if slope > 0:
            reached = given + slope * (at - level)
            if reached >= total:
                return level + (total - given) / slope
            given = reached
        level = at
        slope += change
        if slope < 1e-12 * abs(change):  # rounding of the running sum when the last open community closes
            slope = 0.0
    return level + (total - given) / slope if slope > 0 else INFINITY


def allocate(
    daily_need: Sequence[float], on_hand: Sequence[float], caps: Sequence[float | None], total: float
) -> Solution:
    """The leximin (hence max-min) continuous shares."""
    level = water_level(daily_need, on_hand, caps, total)
    shares: list[float] = []
    coverage = INFINITY
    for need, held, cap in zip(daily_need, on_hand, caps, strict=True):
        if need <= 0:
            shares.append(0.0)
            continue
        upper = INFINITY if cap is None else float(cap)
        share = min(max(level * need - held, 0.0), upper) if level < INFINITY else upper
        shares.append(share)
        coverage = min(coverage, (held + share) / need)
    return Solution(shares=shares, level=level, min_coverage=coverage)


def allocate_integer(
    daily_need: Sequence[float], on_hand: Sequence[int], caps: Sequence[int | None], total: int
) -> tuple[list[int], Solution]:
    """Whole-unit shares summing to min(total, sum of caps of the needy), and the continuous solution."""
    solution = allocate(daily_need, on_hand, caps, total)
    shares = [int(math.floor(share + 1e-9)) if share < INFINITY else 0 for share in solution.shares]
    for index, cap in enumerate(caps):
        if cap is not None and shares[index] > cap:
            shares[index] = cap
    left = int(total) - sum(shares)
    heap = [
        ((on_hand[i] + shares[i]) / daily_need[i], i)
        for i in range(len(shares))
        if daily_need[i] > 0 and (caps[i] is None or shares[i] < caps[i])
    ]
    heapq.heapify(heap)
    while left > 0 and heap:
        _coverage, i = heapq.heappop(heap)
        shares[i] += 1
        left -= 1
        if caps[i] is None or shares[i] < caps[i]:
            heapq.heappush(heap, ((on_hand[i] + shares[i]) / daily_need[i], i))
    return shares, solution


def min_coverage(daily_need: Sequence[float], on_hand: Sequence[float], shares: Sequence[float]) -> float:
    """The smallest days of supply among communities with a need (infinite when none has one)."""
    values = [(h + x) / d for d, h, x in zip(daily_need, on_hand, shares, strict=True) if d > 0]
    return min(values) if values else INFINITY


def allocate_many(daily_need, on_hand, caps, totals, starts):
    """Many independent problems at once, vectorised with NumPy (the same exact sweep as `water_level`).

    Flat arrays of every community of every problem, `caps` with `inf` for "no cap"; problem p owns the
    slice `starts[p]:starts[p + 1]` (the last ends at the end of the arrays), with stock `totals[p]`.
    Returns (levels per problem, continuous shares, smallest coverage per problem). For a city's worth of
    streets and items at once (the benchmark); a single allocation uses `allocate`.
    """
    import numpy as np

    d = np.asarray(daily_need, dtype=float)
    h = np.asarray(on_hand, dtype=float)
    u = np.asarray(caps, dtype=float)
    totals = np.asarray(totals, dtype=float)
    starts = np.asarray(starts, dtype=np.int64)
    problems = len(starts)
    block = np.repeat(np.arange(problems), np.diff(np.append(starts, len(d))))
    needy = (d > 0) & (u > 0)
    dn, hn, un, bn = d[needy], h[needy], u[needy], block[needy]
    capped = np.isfinite(un)
    level = np.concatenate([hn / dn, (hn[capped] + un[capped]) / dn[capped]])
    change = np.concatenate([dn, -dn[capped]])
    owner = np.concatenate([bn, bn[capped]])
    order = np.lexsort((level, owner))
    level, change, owner = level[order], change[order], owner[order]
    counts = np.bincount(owner, minlength=problems)
    first = np.concatenate([[0], np.cumsum(counts)[:-1]])
    has_events = counts > 0
    # Running slope after each event, within its problem.
    running = np.cumsum(change)
    slope = running - np.repeat(running[first] - change[first], counts)
    slope[np.abs(slope) < 1e-12 * np.abs(change)] = 0.0
    # Stock given out at each event's level, before it applies: the segments before it, within its problem.
    step = np.zeros_like(level)
    if len(level) > 1:
        step[1:] = slope[:-1] * np.diff(level)
    step[first[has_events]] = 0.0
    given_running = np.cumsum(step)
    given = given_running - np.repeat(given_running[first], counts)
    reached = given >= totals[owner]
    index = np.arange(len(level))
    big = len(level)
    candidate = np.where(reached, index, big)
    levels = np.full(problems, np.inf)
    if has_events.any():
        firsts = np.minimum.reduceat(candidate, first[has_events])
        last = (first + counts - 1)[has_events]
        found = firsts < big
        k = np.where(found, firsts, last)
        prev = np.where(found, np.maximum(k - 1, first[has_events]), k)
        t = totals[has_events]
        with np.errstate(divide="ignore", invalid="ignore"):
            raised = level[prev] + (t - given[prev]) / slope[prev]
        at_first = found & (k == first[has_events])
        open_end = ~found & (slope[last] <= 0)
        value = np.where(at_first, level[k], raised)
        value = np.where(open_end, np.inf, value)
        levels[has_events] = value
    target = levels[block]
    with np.errstate(invalid="ignore"):
        shares = np.where(np.isfinite(target), np.clip(target * d - h, 0.0, u), u)
    shares = np.where(d > 0, shares, 0.0)
    shares = np.where(np.isfinite(shares), shares, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        coverage = np.where(d > 0, (h + shares) / d, np.inf)
    coverage_min = np.full(problems, np.inf)
    nonempty = np.diff(np.append(starts, len(d))) > 0
    if nonempty.any():
        coverage_min[nonempty] = np.minimum.reduceat(coverage, starts[nonempty])
    return levels, shares, coverage_min
