"""The validator catches tampered plans with the right violation kind and amount."""

from __future__ import annotations

import dataclasses

import pytest
from solver_cases import solve_named

from solver import Objective
from solver import ViolationKind
from solver import validate


def tamper_first_visit(sol, **changes):
    """A copy of ``sol`` whose first visit of group 0, day 0 has ``changes``."""
    plan = sol.plans[0]
    day = plan.days[0]
    visits = (dataclasses.replace(day.visits[0], **changes), *day.visits[1:])
    day = dataclasses.replace(day, visits=visits)
    plan = dataclasses.replace(plan, days=(day, *plan.days[1:]))
    return dataclasses.replace(sol, plans=(plan, *sol.plans[1:]))


def kinds(problem, sol):
    """Violation kinds found in ``sol``."""
    return {v.kind for v in validate(problem, sol)}


def test_validate_detects_early_arrival(solved):
    """Arriving 5 minutes earlier than the leg allows is a TRAVEL_TIME violation of 5."""
    problem, sol = solve_named(solved, "lunch_break")
    v = sol.plans[0].days[0].visits[0]
    bad = tamper_first_visit(sol, arrive_min=v.arrive_min - 5)
    found = [x for x in validate(problem, bad) if x.kind is ViolationKind.TRAVEL_TIME]
    assert found and found[0].amount == 5


def test_validate_detects_start_outside_window(solved):
    """Starting the museum visit on day 0 breaks its day-1-only window."""
    problem, sol = solve_named(solved, "closed_day")
    day1 = sol.plans[0].days[1]
    museum = next(v for v in day1.visits if v.place_id == "museum")
    moved = dataclasses.replace(
        museum, arrive_min=museum.arrive_min, start_min=museum.start_min + 1000,
        depart_min=museum.depart_min + 1000,
    )  # fmt: skip
    day1 = dataclasses.replace(day1, visits=tuple(moved if v is museum else v for v in day1.visits))
    plan = dataclasses.replace(sol.plans[0], days=(sol.plans[0].days[0], day1))
    assert ViolationKind.TIME_WINDOW in kinds(problem, dataclasses.replace(sol, plans=(plan,)))


def test_validate_detects_short_visit(solved):
    """Leaving a place before its visit time is over is a SERVICE violation."""
    problem, sol = solve_named(solved, "lunch_break")
    v = sol.plans[0].days[0].visits[0]
    bad = tamper_first_visit(sol, depart_min=v.depart_min - 10)
    assert ViolationKind.SERVICE in kinds(problem, bad)


def test_validate_detects_wrong_objective(solved):
    """A stated prize that differs from the visits is an OBJECTIVE violation."""
    problem, sol = solve_named(solved, "lunch_break")
    bad = dataclasses.replace(sol, objective=dataclasses.replace(sol.objective, prize=1e6))
    assert ViolationKind.OBJECTIVE in kinds(problem, bad)


def test_validate_detects_quota_overflow(solved):
    """Both groups on the boat with capacity 1 is a QUOTA violation of 1 group."""
    problem, sol = solve_named(solved, "quota_two_groups")
    boarded = next(
        p for p in sol.plans if any(v.place_id == "lan-ha-boat" for v in p.days[0].visits)
    )
    copies = tuple(dataclasses.replace(boarded, group_id=p.group_id) for p in sol.plans)
    bad = dataclasses.replace(sol, plans=copies, dropped=(), objective=Objective())
    quota = [v for v in validate(problem, bad) if v.kind is ViolationKind.QUOTA]
    assert quota and quota[0].amount == 1


def test_validate_detects_missing_must_visit_declaration(solved):
    """A must-visit left out without being listed in ``dropped`` is a DROPPED violation."""
    problem, sol = solve_named(solved, "must_visit_cannot_fit")
    bad = dataclasses.replace(sol, dropped=())
    assert ViolationKind.DROPPED in kinds(problem, bad)


def test_validate_detects_budget_overrun(solved):
    """Claiming a plan under a smaller budget reports BUDGET with the overrun in VND."""
    problem, sol = solve_named(solved, "budget_and_caps")
    if sol.objective.ticket_cost == 0:
        pytest.skip("plan buys no ticket")
    tight = dataclasses.replace(problem, budget=0)
    found = [v for v in validate(tight, sol) if v.kind is ViolationKind.BUDGET]
    assert found and found[0].amount == sol.objective.ticket_cost


@pytest.mark.parametrize(
    "field, kind",
    [
        ("max_stops_per_day", ViolationKind.MAX_STOPS),
        ("max_drive_min_per_day", ViolationKind.MAX_DRIVE),
    ],
    ids=["stops", "drive"],
)
def test_validate_detects_daily_caps(solved, field, kind):
    """Tightening a daily cap to 0 makes the existing plan break it."""
    problem, sol = solve_named(solved, "budget_and_caps")
    tight = dataclasses.replace(problem, **{field: 0})
    assert kind in kinds(tight, sol)


def test_validate_detects_excluded_and_duplicate(solved):
    """Visiting an excluded place, twice, reports both kinds."""
    problem, sol = solve_named(solved, "lunch_break")
    first = sol.plans[0].days[0].visits[0].place_id
    day = sol.plans[0].days[0]
    day = dataclasses.replace(day, visits=day.visits + day.visits[:1])
    plan = dataclasses.replace(sol.plans[0], days=(day,))
    bad = dataclasses.replace(sol, plans=(plan,))
    excl = dataclasses.replace(problem, exclude=frozenset({first}))
    found = kinds(excl, bad)
    assert {ViolationKind.EXCLUDED_VISIT, ViolationKind.DUPLICATE_VISIT} <= found
