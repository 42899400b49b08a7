"""Tiny named instances for the solver tests, and a helper that solves and validates.

(Module name kept unique: tests/ folders are imported by basename.)

Every instance is a function with a docstring saying why it exists. Places sit on a plane;
travel minutes are rounded Euclidean distances (1 unit = 1 minute, 1 km).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from solver import Day
from solver import Group
from solver import Hub
from solver import Lunch
from solver import Mode
from solver import Place
from solver import Problem
from solver import Quota
from solver import Solution
from solver import SolveParams
from solver import Timetable
from solver import TimeWindow
from solver import TravelMatrix
from solver import VarietyRule
from solver import solve
from solver import validate

DAY0 = Day(8 * 60, 18 * 60)
DAY1 = Day(1440 + 8 * 60, 1440 + 18 * 60)


def matrix(
    points: Sequence[tuple[float, float]], cut: Sequence[tuple[int, int]] = ()
) -> TravelMatrix:
    """Rounded Euclidean minutes and km between ``points``; pairs in ``cut`` are unreachable."""
    minutes: list[list[int | None]] = []
    km: list[list[float | None]] = []
    for a in points:
        minutes.append([round(math.dist(a, b)) for b in points])
        km.append([math.dist(a, b) for b in points])
    for i, j in cut:
        minutes[i][j] = minutes[j][i] = None
        km[i][j] = km[j][i] = None
    return TravelMatrix(minutes, km)


def closed_day() -> Problem:
    """A museum open only on day 1 and a temple closed the whole trip: the museum must be
    planned on day 1 and the temple dropped as CLOSED."""
    pts = [(0, 0), (30, 0), (0, 30), (20, 20)]
    return Problem(
        places=(
            Place("museum", 1, 10, 60, windows=(TimeWindow(1440 + 9 * 60, 1440 + 16 * 60),)),
            Place("temple", 2, 10, 60, windows=()),
            Place("lake", 3, 1, 30),
        ),
        days=(DAY0, DAY1),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=((Hub("hotel", 0),),),
    )


def lunch_break() -> Problem:
    """Four long visits around a 60-minute lunch that must fall in 11:30-13:30 and never
    inside a visit; not everything fits, so the lunch competes with the visits."""
    pts = [(0, 0), (10, 0), (20, 0), (30, 0), (40, 0)]
    return Problem(
        places=tuple(Place(f"p{i}", i, 10 + i, 100) for i in range(1, 5)),
        days=(Day(8 * 60, 15 * 60, Lunch(11 * 60 + 30, 13 * 60 + 30, 60)),),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
    )


def ferry_island() -> Problem:
    """An island reachable only by a ferry that runs on day 1 (the road matrix of day 0 has no
    leg to it), and a cove that no leg ever reaches: the island goes on day 1, the cove is
    dropped as UNREACHABLE."""
    pts = [(0, 0), (20, 0), (40, 40), (90, 90)]
    day0 = matrix(pts, cut=[(0, 2), (1, 2), (2, 3), (0, 3), (1, 3)])
    day1 = matrix(pts, cut=[(0, 3), (1, 3), (2, 3)])
    return Problem(
        places=(
            Place("pier-market", 1, 2, 30),
            Place("island", 2, 50, 120),
            Place("cove", 3, 99, 30),
        ),
        days=(DAY0, DAY1),
        travel=(day0, day1),
        start_node=0,
        end_node=0,
        nights=((Hub("mainland-inn", 1),),),
    )


def must_visit_cannot_fit() -> Problem:
    """A must-visit whose visit (12 h) is longer than any day, and a must-visit with no prize
    that fits: the first is dropped as CANNOT_FIT (status PARTIAL), the second is visited."""
    pts = [(0, 0), (10, 0), (0, 10), (200, 0)]
    return Problem(
        places=(
            Place("citadel", 1, 50, 720),
            Place("shrine", 2, 0, 30),
            Place("far-beach", 3, 40, 60),
        ),
        days=(DAY0,),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        must_visit=frozenset({"citadel", "shrine"}),
    )


def quota_two_groups() -> Problem:
    """Two groups both want the Lan Ha boat, but only one group may board it that day (quota
    1): exactly one group gets it, the other has it dropped as QUOTA_FULL."""
    pts = [(0, 0), (30, 0), (0, 30)]
    return Problem(
        places=(
            Place("lan-ha-boat", 1, 100, 120, quota_key="lan-ha"),
            Place("cat-ba-park", 2, 5, 60),
        ),
        days=(DAY0,),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        groups=(Group("family"), Group("students")),
        quotas=(Quota("lan-ha", 0, 1),),
        must_visit=frozenset({"lan-ha-boat"}),
        shared_places=False,
    )


def province_requirement() -> Problem:
    """Rich places in Ha Noi and one poor place in Bac Ninh; the tour must touch Bac Ninh,
    which a pure prize maximiser would skip."""
    pts = [(0, 0), (10, 0), (0, 10), (10, 10), (200, 0), (205, 0)]
    return Problem(
        places=(
            Place("hn-1", 1, 30, 120, province="Ha Noi"),
            Place("hn-2", 2, 30, 120, province="Ha Noi"),
            Place("hn-3", 3, 30, 120, province="Ha Noi"),
            Place("bn-pagoda", 4, 1, 30, province="Bac Ninh"),
            Place("bn-village", 5, 2, 30, province="Bac Ninh"),
        ),
        days=(DAY0,),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        required_provinces=frozenset({"Bac Ninh"}),
    )


def two_hubs() -> Problem:
    """Two nights with a cheap hub near the next day's places and a dear hub far away; with a
    money weight the cheap near hub wins."""
    pts = [(0, 0), (100, 0), (110, 0), (-100, 0), (105, 10)]
    return Problem(
        places=(Place("a", 1, 10, 60), Place("b", 4, 10, 60)),
        days=(DAY0, DAY1),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=((Hub("near-cheap", 2, 500_000), Hub("far-dear", 3, 2_000_000)),),
        money_weight=1e-5,
    )


def budget_and_caps() -> Problem:
    """Ticketed places under a budget, a two-stop cap and a driving cap: the plan keeps all
    three."""
    pts = [(0, 0), (10, 0), (20, 0), (30, 0), (0, 40), (0, 80)]
    return Problem(
        places=(
            Place("a", 1, 10, 30, cost=100_000),
            Place("b", 2, 10, 30, cost=100_000),
            Place("c", 3, 10, 30, cost=100_000),
            Place("d", 4, 12, 30, cost=0),
            Place("e", 5, 30, 30, cost=0),
        ),
        days=(DAY0,),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        budget=150_000,
        max_stops_per_day=2,
        max_drive_min_per_day=100,
    )


def unreachable_end() -> Problem:
    """The trip's end cannot be reached from its start: nothing is feasible and solve() must
    say why instead of raising."""
    pts = [(0, 0), (10, 0), (20, 0)]
    return Problem(
        places=(Place("a", 1, 10, 30),),
        days=(DAY0,),
        travel=matrix(pts, cut=[(0, 2), (1, 2)]),
        start_node=0,
        end_node=2,
    )


def quota_users(problem: Problem, sol: Solution, day: int, key: str) -> set[str]:
    """The groups whose plan visits a place of quota ``key`` on ``day``."""
    return {
        plan.group_id
        for plan in sol.plans
        for v in plan.days[day].visits
        if problem.place(v.place_id).quota_key == key
    }


def run(problem: Problem, **kw: object) -> Solution:
    """Solve with a short limit and assert that the solution validates."""
    params = SolveParams(**{"time_limit_s": 1.0, **kw})  # type: ignore[arg-type]
    sol = solve(problem, params)
    violations = validate(problem, sol)
    assert violations == [], violations
    return sol


def solve_named(cache: dict[str, Solution], name: str) -> tuple[Problem, Solution]:
    """Solve the named instance once per session."""
    problem = INSTANCES[name]()
    if name not in cache:
        cache[name] = run(problem)
    return problem, cache[name]


INSTANCES = {
    f.__name__: f
    for f in (
        closed_day,
        lunch_break,
        ferry_island,
        must_visit_cannot_fit,
        quota_two_groups,
        province_requirement,
        two_hubs,
        budget_and_caps,
        unreachable_end,
    )
}


def unreachable_hub() -> Problem:
    """The best-placed hub for the night cannot be reached by road (no leg at all); the plan
    must sleep at the other candidate."""
    pts = [(0, 0), (10, 0), (12, 0), (60, 0)]
    return Problem(
        places=(Place("a", 1, 10, 60),),
        days=(DAY0, DAY1),
        travel=matrix(pts, cut=[(0, 2), (1, 2), (2, 3)]),
        start_node=0,
        end_node=0,
        nights=((Hub("island-inn", 2), Hub("town-inn", 3, 100_000)),),
    )


INSTANCES[unreachable_hub.__name__] = unreachable_hub


def hub_beyond_drive_cap() -> Problem:
    """Rich places and a hub 200 minutes away tempt the hub search, but the day's driving cap is
    120 minutes: the plan must sleep at the near hub (regression: the far hub once left the
    search with no valid plan at all)."""
    pts = [(0, 0), (20, 0), (200, 0), (205, 0), (210, 0), (25, 0)]
    return Problem(
        places=(
            Place("far-1", 3, 50, 30),
            Place("far-2", 4, 50, 30),
            Place("near", 5, 5, 30),
        ),
        days=(DAY0, DAY1),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=((Hub("far-inn", 2), Hub("near-inn", 1)),),
        max_drive_min_per_day=120,
    )


INSTANCES[hub_beyond_drive_cap.__name__] = hub_beyond_drive_cap


def must_visit_behind_drive_cap() -> Problem:
    """Three days with lunch and a 130-minute drive cap (the Ninh Bình request, made small):
    the must-visit lies 100 minutes west with an inn beside it; rich places and their inn lie
    90 minutes east, 190 minutes from the west inn. Only west inn, then the home inn, then home
    meets the must-visit within the cap; the hub search once ranked "west, then east" first
    (the day west -> east breaks the cap) and the plan left the must-visit out."""
    pts = [(0, 0), (-100, 0), (-105, 0), (90, 0), (92, 3), (94, -3), (95, 0), (3, 0)]
    lunch = [Lunch(d * 1440 + 11 * 60, d * 1440 + 14 * 60, 60) for d in range(3)]
    return Problem(
        places=(
            Place("must", 1, 10, 120),
            Place("east-1", 3, 60, 60),
            Place("east-2", 4, 60, 60),
            Place("east-3", 5, 60, 60),
        ),
        days=tuple(Day(d * 1440 + 8 * 60, d * 1440 + 18 * 60, lunch[d]) for d in range(3)),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=(
            (Hub("west-inn", 2), Hub("east-inn", 6), Hub("home-inn", 7)),
            (Hub("west-inn", 2), Hub("east-inn", 6), Hub("home-inn", 7)),
        ),
        must_visit=("must",),
        max_drive_min_per_day=130,
    )


INSTANCES[must_visit_behind_drive_cap.__name__] = must_visit_behind_drive_cap


def two_groups_two_regions() -> Problem:
    """Two groups share the places (team orienteering) over two days (8:00-15:30) and one
    night: six temples around a west inn (60 each) and six villages around an east inn (40
    each), 100 minutes either side of the start. Alone, a group sleeps west; together, one
    group sleeping west and one east collect all 600, two groups sleeping west at most 440
    (a day from or to the west inn reaches one village)."""
    west = [(-100 + dx, dy) for dx, dy in ((0, 10), (5, -10), (-8, 4), (10, 3), (-4, -6), (3, 12))]
    east = [(100 + dx, dy) for dx, dy in ((0, 10), (5, -10), (-8, 4), (10, 3), (-4, -6), (3, 12))]
    pts = [(0, 0), *west, *east, (-102, 2), (102, 2)]
    places = tuple(Place(f"temple-{i}", 1 + i, 60, 90) for i in range(6))
    places += tuple(Place(f"village-{i}", 7 + i, 40, 90) for i in range(6))
    inns = (Hub("west-inn", 13), Hub("east-inn", 14))
    return Problem(
        places=places,
        days=(Day(8 * 60, 15 * 60 + 30), Day(1440 + 8 * 60, 1440 + 15 * 60 + 30)),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=(inns,),
        groups=(Group("first"), Group("second")),
        shared_places=True,
    )


INSTANCES[two_groups_two_regions.__name__] = two_groups_two_regions


def luxury_night_over_budget() -> Problem:
    """Two days and one night, a budget of 1 000 000 VND: four sights (200 000 VND each) around
    a palace hotel (900 000 VND, worth 30 for itself) and an inn (100 000 VND). Without the
    budget the palace and all four sights are best; with it, a night at the palace leaves
    100 000 VND for tickets and the days empty, so the inn and the four sights are."""
    pts = [(0, 0), (30, 5), (30, -5), (35, 0), (25, 0), (32, 2), (28, -2)]
    return Problem(
        places=tuple(Place(f"sight-{i}", 1 + i, 50, 60, cost=200_000) for i in range(4)),
        days=(DAY0, DAY1),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=((Hub("palace", 5, 900_000, 30.0), Hub("inn", 6, 100_000)),),
        budget=1_000_000,
        money_weight=1e-5,
    )


INSTANCES[luxury_night_over_budget.__name__] = luxury_night_over_budget


def bay_trip_or_cruise() -> Problem:
    """Two days of 8:00-14:00 and one night; the trip must see the bay, by its day trip (50
    minutes east, worth 10) or by sleeping on its cruise (55 east, worth 5, 2 000 000 VND,
    weighted 20). Four sights (30 each) lie around an inn 50 minutes west (100 000 VND). Both
    nights allow the day trip and the four sights: 129 from the inn, 115 from the cruise,
    whose night serves the requirement the day trip already serves."""
    sights = [(-50 + dx, dy) for dx, dy in ((0, 5), (5, -5), (-5, -5), (0, -8))]
    pts = [(0, 0), (50, 0), *sights, (55, 0), (-50, 0)]
    places = (Place("bay-trip", 1, 10, 60), *(Place(f"sight-{i}", 2 + i, 30, 60) for i in range(4)))
    return Problem(
        places=places,
        days=(Day(8 * 60, 14 * 60), Day(1440 + 8 * 60, 1440 + 14 * 60)),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=((Hub("bay-cruise", 6, 2_000_000, 5.0), Hub("inn", 7, 100_000)),),
        must_any=(frozenset({"bay-trip", "bay-cruise"}),),
        money_weight=1e-5,
    )


INSTANCES[bay_trip_or_cruise.__name__] = bay_trip_or_cruise


def must_visit_at_dawn() -> Problem:
    """Two days of 8:00-18:00 and one night; the must-visit temple (200 minutes from the
    start) opens only 8:00-9:30 on the second morning for a 60-minute visit. The far inn (100
    minutes from it, free) looks as good by the lower-bound minutes, but from it the temple
    is reached at 9:40; only the near inn (10 minutes, 1 000 000 VND) makes the visit."""
    pts = [(0, 0), (200, 0), (190, 0), (100, 0)]
    dawn = TimeWindow(1440 + 8 * 60, 1440 + 9 * 60 + 30)
    return Problem(
        places=(Place("temple", 1, 20, 60, windows=(dawn,)),),
        days=(DAY0, DAY1),
        travel=matrix(pts),
        start_node=0,
        end_node=0,
        nights=((Hub("far-inn", 3), Hub("near-inn", 2, 1_000_000)),),
        must_visit=frozenset({"temple"}),
        money_weight=1e-5,
    )


INSTANCES[must_visit_at_dawn.__name__] = must_visit_at_dawn


def application_features() -> Problem:
    """Two days with every part of the application model the validator checks: a lunch break,
    a boat trip that holds lunch inside, a timetabled ferry (every leg to or from the island, hourly from 8:00), two
    modes (a car with a day minimum, a bus with a day penalty), two temples under a variety
    rule, a family of two bay routes, and a cruise night (board by 17:00, leave from 9:00 with
    brunch on board) beside a plain inn."""
    pts = [(0, 0), (20, 0), (30, 0), (0, 25), (40, 30), (25, 20), (10, 10)]
    car = matrix(pts)
    legs = [(a, 4) for a in range(7) if a != 4] + [(4, b) for b in range(7) if b != 4]
    sailings = [[8 * 60 + 60 * k + int(car.minutes[a, b]) for k in range(9)] for a, b in legs]
    car_ferry = TravelMatrix(car.minutes, car.km, timetable=Timetable(8 * 60, 60, legs, sailings))
    bus = TravelMatrix(car.minutes * 2, car.km)
    travel = (car_ferry, car_ferry)
    lunch0 = Lunch(11 * 60, 13 * 60 + 30, 60)
    lunch1 = Lunch(1440 + 11 * 60, 1440 + 13 * 60 + 30, 60)
    return Problem(
        places=(
            Place("temple-a", 1, 20, 30, kind="temple", province="North"),
            Place("temple-b", 2, 20, 30, kind="temple", province="North"),
            Place("boat", 3, 30, 180, lunch_inside=True, family="bay", province="Bay"),
            Place("island", 4, 25, 60, province="Island"),
            Place("bay-route-2", 6, 28, 120, family="bay", province="Bay"),
        ),
        days=(Day(8 * 60, 18 * 60, lunch0), Day(1440 + 8 * 60, 1440 + 18 * 60, lunch1)),
        travel=travel,
        start_node=0,
        end_node=0,
        nights=(
            (
                Hub("cruise", 5, 1_000_000, 15, 17 * 60, 1440 + 9 * 60, True),
                Hub("inn", 0, 300_000),
            ),
        ),
        modes=(Mode("car", travel, day_minimum=200_000), Mode("bus", bus, day_penalty=1.0)),
        variety=(VarietyRule("temple", (5.0,), day_cap=2, trip_free=1, trip_penalty=2.0),),
        cost_per_km=1_000,
        money_weight=1e-6,
        travel_weight=0.01,
    )


INSTANCES[application_features.__name__] = application_features
