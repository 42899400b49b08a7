"""Large neighbourhood search for the application model: ``solve_app(problem, params)``.

Everything :class:`~solver.problem.Problem` can say is modelled exactly: lunch breaks (in a
leg, at a place, inside a long visit, on board), several windows per day, per-day and per-mode
travel with timetabled crossings, hub deadlines (cruise boarding and disembarking), drive and
stop caps, the budget, quotas shared by groups, must-visits, ``must_any`` sets, required and
minimum provinces, families, and the concave value of :class:`~solver.problem.VarietyRule`.

The plan is a hub choice per group and night plus one route per group-day; every route is
evaluated under every transport mode and uses its best (:meth:`AppModel.route_eval`). The
search starts with greedy constructions from the hub choices :mod:`solver.lns_hubs` ranks
(a big trip first from a narrow beam, for an early plan; a later portfolio worker from the
rankings of every mode, in another order). Moves:

* **Insert** (the repair): the feasible (route, gap, candidate) of largest gain, found for all
  gaps and candidates of a route at once by :meth:`DayModel.insertion` (exact: O(1) per pair
  after a forward and a backward pass of the route), with a little noise; the gain is the
  exact change of the objective (prize, the day's and the trip's variety, driving, money with
  the mode's day minimum), plus requirement bonuses (a must-visit, a missing province, an
  unmet ``must_any`` set).
* **Destroy**: random visits, the worst visits (least value per minute), related visits
  (close to a seed place), a whole route, repeated kinds of one day, a hub move (another
  hub for one group's night, dropping what no longer fits its two days), or, for groups that
  share the places, two groups exchanging the rest of their trips from one night on
  (:meth:`Search.exchange_tails`).
* **Improve**: or-opt inside each changed route (move one visit where the route ends
  earliest, when the value does not drop).
* **Accept**: simulated annealing on ``objective + requirement weight * requirements met``
  (requirements first, then value), cooling to the deadline; back to the best plan after 150
  iterations or 12 % of the limit without improvement, with one group's night moved to the
  best other hub of that night (:meth:`Search.scan_night`: each hub tried with its two days
  refilled; every night once, in a shuffled round, before any twice).

Groups that are copies of one another (no shared places, the same allowed places, no quota
smaller than the number of groups) are planned as one: the whole time limit goes to one
group's search and its plan is given to each (:func:`interchangeable`).

Deterministic for a seed when ``SolveParams.max_rounds`` bounds the work instead of the clock.
"""

from __future__ import annotations

import dataclasses
import itertools
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from solver.appmodel import AppModel
from solver.appmodel import HubChoice
from solver.appmodel import RouteEval
from solver.daymodel import INF
from solver.params import SolveParams
from solver.problem import Problem
from solver.solution import DayRoute
from solver.solution import Dropped
from solver.solution import DropReason
from solver.solution import GroupPlan
from solver.solution import Objective
from solver.solution import Progress
from solver.solution import Solution
from solver.solution import Status
from solver.solution import Visit

log = logging.getLogger(__name__)

#: entries of the fitted-day memo before it starts afresh (a few MB)
FITTED_MEMO = 50_000
#: relative noise on insertion gains (diversification)
NOISE = 0.08
#: share of the plan's visits a destroy removes at most
DESTROY_MAX = 0.35
#: go back to the best plan after this many iterations without a new best
RESET_AFTER = 150
#: ... or after this share of the time limit without one (an 8-day trip makes ~40 iterations
#: a second: 150 of them are half its limit)
RESET_SHARE = 0.12
#: start temperature of the acceptance, as a share of the mean prize of a planned visit
TEMP_START = 0.3
#: insertion criteria of the repair: exponents of the minutes added (0: by gain alone)
RATIOS = (0.0, 0.5, 1.0)
#: constructions from further hub choices go on while they have used less than this share of
#: the time left
CONSTRUCT_SHARE = 0.25
#: the search stops early when the best plan has not improved for this share of the time
#: searched so far, and at least this many seconds (it has converged; the rest would be idle)
STALL_SHARE = 1.0
STALL_MIN_S = 3.0
#: share of the time limit kept for the final polish (every order of the days), when the
#: trip has 2 to 4 days and a choice of nights
POLISH_SHARE = 0.12
#: share of the destroy operators that reorder a group's days (when nights have a choice)
DAY_ORDER_SHARE = 0.1
#: share of the destroy operators that move a night (when nights have a choice)
HUB_MOVE_SHARE = 0.3
#: share of hub moves that take one of the best-fitting hubs for the current routes, and how
#: many of the best they choose among
FIT_MOVE_SHARE = 0.5
FIT_MOVE_TOP = 3
#: share of those moves that also re-fit a neighbouring night
PAIR_MOVE_SHARE = 0.4
#: the construction's criterion
CONSTRUCT_RATIO = 0.5
#: share of LNS iterations (groups sharing places) that exchange two groups' trip tails
TAIL_SHARE = 0.1
#: a trip of this many group-days or more gets a first plan from a ranking of this beam
#: width before the full rankings
QUICK_FROM = 12
QUICK_BEAM = 2


@dataclass(slots=True)
class _Row:
    """Best insertion of each candidate of one route: gain, gap, mode, extra minutes."""

    cands: np.ndarray  # candidate indices
    gain: np.ndarray
    gap: np.ndarray
    mode: np.ndarray
    shift: np.ndarray
    dmoney: np.ndarray


#: one group's terms for every candidate in :meth:`Search.insert`: the adjustment, the mask,
#: the open named requirements (:meth:`Search._group_terms`) and the budget room, VND
_Terms = tuple[np.ndarray, np.ndarray, np.ndarray, float]


class Plan:
    """A plan under construction: hub choice, routes and their evaluations."""

    def __init__(self, model: AppModel, choice: HubChoice) -> None:
        self.m = model
        self.choice = choice
        nd = model.n_days
        self.routes: list[RouteEval] = []
        for g in range(model.n_groups):
            for d in range(nd):
                self.routes.append(model.route_eval(model.day_terminals(choice, g, d), d, []))
        self.rows: list[_Row | None] = [None] * len(self.routes)
        self.in_plan = np.zeros(len(model.candidates), dtype=bool)

    def copy(self) -> Plan:
        """A copy sharing nothing mutable with this plan."""
        other = Plan.__new__(Plan)
        other.m = self.m
        other.choice = self.choice
        other.routes = list(self.routes)
        other.rows = list(self.rows)
        other.in_plan = self.in_plan.copy()
        return other

    def changed_since(self, other: Plan) -> list[int]:
        """The routes (indices) this plan, a copy of ``other``, has changed since."""
        return [r for r, route in enumerate(self.routes) if route is not other.routes[r]]

    # -- aggregates -------------------------------------------------------------------------

    def group_routes(self, g: int) -> list[RouteEval]:
        nd = self.m.n_days
        return self.routes[g * nd : (g + 1) * nd]

    def places_of(self, g: int) -> list[int]:
        """Place indices visited by group ``g``."""
        cands = self.m.candidates
        return [cands[k].place for r in self.group_routes(g) for k in r.visits]

    def trip_kinds(self, g: int) -> dict[int, int]:
        out: dict[int, int] = {}
        for r in self.group_routes(g):
            for k, n in r.kinds.items():
                out[k] = out.get(k, 0) + n
        return out

    def group_terms(self, g: int) -> float:
        """Group-level objective terms: nights (value, lodging) and the trip's variety."""
        m, p = self.m, self.m.problem
        hubs = m.hubs(self.choice, g)
        value = sum(h.prize for h in _distinct_hubs(hubs))
        value -= p.money_weight * sum(h.lodging_cost for h in hubs)
        for k, n in self.trip_kinds(g).items():
            value -= m.rules[k].trip_extra(n)
        return value

    def group_money(self, g: int) -> float:
        hubs = self.m.hubs(self.choice, g)
        total = float(sum(h.lodging_cost for h in hubs))
        for r in self.group_routes(g):
            total += r.tickets + (r.modes[r.mode].money if r.ok else 0.0)
        return total

    def objective(self) -> float:
        """The exact objective total (valid plans only)."""
        total = sum(r.value for r in self.routes)
        return total + sum(self.group_terms(g) for g in range(self.m.n_groups))

    def requirements(self) -> int:
        """How many requirements the plan meets (must-visits, must_any sets, provinces)."""
        m, p = self.m, self.m.problem
        met = 0
        groups = range(m.n_groups)
        if p.shared_places:
            visited = {i for g in groups for i in self.places_of(g)}
            met += len(m.must & visited)
            nights = {h.id for g in groups for h in m.hubs(self.choice, g)}
            met += sum(1 for s, hs in zip(m.any_places, m.any_hubs, strict=True)
                       if s & visited or hs & nights)  # fmt: skip
        for g in groups:
            visited_g = set(self.places_of(g))
            if not p.shared_places:
                met += len(m.must & visited_g)
                nights = {h.id for h in m.hubs(self.choice, g)}
                met += sum(1 for s, hs in zip(m.any_places, m.any_hubs, strict=True)
                           if s & visited_g or hs & nights)  # fmt: skip
            seen = {int(m.province[i]) for i in visited_g} - {-1}
            met += len(m.required & seen) + min(len(seen), p.min_provinces)
        return met

    def feasible_budget(self) -> bool:
        p = self.m.problem
        if p.budget is None:
            return True
        return all(self.group_money(g) <= p.budget + 1e-6 for g in range(self.m.n_groups))

    def score(self) -> float:
        return self.objective() + self.m.req_weight * self.requirements()

    # -- route changes ----------------------------------------------------------------------

    def set_route(self, r: int, visits: list[int]) -> RouteEval:
        m = self.m
        g, d = divmod(r, m.n_days)
        old = self.routes[r]
        for k in old.visits:
            self.in_plan[k] = False
        ev = m.route_eval(m.day_terminals(self.choice, g, d), d, visits)
        self.routes[r] = ev
        for k in visits:
            self.in_plan[k] = True
        self.rows[r] = None
        return ev

    def set_choice(self, choice: HubChoice, groups: set[int]) -> None:
        """Change the hub choice and re-evaluate the changed groups' routes (may leave some
        infeasible: :meth:`Search.fix` repairs them)."""
        self.choice = choice
        nd = self.m.n_days
        for g in groups:
            for d in range(nd):
                r = g * nd + d
                self.set_route(r, list(self.routes[r].visits))


