"""The validator catches tampered plans with the right violation kind and amount."""

from __future__ import annotations

import dataclasses

import pytest
from solver_cases import solve_named

from solver import Dropped
from solver import DropReason
from solver import Lunch
from solver import Mode
from solver import Objective
from solver import Status
from solver import Timetable
from solver import TravelMatrix
from solver import VarietyRule
from solver import ViolationKind
from solver import Visit
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


# -- characterisation: one hand-broken plan per family of checks ---------------------------


def found(problem, sol, kind):
    """``(amount, message)`` of every violation of ``kind`` in ``sol``, in report order."""
    return [(v.amount, v.message) for v in validate(problem, sol) if v.kind is kind]


def with_day(sol, g=0, d=0, **changes):
    """A copy of ``sol`` whose day ``d`` of group ``g`` has ``changes``."""
    plan = sol.plans[g]
    day = dataclasses.replace(plan.days[d], **changes)
    plan = dataclasses.replace(plan, days=(*plan.days[:d], day, *plan.days[d + 1 :]))
    return dataclasses.replace(sol, plans=(*sol.plans[:g], plan, *sol.plans[g + 1 :]))


def with_place(problem, place_id, **changes):
    """A copy of ``problem`` whose place ``place_id`` has ``changes``."""
    places = tuple(
        dataclasses.replace(p, **changes) if p.id == place_id else p for p in problem.places
    )
    return dataclasses.replace(problem, places=places)


def test_validate_accepts_the_application_features_plan(solved):
    """The plan of the instance with lunch inside a visit, a timetabled ferry, modes, variety
    and a cruise night validates (``solve_named`` asserts it) and states a variety penalty."""
    problem, sol = solve_named(solved, "application_features")
    assert validate(problem, sol) == []
    assert sol.plans[0].days[0].mode in {"car", "bus"}


def test_validate_reports_plans_out_of_group_order(solved):
    """Plans listed in another order than the groups is one STRUCTURE violation, and nothing
    else is checked."""
    problem, sol = solve_named(solved, "quota_two_groups")
    bad = dataclasses.replace(sol, plans=sol.plans[::-1])
    assert [(v.kind, v.message) for v in validate(problem, bad)] == [
        (ViolationKind.STRUCTURE, "plans must be for groups ['family', 'students'] in order")
    ]


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"days": ()}, "one route per day, in order"),
        ({"night_hubs": ()}, "one hub per night"),
    ],
    ids=["days", "nights"],
)
def test_validate_reports_missing_days_and_nights(solved, changes, message):
    """A group plan without its days or its nights is a STRUCTURE violation for that group."""
    problem, sol = solve_named(solved, "closed_day")
    plan = dataclasses.replace(sol.plans[0], **changes)
    bad = dataclasses.replace(sol, plans=(plan,))
    assert found(problem, bad, ViolationKind.STRUCTURE) == [(1, message)]


def test_validate_reports_unknown_place_and_not_allowed(solved):
    """A visit to an unknown id is UNKNOWN_PLACE; a place outside the group's allowed places is
    NOT_ALLOWED."""
    problem, sol = solve_named(solved, "lunch_break")
    bad = tamper_first_visit(sol, place_id="nowhere")
    assert found(problem, bad, ViolationKind.UNKNOWN_PLACE) == [(1, "unknown place 'nowhere'")]
    first = sol.plans[0].days[0].visits[0].place_id
    allowed = frozenset(p.id for p in problem.places) - {first}
    narrow = dataclasses.replace(problem, groups=(dataclasses.replace(problem.groups[0],
                                                                      allowed_places=allowed),))  # fmt: skip
    assert found(narrow, sol, ViolationKind.NOT_ALLOWED) == [(1, "not allowed to group")]


@pytest.mark.parametrize(
    "status, expected",
    [(Status.FEASIBLE, [(1, "FEASIBLE without any plan")]), (Status.INFEASIBLE, [])],
    ids=["feasible", "infeasible"],
)
def test_validate_reports_feasible_without_plans(solved, status, expected):
    """No plan at all is fine when INFEASIBLE, a STATUS violation when claimed FEASIBLE."""
    problem, sol = solve_named(solved, "must_visit_cannot_fit")
    bad = dataclasses.replace(sol, plans=(), status=status)
    assert found(problem, bad, ViolationKind.STATUS) == expected
    assert len(validate(problem, bad)) == len(expected)


