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
from solver.problem import Hub
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
    out: list[Violation] = []
    p = problem
    if not solution.plans:
        if (p.must_visit or p.must_any) and solution.status is Status.FEASIBLE:
            out.append(Violation(ViolationKind.STATUS, 1, "FEASIBLE without any plan"))
        return out
    group_ids = [g.id for g in p.groups]
    if [pl.group_id for pl in solution.plans] != group_ids:
        out.append(
            Violation(ViolationKind.STRUCTURE, 1, f"plans must be for groups {group_ids} in order")
        )
        return out
    places = {pl.id: pl for pl in p.places}
    modes = {m.id: m for m in p.travel_modes}
    totals = _Totals()
    for g, plan in enumerate(solution.plans):
        _check_group(p, g, plan, places, modes, totals, out)
    _check_quotas(p, totals, out)
    _check_objective(p, solution, totals, out)
    _check_requirements(p, solution, places, totals, out)
    return out


# -- one group ------------------------------------------------------------------------------


def _check_group(
    p: Problem,
    g: int,
    plan: GroupPlan,
    places: dict[str, Place],
    modes: dict[str, Mode],
    totals: _Totals,
    out: list[Violation],
) -> None:
    gid = plan.group_id
    if len(plan.days) != len(p.days) or [d.day for d in plan.days] != list(range(len(p.days))):
        out.append(Violation(ViolationKind.STRUCTURE, 1, "one route per day, in order", gid))
        return
    if len(plan.night_hubs) != len(p.nights):
        out.append(Violation(ViolationKind.STRUCTURE, 1, "one hub per night", gid))
        return
    hubs: list[Hub | None] = []
    for n, hub_id in enumerate(plan.night_hubs):
        hub = next((h for h in p.nights[n] if h.id == hub_id), None)
        if hub is None:
            out.append(
                Violation(ViolationKind.HUB, 1, f"night {n}: {hub_id!r} is not a candidate", gid)
            )
        hubs.append(hub)
    lodging = sum(h.lodging_cost for h in hubs if h is not None)
    totals.lodging += lodging
    for n, h in enumerate(hubs):
        if h is not None and (n == 0 or hubs[n - 1] is None or hubs[n - 1].id != h.id):
            totals.hub_prize += h.prize
    spent = float(lodging)
    seen_group: set[str] = set()
    trip_kinds: dict[str, int] = {}
    for day_route in plan.days:
        spent += _check_day(
            p, p.groups[g], day_route, hubs, places, modes, seen_group, trip_kinds, totals, out
        )
    for rule in p.variety:
        totals.variety += rule.trip_extra(trip_kinds.get(rule.kind, 0))
    _check_families(p, gid, seen_group, hubs, places, out)
    if p.budget is not None and spent > p.budget + 1e-6:
        out.append(
            Violation(ViolationKind.BUDGET, spent - p.budget, f"spends {spent:.0f} VND", gid)
        )


