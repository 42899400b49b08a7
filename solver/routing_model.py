"""The OR-Tools routing model. This is the ONLY module of the package that imports OR-Tools.

Formulation (one model per choice of night hubs; :mod:`solver.hotels` searches over hubs)
-----------------------------------------------------------------------------------------
* **Vehicles.** One vehicle per (group, day). Vehicle ``(g, d)`` starts at the start point
  (``d = 0``) or at group ``g``'s hub of night ``d - 1``, and ends at its hub of night ``d`` (or
  at the trip's end point on the last day). Start and end nodes are fixed per vehicle.
* **Nodes.** One *visit node* per place (``shared_places``) or per (place, group) pair, plus one
  terminal node per distinct start/end location. Each visit node is optional: it sits in its own
  disjunction whose penalty is its net prize (prize minus weighted ticket cost) scaled to
  integers, so dropping it costs exactly what visiting would earn. Must-visit nodes get a penalty
  larger than the sum of all prizes, so they are dropped only when no plan can hold them.
* **Allowed vehicles.** A visit node may only go on the vehicles of its group (if not shared),
  of groups allowed to visit it, and of days on which one of its windows meets the day.
* **Time dimension** ``"Time"``: transit ``i -> j`` on day ``d`` = visit minutes of ``i`` +
  travel minutes of day ``d``'s matrix (per-vehicle transit matrices, so every day may use its
  own matrix). Slack = waiting. Cumul of a visit node = start of service; its domain is the
  union of the place's windows (``SetRange`` + ``RemoveInterval`` for the gaps). Vehicle start
  and end cumuls lie in the day's ``[start_min, end_min]``. Unreachable legs get a transit
  larger than the horizon, so no feasible route uses them.
* **Lunch.** A fixed-duration break interval per vehicle inside the lunch window
  (``SetBreakIntervalsOfVehicle`` with the visit durations as node visit transits), so lunch is
  taken during a leg, never during a visit.
* **Driving / stops.** Dimension ``"Drive"`` (travel minutes only, capacity = max driving per
  day) and ``"Stops"`` (1 per visit, capacity = max stops per day).
* **Budget.** Dimension ``"Cost"`` (ticket of the node left + travel cost of the leg), with the
  sum over a group's vehicles of the end cumuls capped by the group's budget minus its lodging.
* **Quotas.** For quota ``(key, day, K)``: the number of visit nodes with that key whose vehicle
  is one of ``day``'s vehicles is at most ``K`` (a CP constraint on the vehicle variables).
  Counting visits is never weaker than counting groups, so it is safe.
* **Objective** (minimised): arc costs (scaled weighted driving minutes and travel money, plus
  a tie-break per driving minute) + penalties of dropped nodes. How many model units a prize
  unit is worth is chosen by :class:`solver.compiled.Compiled` (``scale_mode``): in the search
  model a mean prize is worth about one mean leg (a lexicographic scale made guided local search
  stall); in the polish model the smallest prize outweighs the longest detour, so no feasible
  insertion is refused. Plans are always compared on the true objective outside the model.

Search: a first-solution strategy or a warm start (routes), then a local-search metaheuristic
under a time limit; :meth:`RoutingModel.solve` returns plain route lists.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from collections.abc import Sequence
from dataclasses import dataclass
from dataclasses import field

from ortools.constraint_solver import pywrapcp
from ortools.constraint_solver import routing_enums_pb2

log = logging.getLogger(__name__)


@dataclass(slots=True)
class VehicleSpec:
    """One (group, day) vehicle of the model."""

    group: int
    day: int
    start: int  # model node
    end: int  # model node
    day_start: int
    day_end: int
    lunch: tuple[int, int, int] | None  # (earliest start, latest start, duration)
    cost_evaluator: int = 0  # index into ModelSpec.arc_costs


@dataclass(slots=True)
class ModelSpec:
    """Everything the OR-Tools model needs, as plain Python data (built by :mod:`solver.solve`).

    ``time_transit[k]``, ``drive_transit[k]``, ``money_transit[k]`` and ``arc_costs[k]`` are
    square integer matrices over model nodes for day kind ``k`` (one per day, usually);
    each vehicle uses the matrices of its day via ``matrix_of_day``.
    """

    n_nodes: int
    vehicles: list[VehicleSpec]
    matrix_of_day: list[int]
    time_transit: list[list[list[int]]]
    drive_transit: list[list[list[int]]] | None
    money_transit: list[list[list[int]]] | None
    arc_costs: list[list[list[int]]]
    visit_nodes: list[int]
    service: list[int]  # per model node
    windows: dict[int, list[tuple[int, int]]]  # visit node -> start windows (None = open)
    allowed: dict[int, list[int]]  # visit node -> allowed vehicles
    penalty: dict[int, int]  # visit node -> drop penalty
    horizon: int
    max_drive: int | None = None
    max_stops: int | None = None
    group_money_cap: list[int] | None = None
    quotas: list[tuple[list[int], list[int], int]] = field(default_factory=list)


@dataclass(slots=True)
class RunResult:
    """Routes (visit nodes per vehicle) and the model objective of one OR-Tools run."""

    routes: list[list[int]]
    objective: int
    found: bool
    status: str


class RoutingModel:
    """A built OR-Tools routing model that can be solved several times (warm starts)."""

    def __init__(self, spec: ModelSpec) -> None:
        t0 = time.perf_counter()
        self.spec = spec
        starts = [v.start for v in spec.vehicles]
        ends = [v.end for v in spec.vehicles]
        self.manager = pywrapcp.RoutingIndexManager(spec.n_nodes, len(spec.vehicles), starts, ends)
        self.routing = pywrapcp.RoutingModel(self.manager)
        routing, manager = self.routing, self.manager
        solver = routing.solver()
        nv = len(spec.vehicles)

        def per_vehicle(mats: list[list[list[int]]]) -> list[int]:
            ids = [routing.RegisterTransitMatrix(m) for m in mats]
            return [ids[spec.matrix_of_day[v.day]] for v in spec.vehicles]

        cost_ids = per_vehicle(spec.arc_costs)
        for v in range(nv):
            routing.SetArcCostEvaluatorOfVehicle(cost_ids[v], v)

        time_ids = per_vehicle(spec.time_transit)
        routing.AddDimensionWithVehicleTransits(
            time_ids,
            spec.horizon,  # waiting allowed
            spec.horizon,  # cumuls are absolute trip minutes
            False,  # do not force start cumul to zero
            "Time",
        )
        self.time_dim = routing.GetDimensionOrDie("Time")
        for v, vs in enumerate(spec.vehicles):
            self.time_dim.CumulVar(routing.Start(v)).SetRange(vs.day_start, vs.day_end)
            self.time_dim.CumulVar(routing.End(v)).SetRange(vs.day_start, vs.day_end)
        for node, wins in spec.windows.items():
            cumul = self.time_dim.CumulVar(manager.NodeToIndex(node))
            cumul.SetRange(wins[0][0], wins[-1][1])
            for (_, a_end), (b_start, _) in zip(wins, wins[1:], strict=False):
                if b_start - a_end > 1:
                    cumul.RemoveInterval(a_end + 1, b_start - 1)

        if any(v.lunch for v in spec.vehicles):
            visit_transits = [spec.service[manager.IndexToNode(i)] for i in range(routing.Size())]
            visit_transits += [0] * (manager.GetNumberOfIndices() - routing.Size())
            for v, vs in enumerate(spec.vehicles):
                if vs.lunch is None:
                    continue
                lo, hi, dur = vs.lunch
                brk = solver.FixedDurationIntervalVar(lo, hi, dur, False, f"lunch-{v}")
                self.time_dim.SetBreakIntervalsOfVehicle([brk], v, visit_transits)

        if spec.drive_transit is not None:
            routing.AddDimensionWithVehicleTransits(
                per_vehicle(spec.drive_transit),
                0,  # no slack: pure driving minutes
                spec.max_drive if spec.max_drive is not None else spec.horizon,
                True,
                "Drive",
            )
        if spec.max_stops is not None:
            ones = [0] * spec.n_nodes
            for node in spec.visit_nodes:
                ones[node] = 1
            stop_id = routing.RegisterUnaryTransitVector(ones)
            routing.AddDimension(stop_id, 0, spec.max_stops, True, "Stops")
        if spec.money_transit is not None and spec.group_money_cap is not None:
            caps = [spec.group_money_cap[v.group] for v in spec.vehicles]
            routing.AddDimensionWithVehicleTransitAndCapacity(
                per_vehicle(spec.money_transit), 0, caps, True, "Cost"
            )
            money_dim = routing.GetDimensionOrDie("Cost")
            for g, cap in enumerate(spec.group_money_cap):
                ends_g = [
                    money_dim.CumulVar(routing.End(v))
                    for v, vs in enumerate(spec.vehicles)
                    if vs.group == g
                ]
                solver.Add(solver.Sum(ends_g) <= cap)

        for node in spec.visit_nodes:
            index = manager.NodeToIndex(node)
            routing.AddDisjunction([index], spec.penalty[node])
            allowed = spec.allowed.get(node)
            if allowed is not None and len(allowed) < nv:
                # SetAllowedVehiclesForIndex's SWIG binding rejects lists in 9.15; restricting
                # the vehicle variable is equivalent (-1 = unperformed).
                routing.VehicleVar(index).SetValues([-1, *allowed])

        for nodes, day_vehicles, cap in spec.quotas:
            members = [
                solver.IsMemberVar(routing.VehicleVar(manager.NodeToIndex(n)), day_vehicles)
                for n in nodes
            ]
            solver.Add(solver.Sum(members) <= cap)

        self._best_seen: int | None = None
        self._on_solution: Callable[[int], None] | None = None
        routing.AddAtSolutionCallback(self._at_solution)
        self._should_stop: Callable[[], bool] | None = None
        self._polls = 0
        routing.AddSearchMonitor(solver.CustomLimit(self._limit))
        routing.CloseModel()
        log.debug(
            "routing model: %d nodes, %d vehicles, built in %.3f s",
            spec.n_nodes,
            nv,
            time.perf_counter() - t0,
        )

    # -- callbacks --------------------------------------------------------------------------

    def _at_solution(self) -> None:
        value = self.routing.CostVar().Value()
        if self._best_seen is None or value < self._best_seen:
            self._best_seen = value
            if self._on_solution is not None:
                self._on_solution(value)

    def _limit(self) -> bool:
        if self._should_stop is None:
            return False
        self._polls += 1
        if self._polls % 64:
            return False
        return bool(self._should_stop())

    # -- solving ----------------------------------------------------------------------------

    def solve(
        self,
        time_limit_s: float,
        *,
        initial_routes: Sequence[Sequence[int]] | None = None,
        first_solution: str = "PARALLEL_CHEAPEST_INSERTION",
        metaheuristic: str = "GUIDED_LOCAL_SEARCH",
        on_solution: Callable[[int], None] | None = None,
        should_stop: Callable[[], bool] | None = None,
        lns_only: bool = False,
        solution_limit: int | None = None,
    ) -> RunResult:
        """Run OR-Tools once.

        Parameters
        ----------
        time_limit_s
            Time limit of this run.
        initial_routes
            Warm start: visit nodes per vehicle; infeasible parts are repaired by dropping the
            offending nodes before the run.
        first_solution, metaheuristic
            Names of OR-Tools strategies (see :mod:`solver.params`).
        on_solution
            Called with the model objective at each improving solution.
        should_stop
            Polled during the search; returning ``True`` ends it.
        lns_only
            Descend with the default operators only (no metaheuristic): fast polishing.
        solution_limit
            Stop after this many solutions (a machine-independent work limit).
        """
        params = pywrapcp.DefaultRoutingSearchParameters()
        params.first_solution_strategy = getattr(
            routing_enums_pb2.FirstSolutionStrategy, first_solution
        )
        params.local_search_metaheuristic = getattr(
            routing_enums_pb2.LocalSearchMetaheuristic,
            "GREEDY_DESCENT" if lns_only else metaheuristic,
        )
        if solution_limit is not None:
            params.solution_limit = solution_limit
        limit_ms = max(1, int(time_limit_s * 1000))
        params.time_limit.seconds = limit_ms // 1000
        params.time_limit.nanos = (limit_ms % 1000) * 1_000_000
        self._on_solution = on_solution
        self._should_stop = should_stop
        self._best_seen = None
        self._polls = 0

        assignment = None
        if initial_routes is not None:
            assignment = self._read_routes(initial_routes)
        if assignment is not None:
            result = self.routing.SolveFromAssignmentWithParameters(assignment, params)
        else:
            result = self.routing.SolveWithParameters(params)
        status = self.routing.status()
        status_name = routing_enums_pb2.RoutingSearchStatus.Value.Name(status)
        if result is None:
            return RunResult([[] for _ in self.spec.vehicles], 0, False, status_name)
        return RunResult(self._routes(result), result.ObjectiveValue(), True, status_name)

    def _routes(self, assignment: pywrapcp.Assignment) -> list[list[int]]:
        routing, manager = self.routing, self.manager
        routes = []
        for v in range(len(self.spec.vehicles)):
            index = assignment.Value(routing.NextVar(routing.Start(v)))
            route = []
            while not routing.IsEnd(index):
                route.append(manager.IndexToNode(index))
                index = assignment.Value(routing.NextVar(index))
            routes.append(route)
        return routes

    def _read_routes(self, routes: Sequence[Sequence[int]]) -> pywrapcp.Assignment | None:
        """Turn node routes into an assignment, dropping nodes until OR-Tools accepts it."""
        manager = self.manager
        work = [[manager.NodeToIndex(n) for n in r] for r in routes]
        for _ in range(sum(len(r) for r in work) + 1):
            assignment = self.routing.ReadAssignmentFromRoutes(work, True)
            if assignment is not None:
                return assignment
            # Drop the last node of the longest route and retry (cheap repair).
            longest = max(range(len(work)), key=lambda i: len(work[i]))
            if not work[longest]:
                break
            work[longest].pop()
        return None

    def check_routes(self, routes: Sequence[Sequence[int]]) -> bool:
        """Whether OR-Tools accepts these routes as a feasible assignment."""
        work = [[self.manager.NodeToIndex(n) for n in r] for r in routes]
        return self.routing.ReadAssignmentFromRoutes(work, True) is not None
