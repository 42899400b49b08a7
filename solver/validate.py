"""Independent validator: recompute every time and cost of a plan from the problem alone.

:func:`validate` shares no code with the search. It walks each group's days, recomputes every
leg from the travel data of the day's mode (timetables included, through
:meth:`~solver.problem.TravelMatrix.arrival`), and checks the stated times against the
problem's windows, days, hubs, lunch breaks, caps, quotas, families, budget and requirements,
then recomputes the objective. Violations are structured (VROOM style): a
:class:`ViolationKind` with an amount in the natural unit (minutes, VND, count).

Timing semantics checked (the search's :mod:`solver.daymodel` and :mod:`solver.timing` follow
them): the group is free at the previous node from its departure ``t`` (the day's
``depart_min`` at the start); it arrives at the next node no earlier than ``arr(a, b, t)``,
starts service no earlier than its arrival and inside one of the place's windows, and departs
exactly ``visit_min`` after the start. The day leaves its start no earlier than the day starts
(and than a cruise's disembarking) and reaches its end by the day's end (and a cruise's
boarding). The lunch break lies in its window and is taken once, in one of these ways:

* in a leg ``a -> b``: eaten at ``a`` (``ls >= t``, arrival ``>= arr(a, b, ls + dur)``), at
  ``b`` before its visit (arrival ``>= arr(a, b, t)``, ``ls >= arrival``, the visit starts
  after), or on the way on a constant-time leg (``ls >= t``, ``ls + dur <= start``, arrival
  ``>= t + travel + dur``);
* inside the visit named by ``DayRoute.lunch_inside`` (a place with ``lunch_inside``);
* at the end, after arriving.

A day that starts at a hub with ``lunch_on_departure`` has had its lunch on board.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field
from enum import Enum

from solver.problem import UNREACHABLE
from solver.problem import Group
from solver.problem import Hub
from solver.problem import Lunch
from solver.problem import Mode
from solver.problem import Place
from solver.problem import Problem
from solver.problem import TravelMatrix
from solver.solution import DayRoute
from solver.solution import GroupPlan
from solver.solution import Solution
from solver.solution import Status


class ViolationKind(Enum):
    """What rule a plan breaks."""

    STRUCTURE = "structure"  #: plans/days missing, out of order, or for unknown groups
    UNKNOWN_PLACE = "unknown_place"
    DUPLICATE_VISIT = "duplicate_visit"
    EXCLUDED_VISIT = "excluded_visit"
    NOT_ALLOWED = "not_allowed"  #: a group visits a place it may not visit
    HUB = "hub"  #: a night hub that is not a candidate, or day ends/starts elsewhere
    MODE = "mode"  #: a day names a transport mode the problem does not offer
    UNREACHABLE_LEG = "unreachable_leg"
    TRAVEL_TIME = "travel_time"  #: arrives earlier than travel allows (amount: minutes)
    SERVICE = "service"  #: starts before arriving, or stays other than visit_min
    TIME_WINDOW = "time_window"  #: starts outside every window (amount: minutes outside)
    DAY_BOUNDS = "day_bounds"  #: leaves before the day starts or returns after it ends
    LUNCH = "lunch"  #: missing, outside its window, or overlapping a visit
    MAX_DRIVE = "max_drive"  #: amount: minutes over
    MAX_STOPS = "max_stops"  #: amount: visits over
    KIND_CAP = "kind_cap"  #: more places of one kind in a day than its VarietyRule allows
    FAMILY = "family"  #: two members of one family in a group's trip
    BUDGET = "budget"  #: amount: VND over
    QUOTA = "quota"  #: amount: groups over capacity
    OBJECTIVE = "objective"  #: stated objective parts differ from the recomputed ones
    DROPPED = "dropped"  #: a must-visit missing from ``dropped``, or a visited place listed
    STATUS = "status"  #: FEASIBLE although a requirement is unmet


@dataclass(frozen=True, slots=True)
class Violation:
    """One broken rule, with its amount and where it happens."""

    kind: ViolationKind
    amount: float
    message: str
    group_id: str | None = None
    day: int | None = None
    place_id: str | None = None


@dataclass
class _Totals:
    """What the walk over all days adds up, for the objective and the requirements."""

    prize: float = 0.0
    hub_prize: float = 0.0
    variety: float = 0.0
    mode_penalty: float = 0.0
    drive: int = 0
    km: float = 0.0
    travel_cost: float = 0.0
    tickets: int = 0
    lodging: int = 0
    seen_all: dict[str, str] = field(default_factory=dict)
    quota_groups: dict[tuple[str, int], set[str]] = field(default_factory=dict)


@dataclass
class _Trip:
    """What the walk over one group's days adds up: spending, places seen, kinds per trip."""

    spent: float = 0.0
    seen: set[str] = field(default_factory=set)
    kinds: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Day:
    """What the checks of one group-day read: the problem, the route, its travel and bounds.

    ``lunch_start`` is the route's stated lunch start and ``lunch_min`` the duration of the
    lunch the day still owes (0 when it has none or had it on board)."""

    p: Problem
    group: Group
    route: DayRoute
    mode: Mode
    m: TravelMatrix
    places: dict[str, Place]
    start: int
    end: int
    deadline: int
    lunch: Lunch | None
    lunch_start: int | None
    lunch_min: int

    @property
    def gid(self) -> str:
        return self.group.id

    @property
    def d(self) -> int:
        return self.route.day


