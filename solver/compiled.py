"""Static analysis of a :class:`~solver.problem.Problem` and translation to a model spec.

:class:`Compiled` is built once per solve. It decides which (place, group) visits can ever be
part of a plan (and why not, as a :class:`~solver.solution.DropReason`), builds the
:class:`~solver.routing_model.ModelSpec` for a choice of night hubs, and turns the routes the
search returns into a timed :class:`~solver.solution.Solution`.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solver.problem import UNREACHABLE
from solver.problem import Hub
from solver.problem import Problem
from solver.routing_model import ModelSpec
from solver.routing_model import VehicleSpec
from solver.solution import DayRoute
from solver.solution import Dropped
from solver.solution import DropReason
from solver.solution import GroupPlan
from solver.solution import Objective
from solver.solution import Visit
from solver.timing import DayTiming
from solver.timing import schedule_day

log = logging.getLogger(__name__)

#: Model units per driving minute (tie-break on driving).
ARC_UNIT = 10
#: One prize unit is worth this many mean legs of driving in the model objective.
PRIZE_TO_ARC = 1.0

#: Hub choice: for each group, the index (into ``problem.nights[n]``) of each night's hub.
HubChoice = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class VisitNode:
    """A candidate visit: a place, for one group or (``group = -1``) for all groups."""

    place: int
    group: int


class Compiled:
    """Precomputed data for one problem: candidate visits, static drop reasons, matrices."""

    def __init__(
        self,
        problem: Problem,
        extra_penalty: dict[int, float] | None = None,
        scale_mode: str = "mean",
    ) -> None:
        """``scale_mode``: ``"mean"`` (a mean prize is worth a mean leg: good for the search)
        or ``"dominant"`` (the smallest prize outweighs the longest detour: no profitable
        insertion is ever refused; used to polish)."""
        self.problem = problem
        self.scale_mode = scale_mode
        p = problem
        self.n_days = len(p.days)
        self.n_groups = len(p.groups)
        self.minutes = [p.matrix(d).minutes for d in range(self.n_days)]
        self.km = [
            p.matrix(d).km if p.matrix(d).km is not None else np.zeros_like(self.minutes[d], float)
            for d in range(self.n_days)
        ]
        self.place_ids = [pl.id for pl in p.places]
        self.must = {i for i, pl in enumerate(p.places) if pl.id in p.must_visit}
        self.static_reason: dict[tuple[int, int], DropReason] = {}
        self.open_days: dict[int, list[int]] = {}
        groups = [-1] if p.shared_places else list(range(self.n_groups))
        self.visits: list[VisitNode] = []
        for i in range(len(p.places)):
            days = self._open_days(i)
            self.open_days[i] = days
            for g in groups:
                reason = self._static_reason(i, g, days)
                if reason is None:
                    self.visits.append(VisitNode(i, g))
                else:
                    self.static_reason[(i, g)] = reason
        self.extra_penalty = extra_penalty or {}
        #: model units of one prize unit. Driving costs ARC_UNIT model units per minute as a
        #: tie-break, and one prize unit is worth about PRIZE_TO_ARC mean legs: prizes dominate
        #: every single insertion decision, yet guided local search can still trade them
        #: (a lexicographic scale, prizes >> all driving, made GLS stall in tests).
        self.scale = self._prize_scale()
        self.horizon = max(d.end_min for d in p.days) + 1
        total_prize = sum(pl.prize for pl in p.places) * max(1, len(groups))
        driving_bound = sum(d.end_min - d.start_min for d in p.days) * self.n_groups * ARC_UNIT
        #: penalty of a dropped must-visit: more than every prize and every driving cost
        self.must_penalty = int(self.scale * (total_prize + 1) * 4 + driving_bound * 4 + 1000)

    def _prize_scale(self) -> int:
        p = self.problem
        nodes = sorted({p.places[v.place].node for v in self.visits})
        prizes = [self.net_value(v.place) for v in self.visits]
        positive = [x for x in prizes if x > 0]
        if not positive or len(nodes) < 2:
            return 1000
        sub = self.minutes[0][np.ix_(nodes, nodes)]
        legs = sub[sub > 0]
        if not len(legs):
            return 1000
        if self.scale_mode == "dominant":
            # the smallest prize outweighs the longest detour (two longest legs)
            return max(1, round(ARC_UNIT * 2 * float(legs.max()) / min(positive) + 1))
        return max(
            1, round(PRIZE_TO_ARC * ARC_UNIT * float(legs.mean()) / float(np.mean(positive)))
        )

    # -- static analysis --------------------------------------------------------------------

    def _open_days(self, i: int) -> list[int]:
        pl = self.problem.places[i]
        out = []
        for d, day in enumerate(self.problem.days):
            if pl.windows is None or any(
                w.end_min >= day.start_min and w.start_min <= day.end_min for w in pl.windows
            ):
                out.append(d)
        return out

    def day_start_nodes(self, d: int) -> list[int]:
        p = self.problem
        return [p.start_node] if d == 0 else [h.node for h in p.nights[d - 1]]

    def day_end_nodes(self, d: int) -> list[int]:
        p = self.problem
        return [p.end_node] if d == self.n_days - 1 else [h.node for h in p.nights[d]]

    def day_ok(self, d: int, a: int, b: int) -> bool:
        """Whether day ``d`` can go from node ``a`` to node ``b`` with no visit (hours, lunch,
        driving cap)."""
        day = self.problem.days[d]
        cap = self.problem.max_drive_min_per_day
        if cap is not None and self.minutes[d][a, b] > cap:
            return False
        return (
            schedule_day(self.minutes[d], [a, b], [], [], day.start_min, day.end_min, day.lunch)
            is not None
        )

    def _fits_day(self, i: int, d: int) -> bool:
        """Whether a one-visit day start -> place -> end can be timed on day ``d``."""
        pl = self.problem.places[i]
        day = self.problem.days[d]
        m = self.minutes[d]
        for s in self.day_start_nodes(d):
            for e in self.day_end_nodes(d):
                t = schedule_day(
                    m, [s, pl.node, e], [pl.visit_min], [pl.windows], day.start_min,
                    day.end_min, day.lunch,
                )  # fmt: skip
                if t is not None:
                    return True
        return False

    def _static_reason(self, i: int, g: int, days: list[int]) -> DropReason | None:
        p = self.problem
        pl = p.places[i]
        if pl.id in p.exclude:
            return DropReason.EXCLUDED
        if g >= 0:
            allowed = p.groups[g].allowed_places
            if allowed is not None and pl.id not in allowed:
                return DropReason.NOT_SELECTED
        elif all(
            gr.allowed_places is not None and pl.id not in gr.allowed_places for gr in p.groups
        ):
            return DropReason.NOT_SELECTED
        if not days:
            return DropReason.CLOSED
        node = pl.node
        reach = any(
            any(self.minutes[d][s, node] != UNREACHABLE for s in self.day_start_nodes(d))
            and any(self.minutes[d][node, e] != UNREACHABLE for e in self.day_end_nodes(d))
            for d in days
        )
        if not reach:
            return DropReason.UNREACHABLE
        if p.budget is not None and pl.cost > p.budget:
            return DropReason.OVER_BUDGET
        if pl.quota_key is not None:
            caps = {q.day: q.capacity for q in p.quotas if q.key == pl.quota_key}
            if all(caps.get(d, 1) == 0 for d in days):
                return DropReason.QUOTA_FULL
        if p.max_stops_per_day == 0:
            return DropReason.CANNOT_FIT
        if not any(self._fits_day(i, d) for d in days):
            return DropReason.CANNOT_FIT
        if i not in self.must and self.net_value(i) <= 0:
            return DropReason.NOT_SELECTED
        return None

    def net_value(self, i: int) -> float:
        """Prize of place ``i`` minus its weighted ticket cost."""
        pl = self.problem.places[i]
        return pl.prize - self.problem.money_weight * pl.cost

    # -- model spec -------------------------------------------------------------------------

    def hubs(self, choice: HubChoice, g: int) -> list[Hub]:
        """Group ``g``'s hub of each night under ``choice``."""
        return [self.problem.nights[n][h] for n, h in enumerate(choice[g])]

    def lodging(self, choice: HubChoice, g: int) -> int:
        """Group ``g``'s lodging cost under ``choice``."""
        return sum(h.lodging_cost for h in self.hubs(choice, g))

    def spec(self, choice: HubChoice) -> ModelSpec:
        """The OR-Tools model spec for a hub choice."""
        p = self.problem
        n_vis = len(self.visits)
        loc = [p.places[v.place].node for v in self.visits]
        terminal: dict[int, int] = {}

        def term(node: int) -> int:
            if node not in terminal:
                terminal[node] = n_vis + len(terminal)
                loc.append(node)
            return terminal[node]

        vehicles: list[VehicleSpec] = []
        for g in range(self.n_groups):
            hubs = self.hubs(choice, g)
            starts = p.day_starts(hubs)
            ends = p.day_ends(hubs)
            for d, day in enumerate(p.days):
                lunch = None
                if day.lunch is not None:
                    ln = day.lunch
                    lunch = (
                        ln.earliest_start_min,
                        ln.latest_end_min - ln.duration_min,
                        ln.duration_min,
                    )
                vehicles.append(
                    VehicleSpec(
                        g, d, term(starts[d]), term(ends[d]), day.start_min, day.end_min, lunch
                    )
                )
        n = len(loc)
        loc_arr = np.asarray(loc, dtype=np.int64)
        service = np.zeros(n, dtype=np.int64)
        for k, v in enumerate(self.visits):
            service[k] = p.places[v.place].visit_min
        big = 2 * self.horizon + 1
        tickets = np.zeros(n, dtype=np.int64)
        for k, v in enumerate(self.visits):
            tickets[k] = p.places[v.place].cost

        time_t, drive_t, money_t, costs = [], [], [], []
        want_drive = p.max_drive_min_per_day is not None
        want_money = p.budget is not None
        for d in range(self.n_days):
            sub = self.minutes[d][np.ix_(loc_arr, loc_arr)]
            unreachable = sub == UNREACHABLE
            travel = np.where(unreachable, big, sub)
            np.fill_diagonal(travel, 0)
            tt = travel + service[:, None]
            time_t.append(tt.tolist())
            if want_drive:
                drive_t.append(travel.tolist())
            km = np.nan_to_num(self.km[d][np.ix_(loc_arr, loc_arr)], nan=0.0)
            money = np.rint(km * p.cost_per_km).astype(np.int64)
            if want_money:
                money_t.append((money + tickets[:, None]).tolist())
            arc = (
                np.rint(
                    self.scale * (p.travel_weight * travel + p.money_weight * km * p.cost_per_km)
                ).astype(np.int64)
                + ARC_UNIT * travel
            )
            costs.append(arc.tolist())

        windows: dict[int, list[tuple[int, int]]] = {}
        allowed: dict[int, list[int]] = {}
        penalty: dict[int, int] = {}
        for k, v in enumerate(self.visits):
            pl = p.places[v.place]
            if pl.windows is not None:
                windows[k] = [(w.start_min, w.end_min) for w in pl.windows]
            days = set(self.open_days[v.place])
            allowed[k] = [
                j
                for j, vs in enumerate(vehicles)
                if vs.day in days
                and (v.group < 0 or vs.group == v.group)
                and (
                    p.groups[vs.group].allowed_places is None
                    or pl.id in p.groups[vs.group].allowed_places
                )
            ]
            if v.place in self.must:
                penalty[k] = self.must_penalty
            else:
                value = self.net_value(v.place) + self.extra_penalty.get(v.place, 0.0)
                penalty[k] = max(0, round(self.scale * value))

        quotas = []
        for q in p.quotas:
            nodes = [k for k, v in enumerate(self.visits) if p.places[v.place].quota_key == q.key]
            if nodes:
                day_vehicles = [j for j, vs in enumerate(vehicles) if vs.day == q.day]
                quotas.append((nodes, day_vehicles, q.capacity))

        money_cap = None
        if want_money:
            assert p.budget is not None
            money_cap = [max(0, p.budget - self.lodging(choice, g)) for g in range(self.n_groups)]

        return ModelSpec(
            n_nodes=n,
            vehicles=vehicles,
            matrix_of_day=list(range(self.n_days)),
            time_transit=time_t,
            drive_transit=drive_t if want_drive else None,
            money_transit=money_t if want_money else None,
            arc_costs=costs,
            visit_nodes=list(range(n_vis)),
            service=service.tolist(),
            windows=windows,
            allowed=allowed,
            penalty=penalty,
            horizon=self.horizon,
            max_drive=p.max_drive_min_per_day,
            max_stops=p.max_stops_per_day,
            group_money_cap=money_cap,
            quotas=quotas,
        )

    # -- from routes to a plan --------------------------------------------------------------

    def time_day(self, choice: HubChoice, g: int, d: int, route: Sequence[int]) -> DayTiming | None:
        """Earliest timing of a route (visit node indices) of group ``g`` on day ``d``."""
        p = self.problem
        hubs = self.hubs(choice, g)
        places = [p.places[self.visits[k].place] for k in route]
        nodes = [p.day_starts(hubs)[d], *(pl.node for pl in places), p.day_ends(hubs)[d]]
        day = p.days[d]
        return schedule_day(
            self.minutes[d],
            nodes,
            [pl.visit_min for pl in places],
            [pl.windows for pl in places],
            day.start_min,
            day.end_min,
            day.lunch,
        )

    def build_plans(
        self, choice: HubChoice, routes: Sequence[Sequence[Sequence[int]]]
    ) -> tuple[tuple[GroupPlan, ...], Objective]:
        """Timed plans from ``routes[g][d]`` (visit node indices), with the objective parts.

        Raises ``ValueError`` if a route cannot be timed (callers repair routes first).
        """
        p = self.problem
        plans = []
        prize = 0.0
        drive = 0
        km_total = 0.0
        tickets = 0
        lodging = 0
        for g, group in enumerate(p.groups):
            hubs = self.hubs(choice, g)
            starts, ends = p.day_starts(hubs), p.day_ends(hubs)
            days = []
            for d in range(self.n_days):
                route = routes[g][d]
                timing = self.time_day(choice, g, d, route)
                if timing is None:
                    raise ValueError(f"route of group {g} day {d} cannot be timed")
                places = [p.places[self.visits[k].place] for k in route]
                nodes = [starts[d], *(pl.node for pl in places), ends[d]]
                km = float(
                    sum(
                        0.0 if np.isnan(self.km[d][a, b]) else self.km[d][a, b]
                        for a, b in zip(nodes, nodes[1:], strict=False)
                    )
                )
                visits = tuple(
                    Visit(pl.id, *t) for pl, t in zip(places, timing.visits, strict=True)
                )
                days.append(
                    DayRoute(
                        group_id=group.id,
                        day=d,
                        start_node=starts[d],
                        end_node=ends[d],
                        depart_min=timing.depart_min,
                        return_min=timing.return_min,
                        visits=visits,
                        lunch_start_min=timing.lunch_start_min,
                        drive_min=timing.drive_min,
                        km=km,
                    )
                )
                prize += sum(pl.prize for pl in places)
                tickets += sum(pl.cost for pl in places)
                drive += timing.drive_min
                km_total += km
            lodging += self.lodging(choice, g)
            plans.append(
                GroupPlan(group_id=group.id, days=tuple(days), night_hubs=tuple(h.id for h in hubs))
            )
        travel_cost = km_total * p.cost_per_km
        total = prize - p.travel_weight * drive - p.money_weight * (tickets + lodging + travel_cost)
        objective = Objective(
            prize=prize,
            drive_min=drive,
            km=km_total,
            travel_cost=travel_cost,
            lodging_cost=lodging,
            ticket_cost=tickets,
            total=total,
        )
        return tuple(plans), objective

    def dropped(
        self, plans: Sequence[GroupPlan], money_left: dict[int, float]
    ) -> tuple[Dropped, ...]:
        """Every place not visited (per group when places are not shared), with its reason."""
        p = self.problem
        visited: set[tuple[int, int]] = set()
        index = {pid: i for i, pid in enumerate(self.place_ids)}
        quota_used: dict[tuple[str, int], set[int]] = {}
        for g, plan in enumerate(plans):
            for day in plan.days:
                for v in day.visits:
                    i = index[v.place_id]
                    visited.add((i, -1 if p.shared_places else g))
                    key = p.places[i].quota_key
                    if key is not None:
                        quota_used.setdefault((key, day.day), set()).add(g)
        caps = {(q.key, q.day): q.capacity for q in p.quotas}
        out = []
        groups = [-1] if p.shared_places else list(range(self.n_groups))
        for i, pl in enumerate(p.places):
            for g in groups:
                if (i, g) in visited:
                    continue
                reason = self.static_reason.get((i, g))
                if reason is None:
                    reason = self._dynamic_reason(i, g, caps, quota_used, money_left)
                out.append(Dropped(pl.id, reason, None if g < 0 else p.groups[g].id))
        return tuple(out)

    def _dynamic_reason(
        self,
        i: int,
        g: int,
        caps: dict[tuple[str, int], int],
        quota_used: dict[tuple[str, int], set[int]],
        money_left: dict[int, float],
    ) -> DropReason:
        p = self.problem
        pl = p.places[i]
        if i not in self.must and pl.id not in p.must_visit:
            return DropReason.NOT_SELECTED
        groups = [g] if g >= 0 else list(range(self.n_groups))
        if p.budget is not None and all(money_left.get(gg, 0) < pl.cost for gg in groups):
            return DropReason.OVER_BUDGET
        if pl.quota_key is not None:
            days = self.open_days[i]
            full = all(
                (pl.quota_key, d) in caps
                and len(quota_used.get((pl.quota_key, d), set())) >= caps[(pl.quota_key, d)]
                for d in days
            )
            if full:
                return DropReason.QUOTA_FULL
        return DropReason.CANNOT_FIT
