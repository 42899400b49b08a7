"""``solve(problem)``: hub search, ILS + OR-Tools, requirements, then validation.

The search, in order (``SolveParams.perturb=False`` keeps only the textbook part: one OR-Tools
run, first solution + metaheuristic, as the baseline):

1. **Static analysis** (:class:`~solver.compiled.Compiled`): places that can never be visited
   (excluded, closed every day, unreachable, over budget alone, quota always full, too long
   for any day) leave the model and get their drop reason.
2. **Hub choice** (:mod:`solver.hotels`): the best-estimated hub sequences (up to 48, as a
   quarter of the time allows) each get a short run from a plan seeded with the must-visits
   that fit; the best is kept.
3. **Main OR-Tools run** (guided local search) warm-started from the best plan. When the ILS
   models every constraint exactly (no lunch break) this run is short (a tenth of the time
   left), and with a single hub choice as well step 5 has no OR-Tools polish: on 20 pr rows
   at 10 s OR-Tools added 16 prize units to the ILS's 20 584 while taking 40 % of the time.
   The short run stays because on tight windows its neighbourhoods still find what the ILS
   misses (Solomon r101, one tour: 183 → 198, the optimum); the polish stays after hub moves
   (OPHS 100-40-2-3: 238–280 without it, 299 = BKS with it).
4. **Requirements** the objective does not see: when a required province or the minimum number
   of provinces is missed, the best place of a missing province is made must-visit and the
   search is re-run warm.
5. **Perturbation loop**: alternate the insert/shake ILS (:mod:`solver.ils`) and a greedy
   OR-Tools polish in the model where every prize outweighs its detour; every other round try
   every other hub for one (group, night) instead; with a single hub choice and an exact ILS,
   the ILS alone runs, in chunks of 5 s. Without the ILS (``perturb`` but no ILS) the loop
   ruins part of the plan (random visits, a cluster, or a route) and lets OR-Tools recreate it.
6. **Final polish** when the ILS only approximates the problem (lunch breaks): a greedy OR-Tools
   pass in the exact model.
7. **Validation**: :func:`solver.validate.validate` checks the final plan from the problem
   alone. A plan with violations is a bug: it is logged and returned with status ``INVALID``.

Every candidate plan is re-timed by :func:`solver.timing.schedule_day` and screened with the
validator's hard rules before it is kept. Plans are compared by (requirements met, objective
total, fewer driving minutes). The internal deadline keeps a 5 % margin of the time limit.

With ``SolveParams.workers > 1`` the whole search runs as a portfolio: the other workers are
forked processes searching with seeds ``seed + 1, seed + 2, ...`` under the same time limit,
and the best validated plan of all wins (:func:`_portfolio`). Independent runs of a randomised
search end at different local optima, so the best of two is better on average than one run of
the same length. Worker ``i`` gets ``SolveParams.worker = i``: the application model's search
of a later worker starts from other night hubs, since its constructions are deterministic.
"""

from __future__ import annotations

import dataclasses
import logging
import multiprocessing
import time
from collections.abc import Callable
from dataclasses import dataclass
from multiprocessing.connection import Connection

import numpy as np

from solver.compiled import Compiled
from solver.compiled import HubChoice
from solver.hotels import feasible_choice
from solver.hotels import hub_candidates
from solver.hotels import neighbour_choices
from solver.ils import ILS
from solver.ils import applicable as ils_applicable
from solver.params import SolveParams
from solver.problem import Problem
from solver.routing_model import ModelSpec
from solver.routing_model import RoutingModel
from solver.solution import GroupPlan
from solver.solution import Objective
from solver.solution import Progress
from solver.solution import Solution
from solver.solution import Status

log = logging.getLogger(__name__)


@dataclass(slots=True)
class _Found:
    choice: HubChoice
    routes: list[list[int]]  # visit nodes per vehicle (vehicle = g * n_days + d)
    plans: tuple[GroupPlan, ...]
    objective: Objective
    key: tuple[float, float, float]