@dataclass
class _Walk:
    """The running state of the walk along one day's stops."""

    node: int
    free: int
    lunch_placed: bool
    drive: int = 0
    km: float = 0.0
    legs: float = 0.0
    spent: float = 0.0
    kinds: dict[str, int] = field(default_factory=dict)


def validate(problem: Problem, solution: Solution) -> list[Violation]:
    """Check ``solution`` against ``problem``; return every violation (empty list: valid).

    Parameters
    ----------
    problem
        The problem the solution claims to solve.
    solution
        Any solution (an ``INFEASIBLE`` one with no plans has nothing to check).

    Returns
    -------
    list of Violation
    """
    p = problem
    if not solution.plans:
        return _check_without_plans(p, solution)
    out = _check_plan_order(p, solution)
    if out:
        return out
    places = {pl.id: pl for pl in p.places}
    modes = {m.id: m for m in p.travel_modes}
    totals = _Totals()
    for group, plan in zip(p.groups, solution.plans, strict=True):
        out += _check_group(p, group, plan, places, modes, totals)
    out += _check_quotas(p, totals)
    out += _check_objective(p, solution, totals)
    out += _check_dropped(p, solution, totals)
    out += _check_status(p, solution, places, totals)
    return out


# -- structure ------------------------------------------------------------------------------


def _check_without_plans(p: Problem, solution: Solution) -> list[Violation]:
    """A solution with no plan may only claim FEASIBLE when nothing is required."""
    if (p.must_visit or p.must_any) and solution.status is Status.FEASIBLE:
        return [Violation(ViolationKind.STATUS, 1, "FEASIBLE without any plan")]
    return []


def _check_plan_order(p: Problem, solution: Solution) -> list[Violation]:
    """One plan per group, in the problem's group order."""
    group_ids = [g.id for g in p.groups]
    if [pl.group_id for pl in solution.plans] != group_ids:
        message = f"plans must be for groups {group_ids} in order"
        return [Violation(ViolationKind.STRUCTURE, 1, message)]
    return []


def _check_group_shape(p: Problem, plan: GroupPlan) -> list[Violation]:
    """One route per day in day order, and one hub per night."""
    gid = plan.group_id
    if len(plan.days) != len(p.days) or [d.day for d in plan.days] != list(range(len(p.days))):
        return [Violation(ViolationKind.STRUCTURE, 1, "one route per day, in order", gid)]
    if len(plan.night_hubs) != len(p.nights):
        return [Violation(ViolationKind.STRUCTURE, 1, "one hub per night", gid)]
    return []


# -- one group ------------------------------------------------------------------------------


