"""A night's value (a cruise on its bay) counts once per trip, however many nights aboard."""

from __future__ import annotations

import dataclasses

from solver_cases import matrix
from solver_cases import run

from solver import Day
from solver import Hub
from solver import Lunch
from solver import Place
from solver import Problem
from solver import validate


def _four_days() -> Problem:
    """Four days around a harbour; each night offers the bay's cruise (worth 15, 1 unit of
    money) or an inn at the harbour. Counted per stay, cruise-inn-cruise would be worth 30;
    counted once per trip, one night aboard is the best plan."""
    pts = [(0, 0), (20, 0), (0, 20), (5, 5)]
    days = tuple(
        Day(1440 * d + 8 * 60, 1440 * d + 18 * 60, Lunch(1440 * d + 660, 1440 * d + 810, 60))
        for d in range(4)
    )
    cruise = Hub("cruise", 3, 1_000_000, 15.0)
    inn = Hub("inn", 0, 300_000)
    return Problem(
        places=(Place("temple", 1, 10, 60), Place("museum", 2, 8, 60)),
        days=days,
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=((cruise, inn),) * 3,
        money_weight=1e-6,
    )


def test_a_cruise_is_worth_its_value_once_per_trip():
    problem = _four_days()
    sol = run(problem, max_rounds=20, seed=1)
    (plan,) = sol.plans
    assert plan.night_hubs.count("cruise") == 1, plan.night_hubs
    assert sol.objective.hub_prize == 15.0


def test_validator_counts_a_second_cruise_at_no_value():
    """cruise-inn-cruise states a hub prize of 15 (not 30), and 30 is an objective error."""
    problem = _four_days()
    sol = run(problem, max_rounds=20, seed=1)
    (plan,) = sol.plans
    twice = dataclasses.replace(plan, night_hubs=("cruise", "inn", "cruise"))
    lodging = 2_000_000 + 300_000
    objective = dataclasses.replace(
        sol.objective,
        hub_prize=15.0,
        lodging_cost=lodging,
        total=sol.objective.total
        - sol.objective.hub_prize
        + 15.0
        + 1e-6 * (sol.objective.lodging_cost - lodging),
    )
    ok = dataclasses.replace(sol, plans=(twice,), objective=objective)
    assert [v for v in validate(problem, ok) if v.kind.value == "objective"] == []
    inflated = dataclasses.replace(ok, objective=dataclasses.replace(objective, hub_prize=30.0))
    assert any(
        "hub_prize stated 30.0, recomputed 15.0" in v.message for v in validate(problem, inflated)
    )