def test_validate_reports_service_before_arrival(solved):
    """Starting a visit 5 minutes before arriving is a SERVICE violation of 5."""
    problem, sol = solve_named(solved, "lunch_break")
    v = sol.plans[0].days[0].visits[0]
    bad = tamper_first_visit(sol, start_min=v.start_min - 5, depart_min=v.depart_min - 5)
    assert found(problem, bad, ViolationKind.SERVICE) == [(5, "starts before arriving")]


def test_validate_reports_day_bounds(solved):
    """Leaving before the day starts, a last visit moved past the day's end and the return
    after it are DAY_BOUNDS violations with their minutes."""
    problem, sol = solve_named(solved, "lunch_break")
    day = sol.plans[0].days[0]
    last = day.visits[-1]
    late = dataclasses.replace(
        last, arrive_min=last.arrive_min + 1000, start_min=last.start_min + 1000,
        depart_min=last.depart_min + 1000,
    )  # fmt: skip
    bad = with_day(
        sol, depart_min=problem.days[0].start_min - 15, visits=(*day.visits[:-1], late),
        return_min=day.return_min + 1000,
    )  # fmt: skip
    assert found(problem, bad, ViolationKind.DAY_BOUNDS) == [
        (15, "day 0 leaves before the day starts"),
        (1, "visit outside the day"),
        (day.return_min + 1000 - problem.days[0].end_min, "day 0 returns after the day ends"),
    ]


def test_validate_reports_unreachable_legs(solved):
    """Visiting the island on day 0, when no road leads there, reports both missing legs and
    the missing connection."""
    problem, sol = solve_named(solved, "ferry_island")
    bad = with_day(sol, visits=(Visit("island", 600, 600, 720),), return_min=900)
    assert found(problem, bad, ViolationKind.UNREACHABLE_LEG) == [
        (1, "leg 0 -> 2 does not exist"),
        (1, "leg 2 -> 1 does not exist"),
    ]
    assert (1, "no connection to island at that time") in found(
        problem, bad, ViolationKind.TRAVEL_TIME
    )


def test_validate_reports_missing_and_misplaced_lunch(solved):
    """No lunch is a LUNCH violation of its duration; starting it 20 minutes before its window
    is one of 20."""
    problem, sol = solve_named(solved, "lunch_break")
    lunch = problem.days[0].lunch
    assert found(problem, with_day(sol, lunch_start_min=None), ViolationKind.LUNCH) == [
        (60, "no lunch")
    ]
    early = with_day(sol, lunch_start_min=lunch.earliest_start_min - 20)
    assert found(problem, early, ViolationKind.LUNCH)[0] == (20, "lunch outside its window")


@pytest.mark.parametrize(
    "inside, holds_lunch, expected",
    [
        (False, False, [(1, "lunch overlaps a visit"), (60, "lunch is not inside a leg")]),
        (
            True,
            False,
            [
                (1, "lunch overlaps a visit"),
                (1, "lunch inside a visit that has none"),
                (60, "lunch is not inside a leg"),
            ],
        ),
        (True, True, []),
    ],
    ids=["overlap", "inside-a-visit-without-meal", "inside-a-visit-with-meal"],
)
def test_validate_checks_lunch_inside_visits(solved, inside, holds_lunch, expected):
    """Lunch at the start of a visit overlaps it unless the plan names that visit and the place
    can hold the lunch (``Place.lunch_inside``)."""
    problem, sol = solve_named(solved, "lunch_break")
    v = sol.plans[0].days[0].visits[0]
    lunch = Lunch(v.start_min, v.start_min + 60, 60)
    problem = dataclasses.replace(
        problem, days=(dataclasses.replace(problem.days[0], lunch=lunch),)
    )
    problem = with_place(problem, v.place_id, lunch_inside=holds_lunch)
    bad = with_day(sol, lunch_start_min=v.start_min, lunch_inside=v.place_id if inside else None)
    assert found(problem, bad, ViolationKind.LUNCH) == expected


def test_validate_reports_non_candidate_hub(solved):
    """A night at a hub that is not a candidate is a HUB violation, and neither day touching it
    can run to or from a known node."""
    problem, sol = solve_named(solved, "two_hubs")
    plan = dataclasses.replace(sol.plans[0], night_hubs=("tent",))
    bad = dataclasses.replace(sol, plans=(plan,))
    assert found(problem, bad, ViolationKind.HUB) == [
        (1, "night 0: 'tent' is not a candidate"),
        (1, "day 0 must run from node 0 to node -1"),
        (1, "day 1 must run from node -1 to node 0"),
    ]