def _check_group(
    p: Problem,
    group: Group,
    plan: GroupPlan,
    places: dict[str, Place],
    modes: dict[str, Mode],
    totals: _Totals,
) -> list[Violation]:
    """Check one group's trip (nights, days, families, budget); add to ``totals``."""
    out = _check_group_shape(p, plan)
    if out:
        return out
    hubs, out = _night_hubs(p, plan)
    lodging = _add_nights(hubs, totals)
    trip = _Trip(spent=float(lodging))
    for day_route in plan.days:
        out += _check_day(p, group, day_route, hubs, places, modes, trip, totals)
    for rule in p.variety:
        totals.variety += rule.trip_extra(trip.kinds.get(rule.kind, 0))
    out += _check_families(plan.group_id, trip.seen, hubs, places)
    out += _check_budget(p, plan.group_id, trip.spent)
    return out


def _night_hubs(p: Problem, plan: GroupPlan) -> tuple[list[Hub | None], list[Violation]]:
    """The hub of each night (``None``: not a candidate of that night) and its violations."""
    hubs: list[Hub | None] = []
    out: list[Violation] = []
    for n, hub_id in enumerate(plan.night_hubs):
        hub = next((h for h in p.nights[n] if h.id == hub_id), None)
        if hub is None:
            message = f"night {n}: {hub_id!r} is not a candidate"
            out.append(Violation(ViolationKind.HUB, 1, message, plan.group_id))
        hubs.append(hub)
    return hubs, out


def _add_nights(hubs: list[Hub | None], totals: _Totals) -> int:
    """Add the nights' lodging (every night) and prize (once per hub in the trip) to
    ``totals``; return the lodging."""
    lodging = sum(h.lodging_cost for h in hubs if h is not None)
    totals.lodging += lodging
    seen: set[str] = set()
    for h in hubs:
        if h is not None and h.id not in seen:
            seen.add(h.id)
            totals.hub_prize += h.prize
    return lodging


def _check_families(
    gid: str, visited: set[str], hubs: list[Hub | None], places: dict[str, Place]
) -> list[Violation]:
    """At most one member of a family (places and hubs) in a group's trip."""
    members: dict[str, set[str]] = {}
    for pid in visited:
        fam = places[pid].family
        if fam is not None:
            members.setdefault(fam, set()).add(pid)
    for h in hubs:
        if h is not None and h.family is not None:
            members.setdefault(h.family, set()).add(h.id)
    out: list[Violation] = []
    for fam, used in sorted(members.items()):
        if len(used) > 1:
            message = f"family {fam!r} used {len(used)} times: {sorted(used)}"
            out.append(Violation(ViolationKind.FAMILY, len(used) - 1, message, gid))
    return out


def _check_budget(p: Problem, gid: str, spent: float) -> list[Violation]:
    """A group's tickets, lodging and travel within the budget."""
    if p.budget is not None and spent > p.budget + 1e-6:
        return [Violation(ViolationKind.BUDGET, spent - p.budget, f"spends {spent:.0f} VND", gid)]
    return []


# -- one day --------------------------------------------------------------------------------


def _terminals(p: Problem, d: int, hubs: list[Hub | None]) -> tuple[int, int, int, int, bool]:
    """(start node, end node, ready, deadline, lunch done) of day ``d``; -1 nodes if a hub is
    unknown."""
    day = p.days[d]
    start_hub = hubs[d - 1] if d > 0 else None
    end_hub = hubs[d] if d < len(p.days) - 1 else None
    start = p.start_node if d == 0 else (start_hub.node if start_hub is not None else -1)
    end = p.end_node if d == len(p.days) - 1 else (end_hub.node if end_hub is not None else -1)
    ready = day.start_min
    lunch_done = False
    if start_hub is not None:
        if start_hub.leave_from_min is not None:
            ready = max(ready, start_hub.leave_from_min)
        lunch_done = start_hub.lunch_on_departure
    deadline = day.end_min
    if end_hub is not None and end_hub.arrive_by_min is not None:
        deadline = min(deadline, end_hub.arrive_by_min)
    return start, end, ready, deadline, lunch_done


