"""The application model's LNS (solver/lns.py): operators checked on plans of a real run."""

from __future__ import annotations

import time

from solver_cases import two_groups_two_regions

from solver import SolveParams
from solver.lns import Search


def test_two_groups_exchange_the_tails_of_their_trips():
    """From the night on, each group takes the other's hub and later days; the day before it
    is re-fitted to the new hub, nothing else changes and every day still fits."""
    problem = two_groups_two_regions()
    search = Search(problem, SolveParams(time_limit_s=2, seed=1), None, None, time.perf_counter())
    best = search.run()
    assert best is not None and best.choice[0] != best.choice[1]
    nd = search.m.n_days
    plan = best.copy()
    assert search.exchange_tails(plan) == "tails"
    assert plan.choice == (best.choice[1], best.choice[0])  # one night: n = 0
    for g, other in ((0, 1), (1, 0)):
        assert plan.routes[g * nd + 1].visits == best.routes[other * nd + 1].visits
        assert set(plan.routes[g * nd].visits) <= set(best.routes[g * nd].visits)
    assert all(route.ok for route in plan.routes)
    visited = [k for route in plan.routes for k in route.visits]
    assert len(visited) == len(set(visited))