def test_validate_reports_days_not_at_the_chosen_hub(solved):
    """Naming the other candidate for the night without moving the days is a HUB violation on
    both days, and the lodging cost is recomputed from the named hub."""
    problem, sol = solve_named(solved, "two_hubs")
    other = next(h for h in problem.nights[0] if h.id != sol.plans[0].night_hubs[0])
    plan = dataclasses.replace(sol.plans[0], night_hubs=(other.id,))
    bad = dataclasses.replace(sol, plans=(plan,))
    assert found(problem, bad, ViolationKind.HUB) == [
        (1, f"day 0 must run from node 0 to node {other.node}"),
        (1, f"day 1 must run from node {other.node} to node 0"),
    ]
    stated = sol.objective.lodging_cost
    assert (
        abs(stated - other.lodging_cost),
        f"objective lodging_cost stated {stated}, recomputed {other.lodging_cost}",
    ) in found(problem, bad, ViolationKind.OBJECTIVE)


def test_validate_checks_cruise_boarding_and_disembarking(solved):
    """A cruise hub's boarding (``arrive_by_min``) bounds the day before and its disembarking
    (``leave_from_min``) the day after; its prize counts in the objective."""
    problem, sol = solve_named(solved, "two_hubs")
    d0, d1 = sol.plans[0].days
    hid = sol.plans[0].night_hubs[0]
    cruise = next(h for h in problem.nights[0] if h.id == hid)
    cruise = dataclasses.replace(
        cruise, arrive_by_min=d0.return_min - 10, leave_from_min=d1.depart_min + 20, prize=7.0
    )
    nights = (tuple(cruise if h.id == hid else h for h in problem.nights[0]),)
    problem = dataclasses.replace(problem, nights=nights)
    assert found(problem, sol, ViolationKind.DAY_BOUNDS) == [
        (10, "day 0 returns after the day ends"),
        (20, "day 1 leaves before the day starts"),
    ]
    assert (7.0, "objective hub_prize stated 0.0, recomputed 7.0") in found(
        problem, sol, ViolationKind.OBJECTIVE
    )


def test_validate_reports_unknown_mode_and_stated_day_totals(solved):
    """An unknown mode is a MODE violation; a day's stated driving minutes and travel money are
    recomputed (OBJECTIVE)."""
    problem, sol = solve_named(solved, "lunch_break")
    day = sol.plans[0].days[0]
    assert found(problem, with_day(sol, mode="zeppelin"), ViolationKind.MODE) == [
        (1, "day 0: unknown mode 'zeppelin'")
    ]
    bad = with_day(sol, drive_min=day.drive_min + 3, money=5.0)
    assert found(problem, bad, ViolationKind.OBJECTIVE) == [
        (3, f"day 0 states {day.drive_min + 3} driving minutes, recomputed {day.drive_min}"),
        (5.0, "day 0 states 5.0 travel money, recomputed 0.0"),
    ]


def test_validate_recomputes_mode_minimum_and_penalty(solved):
    """A mode's day minimum is the least travel money of a day and its day penalty is taken
    off the objective."""
    problem, sol = solve_named(solved, "lunch_break")
    mode = Mode("default", problem.travel, day_minimum=1000, day_penalty=2.0)
    problem = dataclasses.replace(problem, modes=(mode,))
    total = sol.objective.total
    assert found(problem, sol, ViolationKind.OBJECTIVE) == [
        (1000.0, "day 0 states 0.0 travel money, recomputed 1000.0"),
        (2.0, "objective mode_penalty stated 0.0, recomputed 2.0"),
        (1000.0, "objective travel_cost stated 0.0, recomputed 1000.0"),
        (2.0, f"objective total stated {total}, recomputed {total - 2.0}"),
    ]


def test_validate_recomputes_concave_variety_value(solved):
    """With every place of one kind, a day of n of them breaks a day cap of 1 by n - 1 and costs
    the per-day penalties 1, 2, 2, ... plus 0.5 per place beyond the first over the trip."""
    problem, sol = solve_named(solved, "lunch_break")
    n = len(sol.plans[0].days[0].visits)
    assert n >= 2
    places = tuple(dataclasses.replace(p, kind="k") for p in problem.places)
    rule = VarietyRule("k", (1.0, 2.0), day_cap=1, trip_free=1, trip_penalty=0.5)
    problem = dataclasses.replace(problem, places=places, variety=(rule,))
    assert found(problem, sol, ViolationKind.KIND_CAP) == [
        (n - 1, f"{n} places of kind 'k' in one day (at most 1)")
    ]
    penalty = 1.0 + 2.0 * (n - 2) + 0.5 * (n - 1)
    assert (penalty, f"objective variety_penalty stated 0.0, recomputed {penalty}") in found(
        problem, sol, ViolationKind.OBJECTIVE
    )