def _check_families(
    p: Problem,
    gid: str,
    visited: set[str],
    hubs: list[Hub | None],
    places: dict[str, Place],
    out: list[Violation],
) -> None:
    members: dict[str, set[str]] = {}
    for pid in visited:
        fam = places[pid].family
        if fam is not None:
            members.setdefault(fam, set()).add(pid)
    for h in hubs:
        if h is not None and h.family is not None:
            members.setdefault(h.family, set()).add(h.id)
    for fam, used in sorted(members.items()):
        if len(used) > 1:
            out.append(
                Violation(
                    ViolationKind.FAMILY,
                    len(used) - 1,
                    f"family {fam!r} used {len(used)} times: {sorted(used)}",
                    gid,
                )
            )


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
    group,
    day_route: DayRoute,
    hubs: list[Hub | None],
    places: dict[str, Place],
    modes: dict[str, Mode],
    seen_group: set[str],
    trip_kinds: dict[str, int],
    totals: _Totals,
    out: list[Violation],
) -> float:
    """Check one day; add to ``totals``; return the day's spending (tickets + travel)."""
    gid, d = group.id, day_route.day
    day = p.days[d]
    mode = modes.get(day_route.mode)
    if mode is None:
        out.append(
            Violation(ViolationKind.MODE, 1, f"day {d}: unknown mode {day_route.mode!r}", gid, d)
        )
        return 0.0
    m = mode.matrix(d)
    start, end, ready, deadline, lunch_done = _terminals(p, d, hubs)
    if day_route.start_node != start or day_route.end_node != end:
        out.append(
            Violation(
                ViolationKind.HUB, 1, f"day {d} must run from node {start} to node {end}", gid, d
            )
        )
        return 0.0
    if day_route.depart_min < ready:
        out.append(
            Violation(
                ViolationKind.DAY_BOUNDS,
                ready - day_route.depart_min,
                f"day {d} leaves before the day starts",
                gid,
                d,
            )
        )
    lunch = day.lunch if not lunch_done else None
    ls = day_route.lunch_start_min
    dur = lunch.duration_min if lunch is not None else 0
    if lunch is not None:
        if ls is None:
            out.append(Violation(ViolationKind.LUNCH, dur, "no lunch", gid, d))
        elif ls < lunch.earliest_start_min or ls + dur > lunch.latest_end_min:
            out.append(
                Violation(
                    ViolationKind.LUNCH,
                    max(lunch.earliest_start_min - ls, ls + dur - lunch.latest_end_min),
                    "lunch outside its window",
                    gid,
                    d,
                )
            )
    placed = lunch is None or ls is None
    kinds: dict[str, int] = {}
    drive = 0
    km = 0.0
    legs = 0.0
    spent = 0.0
    prev_node, prev_free = start, day_route.depart_min
    stops = [(v.place_id, v.arrive_min, v.start_min, v.depart_min) for v in day_route.visits]
    stops.append((None, day_route.return_min, day_route.return_min, day_route.return_min))
    for pid, arrive, begin, depart in stops:
        if pid is not None and pid not in places:
            out.append(Violation(ViolationKind.UNKNOWN_PLACE, 1, f"unknown place {pid!r}", gid, d))
            return spent
        node = end if pid is None else places[pid].node
        if m.minutes[prev_node, node] == UNREACHABLE:
            out.append(
                Violation(
                    ViolationKind.UNREACHABLE_LEG,
                    1,
                    f"leg {prev_node} -> {node} does not exist",
                    gid,
                    d,
                    pid,
                )
            )
        else:
            drive += int(m.minutes[prev_node, node])
            if m.km is not None and not math.isnan(m.km[prev_node, node]):
                km += float(m.km[prev_node, node])
            legs += m.leg_money(prev_node, node, p.cost_per_km)
        here = False
        if not placed and pid is not None and day_route.lunch_inside == pid:
            pass  # checked with the visit below
        elif not placed:
            here = _lunch_in_leg(m, prev_node, node, prev_free, arrive, begin, ls, dur, pid is None)
            placed = here
        if not here:
            expected = m.arrival(prev_node, node, prev_free)
            if not math.isfinite(expected):
                out.append(
                    Violation(
                        ViolationKind.TRAVEL_TIME,
                        1,
                        f"no connection to {pid or 'the day end'} at that time",
                        gid,
                        d,
                        pid,
                    )
                )
            elif arrive < expected:
                out.append(
                    Violation(
                        ViolationKind.TRAVEL_TIME,
                        expected - arrive,
                        f"arrives {expected - arrive:g} min too early at {pid or 'the day end'}",
                        gid,
                        d,
                        pid,
                    )
                )
        if begin < arrive:
            out.append(
                Violation(
                    ViolationKind.SERVICE, arrive - begin, "starts before arriving", gid, d, pid
                )
            )
        if pid is None:
            if arrive > deadline:
                out.append(
                    Violation(
                        ViolationKind.DAY_BOUNDS,
                        arrive - deadline,
                        f"day {d} returns after the day ends",
                        gid,
                        d,
                    )
                )
            break
        pl = places[pid]
        _check_visit(p, group, pl, day_route, begin, depart, ls, dur, seen_group, totals, out)
        if not placed and day_route.lunch_inside == pid and pl.lunch_inside:
            placed = begin <= ls and ls + dur <= depart  # type: ignore[operator]
        if pl.kind is not None:
            kinds[pl.kind] = kinds.get(pl.kind, 0) + 1
        if pl.quota_key is not None:
            totals.quota_groups.setdefault((pl.quota_key, d), set()).add(gid)
        totals.prize += pl.prize
        totals.tickets += pl.cost
        spent += pl.cost
        prev_node, prev_free = node, depart
    if not placed:
        out.append(Violation(ViolationKind.LUNCH, dur, "lunch is not inside a leg", gid, d))
    money = max(legs, float(mode.day_minimum))
    totals.mode_penalty += mode.day_penalty
    _check_day_caps(p, gid, day_route, drive, money, kinds, trip_kinds, totals, out)
    totals.drive += drive
    totals.km += km
    totals.travel_cost += money
    return spent + money


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