def solve(
    problem: Problem,
    params: SolveParams | None = None,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    """Plan the trip.

    Parameters
    ----------
    problem
        The trip to plan.
    params
        Time limit, seed and search options (default :class:`SolveParams`).
    on_progress
        Called with a :class:`Progress` whenever a better plan is found.
    should_stop
        Polled during the search; when it returns ``True`` the search stops and the best plan
        so far is returned.

    Returns
    -------
    Solution
        Always a :class:`Solution`, never an exception for an infeasible problem: status
        ``FEASIBLE``/``PARTIAL`` with the validated plan and the dropped places, or
        ``INFEASIBLE`` with the reason in ``message``.
    """
    params = params or SolveParams()
    if params.workers > 1 and "fork" in multiprocessing.get_all_start_methods():
        return _portfolio(problem, params, on_progress, should_stop)
    return _solve_one(problem, params, on_progress, should_stop)


def _solve_one(
    problem: Problem,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None,
    should_stop: Callable[[], bool] | None,
) -> Solution:
    t0 = time.perf_counter()
    try:
        if problem.application and params.perturb:
            from solver.lns import solve_app

            solution = _checked(problem, solve_app(problem, params, on_progress, should_stop))
        else:
            solution = _Search(problem, params, on_progress, should_stop, t0).run()
    except Exception as exc:  # a bug: report it as a result, never as an opaque crash
        log.exception("solver failed")
        return Solution(
            status=Status.INVALID,
            plans=(),
            dropped=(),
            objective=Objective(),
            message=f"internal solver error: {exc!r}",
            seconds=time.perf_counter() - t0,
        )
    return solution


def _checked(problem: Problem, solution: Solution) -> Solution:
    """``solution`` if it passes :func:`solver.validate.validate`; else the same plan with
    status ``INVALID`` (a bug, logged)."""
    from solver.validate import validate

    if not solution.plans:
        return solution
    violations = validate(problem, solution)
    if not violations:
        return solution
    log.error("solver produced an invalid plan (bug): %s", violations)
    return dataclasses.replace(
        solution,
        status=Status.INVALID,
        message="internal error: the plan failed validation: "
        + "; ".join(v.message for v in violations[:5]),
    )


def _rank(solution: Solution) -> tuple[bool, int, float, int]:
    """Order of plans across portfolio workers: a valid plan, fewer unmet requirements, a
    higher objective, less driving."""
    return (
        solution.is_valid and bool(solution.plans),
        -len(solution.unmet),
        solution.objective.total,
        -solution.objective.drive_min,
    )


def _portfolio_child(problem: Problem, params: SolveParams, conn: Connection) -> None:
    try:
        conn.send(_solve_one(problem, params, None, None))
    finally:
        conn.close()


def _portfolio(
    problem: Problem,
    params: SolveParams,
    on_progress: Callable[[Progress], None] | None,
    should_stop: Callable[[], bool] | None,
) -> Solution:
    """Run ``params.workers`` searches side by side (this process and forked children, seeds
    ``seed + i``) and return the best plan. A child that dies, or has not answered a second
    after the time limit, is ignored; children still running when this process stops early
    (``should_stop``) are terminated."""
    t0 = time.perf_counter()
    ctx = multiprocessing.get_context("fork")
    children = []
    for i in range(1, params.workers):
        receive, send = ctx.Pipe(duplex=False)
        child_params = dataclasses.replace(params, seed=params.seed + i, workers=1, worker=i)
        proc = ctx.Process(target=_portfolio_child, args=(problem, child_params, send))
        proc.daemon = True
        proc.start()
        send.close()
        children.append((proc, receive))
    results: list[Solution] = []
    try:
        results.append(
            _solve_one(problem, dataclasses.replace(params, workers=1), on_progress, should_stop)
        )
        stopped = should_stop is not None and should_stop()
        # the children keep the same time limit; a second more covers forking and the answer
        grace = t0 + params.time_limit_s + 1.0
        for proc, receive in children:
            if stopped:
                break
            try:
                if receive.poll(max(0.0, grace - time.perf_counter())):
                    results.append(receive.recv())
            except (EOFError, OSError) as exc:
                log.warning("portfolio worker %s gave no plan: %r", proc.pid, exc)
    finally:
        for proc, receive in children:
            receive.close()
            if proc.is_alive():
                proc.terminate()
            proc.join(timeout=1.0)
    best = max(results, key=_rank)
    log.debug("portfolio: %d of %d plans, best %s", len(results), params.workers, _rank(best))
    return dataclasses.replace(best, seconds=time.perf_counter() - t0)


_SOFT = {"dropped", "status", "objective"}


def _hard_violations(
    problem: Problem, plans: tuple[GroupPlan, ...], objective: Objective
) -> list[object]:
    """Violations of hard rules (caps, budget, quotas, timing) of a candidate plan."""
    from solver.validate import validate

    trial = Solution(Status.PARTIAL, plans, (), objective)
    return [v for v in validate(problem, trial) if v.kind.value not in _SOFT]


class _Search:
    def __init__(
        self,
        problem: Problem,
        params: SolveParams,
        on_progress: Callable[[Progress], None] | None,
        should_stop: Callable[[], bool] | None,
        t0: float,
    ) -> None:
        self.problem = problem
        self.params = params
        self.on_progress = on_progress
        self.user_stop = should_stop
        self.t0 = t0
        # keep a margin for building the plan, validating it and OR-Tools' own overshoot
        self.deadline = t0 + params.time_limit_s * 0.95 - 0.03
        self.rng = np.random.default_rng(params.seed)
        self.best: _Found | None = None
        self.models: dict[HubChoice, RoutingModel] = {}
        self.specs: dict[HubChoice, ModelSpec] = {}
        self.use_ils = False
        self.ils_exact = False
        self.last: tuple[tuple[float, float, float], list[list[int]]] | None = None
        self.dominant_model: RoutingModel | None = None
        self.dominant_key: tuple[HubChoice, int] | None = None
        self.stopped = False

    # -- helpers ----------------------------------------------------------------------------

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def should_stop(self) -> bool:
        if self.stopped:
            return True
        if self.user_stop is not None and self.user_stop():
            self.stopped = True
        return self.stopped

    def model(self, choice: HubChoice) -> RoutingModel:
        m = self.models.get(choice)
        if m is None:
            if len(self.models) >= 8:
                self.models.pop(next(iter(self.models)))
            m = RoutingModel(self.spec(choice))
            self.models[choice] = m
        return m

    def key(self, routes: list[list[int]], objective: Objective) -> tuple[float, float, float]:
        """Comparison key: requirements met, then objective total, then less driving."""
        served = sum(1 for r in routes for k in r if self.c.visits[k].place in self.c.must)
        return (
            served + self._provinces_met(routes),
            round(objective.total, 9),
            -objective.drive_min,
        )

    def _provinces_met(self, routes: list[list[int]]) -> int:
        p, c = self.problem, self.c
        if not p.required_provinces and p.min_provinces == 0:
            return 0
        met = 0
        for g in range(c.n_groups):
            seen = {
                p.places[c.visits[k].place].province
                for r in routes[g * c.n_days : (g + 1) * c.n_days]
                for k in r
            }
            seen.discard(None)
            met += len(p.required_provinces & seen) + min(len(seen), p.min_provinces)
        return met

    def repair(self, choice: HubChoice, routes: list[list[int]]) -> list[list[int]]:
        """Drop visits until every day can be timed (the search and timing rarely disagree)."""
        c = self.c
        out = []
        for j, route in enumerate(routes):
            g, d = divmod(j, c.n_days)
            r = list(route)
            while r and c.time_day(choice, g, d, r) is None:
                best_k, best_loss = len(r) - 1, None
                for k in range(len(r)):
                    trial = r[:k] + r[k + 1 :]
                    if c.time_day(choice, g, d, trial) is not None:
                        loss = c.net_value(c.visits[r[k]].place)
                        if best_loss is None or loss < best_loss:
                            best_k, best_loss = k, loss
                r.pop(best_k)
            out.append(r)
        return out

    def consider(self, choice: HubChoice, routes: list[list[int]], phase: str) -> bool:
        """Time ``routes``, compare with the best; return whether it is at least as good."""
        c = self.c
        routes = self.repair(choice, routes)
        per_group = [routes[g * c.n_days : (g + 1) * c.n_days] for g in range(c.n_groups)]
        plans, objective = c.build_plans(choice, per_group)
        hard = _hard_violations(self.problem, plans, objective)
        if hard:
            log.debug("%s: candidate rejected: %s", phase, hard[:3])
            return False
        key = self.key(routes, objective)
        self.last = (key, routes)
        if self.best is not None and key < self.best.key:
            return False
        improved = self.best is None or key > self.best.key
        self.best = _Found(choice, routes, plans, objective, key)
        if improved and self.on_progress is not None:
            self.on_progress(
                Progress(time.perf_counter() - self.t0, objective.total, objective.prize, phase)
            )
        return True

    def run_model(
        self,
        choice: HubChoice,
        limit: float,
        initial: list[list[int]] | None,
        phase: str,
        overtime: float = 0.0,
    ) -> bool:
        limit = min(limit, self.left() + overtime)
        if limit <= 0.01:
            return False
        model = self.model(choice)
        result = model.solve(
            limit,
            initial_routes=initial,
            first_solution=self.params.first_solution,
            metaheuristic=self.params.metaheuristic,
            should_stop=self.should_stop if self.user_stop is not None else None,
            solution_limit=self.params.solutions_per_run,
        )
        if not result.found:
            log.debug("%s: no solution (%s)", phase, result.status)
            return False
        return self.consider(choice, result.routes, phase)

    # -- the search -------------------------------------------------------------------------

    def run(self) -> Solution:
        self.c = Compiled(self.problem)
        c = self.c
        # Evaluate as many hub sequences as a quarter of the time allows (about 20 ms each),
        # at least SolveParams.hub_candidates, at most 48.
        n_eval = self.params.hub_candidates
        if self.params.perturb and any(len(n) > 1 for n in self.problem.nights):
            n_eval = max(n_eval, min(48, int(0.25 * self.left() / 0.02)))
        candidates = [ch for ch in hub_candidates(c, n_eval) if self._terminals_ok(ch)]
        if not candidates:
            fallback = feasible_choice(c)
            if fallback is None:
                return self._infeasible()
            candidates = [fallback]
        self.use_ils = self.params.perturb
        self.ils_exact = ils_applicable(self.spec(candidates[0]))
        # 1. hub choice: a short run per candidate, each started from a plan that already
        #    holds the must-visits that fit (short runs from scratch may not find them)
        if len(candidates) > 1 or c.must:
            share = 0.25 * self.left() / len(candidates)
            tried: list[tuple[tuple[float, float, float], int, HubChoice, list[list[int]]]] = []
            for rank, ch in enumerate(candidates):
                if self.should_stop():
                    break
                seed = self.must_seed(ch)
                if seed is not None:
                    self.consider(ch, seed, "musts")
                self.last = None
                self.quick_run(ch, max(share, 0.02), seed, "hubs")
                if self.last is not None:
                    tried.append((self.last[0], -rank, ch, self.last[1]))
            # second look: the three best-scoring hub choices each continue a little longer
            # (a 20 ms run ranks hub choices only roughly)
            if len(tried) > 1 and self.use_ils:
                tried.sort(key=lambda t: (t[0], t[1]), reverse=True)
                second = 0.1 * self.left() / 3
                for _, _, ch, routes in tried[:3]:
                    if self.should_stop():
                        break
                    self.quick_run(ch, second, routes, "hubs-2")
        if self.best is None:
            self.quick_run(candidates[0], 0.3 * self.left(), None, "first")
        if self.best is None:
            # Nothing found; the empty plan on the first hub choice is still valid.
            self.consider(candidates[0], [[] for _ in range(c.n_groups * c.n_days)], "empty")
        if self.best is None:
            return self._infeasible()
        if not self.params.perturb:
            # the textbook model: one OR-Tools run (first solution + metaheuristic)
            self.run_model(self.best.choice, self.left(), self.best.routes, "main")
            self._enforce_provinces()
            return self._finish()
        # 2. main OR-Tools run, then requirements the objective does not see
        if not self.should_stop():
            frac = 0.4 if not self.use_ils else 0.1 if self.ils_exact else 0.25
            self.run_model(self.best.choice, frac * self.left(), self.best.routes, "main")
        self._enforce_provinces()
        # 3. perturbation loop, leaving time for the final polish
        polish = 0.0 if self.ils_exact else min(0.1 * self.params.time_limit_s, 1.0)
        self.deadline -= polish
        self._perturbation_loop()
        self.deadline += polish
        # 4. insert every place that still fits (prizes dominate driving in this model)
        self._polish_dominant()
        return self._finish()

    def _polish_dominant(self) -> None:
        if self.use_ils and self.ils_exact:
            return
        self.polish_dominant(self.left())

    def polish_dominant(self, limit: float) -> None:
        """Greedy descent in the model where every prize outweighs its detour: shortens the
        routes and inserts whatever then fits, never trading a prize for driving."""
        if self.should_stop() or self.left() <= 0.01:
            return
        assert self.best is not None
        key = (self.best.choice, id(self.c))
        if self.dominant_key != key:
            dominant = Compiled(self.problem, self.c.extra_penalty, scale_mode="dominant")
            self.dominant_model = RoutingModel(dominant.spec(self.best.choice))
            self.dominant_key = key
        assert self.dominant_model is not None
        result = self.dominant_model.solve(
            min(limit, self.left()),
            initial_routes=self.best.routes,
            lns_only=True,
            should_stop=self.should_stop if self.user_stop is not None else None,
            solution_limit=self.params.solutions_per_run,
        )
        if result.found:
            self.consider(self.best.choice, result.routes, "polish-dominant")

    def spec(self, choice: HubChoice) -> ModelSpec:
        if choice in self.models:
            return self.models[choice].spec
        sp = self.specs.get(choice)
        if sp is None:
            if len(self.specs) >= 8:
                self.specs.pop(next(iter(self.specs)))
            sp = self.c.spec(choice)
            self.specs[choice] = sp
        return sp

    def quick_run(
        self, choice: HubChoice, limit: float, initial: list[list[int]] | None, phase: str
    ) -> bool:
        """A short run: the ILS when it models every constraint, else OR-Tools."""
        if not self.use_ils:
            return self.run_model(choice, limit, initial, phase)
        limit = min(limit, self.left())
        if limit <= 0.005:
            return False
        ils = ILS(self.spec(choice), self.rng)
        routes, _ = ils.run(
            time.perf_counter() + limit,
            initial=initial,
            should_stop=self.should_stop if self.user_stop is not None else None,
            max_no_improve=self.params.max_rounds * 10 if self.params.max_rounds else 10**9,
        )
        return self.consider(choice, routes, phase)

    def must_seed(self, choice: HubChoice) -> list[list[int]] | None:
        """Routes holding the must-visits that fit under ``choice``, longest visits placed
        first, each at its cheapest feasible day and position (``None``: no must-visit)."""
        c, p = self.c, self.problem
        musts = [k for k, v in enumerate(c.visits) if v.place in c.must]
        if not musts:
            return None
        musts.sort(key=lambda k: (-p.places[c.visits[k].place].visit_min, k))
        routes: list[list[int]] = [[] for _ in range(c.n_groups * c.n_days)]
        placed: set[int] = set()
        for k in musts:
            v = c.visits[k]
            if v.place in placed and v.group == -1:
                continue
            groups = range(c.n_groups) if v.group == -1 else [v.group]
            best: tuple[int, int, int] | None = None
            best_span = None
            for g in groups:
                for d in c.open_days[v.place]:
                    route = routes[g * c.n_days + d]
                    for pos in range(len(route) + 1):
                        trial = [*route[:pos], k, *route[pos:]]
                        timing = c.time_day(choice, g, d, trial)
                        if timing is None:
                            continue
                        span = timing.return_min - timing.depart_min
                        if best_span is None or span < best_span:
                            best, best_span = (g, d, pos), span
            if best is not None:
                g, d, pos = best
                routes[g * c.n_days + d].insert(pos, k)
                placed.add(v.place)
        return routes

    def _terminals_ok(self, choice: HubChoice) -> bool:
        """Whether the empty plan under ``choice`` is valid: every day can be travelled within
        its hours and the driving cap, and each group's lodging and travel fit its budget."""
        c, p = self.c, self.problem
        for g in range(c.n_groups):
            hubs = c.hubs(choice, g)
            starts, ends = p.day_starts(hubs), p.day_ends(hubs)
            money = float(c.lodging(choice, g))
            for d in range(c.n_days):
                if not c.day_ok(d, starts[d], ends[d]):
                    return False
                km = c.km[d][starts[d], ends[d]]
                money += 0.0 if np.isnan(km) else float(km) * p.cost_per_km
            if p.budget is not None and money > p.budget:
                return False
        return True

    def _perturbation_loop(self) -> None:
        """Alternate ILS (or ruin-and-recreate) and OR-Tools runs from the best plan; every
        other round, try the other hubs of one night."""
        c = self.c
        can_move_hubs = any(len(n) > 1 for n in self.problem.nights)
        total = self.params.time_limit_s
        chunk = min(max(0.15 * total, 0.2), 2.0)
        # an exact ILS with no hub to move has nothing to alternate with: it runs long (from
        # the best plan at each chunk) and without OR-Tools polish, which found next to
        # nothing there; after hub moves (OPHS) the polish still pays
        ils_only = self.use_ils and self.ils_exact and not can_move_hubs
        if ils_only:
            chunk = 5.0
        rounds = 0
        while self.left() > 0.02 and not self.should_stop():
            if self.params.max_rounds is not None and rounds >= self.params.max_rounds:
                break
            rounds += 1
            assert self.best is not None
            choice = self.best.choice
            if can_move_hubs and rounds % 2 == 1:
                if self.use_ils:
                    self._hub_neighbourhood(choice, chunk)
                    continue
                new_choice = neighbour_choices(c, choice, self.rng)
                if new_choice is not None and self._terminals_ok(new_choice):
                    initial = self.repair(new_choice, [list(r) for r in self.best.routes])
                    self.quick_run(new_choice, chunk / 2, initial, "hub-move")
                    continue
            if self.use_ils:
                self.quick_run(choice, chunk, [list(r) for r in self.best.routes], "ils")
                if not ils_only:
                    self.polish_dominant(chunk / 2)
            else:
                initial = self._ruin([list(r) for r in self.best.routes])
                self.run_model(choice, chunk, initial, "perturb")
        log.debug("perturbation loop: %d rounds", rounds)

    def _hub_neighbourhood(self, choice: HubChoice, chunk: float) -> None:
        """Try every other hub for one random (group, night), each with a short ILS run
        started from the current best routes."""
        c, p = self.c, self.problem
        options = [
            (g, n) for g in range(c.n_groups) for n in range(len(p.nights)) if len(p.nights[n]) > 1
        ]
        g, n = options[int(self.rng.integers(len(options)))]
        alternatives = [h for h in range(len(p.nights[n])) if h != choice[g][n]]
        each = max(0.02, chunk / max(1, len(alternatives)))
        assert self.best is not None
        base = [list(r) for r in self.best.routes]
        for h in alternatives:
            if self.left() <= 0.02 or self.should_stop():
                return
            seq = list(choice[g])
            seq[n] = h
            new_choice = tuple(tuple(seq) if k == g else choice[k] for k in range(c.n_groups))
            if not self._terminals_ok(new_choice):
                continue
            self.quick_run(new_choice, each, self.repair(new_choice, base), "hub-move")

    def _ruin(self, routes: list[list[int]]) -> list[list[int]]:
        c = self.c
        visited = [(j, k) for j, r in enumerate(routes) for k in r]
        if not visited:
            return routes
        mode = self.rng.integers(3)
        n_remove = int(self.rng.integers(1, max(2, int(0.3 * len(visited)) + 1)))
        remove: set[int] = set()
        if mode == 0:
            picks = self.rng.choice(len(visited), size=min(n_remove, len(visited)), replace=False)
            remove = {visited[int(i)][1] for i in picks}
        elif mode == 1:
            j, seed = visited[int(self.rng.integers(len(visited)))]
            d = j % c.n_days
            m = c.minutes[d]
            node = self.problem.places[c.visits[seed].place].node
            dist = [
                (int(m[node, self.problem.places[c.visits[k].place].node]) % (1 << 40), k)
                for _, k in visited
            ]
            dist.sort()
            remove = {k for _, k in dist[:n_remove]}
        else:
            nonempty = [j for j, r in enumerate(routes) if r]
            j = nonempty[int(self.rng.integers(len(nonempty)))]
            remove = set(routes[j])
        return [[k for k in r if k not in remove] for r in routes]

    def _enforce_provinces(self) -> None:
        """Make the best place of each missing province must-visit, and re-run warm."""
        p = self.problem
        if not p.required_provinces and p.min_provinces == 0:
            return
        forced: set[int] = set()
        for _ in range(3):
            assert self.best is not None
            missing = self._missing_provinces(self.best.plans)
            targets = set(self._province_targets(missing)) - forced if missing else set()
            if not targets or self.should_stop():
                return
            forced |= targets
            self.c = Compiled(
                p, extra_penalty={i: self.c.must_penalty / self.c.scale for i in forced}
            )
            self.models.clear()
            self.specs.clear()
            keep = self.best
            self.run_model(keep.choice, max(0.2, 0.3 * self.left()), keep.routes, "provinces", 0.2)

    def _missing_provinces(self, plans: tuple[GroupPlan, ...]) -> list[tuple[int, set[str]]]:
        p = self.problem
        out = []
        for g, plan in enumerate(plans):
            seen = {p.place(v.place_id).province for d in plan.days for v in d.visits}
            seen.discard(None)
            need = set(p.required_provinces) - seen
            if len(seen) < p.min_provinces and not need:
                need = {"*"}
            if need:
                out.append((g, need))
        return out

    def _province_targets(self, missing: list[tuple[int, set[str]]]) -> list[int]:
        c, p = self.c, self.problem
        visitable = {v.place for v in c.visits}
        targets = []
        for _g, need in missing:
            for prov in need:
                pool = [
                    i
                    for i in visitable
                    if (p.places[i].province == prov)
                    or (prov == "*" and p.places[i].province is not None)
                ]
                if prov == "*":
                    assert self.best is not None
                    seen = {
                        p.place(v.place_id).province
                        for plan in self.best.plans
                        for d in plan.days
                        for v in d.visits
                    }
                    pool = [i for i in pool if p.places[i].province not in seen]
                if pool:
                    targets.append(max(pool, key=lambda i: (p.places[i].prize, -i)))
        return targets

    def _infeasible(self) -> Solution:
        c, p = self.c, self.problem
        reasons = []
        for d in range(len(p.days)):
            ok = any(c.day_ok(d, s, e) for s in c.day_start_nodes(d) for e in c.day_end_nodes(d))
            if not ok:
                reasons.append(
                    # wording kept as before: tourplanner's CLI and its tests quote it
                    f"day {d}: no candidate start/end pair can be travelled within the day"
                )
        message = "; ".join(reasons) or (
            "no sequence of night hubs lets every day be travelled within its hours, the "
            "driving cap and the budget"
        )
        return Solution(
            status=Status.INFEASIBLE,
            plans=(),
            dropped=(),
            objective=Objective(),
            unmet=(message,),
            message=f"No feasible plan: {message}.",
            seconds=time.perf_counter() - self.t0,
        )

    def _finish(self) -> Solution:
        from solver.validate import validate

        c, p = Compiled(self.problem), self.problem
        self.c = c
        best = self.best
        assert best is not None
        money_left = {}
        for g, plan in enumerate(best.plans):
            spent = (
                c.lodging(best.choice, g)
                + sum(p.place(v.place_id).cost for d in plan.days for v in d.visits)
                + sum(d.km for d in plan.days) * p.cost_per_km
            )
            money_left[g] = (p.budget - spent) if p.budget is not None else float("inf")
        dropped = c.dropped(best.plans, money_left)
        unmet = []
        if p.shared_places:
            visited = {v.place_id for plan in best.plans for d in plan.days for v in d.visits}
            for pid in sorted(p.must_visit - visited):
                reason = next(x.reason.value for x in dropped if x.place_id == pid)
                unmet.append(f"must-visit place {pid!r} not visited ({reason})")
        else:
            for plan in best.plans:
                visited = {v.place_id for d in plan.days for v in d.visits}
                for pid in sorted(p.must_visit - visited):
                    reason = next(
                        x.reason.value
                        for x in dropped
                        if x.place_id == pid and x.group_id == plan.group_id
                    )
                    unmet.append(
                        f"must-visit place {pid!r} not visited by group {plan.group_id!r} "
                        f"({reason})"
                    )
        for g, need in self._missing_provinces(best.plans):
            gid = p.groups[g].id
            if need == {"*"}:
                unmet.append(f"group {gid!r} touches fewer than {p.min_provinces} provinces")
            else:
                unmet.append(f"group {gid!r} does not touch province(s) {sorted(need)}")
        status = Status.PARTIAL if unmet else Status.FEASIBLE
        solution = Solution(
            status=status,
            plans=best.plans,
            dropped=dropped,
            objective=best.objective,
            unmet=tuple(unmet),
            message="; ".join(unmet) if unmet else "all requirements met",
            seconds=time.perf_counter() - self.t0,
        )
        violations = validate(p, solution)
        if violations:
            log.error("solver produced an invalid plan (bug): %s", violations)
            return Solution(
                status=Status.INVALID,
                plans=solution.plans,
                dropped=solution.dropped,
                objective=solution.objective,
                unmet=solution.unmet,
                message="internal error: the plan failed validation: "
                + "; ".join(v.message for v in violations[:5]),
                seconds=solution.seconds,
            )
        return solution