def _distinct_hubs(hubs: list) -> list:
    """Each hub once per trip, at its first night: the value of a night (a cruise on its bay)
    is the experience, which two nights aboard or a second cruise on that bay do not repeat."""
    return list({h.id: h for h in reversed(hubs)}.values())[::-1]


class Search:
    """One LNS run (see the module docstring)."""

    def __init__(
        self,
        problem: Problem,
        params: SolveParams,
        on_progress: Callable | None,
        should_stop: Callable[[], bool] | None,
        t0: float,
    ) -> None:
        self.p = problem
        self.params = params
        self.on_progress = on_progress
        self.user_stop = should_stop
        self.t0 = t0
        self.deadline = t0 + params.time_limit_s * 0.95 - 0.03
        self.rng = np.random.default_rng(params.seed)
        #: :meth:`_fitted_value` by (day, terminals, visits, modes): hub moves and day
        #: reorders fit the same days to the same hubs again and again
        self._fitted: dict[tuple, float | None] = {}
        #: (group, night) pairs :meth:`scan_night` has still to scan in this round
        self._scans: list[tuple[int, int]] = []
        #: the hub rankings' day estimates, from one ranking to the next (:mod:`lns_hubs`)
        self._estimates: dict = {}
        self.m = AppModel(problem)
        m = self.m
        nd = m.n_days
        # candidates of each route: allowed for the group, open that day
        self.route_cands: list[np.ndarray] = []
        for g in range(m.n_groups):
            for d in range(nd):
                ks = [
                    k
                    for k, c in enumerate(m.candidates)
                    if (c.group in (-1, g)) and d in m.open_days[c.place] and self._allowed(c, g)
                ]
                self.route_cands.append(np.asarray(ks, dtype=np.int64))
        self.best: Plan | None = None
        self.best_score = -math.inf
        self.iterations = 0
        self.stopped = False

    def _allowed(self, c, g: int) -> bool:
        allowed = self.p.groups[g].allowed_places
        return allowed is None or self.p.places[c.place].id in allowed

    # -- control ----------------------------------------------------------------------------

    def left(self) -> float:
        return self.deadline - time.perf_counter()

    def should_stop(self) -> bool:
        if self.stopped:
            return True
        if self.user_stop is not None and self.user_stop():
            self.stopped = True
        return self.stopped

    def offer(self, plan: Plan, phase: str) -> bool:
        """Keep ``plan`` if it beats the best (valid plans only); report progress."""
        if not plan.feasible_budget() or not all(r.ok for r in plan.routes):
            return False
        s = plan.score()
        if s <= self.best_score + 1e-9:
            return False
        self.best, self.best_score = plan.copy(), s
        if self.on_progress is not None:
            obj = plan.objective()
            prize = sum(r.prize for r in plan.routes)
            self.on_progress(Progress(time.perf_counter() - self.t0, obj, prize, phase))
        return True

    # -- insertion --------------------------------------------------------------------------

    def _row(self, plan: Plan, r: int) -> _Row:
        row = plan.rows[r]
        if row is not None:
            return row
        m, p = self.m, self.p
        g, d = divmod(r, m.n_days)
        route = plan.routes[r]
        cands = self.route_cands[r]
        cands = cands[~plan.in_plan[cands]]
        n = len(cands)
        gain = np.full(n, -np.inf)
        gap = np.zeros(n, dtype=np.int64)
        mode = np.zeros(n, dtype=np.int64)
        shift = np.full(n, INF, dtype=np.int64)
        dmoney = np.zeros(n)
        if n and route.ok and (p.max_stops_per_day is None
                               or len(route.visits) < p.max_stops_per_day):  # fmt: skip
            places = m.cand_place[cands]
            nodes = m.node[places]
            ends = m.day_terminals(plan.choice, g, d)
            seq = [
                ends.start,
                *(int(m.node[m.candidates[k].place]) for k in route.visits),
                ends.end,
            ]
            xs = np.asarray(seq[:-1], dtype=np.int64)[:, None]
            zs = np.asarray(seq[1:], dtype=np.int64)[:, None]
            kinds = m.kind[places]
            # day variety delta and kind caps (route-local)
            dvar = np.zeros(n)
            kind_ok = np.ones(n, dtype=bool)
            for k in np.unique(kinds[kinds >= 0]):
                rule = m.rules[int(k)]
                cnt = route.kinds.get(int(k), 0)
                sel = kinds == k
                dvar[sel] = rule.day_penalty(cnt + 1) - rule.day_penalty(cnt)
                if rule.day_cap is not None and cnt + 1 > rule.day_cap:
                    kind_ok[sel] = False
            base = m.prize[places] - dvar - p.money_weight * m.cost[places]
            for mi, ev in enumerate(route.modes):
                if ev is None or not ev.ok:
                    continue
                timing = m.backward(ends, d, route, mi)
                feasible, sh = m.days[d].insertion(m.lookups[d][mi], seq, timing, places, nodes)
                tmin = m.lookups[d][mi].tmin
                drive_delta = tmin[xs, nodes[None, :]] + tmin[nodes[:, None], zs.T].T - tmin[xs, zs]
                if p.max_drive_min_per_day is not None:
                    feasible &= drive_delta + ev.drive <= p.max_drive_min_per_day
                money = m.money[d][mi]
                leg = money[xs, nodes[None, :]] + money[nodes[:, None], zs.T].T - money[xs, zs]
                daymin = float(m.modes[mi].day_minimum)
                new_money = np.maximum(ev.leg_money + leg, daymin)
                value = base[None, :] - p.travel_weight * drive_delta - p.money_weight * new_money
                # the route's value under mode mi with the candidate, minus its value now
                delta = (ev.value + value + p.money_weight * ev.money) - route.value
                delta = np.where(feasible & kind_ok[None, :], delta, -np.inf)
                best_gap = np.argmax(delta, axis=0)
                best = delta[best_gap, np.arange(n)]
                better = best > gain
                gain = np.where(better, best, gain)
                gap = np.where(better, best_gap, gap)
                mode = np.where(better, mi, mode)
                shift = np.where(better, sh[best_gap, np.arange(n)], shift)
                dmoney = np.where(
                    better,
                    new_money[best_gap, np.arange(n)] - (route.modes[route.mode].money
                                                         if route.ok else 0.0)
                    + m.cost[places],
                    dmoney,
                )  # fmt: skip
        row = _Row(cands, gain, gap, mode, shift, dmoney)
        plan.rows[r] = row
        return row

    def _group_terms(self, plan: Plan, g: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Group-level adjustment (trip variety, requirement bonuses), mask (families, places
        already in the plan) and the named requirements still open (a must-visit, a member of
        an unmet must_any set) for every candidate, for group ``g``'s routes."""
        m, p = self.m, self.p
        places = m.cand_place
        adj = np.zeros(len(places))
        named = np.zeros(len(places), dtype=bool)
        ok = ~plan.in_plan
        visited = plan.places_of(g)
        kinds = m.kind[places]
        trip = plan.trip_kinds(g)
        for k, rule in enumerate(m.rules):
            if rule.trip_free is None or not rule.trip_penalty:
                continue
            cnt = trip.get(k, 0)
            adj[kinds == k] -= rule.trip_extra(cnt + 1) - rule.trip_extra(cnt)
        # families: at most one member per group (night hubs count)
        used = {int(m.family[i]) for i in visited} - {-1}
        for h in m.hubs(plan.choice, g):
            if h.family is not None:
                used.add(m.family_index[h.family])
        if used:
            fam = m.family[places]
            for f in used:
                ok &= fam != f
        # requirements
        w = m.req_weight
        vis = set(visited)
        if m.must:
            adj += np.where(m.must_mask[places], w, 0.0)
            named |= m.must_mask[places]
        nights = {h.id for h in m.hubs(plan.choice, g)}
        for s, hs, mask in zip(m.any_places, m.any_hubs, m.any_masks, strict=True):
            if not (s & vis) and not (hs & nights):
                adj += np.where(mask[places], w, 0.0)
                named |= mask[places]
        if m.required or p.min_provinces:
            seen = {int(m.province[i]) for i in vis} - {-1}
            prov = m.province[places]
            for x in m.required - seen:
                adj += np.where(prov == x, w, 0.0)
            if len(seen) < p.min_provinces:
                new = prov >= 0
                for x in seen:
                    new &= prov != x
                adj += np.where(new, w, 0.0)
        return adj, ok, named

    def _quota_ok(self, plan: Plan, g: int, d: int, place: int) -> bool:
        m = self.m
        key = m.quota_of.get(place)
        if key is None:
            return True
        cap = m.caps.get((key, d))
        if cap is None:
            return True
        users = set()
        for gg in range(m.n_groups):
            r = plan.routes[gg * m.n_days + d]
            if any(m.quota_of.get(m.candidates[k].place) == key for k in r.visits):
                users.add(gg)
        return g in users or len(users) < cap

    def insert(
        self, plan: Plan, noise: float, routes: list[int] | None = None, ratio: float = 0.0
    ) -> None:
        """Greedy insertion of the best feasible candidate until nothing adds value.

        Candidates are ranked by ``gain / (minutes added) ** ratio``: 0 ranks by gain, 1 by
        gain per minute (packs more into a day), in between mixes the two."""
        m, p = self.m, self.p
        nd = m.n_days
        targets = list(range(len(plan.routes))) if routes is None else routes
        banned: set[tuple[int, int]] = set()
        # each route's ranked candidates stay valid until the route or its group changes
        # (one insertion changes one route and one group's terms); a candidate another route
        # took meanwhile is skipped at selection (in_plan); the noise is drawn per ranking
        terms: dict[int, _Terms] = {}
        ranked: dict[int, tuple[_Row, _Terms, np.ndarray, np.ndarray, np.ndarray]] = {}
        while not self.should_stop():
            best = None
            best_score = 0.0
            # requirement candidates (a must-visit, a missing province, an unmet must_any
            # set) go first, the most constrained one (fewest feasible routes) first
            needed: dict[int, list[tuple[float, int, int]]] = {}
            for r in targets:
                g, d = divmod(r, nd)
                row = self._row(plan, r)
                if not len(row.cands):
                    continue
                if g not in terms:
                    room = p.budget - plan.group_money(g) if p.budget is not None else 0.0
                    terms[g] = (*self._group_terms(plan, g), room)
                cached = ranked.get(r)
                if cached is None or cached[0] is not row or cached[1] is not terms[g]:
                    cached = ranked[r] = (
                        row,
                        terms[g],
                        *self._rank_row(row, terms[g], noise, ratio),
                    )
                _, _, score, order, named_js = cached
                for j in named_js:
                    k = int(row.cands[j])
                    if (
                        not plan.in_plan[k]
                        and (r, k) not in banned
                        and self._quota_ok(plan, g, d, m.candidates[k].place)
                    ):
                        needed.setdefault(k, []).append((float(score[j]), r, int(j)))
                if needed:
                    continue  # requirements first: plain candidates wait
                tried = 0
                for j in order:
                    s = float(score[j])
                    if not s > best_score:
                        break
                    k = int(row.cands[j])
                    if plan.in_plan[k]:
                        continue
                    tried += 1
                    if tried > 4:
                        break
                    if (r, k) in banned:
                        continue
                    if not self._quota_ok(plan, g, d, m.candidates[k].place):
                        continue
                    best, best_score = (r, j, k), s
                    break
            if needed:
                k, options = min(needed.items(), key=lambda kv: (len(kv[1]), -max(kv[1])[0], kv[0]))
                _, r, j = max(options)
                best = (r, j, k)
            if best is None:
                return
            r, j, k = best
            row = plan.rows[r]
            assert row is not None
            visits = list(plan.routes[r].visits)
            visits.insert(int(row.gap[j]), k)
            old = plan.routes[r]
            ev = plan.set_route(r, visits)
            g = r // nd
            if not ev.ok or (p.budget is not None and plan.group_money(g) > p.budget + 1e-6):
                # the vectorised check and the exact evaluation disagree (never expected) or
                # the budget of the best mode is exceeded: undo and ban this insertion
                plan.set_route(r, list(old.visits))
                banned.add((r, k))
            # other routes keep their rows: the candidate now in the plan is masked at
            # selection (in_plan), and their own insertions did not change; the group's
            # terms (variety, families, requirements, budget room) are computed afresh
            terms.pop(g, None)

    def _rank_row(
        self,
        row: _Row,
        group_terms: _Terms,
        noise: float,
        ratio: float,
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """A route's candidates scored for :meth:`insert`: ``(score, order best first, indices
        of the open named requirements)``; infeasible ones score ``-inf``."""
        adj_all, ok_all, named_all, room = group_terms
        adj, ok, named = adj_all[row.cands], ok_all[row.cands], named_all[row.cands]
        score = row.gain + adj
        if ratio > 0:
            minutes = np.maximum(np.minimum(row.shift, 10**6), 1).astype(np.float64)
            score = np.where(score > 0, score / minutes**ratio, score)
        if noise > 0:
            score = score * self.rng.uniform(1 - noise, 1 + noise, len(score))
        score = np.where(ok & np.isfinite(row.gain), score, -np.inf)
        if self.p.budget is not None:
            score = np.where(row.dmoney <= room + 1e-6, score, -np.inf)
        return score, np.argsort(-score), np.nonzero(named & np.isfinite(score))[0]

    # -- destroy ----------------------------------------------------------------------------

    def _visited(self, plan: Plan) -> list[tuple[int, int]]:
        return [(r, k) for r, route in enumerate(plan.routes) for k in route.visits]

    def _remove(self, plan: Plan, remove: set[tuple[int, int]]) -> None:
        by_route: dict[int, set[int]] = {}
        for r, k in remove:
            by_route.setdefault(r, set()).add(k)
        for r, ks in by_route.items():
            plan.set_route(r, [k for k in plan.routes[r].visits if k not in ks])

    def destroy(self, plan: Plan) -> str:
        """Remove part of the plan (one of several operators); return the operator's name."""
        m, rng = self.m, self.rng
        visited = self._visited(plan)
        keep_musts = rng.random() < 0.9
        if keep_musts:
            visited = [(r, k) for r, k in visited if m.candidates[k].place not in m.must]
        can_move = any(len(n) > 1 for n in self.p.nights)
        if can_move and rng.random() < 0.3 and self.unmet(plan):
            return self.serve_requirement(plan)
        if can_move and m.n_days > 1 and rng.random() < DAY_ORDER_SHARE:
            return self.reorder_days(plan)
        if self.p.shared_places and m.n_groups > 1 and rng.random() < TAIL_SHARE:
            return self.exchange_tails(plan)
        op = 5 if can_move and rng.random() < HUB_MOVE_SHARE else int(rng.integers(5))
        if not visited and op != 5:
            return "none"
        n_max = max(1, int(DESTROY_MAX * len(visited)))
        q = int(rng.integers(1, n_max + 1)) if visited else 0
        if op == 0:  # random
            picks = rng.choice(len(visited), size=min(q, len(visited)), replace=False)
            self._remove(plan, {visited[int(i)] for i in picks})
            return "random"
        if op == 1:  # worst: least value per minute
            scores = []
            for _r, k in visited:
                i = m.candidates[k].place
                minutes = max(1, self.p.places[i].visit_min)
                scores.append(m.net_value(i) / minutes * rng.uniform(0.7, 1.3))
            order = np.argsort(scores)[:q]
            self._remove(plan, {visited[int(i)] for i in order})
            return "worst"
        if op == 2:  # related: near a seed place
            r0, k0 = visited[int(rng.integers(len(visited)))]
            d0 = r0 % m.n_days
            tmin = m.lookups[d0][0].tmin
            seed_node = m.node[m.candidates[k0].place]
            dist = [int(tmin[seed_node, m.node[m.candidates[k].place]]) for _, k in visited]
            order = np.argsort(dist)[:q]
            self._remove(plan, {visited[int(i)] for i in order})
            return "related"
        if op == 3:  # a whole route
            routes = sorted({r for r, _ in visited})
            r0 = routes[int(rng.integers(len(routes)))]
            self._remove(plan, {(r, k) for r, k in visited if r == r0})
            return "route"
        if op == 4:  # repeated kinds of one day, else random
            groups = [(r, k) for r, k in visited if m.kind[m.candidates[k].place] >= 0]
            if groups:
                r0, k0 = groups[int(rng.integers(len(groups)))]
                kind = m.kind[m.candidates[k0].place]
                same = [
                    (r, k) for r, k in groups if r == r0 and m.kind[m.candidates[k].place] == kind
                ]
                self._remove(plan, set(same[: max(1, len(same) - 1)] if len(same) > 1 else same))
                return "kinds"
            picks = rng.choice(len(visited), size=min(q, len(visited)), replace=False)
            self._remove(plan, {visited[int(i)] for i in picks})
            return "random"
        return self.hub_move(plan)

    def hub_move(self, plan: Plan) -> str:
        """Another hub for one (group, night); drop visits that no longer fit. Half the moves
        take one of the best hubs for the current routes (:meth:`_fitting_hubs`), the others
        a random one."""
        m, p, rng = self.m, self.p, self.rng
        options = [(g, n) for g in range(m.n_groups) for n in range(len(p.nights))
                   if len(p.nights[n]) > 1]  # fmt: skip
        if not options:
            return "none"
        g, n = options[int(rng.integers(len(options)))]
        if rng.random() < FIT_MOVE_SHARE:
            current = plan.choice[g][n]
            ranked = [h for _, h in self._fitting_hubs(plan, g, n) if h != current]
            if ranked:
                h = ranked[int(rng.integers(min(FIT_MOVE_TOP, len(ranked))))]
                self._set_hub(plan, g, n, h)
                # often the neighbouring night has to follow (a new base moves the next day)
                near = [x for x in (n - 1, n + 1) if 0 <= x < len(p.nights)]
                if near and rng.random() < PAIR_MOVE_SHARE:
                    n2 = near[int(rng.integers(len(near)))]
                    best = self._fitting_hubs(plan, g, n2)
                    if best and best[0][1] != plan.choice[g][n2]:
                        self._set_hub(plan, g, n2, best[0][1])
                self.fix(plan, g)
                return "hub-fit"
        current = plan.choice[g][n]
        alternatives = [h for h in range(len(p.nights[n])) if h != current]
        h = alternatives[int(rng.integers(len(alternatives)))]
        seq = list(plan.choice[g])
        seq[n] = h
        # sometimes extend a cruise / hotel to the neighbouring night too
        if (
            rng.random() < 0.2
            and n + 1 < len(seq)
            and p.nights[n + 1][h : h + 1]
            and p.nights[n + 1][h].id == p.nights[n][h].id
        ):
            seq[n + 1] = h
        choice = tuple(tuple(seq) if k == g else plan.choice[k] for k in range(m.n_groups))
        if not self.terminals_ok(choice, g):
            return "none"
        plan.set_choice(choice, {g})
        self.fix(plan, g)
        return "hub"

    def exchange_tails(self, plan: Plan) -> str:
        """Two groups swap the rest of their trips from one night on (its hubs and the days
        after it); the day before that night is re-fitted to its new hub. With shared places
        the groups keep the same places between them, recombined: one group's first days
        with the other's last, where a whole group's plan moves only one night at a time."""
        m, p, rng = self.m, self.p, self.rng
        nd = m.n_days
        if not p.nights:
            return "none"
        a, b = (int(x) for x in rng.choice(m.n_groups, size=2, replace=False))
        n = int(rng.integers(len(p.nights)))
        tails = {g: [list(plan.routes[g * nd + d].visits) for d in range(n + 1, nd)]
                 for g in (a, b)}  # fmt: skip
        for g, other in ((a, b), (b, a)):
            if not all(self._allowed(m.candidates[k], other) for day in tails[g] for k in day):
                return "none"
        seq_a = plan.choice[a][:n] + plan.choice[b][n:]
        seq_b = plan.choice[b][:n] + plan.choice[a][n:]
        choice = tuple(seq_a if g == a else seq_b if g == b else plan.choice[g]
                       for g in range(m.n_groups))  # fmt: skip
        if not (self.terminals_ok(choice, a) and self.terminals_ok(choice, b)):
            return "none"
        for g in (a, b):  # empty first: a place must never be in two routes at once
            for d in range(n + 1, nd):
                plan.set_route(g * nd + d, [])
        plan.set_choice(choice, {a, b})
        for g, other in ((a, b), (b, a)):
            for i, d in enumerate(range(n + 1, nd)):
                plan.set_route(g * nd + d, tails[other][i])
        self.fix(plan, a)
        self.fix(plan, b)
        return "tails"

    def reorder_days(self, plan: Plan, g: int | None = None,
                     order: list[int] | None = None) -> str:  # fmt: skip
        """Give one group's days their visits in another order (two days swapped, or all
        permuted on short trips) and re-fit every night to the new days: the same places,
        seen from other bases (Hạ Long before Yên Tử, or after)."""
        m, rng = self.m, self.rng
        nd = m.n_days
        if g is None:
            g = int(rng.integers(m.n_groups))
        days = [list(plan.routes[g * nd + d].visits) for d in range(nd)]
        if sum(1 for v in days if v) < 1:
            return "none"
        while order is None or order == list(range(nd)):
            if nd <= 4:
                order = [int(x) for x in rng.permutation(nd)]
            else:
                order = list(range(nd))
                a, b = (int(x) for x in rng.choice(nd, size=2, replace=False))
                order[a], order[b] = order[b], order[a]
        for d in range(nd):  # empty first: a place must never be in two routes at once
            plan.set_route(g * nd + d, [])
        for d in range(nd):
            plan.set_route(g * nd + d, days[order[d]])
        for n in range(len(self.p.nights)):
            if len(self.p.nights[n]) > 1:
                best = self._fitting_hubs(plan, g, n)
                if best and best[0][1] != plan.choice[g][n]:
                    self._set_hub(plan, g, n, best[0][1])
        self.fix(plan, g)
        return "days"

    def scan_night(self, plan: Plan) -> Plan | None:
        """The best plan with another hub for the next (group, night) of a shuffled round
        over all of them: each other hub of the night is tried with its two days refilled
        (their optional visits chosen afresh); ``None`` when no other hub fits."""
        m, p, rng = self.m, self.p, self.rng
        nd = m.n_days
        if not self._scans:
            # every (group, night) once, in a random order, before any twice: a trap may
            # sit at one night of seven, and random picks leave some unscanned for long
            options = [(g, n) for g in range(m.n_groups) for n in range(len(p.nights))
                       if len(p.nights[n]) > 1]  # fmt: skip
            self._scans = [options[int(i)] for i in rng.permutation(len(options))]
        if not self._scans:
            return None
        g, n = self._scans.pop()
        best, best_s = None, -math.inf
        for h in range(len(p.nights[n])):
            if h == plan.choice[g][n]:
                continue
            seq = list(plan.choice[g])
            seq[n] = h
            choice = tuple(tuple(seq) if k == g else plan.choice[k] for k in range(m.n_groups))
            if not self.terminals_ok(choice, g):
                continue
            trial = plan.copy()
            trial.set_choice(choice, {g})
            for r in (g * nd + n, g * nd + n + 1):
                trial.set_route(r, [k for k in trial.routes[r].visits if self._required(k)])
            self.fix(trial, g)
            self.insert(trial, 0.0, ratio=CONSTRUCT_RATIO)
            # the refilled days in their best order, and what that frees filled too: a hub
            # is judged by the days it allows, not by a first greedy fill
            self.reorder_and_refill(trial, [g * nd + n, g * nd + n + 1], CONSTRUCT_RATIO)
            if not all(rt.ok for rt in trial.routes) or not trial.feasible_budget():
                continue
            s = trial.score()
            if s > best_s:
                best, best_s = trial, s
            if self.should_stop() or self.left() <= 0:
                break
        return best

    def _set_hub(self, plan: Plan, g: int, n: int, h: int) -> None:
        m = self.m
        seq = list(plan.choice[g])
        seq[n] = h
        choice = tuple(tuple(seq) if k == g else plan.choice[k] for k in range(m.n_groups))
        plan.set_choice(choice, {g})

    def _fitting_hubs(self, plan: Plan, g: int, n: int) -> list[tuple[float, int]]:
        """(score, hub) for group ``g``'s night ``n``, best first: the two adjacent days'
        visits kept where they still fit (each day reduced by dropping its least valuable
        visits until it fits) plus the night's own terms."""
        m, p = self.m, self.p
        nd = m.n_days
        hubs = list(m.hubs(plan.choice, g))
        start = None if n == 0 else hubs[n - 1]
        end = None if n + 1 >= len(hubs) else hubs[n + 1]
        before = plan.routes[g * nd + n].visits
        after = plan.routes[g * nd + n + 1].visits
        scored = []
        elsewhere = {x.id for k, x in enumerate(hubs) if k != n}
        for h, hub in enumerate(p.nights[n]):
            v1 = self._fitted_value(m.terminals(n, start, hub), n, before)
            if v1 is None:
                continue
            v2 = self._fitted_value(m.terminals(n + 1, hub, end), n + 1, after)
            if v2 is None:
                continue
            prize = 0.0 if hub.id in elsewhere else hub.prize
            scored.append((v1 + v2 + prize - p.money_weight * hub.lodging_cost, h))
        scored.sort(key=lambda t: -t[0])
        return scored

    def _fitted_value(self, ends, d: int, visits: list[int]) -> float | None:
        """The value of ``visits`` on day ``d`` between ``ends``, dropping the least valuable
        visits (cheapest first) until the day fits; ``None`` if even the empty day does not."""
        m = self.m
        key = (d, ends, tuple(visits), m.allowed_modes)
        if key in self._fitted:
            return self._fitted[key]
        if len(self._fitted) >= FITTED_MEMO:
            self._fitted.clear()
        visits = list(visits)
        while True:
            ev = m.route_eval(ends, d, visits)
            if ev.ok:
                self._fitted[key] = ev.value
                return ev.value
            if not visits:
                self._fitted[key] = None
                return None
            worst = min(range(len(visits)),
                        key=lambda i: m.prize[m.candidates[visits[i]].place])  # fmt: skip
            visits.pop(worst)

    def open_requirements(self, plan: Plan, g: int) -> list[int]:
        """Candidates (indices) of group ``g`` that would meet a named requirement still open:
        a must-visit not in the plan, a member of an unmet ``must_any`` set."""
        m = self.m
        _, ok, named = self._group_terms(plan, g)
        mask = named & ok & ((m.cand_group == g) | (m.cand_group == -1))
        return [int(k) for k in np.nonzero(mask)[0]]

    def hub_requirements(self, plan: Plan) -> list[tuple[int, set[str]]]:
        """Unmet ``must_any`` sets that a night could meet: (group, hub ids)."""
        m = self.m
        out = []
        for g in range(m.n_groups):
            nights = {h.id for h in m.hubs(plan.choice, g)}
            visited = set(plan.places_of(g))
            for s, hs in zip(m.any_places, m.any_hubs, strict=True):
                if hs and not (s & visited) and not (hs & nights):
                    out.append((g, hs))
        return out

    def unmet(self, plan: Plan) -> bool:
        """Whether a named requirement is open that a place or a night could meet."""
        return bool(self.hub_requirements(plan)) or any(
            self.open_requirements(plan, g) for g in range(self.m.n_groups)
        )

    def serve_requirement(self, plan: Plan) -> str:
        """For an open requirement of some group, move one night to a hub from which the
        place fits a day (the day before or after that night), dropping what no longer fits;
        hubs that are themselves a requirement (a cruise of a must_any set) count too."""
        m, p, rng = self.m, self.p, self.rng
        groups = [g for g in range(m.n_groups) if self.open_requirements(plan, g)]
        hub_targets = self.hub_requirements(plan)
        if not groups and not hub_targets:
            return "none"
        options: list[tuple[int, int, int]] = []  # (group, night, hub index)
        if hub_targets and (not groups or rng.random() < 0.5):
            g, hs = hub_targets[int(rng.integers(len(hub_targets)))]
            for n, cands in enumerate(p.nights):
                for h, hub in enumerate(cands):
                    if hub.id in hs:
                        options.append((g, n, h))
        else:
            g = groups[int(rng.integers(len(groups)))]
            k = self.open_requirements(plan, g)[
                int(rng.integers(len(self.open_requirements(plan, g))))
            ]
            place = m.candidates[k].place
            days = m.open_days[place]
            hubs = m.hubs(plan.choice, g)
            for n, cands in enumerate(p.nights):
                for h, hub in enumerate(cands):
                    if h == plan.choice[g][n]:
                        continue
                    before = None if n == 0 else hubs[n - 1]
                    after = None if n + 1 >= len(hubs) else hubs[n + 1]
                    for d, ends in ((n, (before, hub)), (n + 1, (hub, after))):
                        if d in days:
                            ev = m.route_eval(m.terminals(d, *ends), d, [k])
                            if ev.ok:
                                options.append((g, n, h))
                                break
        if not options:
            return "none"
        g, n, h = options[int(rng.integers(len(options)))]
        seq = list(plan.choice[g])
        seq[n] = h
        choice = tuple(tuple(seq) if x == g else plan.choice[x] for x in range(m.n_groups))
        if not self.terminals_ok(choice, g):
            return "none"
        plan.set_choice(choice, {g})
        # the two days around the night start again from their must-visits, so that the
        # requirement is inserted first and the rest refilled around it
        for d in (n, n + 1):
            r = g * m.n_days + d
            keep = [k for k in plan.routes[r].visits if m.must_mask[m.candidates[k].place]]
            plan.set_route(r, keep)
        self.fix(plan, g)
        return "serve"

    def terminals_ok(self, choice: HubChoice, g: int) -> bool:
        """Whether group ``g``'s empty days can be travelled under ``choice`` (and its lodging
        fits the budget)."""
        m, p = self.m, self.p
        for d in range(m.n_days):
            ev = m.route_eval(m.day_terminals(choice, g, d), d, [])
            if not ev.ok:
                return False
        if p.budget is not None:
            money = sum(h.lodging_cost for h in m.hubs(choice, g))
            for d in range(m.n_days):
                ev = m.route_eval(m.day_terminals(choice, g, d), d, [])
                money += ev.modes[ev.mode].money
            if money > p.budget:
                return False
        return True

    def _resequence(self, plan: Plan, r: int) -> list[int]:
        """Route ``r``'s visits rebuilt by cheapest insertion, must-sees first, then by
        value: the best feasible position for each; visits that fit nowhere are left out."""
        m = self.m
        g, d = divmod(r, m.n_days)
        ends = m.day_terminals(plan.choice, g, d)
        visits = sorted(plan.routes[r].visits,
                        key=lambda k: (not self._required(k), -m.prize[m.candidates[k].place]))  # fmt: skip
        out: list[int] = []
        for k in visits:
            best, best_v = None, -math.inf
            for pos in range(len(out) + 1):
                trial = out[:pos] + [k] + out[pos:]
                ev = m.route_eval(ends, d, trial)
                if ev.ok and ev.value > best_v:
                    best, best_v = trial, ev.value
            if best is not None:
                out = best
        return out

    def _required(self, k: int) -> bool:
        """Whether candidate ``k`` is a must-visit or a member of a ``must_any`` set."""
        i = self.m.candidates[k].place
        return i in self.m.must or any(i in s for s in self.m.any_places)

    def fix(self, plan: Plan, g: int) -> None:
        """Drop visits of group ``g`` until every day fits, families are exclusive and the
        budget holds (least valuable first)."""
        m, p = self.m, self.p
        nd = m.n_days
        # families against the nights
        fam_nights = {m.family_index[h.family] for h in m.hubs(plan.choice, g) if h.family}
        for d in range(nd):
            r = g * nd + d
            visits = plan.routes[r].visits
            keep = [k for k in visits if int(m.family[m.candidates[k].place]) not in fam_nights]
            if len(keep) != len(visits):
                plan.set_route(r, keep)
        # families among visits: keep the most valuable member
        seen: dict[int, tuple[float, int, int]] = {}
        for d in range(nd):
            r = g * nd + d
            for k in plan.routes[r].visits:
                f = int(m.family[m.candidates[k].place])
                if f < 0:
                    continue
                v = m.net_value(m.candidates[k].place)
                if f in seen and seen[f][0] >= v:
                    plan.set_route(r, [x for x in plan.routes[r].visits if x != k])
                elif f in seen:
                    _, r2, k2 = seen[f]
                    plan.set_route(r2, [x for x in plan.routes[r2].visits if x != k2])
                    seen[f] = (v, r, k)
                else:
                    seen[f] = (v, r, k)
        for d in range(nd):
            r = g * nd + d
            if not plan.routes[r].ok and len(plan.routes[r].visits) > 1:
                # the same places in another order may fit (a day now run the other way)
                plan.set_route(r, self._resequence(plan, r))
            while not plan.routes[r].ok and plan.routes[r].visits:
                visits = plan.routes[r].visits
                best_i, best_v = len(visits) - 1, None
                for i in range(len(visits)):
                    trial = visits[:i] + visits[i + 1 :]
                    ev = m.route_eval(m.day_terminals(plan.choice, g, d), d, trial)
                    if ev.ok:
                        # a must-see stays while another visit can make room
                        v = ev.value - (m.req_weight if self._required(visits[i]) else 0.0)
                        if best_v is None or v > best_v:
                            best_i, best_v = i, v
                plan.set_route(r, visits[:best_i] + visits[best_i + 1 :])
        while p.budget is not None and plan.group_money(g) > p.budget + 1e-6:
            worst = None
            for d in range(nd):
                r = g * nd + d
                for k in plan.routes[r].visits:
                    v = m.net_value(m.candidates[k].place) / max(
                        1.0, float(m.cost[m.candidates[k].place]) + 1
                    )
                    if worst is None or v < worst[0]:
                        worst = (v, r, k)
            if worst is None:
                break
            _, r, k = worst
            plan.set_route(r, [x for x in plan.routes[r].visits if x != k])

    # -- improve ----------------------------------------------------------------------------

    def improve_route(self, plan: Plan, r: int) -> None:
        """Or-opt: move single visits inside route ``r`` where the value rises or the day
        ends earlier at equal value. Only moves that shorten the static travel of the day's
        best mode are timed (the others almost never help and cost a full timing each)."""
        m = self.m
        g, d = divmod(r, m.n_days)
        route = plan.routes[r]
        if len(route.visits) < 2 or not route.ok:
            return
        ends = m.day_terminals(plan.choice, g, d)
        current = route
        for _ in range(3):
            tmin = m.lookups[d][current.mode].tmin_l
            visits = current.visits
            seq = [ends.start, *(int(m.node[m.candidates[k].place]) for k in visits), ends.end]
            length = sum(tmin[a][b] for a, b in zip(seq, seq[1:], strict=False))
            found = None
            for i in range(len(visits)):
                rest = seq[: i + 1] + seq[i + 2 :]
                node = seq[i + 1]
                cut = (
                    length - tmin[seq[i]][node] - tmin[node][seq[i + 2]] + tmin[seq[i]][seq[i + 2]]
                )
                for j in range(len(visits)):
                    if j == i:
                        continue
                    a, b = rest[j], rest[j + 1]
                    if cut + tmin[a][node] + tmin[node][b] - tmin[a][b] >= length:
                        continue
                    trial = visits[:i] + visits[i + 1 :]
                    trial = trial[:j] + [visits[i]] + trial[j:]
                    ev = m.route_eval(ends, d, trial)
                    if not ev.ok:
                        continue
                    end_now = current.modes[current.mode].timing.end_arrive
                    end_new = ev.modes[ev.mode].timing.end_arrive
                    if ev.value > current.value + 1e-9 or (
                        ev.value >= current.value - 1e-9 and end_new < end_now
                    ):
                        found = ev
                        break
                if found is not None:
                    break
            if found is None:
                break
            current = found
        if current is not route:
            plan.set_route(r, list(current.visits))

    # -- the run ----------------------------------------------------------------------------

    def reorder_and_refill(self, plan: Plan, routes: list[int], ratio: float) -> None:
        """The or-opt on ``routes``, then a repair (no noise) only if it changed one: after a
        repair no candidate gains (noise scales gains, never their sign), so a second one
        could only find what a reordering freed, and its rankings cost."""
        before = [plan.routes[r] for r in routes]
        for r in routes:
            self.improve_route(plan, r)
        if any(plan.routes[r] is not b for r, b in zip(routes, before, strict=True)):
            self.insert(plan, 0.0, ratio=ratio)

    def _reevaluate(self, plan: Plan) -> Plan:
        """The same routes evaluated with every allowed mode (after a per-mode build)."""
        out = Plan(self.m, plan.choice)
        for r, route in enumerate(plan.routes):
            out.set_route(r, list(route.visits))
        return out

    def initial_choices(self, count: int, per_mode: bool = True,
                        width: int | None = None) -> list[HubChoice]:  # fmt: skip
        """Hub sequences ranked by a cheap estimate (best first), valid for every group
        (``width``: the ranking's beam, :data:`solver.lns_hubs.BEAM` by default)."""
        from solver.lns_hubs import BEAM
        from solver.lns_hubs import rank_choices

        m = self.m
        ranked = rank_choices(m, count, per_mode, self._estimates, width or BEAM)
        return [c for c in ranked
                if all(self.terminals_ok(c, g) for g in range(m.n_groups))]  # fmt: skip

    def construct(self, choice: HubChoice, allowed: frozenset[int]) -> None:
        """A greedy plan on the nights ``choice`` with the modes ``allowed``, offered."""
        m = self.m
        everything = m.allowed_modes
        m.allowed_modes = allowed
        plan = Plan(m, choice)
        if not all(r.ok for r in plan.routes):
            m.allowed_modes = everything
            return
        self.insert(plan, 0.0, ratio=CONSTRUCT_RATIO)
        self.reorder_and_refill(plan, list(range(len(plan.routes))), CONSTRUCT_RATIO)
        m.allowed_modes = everything
        self.offer(self._reevaluate(plan), "construct")

    def run(self) -> Plan | None:
        """Search until the deadline; return the best plan (``None`` if none is valid)."""
        m = self.m
        # the fastest ranking first (a first plan early), the per-mode rankings after it
        count = max(1, self.params.hub_candidates)
        worker = self.params.worker
        mode_sets = [frozenset(range(m.n_modes))]
        if m.n_modes > 1:
            mode_sets += [frozenset({i}) for i in range(m.n_modes)]
        quick: list[HubChoice] = []
        if not worker and m.n_days * m.n_groups >= QUICK_FROM:
            # a first plan early on a big trip: the nights of a narrow beam, built at once
            quick = self.initial_choices(1, per_mode=False, width=QUICK_BEAM)[:1]
            for choice in quick:
                self.construct(choice, mode_sets[0])
        ranked = time.perf_counter()
        # a later portfolio worker: every mode's ranking at once, the choices rotated (the
        # first worker's constructions start from the fastest ranking's best)
        choices = self.initial_choices(count, per_mode=worker > 0)
        ranking_s = time.perf_counter() - ranked
        if not choices and m.n_modes > 1 and not worker:
            choices = self.initial_choices(count)
        if not choices:
            return None
        if worker:
            shift = worker % len(choices)
            choices = choices[shift:] + choices[:shift]
        extended = m.n_modes == 1 or worker > 0
        # 1. construction from each of the best-ranked hub choices, as time allows; with
        #    several modes also one plan per mode (a greedy start drifts to the mode that fits
        #    the first insertions, a plan all by one mode can be better)
        started = time.perf_counter()
        rank = -1
        while rank + 1 < len(choices):
            rank += 1
            choice = choices[rank]
            spent = time.perf_counter() - started
            if self.should_stop() or (rank > 0 and spent > CONSTRUCT_SHARE * self.left()):
                break
            for index, allowed in enumerate(mode_sets if rank < 2 else mode_sets[:1]):
                if self.best is not None and (index or rank) and self.should_stop():
                    break
                if (
                    self.best is not None
                    and index
                    and time.perf_counter() - started > CONSTRUCT_SHARE * self.left()
                ):
                    break  # a construction of a big trip takes seconds: leave them to the LNS
                if index or choice not in quick:
                    self.construct(choice, allowed)
            if not extended:
                extended = True
                # the per-mode rankings cost about one fast ranking per mode: on a big trip
                # (8 days, 4 groups) that is seconds the LNS uses better
                if ranking_s * m.n_modes < CONSTRUCT_SHARE * self.left():
                    choices += [c for c in self.initial_choices(count) if c not in choices]
        m.allowed_modes = mode_sets[0]
        # 1b. requirements still open: try nights that serve them
        can_move = any(len(n) > 1 for n in self.p.nights)
        for _ in range(12 if can_move and self.best is not None else 0):
            if self.should_stop() or self.left() < 0.6 * self.params.time_limit_s:
                break
            assert self.best is not None
            if not self.unmet(self.best):
                break
            trial = self.best.copy()
            if self.serve_requirement(trial) == "none":
                continue
            self.insert(trial, 0.0, ratio=CONSTRUCT_RATIO)
            self.offer(trial, "serve")
        if self.best is None:
            # stopped before any construction finished: the empty plan is still valid
            self.offer(Plan(m, choices[0]), "empty")
        if self.best is None:
            return None
        # 2. LNS
        current = self.best.copy()
        cur_score = self.best_score
        planned = [m.prize[m.candidates[k].place] for r in current.routes for k in r.visits]
        temp0 = max(TEMP_START * float(np.mean(planned)) if planned else 1.0, 1e-3)
        since_best = 0
        max_rounds = self.params.max_rounds * 50 if self.params.max_rounds is not None else None
        start = time.perf_counter()
        span = max(1e-3, self.deadline - start)
        reserve = POLISH_SHARE * self.params.time_limit_s if self._can_polish() else 0.0
        last_gain = last_reset = time.perf_counter()
        while self.left() > reserve and not self.should_stop():
            if max_rounds is not None and self.iterations >= max_rounds:
                break
            self.iterations += 1
            trial = current.copy()
            op = self.destroy(trial)
            ratio = RATIOS[int(self.rng.integers(len(RATIOS)))]
            self.insert(trial, NOISE, ratio=ratio)
            changed = trial.changed_since(current)
            self.reorder_and_refill(trial, changed, ratio)
            if not all(rt.ok for rt in trial.routes) or not trial.feasible_budget():
                continue
            s = trial.score()
            frac = min(1.0, (time.perf_counter() - start) / span)
            temp = temp0 * (0.01**frac)
            if s >= cur_score - 1e-9 or self.rng.random() < math.exp((s - cur_score) / temp):
                current, cur_score = trial, s
            if self.offer(current, f"lns-{op}"):
                since_best = 0
                last_gain = time.perf_counter()
            else:
                since_best += 1
                now = time.perf_counter()
                stalled = now - last_gain > max(STALL_MIN_S, STALL_SHARE * (now - start))
                if stalled and self.params.early_stop:
                    log.debug("lns: converged after %.2f s", now - start)
                    break  # converged: no better plan for a long while
            # (by the clock only without a work limit: the same seed, the same plan)
            idle_s = time.perf_counter() - max(last_gain, last_reset)
            idle = max_rounds is None and idle_s > RESET_SHARE * self.params.time_limit_s
            if since_best >= RESET_AFTER or idle:
                since_best = 0
                last_reset = time.perf_counter()
                current, cur_score = self.best.copy(), self.best_score
                # restart from the best plan with one group-night moved to another hub: the
                # moves of one night at a time rarely leave a hub whose two days were built
                # for it (a cruise night), so the search would circle the same plan
                trial = self.scan_night(self.best)
                if trial is not None:
                    self.reorder_and_refill(trial, trial.changed_since(self.best),
                                            CONSTRUCT_RATIO)  # fmt: skip
                    if all(rt.ok for rt in trial.routes) and trial.feasible_budget():
                        current, cur_score = trial, trial.score()
                        self.offer(current, "kick")
        if reserve and not self.should_stop():
            self.polish()
        log.debug("lns: %d iterations, best %.3f", self.iterations, self.best_score)
        return self.best

    def _can_polish(self) -> bool:
        return 2 <= self.m.n_days <= 4 and any(len(n) > 1 for n in self.p.nights)

    def polish(self) -> None:
        """The search's last, systematic look at the plan's shape: from the best plan, every
        other order of each group's days (nights re-fitted) and every other hub of each
        night, each filled and improved; again while one of them improves the best."""
        m, p = self.m, self.p
        nd = m.n_days
        improved = True
        while improved and self.left() > 0 and not self.should_stop():
            improved = False
            for g in range(m.n_groups):
                moves: list[tuple[str, object]] = [
                    ("days", list(order)) for order in itertools.permutations(range(nd))
                    if list(order) != list(range(nd))
                ]  # fmt: skip
                moves += [("hub", (n, h)) for n in range(len(p.nights))
                          for h in range(len(p.nights[n]))]  # fmt: skip
                for kind, arg in moves:
                    for refill in (False, True):
                        if self.left() <= 0 or self.should_stop():
                            return
                        assert self.best is not None
                        trial = self.best.copy()
                        if kind == "days":
                            self.reorder_days(trial, g, arg)  # type: ignore[arg-type]
                        else:
                            n, h = arg  # type: ignore[misc]
                            if trial.choice[g][n] == h:
                                break
                            self._set_hub(trial, g, n, h)
                            self.fix(trial, g)
                        if refill:
                            # the optional visits chosen afresh for the new shape
                            for r in range(g * nd, (g + 1) * nd):
                                keep = [k for k in trial.routes[r].visits if self._required(k)]
                                trial.set_route(r, keep)
                        self.insert(trial, 0.0, ratio=CONSTRUCT_RATIO)
                        days = list(range(g * nd, (g + 1) * nd))
                        self.reorder_and_refill(trial, days, CONSTRUCT_RATIO)
                        improved |= self.offer(trial, "polish")


def solve_app(
    problem: Problem,
    params: SolveParams,
    on_progress: Callable | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> Solution:
    """Plan an application-model problem with the LNS; always returns a :class:`Solution`.

    Groups that are copies of one another (:func:`interchangeable`) get one plan: the search
    plans one group with the whole time limit and the plan is given to every group.
    """
    t0 = time.perf_counter()
    original = problem
    copies = len(problem.groups)
    if interchangeable(problem):
        problem = dataclasses.replace(problem, groups=problem.groups[:1])
        if on_progress is not None:
            on_progress = _scaled_progress(on_progress, copies)
    else:
        copies = 1
    search = Search(problem, params, on_progress, should_stop, t0)
    plan = search.run()
    if plan is None:
        return _infeasible(search, t0)
    solution = build_solution(search.m, plan, time.perf_counter() - t0)
    return _copied(solution, original, copies) if copies > 1 else solution


def interchangeable(problem: Problem) -> bool:
    """Whether the groups are copies of one another, so that one group's best plan is every
    group's: each group collects its own prize (``shared_places`` off), may visit the same
    places, and no quota is smaller than the number of groups (the groups then share nothing:
    every term of the objective and every requirement is per group)."""
    n = len(problem.groups)
    if n < 2 or problem.shared_places:
        return False
    if len({g.allowed_places for g in problem.groups}) > 1:
        return False
    return all(q.capacity >= n for q in problem.quotas)


def _scaled_progress(on_progress: Callable, copies: int) -> Callable:
    """Report the plan of one group as the plan of ``copies`` identical groups."""

    def report(progress: Progress) -> None:
        on_progress(
            Progress(
                progress.seconds,
                progress.objective * copies,
                progress.prize * copies,
                progress.phase,
            )
        )

    return report


def _copied(solution: Solution, problem: Problem, copies: int) -> Solution:
    """The solution of one group (``group-1`` of *problem*) given to each of *problem*'s
    ``copies`` groups: the same days and nights, the dropped places and unmet requirements
    of each group, and the objective summed over the groups."""
    first = problem.groups[0].id
    plans = []
    dropped = []
    unmet = []
    for group in problem.groups:
        (plan,) = solution.plans
        days = tuple(dataclasses.replace(day, group_id=group.id) for day in plan.days)
        plans.append(GroupPlan(group.id, days, plan.night_hubs))
        dropped += [dataclasses.replace(x, group_id=group.id) for x in solution.dropped]
        unmet += [u.replace(f"group {first!r}", f"group {group.id!r}") for u in solution.unmet]
    o = solution.objective
    objective = Objective(
        **{f.name: getattr(o, f.name) * copies for f in dataclasses.fields(Objective)}
    )
    return dataclasses.replace(
        solution,
        plans=tuple(plans),
        dropped=tuple(dropped),
        objective=objective,
        unmet=tuple(unmet),
        message="; ".join(unmet) if unmet else solution.message,
    )


def _infeasible(search: Search, t0: float) -> Solution:
    m = search.m
    reasons = []
    for d in range(m.n_days):
        ok = any(
            m.route_eval(m.terminals(d, s, e), d, []).ok
            for s in m.start_hubs(d)
            for e in m.end_hubs(d)
        )
        if not ok:
            # wording kept as before: tourplanner's CLI and its tests quote it
            reasons.append(f"day {d}: no candidate start/end pair can be travelled within the day")
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
        seconds=time.perf_counter() - t0,
    )


def build_solution(m: AppModel, plan: Plan, seconds: float) -> Solution:
    """The timed :class:`Solution` of a plan, with objective, dropped places and unmet
    requirements."""
    p = m.problem
    plans = []
    prize = hub_prize = variety = mode_penalty = 0.0
    drive = 0
    km_total = 0.0
    travel_cost = 0.0
    tickets = lodging = 0
    for g, group in enumerate(p.groups):
        hubs = m.hubs(plan.choice, g)
        days = []
        for d in range(m.n_days):
            route = plan.routes[g * m.n_days + d]
            ends = m.day_terminals(plan.choice, g, d)
            mi = route.mode
            places = [m.candidates[k].place for k in route.visits]
            nodes = [int(m.node[i]) for i in places]
            sched = m.days[d].schedule(m.lookups[d][mi], ends, places, nodes)
            if sched is None:  # never expected: the route was evaluated feasible
                raise RuntimeError(f"route of group {g} day {d} cannot be timed")
            seq = [ends.start, *nodes, ends.end]
            km = float(sum(m.km[d][mi][a, b] for a, b in zip(seq, seq[1:], strict=False)))
            ev = route.modes[mi]
            visits = tuple(
                Visit(p.places[i].id, t.arrive, t.start, t.depart)
                for i, t in zip(places, sched.visits, strict=True)
            )
            days.append(
                DayRoute(
                    group_id=group.id,
                    day=d,
                    start_node=ends.start,
                    end_node=ends.end,
                    depart_min=sched.depart,
                    return_min=sched.return_,
                    visits=visits,
                    lunch_start_min=sched.lunch_start,
                    drive_min=ev.drive,
                    km=km,
                    mode=m.modes[mi].id,
                    money=ev.money,
                    lunch_inside=(
                        p.places[places[sched.lunch_inside - 1]].id
                        if sched.lunch_inside is not None
                        else None
                    ),
                )
            )
            prize += route.prize
            variety += m.day_penalty(route.kinds)
            mode_penalty += m.modes[mi].day_penalty
            drive += ev.drive
            km_total += km
            travel_cost += ev.money
            tickets += route.tickets
        for k, n in plan.trip_kinds(g).items():
            variety += m.rules[k].trip_extra(n)
        hub_prize += sum(h.prize for h in _distinct_hubs(hubs))
        lodging += sum(h.lodging_cost for h in hubs)
        plans.append(GroupPlan(group.id, tuple(days), tuple(h.id for h in hubs)))
    total = (
        prize
        + hub_prize
        - variety
        - mode_penalty
        - p.travel_weight * drive
        - p.money_weight * (tickets + lodging + travel_cost)
    )
    objective = Objective(
        prize=prize,
        drive_min=drive,
        km=km_total,
        travel_cost=travel_cost,
        lodging_cost=lodging,
        ticket_cost=tickets,
        total=total,
        hub_prize=hub_prize,
        variety_penalty=variety,
        mode_penalty=mode_penalty,
    )
    dropped = _dropped(m, plan)
    unmet = _unmet(m, plan, dropped)
    status = Status.PARTIAL if unmet else Status.FEASIBLE
    return Solution(
        status=status,
        plans=tuple(plans),
        dropped=dropped,
        objective=objective,
        unmet=tuple(unmet),
        message="; ".join(unmet) if unmet else "all requirements met",
        seconds=seconds,
    )


def _dropped(m: AppModel, plan: Plan) -> tuple[Dropped, ...]:
    p = m.problem
    groups = [-1] if p.shared_places else list(range(m.n_groups))
    visited: set[tuple[int, int]] = set()
    for g in range(m.n_groups):
        for i in plan.places_of(g):
            visited.add((i, -1 if p.shared_places else g))
    out = []
    for i, pl in enumerate(p.places):
        for g in groups:
            if (i, g) in visited:
                continue
            reason = m.static_reason.get((i, g))
            if reason is None:
                reason = _dynamic_reason(m, plan, i, g)
            out.append(Dropped(pl.id, reason, None if g < 0 else p.groups[g].id))
    return tuple(out)


def _dynamic_reason(m: AppModel, plan: Plan, i: int, g: int) -> DropReason:
    p = m.problem
    pl = p.places[i]
    if i not in m.must:
        return DropReason.NOT_SELECTED
    groups = [g] if g >= 0 else list(range(m.n_groups))
    if p.budget is not None and all(p.budget - plan.group_money(gg) < pl.cost for gg in groups):
        return DropReason.OVER_BUDGET
    if pl.quota_key is not None:
        days = m.open_days[i]
        full = True
        for d in days:
            cap = m.caps.get((pl.quota_key, d))
            if cap is None:
                full = False
                break
            users = {
                gg
                for gg in range(m.n_groups)
                if any(
                    m.quota_of.get(m.candidates[k].place) == pl.quota_key
                    for k in plan.routes[gg * m.n_days + d].visits
                )  # fmt: skip
            }
            if len(users) < cap:
                full = False
                break
        if full and days:
            return DropReason.QUOTA_FULL
    return DropReason.CANNOT_FIT


def _unmet(m: AppModel, plan: Plan, dropped: tuple[Dropped, ...]) -> list[str]:
    p = m.problem
    out = []
    reasons = {(x.place_id, x.group_id): x.reason.value for x in dropped}
    if p.shared_places:
        visited = {p.places[i].id for g in range(m.n_groups) for i in plan.places_of(g)}
        for pid in sorted(p.must_visit - visited):
            out.append(f"must-visit place {pid!r} not visited ({reasons[(pid, None)]})")
    else:
        for g, group in enumerate(p.groups):
            visited = {p.places[i].id for i in plan.places_of(g)}
            for pid in sorted(p.must_visit - visited):
                out.append(
                    f"must-visit place {pid!r} not visited by group {group.id!r} "
                    f"({reasons[(pid, group.id)]})"
                )
    for s in p.must_any:
        for g, group in enumerate(p.groups):
            visited = {p.places[i].id for i in plan.places_of(g)}
            nights = {h.id for h in m.hubs(plan.choice, g)}
            if p.shared_places:
                visited = {p.places[i].id for gg in range(m.n_groups) for i in plan.places_of(gg)}
                nights = {h.id for gg in range(m.n_groups) for h in m.hubs(plan.choice, gg)}
            if not (s & (visited | nights)):
                who = "" if p.shared_places else f" by group {group.id!r}"
                out.append(f"none of {sorted(s)} is in the plan{who}")
            if p.shared_places:
                break
    for g, group in enumerate(p.groups):
        seen = {p.places[i].province for i in plan.places_of(g)} - {None}
        need = sorted(set(p.required_provinces) - seen)
        if need:
            out.append(f"group {group.id!r} does not touch province(s) {need}")
        elif len(seen) < p.min_provinces:
            out.append(f"group {group.id!r} touches fewer than {p.min_provinces} provinces")
    return out
