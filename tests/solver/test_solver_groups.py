"""Groups that are copies of one another are planned once (solver.lns.interchangeable)."""

from __future__ import annotations

import dataclasses

from solver_cases import quota_users

from solver import Group
from solver import Quota
from solver import SolveParams
from solver import Status
from solver import solve
from solver import validate
from solver.instances import synthetic_trip
from solver.lns import interchangeable

PARAMS = SolveParams(time_limit_s=30.0, max_rounds=3, seed=5)


def _trip(n_groups: int, capacity: int):
    """A 3-day synthetic trip whose groups each collect their own prize (as the app's groups
    do), with the bay-boat quota at ``capacity`` groups a day."""
    base = synthetic_trip(n_places=40, n_days=3, n_hubs=4, n_groups=1, seed=3)
    return dataclasses.replace(
        base,
        groups=tuple(Group(f"group-{i + 1}") for i in range(n_groups)),
        quotas=tuple(Quota(q.key, q.day, capacity) for q in base.quotas),
        shared_places=False,
    )


def test_interchangeable_only_when_the_groups_share_nothing():
    """Copies need their own prizes, the same allowed places and room for all in each quota."""
    assert interchangeable(_trip(3, capacity=3))
    assert not interchangeable(_trip(1, capacity=3))
    assert not interchangeable(_trip(3, capacity=2))
    assert not interchangeable(dataclasses.replace(_trip(3, capacity=3), shared_places=True))
    trip = _trip(2, capacity=2)
    some = frozenset(p.id for p in trip.places[:20])
    assert not interchangeable(dataclasses.replace(trip, groups=(Group("a"), Group("b", some))))


def test_copies_get_the_plan_of_one_group_and_the_sum_of_its_objective():
    """Three copies of a group: every group gets the same days and nights, the plan passes the
    validator, and the objective is three times that of the single group's plan (the same
    seed and work limit give the same single-group search)."""
    trip = _trip(3, capacity=3)
    reports = []
    sol = solve(trip, PARAMS, on_progress=reports.append)
    assert validate(trip, sol) == []
    assert sol.status is Status.FEASIBLE
    assert [p.group_id for p in sol.plans] == ["group-1", "group-2", "group-3"]
    first = sol.plans[0]
    for plan in sol.plans[1:]:
        assert plan.night_hubs == first.night_hubs
        assert [[v.place_id for v in d.visits] for d in plan.days] == [
            [v.place_id for v in d.visits] for d in first.days
        ]
        assert {d.group_id for d in plan.days} == {plan.group_id}
    single = solve(dataclasses.replace(trip, groups=trip.groups[:1]), PARAMS)
    assert sol.objective.prize == 3 * single.objective.prize
    assert abs(sol.objective.total - 3 * single.objective.total) < 1e-6
    assert len(sol.visited()) == 3 * len(single.visited())
    # progress speaks of all three groups, ending at the returned plan's value
    assert abs(reports[-1].objective - sol.objective.total) < 1e-6 * abs(sol.objective.total)


def test_a_quota_smaller_than_the_groups_is_planned_jointly():
    """With one boat place a day for two groups the groups are not copies: the joint search
    plans them, and no day has both groups on the boats."""
    trip = _trip(2, capacity=1)
    sol = solve(trip, PARAMS)
    assert validate(trip, sol) == []
    for d in range(3):
        assert len(quota_users(trip, sol, d, "bay-boats")) <= 1
