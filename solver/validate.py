"""Independent validator: recompute every time and cost of a plan from the problem alone.

:func:`validate` shares no code with the search. It walks each group's days, recomputes every
leg from the travel matrix, and checks the stated times against the problem's windows, days,
lunch breaks, caps, quotas, budget and requirements. Violations are structured (VROOM style):
a :class:`ViolationKind` with an amount in the natural unit (minutes, VND, count).

Timing semantics checked (also documented in :mod:`solver.timing`): on a leg ``a -> b`` the
group leaves ``a`` at its departure, arrives at ``b`` no earlier than departure + travel (+ the
lunch duration if lunch is taken on that leg), starts service no earlier than arrival and inside
one of ``b``'s windows, and departs exactly ``visit_min`` after the start. The lunch interval lies
in its window and inside one leg (between a departure and the next start), never in a visit.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import Enum

from solver.problem import UNREACHABLE
from solver.problem import Problem
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
    UNREACHABLE_LEG = "unreachable_leg"
    TRAVEL_TIME = "travel_time"  #: arrives earlier than travel allows (amount: minutes)
    SERVICE = "service"  #: starts before arriving, or stays other than visit_min
    TIME_WINDOW = "time_window"  #: starts outside every window (amount: minutes outside)
    DAY_BOUNDS = "day_bounds"  #: leaves before the day starts or returns after it ends
    LUNCH = "lunch"  #: missing, outside its window, or overlapping a visit
    MAX_DRIVE = "max_drive"  #: amount: minutes over
    MAX_STOPS = "max_stops"  #: amount: visits over
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
        if p.must_visit and solution.status is Status.FEASIBLE:
            out.append(Violation(ViolationKind.STATUS, 1, "FEASIBLE without any plan"))
        return out
    places = {pl.id: pl for pl in p.places}
    group_ids = [g.id for g in p.groups]
    if [pl.group_id for pl in solution.plans] != group_ids:
        out.append(
            Violation(ViolationKind.STRUCTURE, 1, f"plans must be for groups {group_ids} in order")
        )
        return out

    seen_all: dict[str, str] = {}
    quota_groups: dict[tuple[str, int], set[str]] = {}
    prize = 0.0
    drive_total = 0
    km_total = 0.0
    tickets_total = 0
    lodging_total = 0

    for g, plan in enumerate(solution.plans):
        gid = plan.group_id
        group = p.groups[g]
        if len(plan.days) != len(p.days) or [d.day for d in plan.days] != list(range(len(p.days))):
            out.append(Violation(ViolationKind.STRUCTURE, 1, "one route per day, in order", gid))
            continue
        if len(plan.night_hubs) != len(p.nights):
            out.append(Violation(ViolationKind.STRUCTURE, 1, "one hub per night", gid))
            continue
        hub_nodes = []
        lodging = 0
        for n, hub_id in enumerate(plan.night_hubs):
            hub = next((h for h in p.nights[n] if h.id == hub_id), None)
            if hub is None:
                out.append(
                    Violation(
                        ViolationKind.HUB, 1, f"night {n}: {hub_id!r} is not a candidate", gid
                    )
                )
                hub_nodes.append(-1)
                continue
            hub_nodes.append(hub.node)
            lodging += hub.lodging_cost
        starts = [p.start_node, *hub_nodes]
        ends = [*hub_nodes, p.end_node]
        seen_group: set[str] = set()
        spent = lodging
        for day_route in plan.days:
            d = day_route.day
            day = p.days[d]
            m = p.matrix(d)
            if day_route.start_node != starts[d] or day_route.end_node != ends[d]:
                out.append(
                    Violation(
                        ViolationKind.HUB,
                        1,
                        f"day {d} must run from node {starts[d]} to node {ends[d]}",
                        gid,
                        d,
                    )
                )
                continue
            if day_route.depart_min < day.start_min:
                out.append(
                    Violation(
                        ViolationKind.DAY_BOUNDS,
                        day.start_min - day_route.depart_min,
                        f"day {d} leaves before the day starts",
                        gid,
                        d,
                    )
                )
            lunch = day.lunch
            ls = day_route.lunch_start_min
            if lunch is not None:
                if ls is None:
                    out.append(
                        Violation(ViolationKind.LUNCH, lunch.duration_min, "no lunch", gid, d)
                    )
                elif (
                    ls < lunch.earliest_start_min or ls + lunch.duration_min > lunch.latest_end_min
                ):
                    out.append(
                        Violation(
                            ViolationKind.LUNCH,
                            max(
                                lunch.earliest_start_min - ls,
                                ls + lunch.duration_min - lunch.latest_end_min,
                            ),
                            "lunch outside its window",
                            gid,
                            d,
                        )
                    )
            lunch_dur = lunch.duration_min if lunch is not None and ls is not None else 0
            lunch_placed = lunch is None or ls is None
            nodes = [day_route.start_node]
            prev_depart = day_route.depart_min
            drive = 0
            km = 0.0
            legs = [(v.place_id, v.arrive_min, v.start_min) for v in day_route.visits]
            legs.append((None, day_route.return_min, day_route.return_min))
            for idx, (pid, arrive, start) in enumerate(legs):
                if pid is not None and pid not in places:
                    out.append(
                        Violation(ViolationKind.UNKNOWN_PLACE, 1, f"unknown place {pid!r}", gid, d)
                    )
                    break
                node = day_route.end_node if pid is None else places[pid].node
                a = nodes[-1]
                travel = int(m.minutes[a, node])
                if travel == UNREACHABLE:
                    out.append(
                        Violation(
                            ViolationKind.UNREACHABLE_LEG,
                            1,
                            f"leg {a} -> {node} does not exist",
                            gid,
                            d,
                            pid,
                        )
                    )
                    travel = 0
                else:
                    drive += travel
                    if m.km is not None and not math.isnan(m.km[a, node]):
                        km += float(m.km[a, node])
                in_leg = (
                    not lunch_placed
                    and ls is not None
                    and prev_depart <= ls
                    and ls + lunch_dur <= start
                )
                if in_leg:
                    lunch_placed = True
                expected = prev_depart + travel + (lunch_dur if in_leg else 0)
                if arrive < expected:
                    out.append(
                        Violation(
                            ViolationKind.TRAVEL_TIME,
                            expected - arrive,
                            f"arrives {expected - arrive} min too early at {pid or 'the day end'}",
                            gid,
                            d,
                            pid,
                        )
                    )
                if start < arrive:
                    out.append(
                        Violation(
                            ViolationKind.SERVICE,
                            arrive - start,
                            "starts before arriving",
                            gid,
                            d,
                            pid,
                        )
                    )
                nodes.append(node)
                if pid is None:
                    if start > day.end_min:
                        out.append(
                            Violation(
                                ViolationKind.DAY_BOUNDS,
                                start - day.end_min,
                                f"day {d} returns after the day ends",
                                gid,
                                d,
                            )
                        )
                    break
                pl = places[pid]
                depart = day_route.visits[idx].depart_min
                if depart - start != pl.visit_min:
                    out.append(
                        Violation(
                            ViolationKind.SERVICE,
                            abs(depart - start - pl.visit_min),
                            f"stays {depart - start} min instead of {pl.visit_min}",
                            gid,
                            d,
                            pid,
                        )
                    )
                if pl.windows is not None:
                    gap = min(
                        (
                            0
                            if w.start_min <= start <= w.end_min
                            else min(abs(start - w.start_min), abs(start - w.end_min))
                            for w in pl.windows
                        ),
                        default=math.inf,
                    )
                    if gap > 0:
                        out.append(
                            Violation(
                                ViolationKind.TIME_WINDOW,
                                gap,
                                "starts outside its windows",
                                gid,
                                d,
                                pid,
                            )
                        )
                if not (day.start_min <= start and depart <= day.end_min):
                    out.append(
                        Violation(ViolationKind.DAY_BOUNDS, 1, "visit outside the day", gid, d, pid)
                    )
                if ls is not None and ls < depart and start < ls + lunch_dur:
                    out.append(
                        Violation(ViolationKind.LUNCH, 1, "lunch overlaps a visit", gid, d, pid)
                    )
                if pid in p.exclude:
                    out.append(
                        Violation(ViolationKind.EXCLUDED_VISIT, 1, "excluded place", gid, d, pid)
                    )
                if group.allowed_places is not None and pid not in group.allowed_places:
                    out.append(
                        Violation(ViolationKind.NOT_ALLOWED, 1, "not allowed to group", gid, d, pid)
                    )
                if pid in seen_group or (p.shared_places and pid in seen_all):
                    out.append(
                        Violation(ViolationKind.DUPLICATE_VISIT, 1, "visited twice", gid, d, pid)
                    )
                seen_group.add(pid)
                seen_all[pid] = gid
                if pl.quota_key is not None:
                    quota_groups.setdefault((pl.quota_key, d), set()).add(gid)
                prize += pl.prize
                tickets_total += pl.cost
                spent += pl.cost
                prev_depart = depart
            if lunch is not None and ls is not None and not lunch_placed:
                out.append(
                    Violation(ViolationKind.LUNCH, lunch_dur, "lunch is not inside a leg", gid, d)
                )
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
            drive_total += drive
            km_total += km
            spent += km * p.cost_per_km
        lodging_total += lodging
        if p.budget is not None and spent > p.budget + 1e-6:
            out.append(
                Violation(ViolationKind.BUDGET, spent - p.budget, f"spends {spent:.0f} VND", gid)
            )

    caps = {(q.key, q.day): q.capacity for q in p.quotas}
    for (key, d), groups in sorted(quota_groups.items()):
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

    travel_cost = km_total * p.cost_per_km
    total = (
        prize
        - p.travel_weight * drive_total
        - p.money_weight * (tickets_total + lodging_total + travel_cost)
    )
    obj = solution.objective
    for name, stated, real in (
        ("prize", obj.prize, prize),
        ("drive_min", obj.drive_min, drive_total),
        ("km", obj.km, km_total),
        ("travel_cost", obj.travel_cost, travel_cost),
        ("lodging_cost", obj.lodging_cost, lodging_total),
        ("ticket_cost", obj.ticket_cost, tickets_total),
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

    # requirements and the dropped list
    visited_by = {
        plan.group_id: {v.place_id for d in plan.days for v in d.visits} for plan in solution.plans
    }
    visited_ids = set(seen_all)
    dropped_keys = {(x.place_id, x.group_id) for x in solution.dropped}
    missing_must: list[tuple[str, str | None]] = []
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
    for plan in solution.plans:
        provinces = {places[v.place_id].province for d in plan.days for v in d.visits
                     if v.place_id in places}  # fmt: skip
        provinces.discard(None)
        if p.required_provinces - provinces or len(provinces) < p.min_provinces:
            unmet = True
    if unmet and solution.status is Status.FEASIBLE:
        out.append(Violation(ViolationKind.STATUS, 1, "FEASIBLE although a requirement is unmet"))
    return out