def _check_day(
    p: Problem,
    group: Group,
    day_route: DayRoute,
    hubs: list[Hub | None],
    places: dict[str, Place],
    modes: dict[str, Mode],
    trip: _Trip,
    totals: _Totals,
) -> list[Violation]:
    """Check one day: its mode and ends, lunch, every leg and visit, caps and stated totals;
    add to ``trip`` and ``totals``."""
    gid, d = group.id, day_route.day
    mode = modes.get(day_route.mode)
    if mode is None:
        message = f"day {d}: unknown mode {day_route.mode!r}"
        return [Violation(ViolationKind.MODE, 1, message, gid, d)]
    start, end, ready, deadline, lunch_done = _terminals(p, d, hubs)
    if day_route.start_node != start or day_route.end_node != end:
        message = f"day {d} must run from node {start} to node {end}"
        return [Violation(ViolationKind.HUB, 1, message, gid, d)]
    lunch = p.days[d].lunch if not lunch_done else None
    ctx = _Day(
        p, group, day_route, mode, mode.matrix(d), places, start, end, deadline, lunch,
        day_route.lunch_start_min, lunch.duration_min if lunch is not None else 0,
    )  # fmt: skip
    out = _check_departure(ctx, ready)
    out += _check_lunch_window(ctx)
    walk = _Walk(start, day_route.depart_min, lunch is None or ctx.lunch_start is None)
    stops_out, complete = _check_stops(ctx, walk, trip, totals)
    out += stops_out
    if not complete:
        trip.spent += walk.spent
        return out
    if not walk.lunch_placed:
        out.append(
            Violation(ViolationKind.LUNCH, ctx.lunch_min, "lunch is not inside a leg", gid, d)
        )
    money = max(walk.legs, float(mode.day_minimum))
    totals.mode_penalty += mode.day_penalty
    out += _check_day_caps(ctx, walk, trip, totals)
    out += _check_day_totals(ctx, walk.drive, money)
    totals.drive += walk.drive
    totals.km += walk.km
    totals.travel_cost += money
    trip.spent += walk.spent + money
    return out


def _check_departure(ctx: _Day, ready: int) -> list[Violation]:
    """The day leaves its start no earlier than the day starts (and a cruise disembarks)."""
    depart = ctx.route.depart_min
    if depart < ready:
        message = f"day {ctx.d} leaves before the day starts"
        return [Violation(ViolationKind.DAY_BOUNDS, ready - depart, message, ctx.gid, ctx.d)]
    return []


def _check_lunch_window(ctx: _Day) -> list[Violation]:
    """A day that owes a lunch states one, inside the lunch window."""
    lunch, ls, dur = ctx.lunch, ctx.lunch_start, ctx.lunch_min
    if lunch is None:
        return []
    if ls is None:
        return [Violation(ViolationKind.LUNCH, dur, "no lunch", ctx.gid, ctx.d)]
    if ls < lunch.earliest_start_min or ls + dur > lunch.latest_end_min:
        amount = max(lunch.earliest_start_min - ls, ls + dur - lunch.latest_end_min)
        return [Violation(ViolationKind.LUNCH, amount, "lunch outside its window", ctx.gid, ctx.d)]
    return []


def _check_stops(
    ctx: _Day, walk: _Walk, trip: _Trip, totals: _Totals
) -> tuple[list[Violation], bool]:
    """Walk the day's visits and its end: each leg, then each visit. Return the violations and
    whether the walk reached the end (``False``: it stopped at an unknown place)."""
    route = ctx.route
    stops = [(v.place_id, v.arrive_min, v.start_min, v.depart_min) for v in route.visits]
    out: list[Violation] = []
    for pid, arrive, begin, depart in stops:
        if pid not in ctx.places:
            message = f"unknown place {pid!r}"
            out.append(Violation(ViolationKind.UNKNOWN_PLACE, 1, message, ctx.gid, ctx.d))
            return out, False
        pl = ctx.places[pid]
        out += _check_leg(ctx, walk, pl.node, pid, arrive, begin)
        out += _check_visit(ctx, pl, begin, depart, trip, totals)
        _record_visit(ctx, walk, pl, begin, depart, totals)
    arrive = route.return_min
    out += _check_leg(ctx, walk, ctx.end, None, arrive, arrive)
    out += _check_return(ctx, arrive)
    return out, True