def _check_visit(
    p: Problem,
    group,
    pl: Place,
    day_route: DayRoute,
    begin: int,
    depart: int,
    ls: int | None,
    dur: int,
    seen_group: set[str],
    totals: _Totals,
    out: list[Violation],
) -> None:
    gid, d, pid = group.id, day_route.day, pl.id
    day = p.days[d]
    if depart - begin != pl.visit_min:
        out.append(
            Violation(
                ViolationKind.SERVICE,
                abs(depart - begin - pl.visit_min),
                f"stays {depart - begin} min instead of {pl.visit_min}",
                gid,
                d,
                pid,
            )
        )
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
            out.append(
                Violation(ViolationKind.TIME_WINDOW, gap, "starts outside its windows", gid, d, pid)
            )
    if not (day.start_min <= begin and depart <= day.end_min):
        out.append(Violation(ViolationKind.DAY_BOUNDS, 1, "visit outside the day", gid, d, pid))
    if ls is not None and ls < depart and begin < ls + dur:
        inside = day_route.lunch_inside == pid and pl.lunch_inside
        if not inside or not (begin <= ls and ls + dur <= depart):
            out.append(Violation(ViolationKind.LUNCH, 1, "lunch overlaps a visit", gid, d, pid))
    if day_route.lunch_inside == pid and not pl.lunch_inside:
        out.append(
            Violation(ViolationKind.LUNCH, 1, "lunch inside a visit that has none", gid, d, pid)
        )
    if pid in p.exclude:
        out.append(Violation(ViolationKind.EXCLUDED_VISIT, 1, "excluded place", gid, d, pid))
    if group.allowed_places is not None and pid not in group.allowed_places:
        out.append(Violation(ViolationKind.NOT_ALLOWED, 1, "not allowed to group", gid, d, pid))
    if pid in seen_group or (p.shared_places and pid in totals.seen_all):
        out.append(Violation(ViolationKind.DUPLICATE_VISIT, 1, "visited twice", gid, d, pid))
    seen_group.add(pid)
    totals.seen_all[pid] = gid


def _check_day_caps(
    p: Problem,
    gid: str,
    day_route: DayRoute,
    drive: int,
    money: float,
    kinds: dict[str, int],
    trip_kinds: dict[str, int],
    totals: _Totals,
    out: list[Violation],
) -> None:
    d = day_route.day
    if p.max_drive_min_per_day is not None and drive > p.max_drive_min_per_day:
        out.append(
            Violation(
                ViolationKind.MAX_DRIVE,
                drive - p.max_drive_min_per_day,
                f"drives {drive} min",
                gid,
                d,
            )
        )
    if p.max_stops_per_day is not None and len(day_route.visits) > p.max_stops_per_day:
        out.append(
            Violation(
                ViolationKind.MAX_STOPS,
                len(day_route.visits) - p.max_stops_per_day,
                f"{len(day_route.visits)} visits",
                gid,
                d,
            )
        )
    rules = {r.kind: r for r in p.variety}
    for kind, n in kinds.items():
        trip_kinds[kind] = trip_kinds.get(kind, 0) + n
        rule = rules.get(kind)
        if rule is None:
            continue
        totals.variety += rule.day_penalty(n)
        if rule.day_cap is not None and n > rule.day_cap:
            out.append(
                Violation(
                    ViolationKind.KIND_CAP,
                    n - rule.day_cap,
                    f"{n} places of kind {kind!r} in one day (at most {rule.day_cap})",
                    gid,
                    d,
                )
            )
    if day_route.drive_min != drive:
        out.append(
            Violation(
                ViolationKind.OBJECTIVE,
                abs(day_route.drive_min - drive),
                f"day {d} states {day_route.drive_min} driving minutes, recomputed {drive}",
                gid,
                d,
            )
        )
    if p.application and not math.isclose(day_route.money, money, rel_tol=1e-9, abs_tol=1e-6):
        out.append(
            Violation(
                ViolationKind.OBJECTIVE,
                abs(day_route.money - money),
                f"day {d} states {day_route.money} travel money, recomputed {money}",
                gid,
                d,
            )
        )


