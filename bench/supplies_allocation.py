"""Benchmark: allocation of scarce stock across a whole city, fangxian's method against HiGHS.

Synthetic Qingdao (fixed seed): 141 streets with 2,100 communities in all, 10 items. Each street
shares its warehouse stock of each item among its communities (1,410 problems of 8 to 22 communities):
needs from residents, vulnerable people, people under quarantine and front-line workers (the weights of
`fangxian.supplies.allocation.NEED_WEIGHTS`), stock on hand of 0 to 4 days, requests from 60 % of the
communities (the cap), the street holding 30 % to 90 % of what would bring everyone to 10 days.

Compared like with like, in the same run, on the same numbers:

* per street: fangxian's water-filling solves each of the 1,410 problems; HiGHS
  (`scipy.optimize.linprog(method="highs")`) solves the same 1,410 LPs, matrices built beforehand and
  outside the timing (only the solver calls are timed, in HiGHS's favour);
* city as one LP: the 1,410 problems are independent, so one LP maximising the sum of the streets'
  levels has each street at its own optimum; HiGHS solves it once (sparse matrix built beforehand),
  against fangxian's method vectorised over all 1,410 problems at once (`allocate_many`, NumPy, flat
  arrays built beforehand likewise).

Both must agree on every street's max-min days of supply to 1e-6 (relative); the figures are the
best of `--repeat` runs. Prints JSON and writes it to bench/results/.

    .venv/bin/python bench/supplies_allocation.py [--repeat 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import pathlib
import platform
import random
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402
import scipy  # noqa: E402
from scipy import sparse  # noqa: E402
from scipy.optimize import linprog  # noqa: E402

from fangxian.supplies.allocation import allocate, allocate_integer, allocate_many, daily_need  # noqa: E402

STREETS, COMMUNITIES, ITEMS = 141, 2100, 10
PER_PERSON_PER_DAY = [2.0, 0.5, 1.0, 0.2, 0.05, 0.1, 0.3, 0.02, 1.5, 0.01]  # masks, gloves, sanitiser ...


def build_city(seed: int) -> list[tuple[list[float], list[int], list[int | None], int]]:
    """(daily needs, on hand, caps, street stock) per street and item."""
    rng = random.Random(seed)
    sizes = [8] * STREETS
    for _ in range(COMMUNITIES - 8 * STREETS):
        sizes[rng.randrange(STREETS)] += 1
    problems = []
    for size in sizes:
        people = []
        for _ in range(size):
            residents = rng.randint(800, 9000)
            people.append(
                {
                    "residents": residents,
                    "vulnerable": int(residents * rng.uniform(0.05, 0.25)),
                    "quarantined": int(residents * rng.choice([0, 0, 0.002, 0.01, 0.04])),
                    "front_line": rng.randint(8, 80),
                }
            )
        for per_day in PER_PERSON_PER_DAY:
            needs, held, caps = [], [], []
            for group in people:
                need = daily_need(per_person_per_day=per_day, **group)
                on_hand = int(need * rng.uniform(0, 4)) if rng.random() < 0.8 else 0
                needs.append(need)
                held.append(on_hand)
                caps.append(max(0, int(need * rng.uniform(5, 14)) - on_hand) if rng.random() < 0.6 else None)
            ten_days = sum(max(0.0, 10 * n - h) for n, h in zip(needs, held, strict=True))
            problems.append((needs, held, caps, int(ten_days * rng.uniform(0.3, 0.9))))
    return problems


def lp_block(needs, held, caps, total):
    """max t: t*d_c - x_c <= h_c, sum x <= T, 0 <= x_c <= u_c (communities with a need)."""
    rows = [i for i, d in enumerate(needs) if d > 0]
    n = len(rows)
    cost = np.zeros(n + 1)
    cost[-1] = -1.0
    a_ub = np.zeros((n + 1, n + 1))
    b_ub = np.zeros(n + 1)
    for k, i in enumerate(rows):
        a_ub[k, k], a_ub[k, -1], b_ub[k] = -1.0, needs[i], held[i]
    a_ub[n, :n], b_ub[n] = 1.0, total
    bounds = [(0, caps[i]) for i in rows] + [(0, None)]
    return cost, a_ub, b_ub, bounds


def lp_city(problems):
    """One LP for the city: variables x of every community of every problem, then one t per problem."""
    n_x = sum(len(p[0]) for p in problems)
    n_t = len(problems)
    rows, cols, vals, b_ub = [], [], [], []
    bounds = []
    row, col = 0, 0
    for block, (needs, held, caps, total) in enumerate(problems):
        t_col = n_x + block
        first = col
        for i, need in enumerate(needs):
            rows += [row, row]
            cols += [col, t_col]
            vals += [-1.0, need]
            b_ub.append(held[i])
            bounds.append((0, caps[i]))
            row += 1
            col += 1
        rows += [row] * len(needs)
        cols += list(range(first, col))
        vals += [1.0] * len(needs)
        b_ub.append(total)
        row += 1
    bounds += [(0, None)] * n_t
    a_ub = sparse.csr_matrix((vals, (rows, cols)), shape=(row, n_x + n_t))
    cost = np.concatenate([np.zeros(n_x), -np.ones(n_t)])
    return cost, a_ub, np.array(b_ub, dtype=float), bounds, n_x


def best_of(repeat: int, function):
    best, value = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        value = function()
        best = min(best, time.perf_counter() - started)
    return best, value


def agree(ours: list[float], theirs: list[float]) -> float:
    return max(abs(a - b) / max(1.0, abs(b)) for a, b in zip(ours, theirs, strict=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=3702)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    problems = build_city(args.seed)

    ours_time, ours = best_of(args.repeat, lambda: [allocate(*p).min_coverage for p in problems])
    integer_time, _ = best_of(args.repeat, lambda: [allocate_integer(*p) for p in problems])

    flat_d, flat_h, flat_u, totals, starts = [], [], [], [], []
    for needs, held, caps, total in problems:
        starts.append(len(flat_d))
        flat_d += needs
        flat_h += held
        flat_u += [np.inf if c is None else c for c in caps]
        totals.append(total)
    flat = [np.array(flat_d), np.array(flat_h, dtype=float), np.array(flat_u, dtype=float), np.array(totals), starts]
    many_time, (_levels, _shares, many) = best_of(args.repeat, lambda: allocate_many(*flat))

    blocks = [lp_block(*p) for p in problems]

    def highs_per_street():
        values = []
        for cost, a_ub, b_ub, bounds in blocks:
            result = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
            assert result.status == 0, result.message
            values.append(float(result.x[-1]))
        return values

    highs_time, highs = best_of(args.repeat, highs_per_street)

    build_started = time.perf_counter()
    cost, a_ub, b_ub, bounds, n_x = lp_city(problems)
    city_build = time.perf_counter() - build_started

    def highs_city():
        result = linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=bounds, method="highs")
        assert result.status == 0, result.message
        return [float(v) for v in result.x[n_x:]]

    city_time, city = best_of(args.repeat, highs_city)

    per_street_gap, city_gap = agree(ours, highs), agree([float(v) for v in many], city)
    result = {
        "benchmark": "supplies_allocation",
        "at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "seed": args.seed,
        "repeat": args.repeat,
        "streets": STREETS,
        "communities": COMMUNITIES,
        "items": ITEMS,
        "problems": len(problems),
        "variables_city_lp": int(a_ub.shape[1]),
        "ours_seconds": round(ours_time, 6),
        "ours_whole_units_seconds": round(integer_time, 6),
        "ours_vectorised_city_seconds": round(many_time, 6),
        "highs_per_street_seconds": round(highs_time, 6),
        "highs_city_lp_seconds": round(city_time, 6),
        "city_lp_build_seconds_untimed": round(city_build, 6),
        "speedup_per_street": round(highs_time / ours_time, 1),
        "speedup_city_lp": round(city_time / many_time, 1),
        "max_relative_gap_per_street": per_street_gap,
        "max_relative_gap_city_lp": city_gap,
        "same_optimum": per_street_gap <= 1e-6 and city_gap <= 1e-6,
        "python": platform.python_version(),
        "scipy": scipy.__version__,
    }
    print(json.dumps(result, indent=2))
    out = ROOT / "bench" / "results" / f"supplies_allocation-{result['at'].replace('-', '').replace(':', '')}.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(result, indent=2) + "\n")
    if not result["same_optimum"]:
        sys.exit("the methods disagree")


if __name__ == "__main__":
    main()