# -- legs -----------------------------------------------------------------------------------


def _check_leg(
    ctx: _Day, walk: _Walk, node: int, pid: str | None, arrive: int, begin: int
) -> list[Violation]:
    """The leg from the walk's node to ``node`` (``pid``; ``None``: the day's end): it exists,
    the arrival is no earlier than travel (and a lunch taken in the leg) allows, and service
    starts after arriving. Adds the leg to ``walk``."""
    out = _add_leg(ctx, walk, node, pid)
    here = False
    if walk.lunch_placed or (pid is not None and ctx.route.lunch_inside == pid):
        pass  # lunch already placed, or checked with the visit that holds it
    else:
        here = _lunch_in_leg(
            ctx.m, walk.node, node, walk.free, arrive, begin, ctx.lunch_start, ctx.lunch_min,
            pid is None,
        )  # fmt: skip
        walk.lunch_placed = here
    if not here:
        out += _check_travel_time(ctx, walk, node, pid, arrive)
    if begin < arrive:
        message = "starts before arriving"
        out.append(Violation(ViolationKind.SERVICE, arrive - begin, message, ctx.gid, ctx.d, pid))
    return out


def _add_leg(ctx: _Day, walk: _Walk, node: int, pid: str | None) -> list[Violation]:
    """Add the leg to ``node`` to the day's driving, km and money; a missing leg is a
    violation."""
    m, a = ctx.m, walk.node
    if m.minutes[a, node] == UNREACHABLE:
        message = f"leg {a} -> {node} does not exist"
        return [Violation(ViolationKind.UNREACHABLE_LEG, 1, message, ctx.gid, ctx.d, pid)]
    walk.drive += int(m.minutes[a, node])
    if m.km is not None and not math.isnan(m.km[a, node]):
        walk.km += float(m.km[a, node])
    walk.legs += m.leg_money(a, node, ctx.p.cost_per_km)
    return []


def _check_travel_time(
    ctx: _Day, walk: _Walk, node: int, pid: str | None, arrive: int
) -> list[Violation]:
    """The arrival is no earlier than the earliest arrival of the leg (timetables included)."""
    expected = ctx.m.arrival(walk.node, node, walk.free)
    where = pid or "the day end"
    if not math.isfinite(expected):
        message = f"no connection to {where} at that time"
        return [Violation(ViolationKind.TRAVEL_TIME, 1, message, ctx.gid, ctx.d, pid)]
    if arrive < expected:
        message = f"arrives {expected - arrive:g} min too early at {where}"
        return [
            Violation(ViolationKind.TRAVEL_TIME, expected - arrive, message, ctx.gid, ctx.d, pid)
        ]
    return []


def _lunch_in_leg(
    m: TravelMatrix,
    a: int,
    b: int,
    free: int,
    arrive: int,
    begin: int,
    ls: int | None,
    dur: int,
    at_end: bool,
) -> bool:
    """Whether the lunch ``[ls, ls + dur]`` fits the leg ``a -> b`` (see the module doc)."""
    if ls is None or ls < free:
        return False
    end_ok = at_end or ls + dur <= begin
    if arrive >= m.arrival(a, b, ls + dur) and end_ok:
        return True  # eaten at a, then travelled
    if arrive >= m.arrival(a, b, free) and ls >= arrive and end_ok:
        return True  # travelled, then eaten at b (for the day's end: after arriving)
    if m.timetable is None or m.timetable.row(a, b) is None:
        travel = int(m.minutes[a, b])
        if travel != UNREACHABLE and arrive >= free + travel + dur and end_ok:
            return True  # a stop on the way
    return False


def _check_return(ctx: _Day, arrive: int) -> list[Violation]:
    """The day reaches its end by the day's end (and a cruise's boarding)."""
    if arrive > ctx.deadline:
        message = f"day {ctx.d} returns after the day ends"
        return [Violation(ViolationKind.DAY_BOUNDS, arrive - ctx.deadline, message, ctx.gid, ctx.d)]
    return []