def test_validate_reports_two_members_of_a_family(solved):
    """Two visited places of one family, or a place and the night's hub, are a FAMILY
    violation."""
    problem, sol = solve_named(solved, "lunch_break")
    a, b = (v.place_id for v in sol.plans[0].days[0].visits[:2])
    fam = with_place(with_place(problem, a, family="f"), b, family="f")
    assert found(fam, sol, ViolationKind.FAMILY) == [
        (1, f"family 'f' used 2 times: {sorted([a, b])}")
    ]
    problem, sol = solve_named(solved, "two_hubs")
    hid = sol.plans[0].night_hubs[0]
    nights = (tuple(dataclasses.replace(h, family="f") for h in problem.nights[0]),)
    fam = dataclasses.replace(with_place(problem, "a", family="f"), nights=nights)
    if "a" in {v.place_id for d in sol.plans[0].days for v in d.visits}:
        assert found(fam, sol, ViolationKind.FAMILY) == [
            (1, f"family 'f' used 2 times: {sorted(['a', hid])}")
        ]


def test_validate_reports_visited_and_dropped(solved):
    """A visited place also listed as dropped is a DROPPED violation."""
    problem, sol = solve_named(solved, "lunch_break")
    first = sol.plans[0].days[0].visits[0].place_id
    bad = dataclasses.replace(sol, dropped=(*sol.dropped, Dropped(first, DropReason.CANNOT_FIT)))
    assert found(problem, bad, ViolationKind.DROPPED) == [(1, f"{first!r} is visited and dropped")]


def test_validate_reports_per_group_must_visit_missing(solved):
    """Without shared places, each group's missing must-visit must be dropped for that group."""
    problem, sol = solve_named(solved, "quota_two_groups")
    missing = [v for v in validate(problem, dataclasses.replace(sol, dropped=()))
               if v.kind is ViolationKind.DROPPED]  # fmt: skip
    assert [(v.group_id, v.message) for v in missing] == [
        (d.group_id, "must-visit 'lan-ha-boat' missing from dropped") for d in sol.dropped
    ]


@pytest.mark.parametrize(
    "changes",
    [
        {"required_provinces": frozenset({"Hue"})},
        {"min_provinces": 3},
        {"must_any": (frozenset({"hn-2", "hn-3"}),)},
    ],
    ids=["required-province", "min-provinces", "must-any"],
)
def test_validate_reports_feasible_with_unmet_requirement(solved, changes):
    """A FEASIBLE plan that misses a required province, the minimum number of provinces or every
    member of a must-any set is a STATUS violation."""
    problem, sol = solve_named(solved, "province_requirement")
    visited = {v.place_id for d in sol.plans[0].days for v in d.visits}
    if "must_any" in changes and visited & changes["must_any"][0]:
        pytest.skip("the plan visits a member of the set")
    assert sol.status is Status.FEASIBLE
    tight = dataclasses.replace(problem, **changes)
    assert found(tight, sol, ViolationKind.STATUS) == [
        (1, "FEASIBLE although a requirement is unmet")
    ]


@pytest.mark.parametrize("late", [7, None], ids=["early-arrival", "no-connection"])
def test_validate_uses_timetabled_crossings(solved, late):
    """On a timetabled leg the arrival is the sailing's: a sailing 7 minutes after the stated
    arrival makes it 7 minutes too early, a sailing gone before the departure leaves no
    connection."""
    problem, sol = solve_named(solved, "lunch_break")
    day = sol.plans[0].days[0]
    v = day.visits[0]
    node = problem.place(v.place_id).node
    if late is None:
        table = Timetable(day.depart_min - 10, 5, [(0, node)], [[v.arrive_min]])
    else:
        table = Timetable(day.depart_min, 5, [(0, node)], [[v.arrive_min + late]])
    m = problem.travel
    travel = TravelMatrix(m.minutes, m.km, timetable=table)
    problem = dataclasses.replace(problem, travel=travel)
    expected = (
        (1, f"no connection to {v.place_id} at that time")
        if late is None
        else (late, f"arrives {late} min too early at {v.place_id}")
    )
    assert found(problem, sol, ViolationKind.TRAVEL_TIME) == [expected]
