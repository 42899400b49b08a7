"""Each named instance exercises one rule of the model; every solve is validated."""

from __future__ import annotations

import pytest
from solver_cases import INSTANCES
from solver_cases import solve_named

from solver import DropReason
from solver import Status


def visits(sol, group: int = 0) -> dict[str, int]:
    """Place id -> day for one group's plan."""
    return {v.place_id: d.day for d in sol.plans[group].days for v in d.visits}


def reason(sol, place_id: str, group_id: str | None = None) -> DropReason:
    """Drop reason of a place (for a group when places are per group)."""
    return next(x.reason for x in sol.dropped if x.place_id == place_id and x.group_id == group_id)


@pytest.mark.parametrize("name", sorted(INSTANCES), ids=sorted(INSTANCES))
def test_solve_named_instance_validates(solved, name):
    """Every named instance solves to a plan that passes the independent validator (the check
    is inside solve_named) and never comes back INVALID."""
    _, sol = solve_named(solved, name)
    assert sol.status is not Status.INVALID, sol.message


def test_solve_closed_day_moves_visit_to_open_day(solved):
    """The museum only opens on day 1 and the temple never opens."""
    _, sol = solve_named(solved, "closed_day")
    assert visits(sol)["museum"] == 1
    assert reason(sol, "temple") is DropReason.CLOSED


def test_solve_lunch_break_is_taken_outside_visits(solved):
    """Lunch is planned in its window and the day still holds at least two long visits."""
    problem, sol = solve_named(solved, "lunch_break")
    day = sol.plans[0].days[0]
    lunch = problem.days[0].lunch
    assert day.lunch_start_min is not None
    assert lunch.earliest_start_min <= day.lunch_start_min
    assert day.lunch_start_min + lunch.duration_min <= lunch.latest_end_min
    for v in day.visits:
        assert v.depart_min <= day.lunch_start_min or v.start_min >= day.lunch_start_min + 60
    assert len(day.visits) >= 2


def test_solve_ferry_island_visited_on_ferry_day(solved):
    """The island is only reachable with day 1's matrix; the cove never is."""
    _, sol = solve_named(solved, "ferry_island")
    assert visits(sol).get("island") == 1
    assert reason(sol, "cove") is DropReason.UNREACHABLE


def test_solve_must_visit_that_cannot_fit_is_dropped_with_reason(solved):
    """A too-long must-visit is dropped as CANNOT_FIT (PARTIAL, explained), never raised; the
    zero-prize must-visit is still visited."""
    _, sol = solve_named(solved, "must_visit_cannot_fit")
    assert sol.status is Status.PARTIAL
    assert reason(sol, "citadel") is DropReason.CANNOT_FIT
    assert "shrine" in visits(sol)
    assert any("citadel" in u for u in sol.unmet)


def test_solve_quota_lets_one_group_board(solved):
    """Quota 1 on the boat: one group boards, the other has it dropped as QUOTA_FULL."""
    _, sol = solve_named(solved, "quota_two_groups")
    boarded = [i for i in range(2) if "lan-ha-boat" in visits(sol, i)]
    assert len(boarded) == 1
    other = sol.plans[1 - boarded[0]].group_id
    assert reason(sol, "lan-ha-boat", other) is DropReason.QUOTA_FULL
    assert sol.status is Status.PARTIAL


def test_solve_province_requirement_touches_province(solved):
    """The required province is touched although its places are poor and far."""
    problem, sol = solve_named(solved, "province_requirement")
    provinces = {problem.place(pid).province for pid in visits(sol)}
    assert "Bac Ninh" in provinces
    assert sol.status is Status.FEASIBLE


def test_solve_two_hubs_picks_cheap_near_hub(solved):
    """With a money weight the cheap hub near the places wins."""
    _, sol = solve_named(solved, "two_hubs")
    assert sol.plans[0].night_hubs == ("near-cheap",)
    assert sol.objective.lodging_cost == 500_000
    assert set(visits(sol)) == {"a", "b"}


def test_solve_budget_and_caps_are_respected(solved):
    """Budget 150k allows one ticket; two stops at most; driving at most 100 minutes."""
    problem, sol = solve_named(solved, "budget_and_caps")
    day = sol.plans[0].days[0]
    assert len(day.visits) <= 2
    assert day.drive_min <= 100
    assert sol.objective.ticket_cost <= 150_000
    assert sol.objective.prize >= 22  # e.g. d + a ticketed place


def test_solve_unreachable_end_reports_infeasible(solved):
    """No leg reaches the trip's end: INFEASIBLE with a reason naming the day."""
    _, sol = solve_named(solved, "unreachable_end")
    assert sol.status is Status.INFEASIBLE
    assert "day 0" in sol.message
    assert sol.plans == ()


def test_solve_unreachable_hub_is_never_chosen(solved):
    """A hub no leg reaches is skipped in favour of the reachable one."""
    _, sol = solve_named(solved, "unreachable_hub")
    assert sol.plans[0].night_hubs == ("town-inn",)


def test_solve_hub_beyond_drive_cap_is_never_chosen(solved):
    """A hub the driving cap cannot reach is skipped; the plan is still FEASIBLE."""
    _, sol = solve_named(solved, "hub_beyond_drive_cap")
    assert sol.status is Status.FEASIBLE
    assert sol.plans[0].night_hubs == ("near-inn",)