# -- visits ---------------------------------------------------------------------------------


def _check_visit(
    ctx: _Day, pl: Place, begin: int, depart: int, trip: _Trip, totals: _Totals
) -> list[Violation]:
    """One visit: its timing, the lunch around it, and whether the group may make it."""
    out = _check_visit_timing(ctx, pl, begin, depart)
    out += _check_visit_lunch(ctx, pl, begin, depart)
    out += _check_visit_allowed(ctx, pl, trip, totals)
    return out


def _check_visit_timing(ctx: _Day, pl: Place, begin: int, depart: int) -> list[Violation]:
    """Stays exactly ``visit_min``, starts inside a window, lies inside the day."""
    gid, d, pid = ctx.gid, ctx.d, pl.id
    day = ctx.p.days[d]
    out: list[Violation] = []
    if depart - begin != pl.visit_min:
        amount = abs(depart - begin - pl.visit_min)
        message = f"stays {depart - begin} min instead of {pl.visit_min}"
        out.append(Violation(ViolationKind.SERVICE, amount, message, gid, d, pid))
    if pl.windows is not None:
        gap = min(
            (
                0
                if w.start_min <= begin <= w.end_min
                else min(abs(begin - w.start_min), abs(begin - w.end_min))
                for w in pl.windows
            ),
            default=math.inf,
        )
        if gap > 0:
            message = "starts outside its windows"
            out.append(Violation(ViolationKind.TIME_WINDOW, gap, message, gid, d, pid))
    if not (day.start_min <= begin and depart <= day.end_min):
        out.append(Violation(ViolationKind.DAY_BOUNDS, 1, "visit outside the day", gid, d, pid))
    return out


def _check_visit_lunch(ctx: _Day, pl: Place, begin: int, depart: int) -> list[Violation]:
    """The lunch does not overlap the visit, unless the route names it and it holds lunch."""
    gid, d, pid = ctx.gid, ctx.d, pl.id
    ls, dur, named = ctx.lunch_start, ctx.lunch_min, ctx.route.lunch_inside == pid
    out: list[Violation] = []
    overlaps = ls is not None and ls < depart and begin < ls + dur
    # held inside: the route names this visit, it can hold lunch, and the lunch fits in it
    can_hold = named and pl.lunch_inside
    if overlaps and not (can_hold and begin <= ls and ls + dur <= depart):  # type: ignore[operator]
        out.append(Violation(ViolationKind.LUNCH, 1, "lunch overlaps a visit", gid, d, pid))
    if named and not pl.lunch_inside:
        message = "lunch inside a visit that has none"
        out.append(Violation(ViolationKind.LUNCH, 1, message, gid, d, pid))
    return out


def _check_visit_allowed(ctx: _Day, pl: Place, trip: _Trip, totals: _Totals) -> list[Violation]:
    """Not excluded, allowed to the group, not visited before; marks the place seen."""
    p, gid, d, pid = ctx.p, ctx.gid, ctx.d, pl.id
    allowed = ctx.group.allowed_places
    out: list[Violation] = []
    if pid in p.exclude:
        out.append(Violation(ViolationKind.EXCLUDED_VISIT, 1, "excluded place", gid, d, pid))
    if allowed is not None and pid not in allowed:
        out.append(Violation(ViolationKind.NOT_ALLOWED, 1, "not allowed to group", gid, d, pid))
    if pid in trip.seen or (p.shared_places and pid in totals.seen_all):
        out.append(Violation(ViolationKind.DUPLICATE_VISIT, 1, "visited twice", gid, d, pid))
    trip.seen.add(pid)
    totals.seen_all[pid] = gid
    return out