# -- the whole plan -------------------------------------------------------------------------


def _check_quotas(p: Problem, totals: _Totals, out: list[Violation]) -> None:
    caps = {(q.key, q.day): q.capacity for q in p.quotas}
    for (key, d), groups in sorted(totals.quota_groups.items()):
        cap = caps.get((key, d))
        if cap is not None and len(groups) > cap:
            out.append(
                Violation(
                    ViolationKind.QUOTA,
                    len(groups) - cap,
                    f"quota {key!r} on day {d}: {len(groups)} groups for capacity {cap}",
                    day=d,
                )
            )


def _check_objective(p: Problem, solution: Solution, t: _Totals, out: list[Violation]) -> None:
    total = (
        t.prize
        + t.hub_prize
        - t.variety
        - t.mode_penalty
        - p.travel_weight * t.drive
        - p.money_weight * (t.tickets + t.lodging + t.travel_cost)
    )
    obj = solution.objective
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
            out.append(
                Violation(
                    ViolationKind.OBJECTIVE,
                    abs(stated - real),
                    f"objective {name} stated {stated}, recomputed {real}",
                )
            )


def _check_requirements(
    p: Problem, solution: Solution, places: dict[str, Place], t: _Totals, out: list[Violation]
) -> None:
    visited_by = {
        plan.group_id: {v.place_id for d in plan.days for v in d.visits} for plan in solution.plans
    }
    nights_by = {plan.group_id: set(plan.night_hubs) for plan in solution.plans}
    visited_ids = set(t.seen_all)
    dropped_keys = {(x.place_id, x.group_id) for x in solution.dropped}
    if p.shared_places:
        missing_must = [(pid, None) for pid in sorted(p.must_visit - visited_ids)]
    else:
        missing_must = [
            (pid, gid) for gid, seen in visited_by.items() for pid in sorted(p.must_visit - seen)
        ]
    for pid, gid in missing_must:
        if (pid, gid) not in dropped_keys:
            out.append(
                Violation(ViolationKind.DROPPED, 1, f"must-visit {pid!r} missing from dropped", gid)
            )
    for pid, gid in sorted(dropped_keys, key=str):
        visited_here = pid in visited_ids if p.shared_places else pid in visited_by.get(gid, ())
        if visited_here:
            out.append(Violation(ViolationKind.DROPPED, 1, f"{pid!r} is visited and dropped", gid))
    unmet = bool(missing_must)
    for s in p.must_any:
        if p.shared_places:
            used = visited_ids | {h for n in nights_by.values() for h in n}
            unmet |= not (s & used)
        else:
            unmet |= any(not (s & (visited_by[g] | nights_by[g])) for g in visited_by)
    for plan in solution.plans:
        provinces = {places[v.place_id].province for d in plan.days for v in d.visits
                     if v.place_id in places}  # fmt: skip
        provinces.discard(None)
        if p.required_provinces - provinces or len(provinces) < p.min_provinces:
            unmet = True
    if unmet and solution.status is Status.FEASIBLE:
        out.append(Violation(ViolationKind.STATUS, 1, "FEASIBLE although a requirement is unmet"))
