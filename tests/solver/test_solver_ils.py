"""The insert/shake ILS on its own: the kick that gets it out of a region, and its bookkeeping.

The instance is a seeded 60-place TOPTW file written to a temporary folder (so the test does not
need the shared benchmarks), read by the same reader as the literature files; every plan is
checked under the benchmark's own rules (:meth:`BenchInstance.check`), not the ILS's.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from solver.compiled import Compiled
from solver.hotels import hub_candidates
from solver.ils import ILS
from solver.ils import KICK_AFTER
from solver.instances import BenchInstance
from solver.instances import read_toptw


def _instance(tmp_path, tours: int) -> BenchInstance:
    """60 places on a 100 x 100 square, 2-hour windows in a 600-minute day, 10-minute visits."""
    rng = np.random.default_rng(3)
    lines = ["0 4 60 0", "0 0", " 0 50.0 50.0 0 0 0 0 0 600"]
    for i in range(1, 61):
        x, y = rng.uniform(0, 100, 2)
        open_ = int(rng.integers(0, 480))
        prize = int(rng.integers(5, 30))
        lines.append(f" {i} {x:.1f} {y:.1f} 10 {prize} 0 0 0 {open_} {open_ + 120}")
    path = tmp_path / "rand60.txt"
    path.write_text("\n".join(lines) + "\n")
    return read_toptw(path, tours)


def _ils(inst: BenchInstance, seed: int) -> tuple[ILS, Compiled]:
    c = Compiled(inst.problem)
    return ILS(c.spec(hub_candidates(c, 1)[0]), np.random.default_rng(seed)), c


def _vertices(inst: BenchInstance, c: Compiled, routes: list[list[int]]) -> list[list[int]]:
    return [[inst.vertex_of(inst.problem.places[c.visits[k].place].id) for k in r] for r in routes]


def test_ils_kick_removes_one_stretch_of_every_route(tmp_path):
    """A kick of 30 % takes one run of consecutive visits (cyclic) of that size out of every
    route, frees those places, and leaves routes that still fit the rules."""
    inst = _instance(tmp_path, tours=2)
    ils, c = _ils(inst, seed=0)
    ils.insert()
    before = [list(r) for r in ils.routes]
    assert all(len(r) >= 4 for r in before)
    ils.kick(0.3)
    for old, new in zip(before, ils.routes, strict=True):
        size = max(1, int(0.3 * len(old)))
        assert len(new) == len(old) - size
        gone = [i for i, x in enumerate(old) if x not in new]
        # the removed positions form one cyclic stretch
        assert any(
            sorted((start + i) % len(old) for i in range(size)) == gone for start in range(len(old))
        )
        assert not ils.in_route[[x for x in old if x not in new]].any()
        assert ils.in_route[new].all()
    feasible, _, why = inst.check(_vertices(inst, c, ils.routes))
    assert feasible, why
    ils.insert()
    feasible, _, why = inst.check(_vertices(inst, c, ils.routes))
    assert feasible, why


def test_ils_run_with_kicks_is_deterministic_and_feasible(tmp_path):
    """Enough idle rounds for three kicks (after 40, 80 and 120): the same seed gives the same
    routes, the best is never below the greedy plan the run starts from, and it passes the
    benchmark's own check."""
    inst = _instance(tmp_path, tours=2)
    results = []
    for _ in range(2):
        ils, c = _ils(inst, seed=5)
        ils.insert()
        greedy, greedy_routes = ils.score(), [list(r) for r in ils.routes]
        routes, score = ils.run(
            time.perf_counter() + 60, initial=greedy_routes, max_no_improve=3 * KICK_AFTER + 1
        )
        assert score >= greedy
        feasible, _, why = inst.check(_vertices(inst, c, routes))
        assert feasible, why
        results.append((routes, score, ils.iterations))
    assert results[0] == results[1]
    assert results[0][2] > 3 * KICK_AFTER


@pytest.mark.parametrize("fraction", [0.0, 1.0])
def test_ils_kick_sizes_at_the_limits(tmp_path, fraction):
    """The smallest kick still removes one visit per route; the largest empties the routes."""
    inst = _instance(tmp_path, tours=1)
    ils, _ = _ils(inst, seed=0)
    ils.insert()
    n = len(ils.routes[0])
    ils.kick(fraction)
    assert len(ils.routes[0]) == (n - 1 if fraction == 0.0 else 0)