def _record_visit(
    ctx: _Day, walk: _Walk, pl: Place, begin: int, depart: int, totals: _Totals
) -> None:
    """Move the walk past the visit: a lunch held inside it, its kind, quota, prize and
    ticket."""
    if not walk.lunch_placed and ctx.route.lunch_inside == pl.id and pl.lunch_inside:
        ls, dur = ctx.lunch_start, ctx.lunch_min
        walk.lunch_placed = begin <= ls and ls + dur <= depart  # type: ignore[operator]
    if pl.kind is not None:
        walk.kinds[pl.kind] = walk.kinds.get(pl.kind, 0) + 1
    if pl.quota_key is not None:
        totals.quota_groups.setdefault((pl.quota_key, ctx.d), set()).add(ctx.gid)
    totals.prize += pl.prize
    totals.tickets += pl.cost
    walk.spent += pl.cost
    walk.node, walk.free = pl.node, depart


# -- a day's caps and totals ----------------------------------------------------------------


def _check_day_caps(ctx: _Day, walk: _Walk, trip: _Trip, totals: _Totals) -> list[Violation]:
    """Driving minutes, stops and places per kind within the day's caps; adds the variety
    penalty of the day to ``totals`` and its kinds to ``trip``."""
    p, gid, d, n_visits = ctx.p, ctx.gid, ctx.d, len(ctx.route.visits)
    out: list[Violation] = []
    if p.max_drive_min_per_day is not None and walk.drive > p.max_drive_min_per_day:
        amount = walk.drive - p.max_drive_min_per_day
        out.append(Violation(ViolationKind.MAX_DRIVE, amount, f"drives {walk.drive} min", gid, d))
    if p.max_stops_per_day is not None and n_visits > p.max_stops_per_day:
        amount = n_visits - p.max_stops_per_day
        out.append(Violation(ViolationKind.MAX_STOPS, amount, f"{n_visits} visits", gid, d))
    rules = {r.kind: r for r in p.variety}
    for kind, n in walk.kinds.items():
        trip.kinds[kind] = trip.kinds.get(kind, 0) + n
        rule = rules.get(kind)
        if rule is None:
            continue
        totals.variety += rule.day_penalty(n)
        if rule.day_cap is not None and n > rule.day_cap:
            message = f"{n} places of kind {kind!r} in one day (at most {rule.day_cap})"
            out.append(Violation(ViolationKind.KIND_CAP, n - rule.day_cap, message, gid, d))
    return out


def _check_day_totals(ctx: _Day, drive: int, money: float) -> list[Violation]:
    """The day's stated driving minutes and (application model) travel money."""
    route, gid, d = ctx.route, ctx.gid, ctx.d
    out: list[Violation] = []
    if route.drive_min != drive:
        amount = abs(route.drive_min - drive)
        message = f"day {d} states {route.drive_min} driving minutes, recomputed {drive}"
        out.append(Violation(ViolationKind.OBJECTIVE, amount, message, gid, d))
    if ctx.p.application and not math.isclose(route.money, money, rel_tol=1e-9, abs_tol=1e-6):
        amount = abs(route.money - money)
        message = f"day {d} states {route.money} travel money, recomputed {money}"
        out.append(Violation(ViolationKind.OBJECTIVE, amount, message, gid, d))
    return out


# -- the whole plan -------------------------------------------------------------------------


def _check_quotas(p: Problem, totals: _Totals) -> list[Violation]:
    """No more groups on a quota's places on its day than its capacity."""
    caps = {(q.key, q.day): q.capacity for q in p.quotas}
    out: list[Violation] = []
    for (key, d), groups in sorted(totals.quota_groups.items()):
        cap = caps.get((key, d))
        if cap is not None and len(groups) > cap:
            message = f"quota {key!r} on day {d}: {len(groups)} groups for capacity {cap}"
            out.append(Violation(ViolationKind.QUOTA, len(groups) - cap, message, day=d))
    return out


