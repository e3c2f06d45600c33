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