def _check_objective(p: Problem, solution: Solution, t: _Totals) -> list[Violation]:
    """Every stated objective part equals the recomputed one (``total`` with the weights)."""
    total = (
        t.prize
        + t.hub_prize
        - t.variety
        - t.mode_penalty
        - p.travel_weight * t.drive
        - p.money_weight * (t.tickets + t.lodging + t.travel_cost)
    )
    obj = solution.objective
    out: list[Violation] = []
    for name, stated, real in (
        ("prize", obj.prize, t.prize),
        ("hub_prize", obj.hub_prize, t.hub_prize),
        ("variety_penalty", obj.variety_penalty, t.variety),
        ("mode_penalty", obj.mode_penalty, t.mode_penalty),
        ("drive_min", obj.drive_min, t.drive),
        ("km", obj.km, t.km),
        ("travel_cost", obj.travel_cost, t.travel_cost),
        ("lodging_cost", obj.lodging_cost, t.lodging),
        ("ticket_cost", obj.ticket_cost, t.tickets),
        ("total", obj.total, total),
    ):
        if not math.isclose(stated, real, rel_tol=1e-9, abs_tol=1e-6):
            message = f"objective {name} stated {stated}, recomputed {real}"
            out.append(Violation(ViolationKind.OBJECTIVE, abs(stated - real), message))
    return out


# -- requirements ---------------------------------------------------------------------------


def _visited_by(solution: Solution) -> dict[str, set[str]]:
    """The places each group's plan visits (as stated)."""
    return {
        plan.group_id: {v.place_id for d in plan.days for v in d.visits} for plan in solution.plans
    }


def _missing_must(p: Problem, solution: Solution, t: _Totals) -> list[tuple[str, str | None]]:
    """``(place, group)`` of each must-visit not visited (group ``None`` for shared places)."""
    if p.shared_places:
        return [(pid, None) for pid in sorted(p.must_visit - set(t.seen_all))]
    return [
        (pid, gid)
        for gid, seen in _visited_by(solution).items()
        for pid in sorted(p.must_visit - seen)
    ]


def _check_dropped(p: Problem, solution: Solution, t: _Totals) -> list[Violation]:
    """Every missing must-visit is declared dropped, and no dropped place is visited."""
    visited_by = _visited_by(solution)
    dropped_keys = {(x.place_id, x.group_id) for x in solution.dropped}
    out: list[Violation] = []
    for pid, gid in _missing_must(p, solution, t):
        if (pid, gid) not in dropped_keys:
            message = f"must-visit {pid!r} missing from dropped"
            out.append(Violation(ViolationKind.DROPPED, 1, message, gid))
    for pid, gid in sorted(dropped_keys, key=str):
        visited_here = pid in t.seen_all if p.shared_places else pid in visited_by.get(gid, ())
        if visited_here:
            message = f"{pid!r} is visited and dropped"
            out.append(Violation(ViolationKind.DROPPED, 1, message, gid))
    return out


def _check_status(
    p: Problem, solution: Solution, places: dict[str, Place], t: _Totals
) -> list[Violation]:
    """FEASIBLE only when every requirement holds: must-visits, must-any sets, provinces."""
    unmet = (
        bool(_missing_must(p, solution, t))
        or _must_any_unmet(p, solution, t)
        or _provinces_unmet(p, solution, places)
    )
    if unmet and solution.status is Status.FEASIBLE:
        return [Violation(ViolationKind.STATUS, 1, "FEASIBLE although a requirement is unmet")]
    return []


def _must_any_unmet(p: Problem, solution: Solution, t: _Totals) -> bool:
    """Whether some must-any set has no member visited or slept at (by each group, or by some
    group with shared places)."""
    visited_by = _visited_by(solution)
    nights_by = {plan.group_id: set(plan.night_hubs) for plan in solution.plans}
    for s in p.must_any:
        if p.shared_places:
            used = set(t.seen_all) | {h for n in nights_by.values() for h in n}
            if not (s & used):
                return True
        elif any(not (s & (visited_by[g] | nights_by[g])) for g in visited_by):
            return True
    return False


def _provinces_unmet(p: Problem, solution: Solution, places: dict[str, Place]) -> bool:
    """Whether some group's plan misses a required province or the minimum number of them."""
    for plan in solution.plans:
        provinces = {places[v.place_id].province for d in plan.days for v in d.visits
                     if v.place_id in places}  # fmt: skip
        provinces.discard(None)
        if p.required_provinces - provinces or len(provinces) < p.min_provinces:
            return True
    return False
