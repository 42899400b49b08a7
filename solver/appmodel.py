"""The application model compiled for the search: candidates, drop reasons, days, modes, value.

:class:`AppModel` is built once per solve of a :class:`~solver.problem.Problem` that uses the
application model (``Problem.application``). It decides which (place, group) visits can ever be
part of a plan and why not, prepares one :class:`~solver.daymodel.DayModel` per day and one
:class:`~solver.daymodel.TravelLookup` per (day, mode), and evaluates the exact objective of a
group's day under each mode (:meth:`AppModel.route_eval`). :mod:`solver.lns` searches with it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from dataclasses import field

import numpy as np

from solver.daymodel import INF
from solver.daymodel import DayModel
from solver.daymodel import Terminals
from solver.daymodel import Timing
from solver.daymodel import TravelLookup
from solver.daymodel import clip_windows
from solver.problem import UNREACHABLE
from solver.problem import Hub
from solver.problem import Problem
from solver.solution import DropReason

#: a choice of night hubs: for each group, the index of each night's hub in ``nights[n]``
HubChoice = tuple[tuple[int, ...], ...]


@dataclass(frozen=True, slots=True)
class Candidate:
    """A visit that may be planned: a place, for one group or (``group = -1``) for any."""

    place: int
    group: int


@dataclass(slots=True)
class ModeEval:
    """A route under one mode: its timing and what it costs."""

    timing: Timing
    ok: bool  # fits the day, the drive cap and the kind caps
    drive: int
    leg_money: float
    money: float  # with the mode's day minimum
    #: prize - day variety - mode penalty - travel_weight * drive - money_weight * (tickets + money)
    value: float


@dataclass(slots=True)
class RouteEval:
    """A group-day's route evaluated under every mode; ``mode`` is the best one (-1: none)."""

    visits: list[int]
    modes: list[ModeEval | None]
    mode: int
    value: float
    prize: float
    tickets: int
    kinds: dict[int, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Whether some mode fits."""
        return self.mode >= 0


class AppModel:
    """Precomputed data of one application-model problem (see the module docstring)."""

    def __init__(self, problem: Problem) -> None:
        p = problem
        self.problem = p
        self.n_days = len(p.days)
        self.n_groups = len(p.groups)
        self.modes = p.travel_modes
        self.n_modes = len(self.modes)
        #: the modes routes may use (the search restricts it while it builds a plan per mode)
        self.allowed_modes: frozenset[int] = frozenset(range(self.n_modes))
        self.lookups = [[TravelLookup(m.matrix(d)) for m in self.modes] for d in range(self.n_days)]
        self.money = []
        self.km = []
        for d in range(self.n_days):
            row_m, row_k = [], []
            for m in self.modes:
                mat = m.matrix(d)
                km = (
                    np.zeros(mat.minutes.shape)
                    if mat.km is None
                    else np.nan_to_num(mat.km, nan=0.0)
                )
                money = mat.cost if mat.cost is not None else km * p.cost_per_km
                row_m.append(np.asarray(money, dtype=np.float64))
                row_k.append(km)
            self.money.append(row_m)
            self.km.append(row_k)
        self.money_l = [[m.tolist() for m in row] for row in self.money]
        self.drive_l = [[lk.tmin_l for lk in row] for row in self.lookups]
        self.place_ids = [pl.id for pl in p.places]
        self.index = {pid: i for i, pid in enumerate(self.place_ids)}
        self.prize = np.asarray([pl.prize for pl in p.places], dtype=np.float64)
        self.cost = np.asarray([pl.cost for pl in p.places], dtype=np.int64)
        self.node = np.asarray([pl.node for pl in p.places], dtype=np.int64)
        self.rules = list(p.variety)
        kind_index = {r.kind: k for k, r in enumerate(self.rules)}
        self.kind = np.asarray([kind_index.get(pl.kind, -1) for pl in p.places], dtype=np.int64)
        families = sorted({pl.family for pl in p.places if pl.family} |
                          {h.family for n in p.nights for h in n if h.family})  # fmt: skip
        self.family_index = {f: k for k, f in enumerate(families)}
        self.family = np.asarray(
            [self.family_index.get(pl.family, -1) for pl in p.places], dtype=np.int64
        )
        #: each family's place indices (a night's family excludes them from its group's trip)
        self.family_places = {
            f: frozenset(np.nonzero(self.family == k)[0].tolist())
            for f, k in self.family_index.items()
        }
        provinces = sorted({pl.province for pl in p.places if pl.province})
        self.province_index = {name: k for k, name in enumerate(provinces)}
        self.province = np.asarray(
            [self.province_index.get(pl.province, -1) for pl in p.places], dtype=np.int64
        )
        self.required = {self.province_index[x] for x in p.required_provinces
                         if x in self.province_index}  # fmt: skip
        self.missing_required = sorted(set(p.required_provinces) - set(self.province_index))
        self.must = {i for i, pl in enumerate(p.places) if pl.id in p.must_visit}
        self.quota_of: dict[int, str] = {
            i: pl.quota_key for i, pl in enumerate(p.places) if pl.quota_key is not None
        }
        self.caps = {(q.key, q.day): q.capacity for q in p.quotas}
        # must_any: per set, the places and the hub ids in it
        self.any_places = [{self.index[x] for x in s if x in self.index} for s in p.must_any]
        self.any_hubs = [{x for x in s if x not in self.index} for s in p.must_any]
        n_places = len(p.places)
        self.must_mask = np.zeros(n_places, dtype=bool)
        self.must_mask[list(self.must)] = True
        self.any_masks = []
        for s in self.any_places:
            mask = np.zeros(n_places, dtype=bool)
            mask[list(s)] = True
            self.any_masks.append(mask)
        #: places a requirement names (a must-visit or a member of a must_any set)
        self.named_mask = self.must_mask.copy()
        for mask in self.any_masks:
            self.named_mask |= mask
        self.days = []
        for day in p.days:
            lunch = None
            if day.lunch is not None:
                ln = day.lunch
                lunch = (ln.earliest_start_min, ln.latest_end_min, ln.duration_min)
            windows = [
                clip_windows(
                    None if pl.windows is None else [(w.start_min, w.end_min) for w in pl.windows],
                    day.start_min,
                    day.end_min,
                    pl.visit_min,
                )
                for pl in p.places
            ]
            self.days.append(
                DayModel(
                    lunch,
                    windows,
                    [pl.visit_min for pl in p.places],
                    [pl.lunch_inside for pl in p.places],
                )  # fmt: skip
            )
        self.open_days = {i: [d for d in range(self.n_days) if self.days[d].windows[i]]
                          for i in range(len(p.places))}  # fmt: skip
        self.static_reason: dict[tuple[int, int], DropReason] = {}
        #: every (start hub, end hub) pair's terminals of each day, for the static analysis
        self._day_ends = [
            [self.terminals(d, s, e) for s in self.start_hubs(d) for e in self.end_hubs(d)]
            for d in range(self.n_days)
        ]
        self._reach_fit_cache: dict[int, tuple[bool, bool]] = {}
        groups = [-1] if p.shared_places else list(range(self.n_groups))
        self.candidates: list[Candidate] = []
        for i in range(len(p.places)):
            for g in groups:
                reason = self._static_reason(i, g)
                if reason is None:
                    self.candidates.append(Candidate(i, g))
                else:
                    self.static_reason[(i, g)] = reason
        self.cand_place = np.asarray([c.place for c in self.candidates], dtype=np.int64)
        self.cand_group = np.asarray([c.group for c in self.candidates], dtype=np.int64)
        self._group_places: dict[int, np.ndarray] = {}
        total_prize = float(self.prize.sum()) * max(1, len(groups))
        #: weight of one requirement (a must-visit, a province, a must_any set) in the search
        self.req_weight = 10.0 * (total_prize + 1.0) + 1000.0

    # -- static analysis --------------------------------------------------------------------

    def group_places(self, g: int) -> np.ndarray:
        """Place indices of the candidates open to group ``g`` (shared ones included)."""
        out = self._group_places.get(g)
        if out is None:
            keep = (self.cand_group == -1) | (self.cand_group == g)
            out = self._group_places[g] = self.cand_place[keep]
        return out

    def start_hubs(self, d: int) -> list[Hub | None]:
        """Candidates for day ``d``'s start (``None``: the trip's start point)."""
        return [None] if d == 0 else list(self.problem.nights[d - 1])

    def end_hubs(self, d: int) -> list[Hub | None]:
        """Candidates for day ``d``'s end (``None``: the trip's end point)."""
        return [None] if d == self.n_days - 1 else list(self.problem.nights[d])

    def terminals(self, d: int, start: Hub | None, end: Hub | None) -> Terminals:
        """The fixed ends of day ``d`` between two hubs (``None``: trip start or end)."""
        p = self.problem
        day = p.days[d]
        ready = day.start_min
        lunch_done = False
        if start is not None:
            if start.leave_from_min is not None:
                ready = max(ready, start.leave_from_min)
            lunch_done = start.lunch_on_departure
        deadline = day.end_min
        if end is not None and end.arrive_by_min is not None:
            deadline = min(deadline, end.arrive_by_min)
        return Terminals(
            p.start_node if start is None else start.node,
            p.end_node if end is None else end.node,
            ready,
            deadline,
            lunch_done,
        )

    def _static_reason(self, i: int, g: int) -> DropReason | None:
        p = self.problem
        pl = p.places[i]
        if pl.id in p.exclude:
            return DropReason.EXCLUDED
        if g >= 0:
            allowed = p.groups[g].allowed_places
            if allowed is not None and pl.id not in allowed:
                return DropReason.NOT_SELECTED
        elif all(gr.allowed_places is not None and pl.id not in gr.allowed_places
                 for gr in p.groups):  # fmt: skip
            return DropReason.NOT_SELECTED
        days = self.open_days[i]
        if not days:
            return DropReason.CLOSED
        reach, fits = self._reach_fit(i)
        if not reach:
            return DropReason.UNREACHABLE
        if p.budget is not None and pl.cost > p.budget:
            return DropReason.OVER_BUDGET
        if pl.quota_key is not None and all(self.caps.get((pl.quota_key, d), 1) == 0 for d in days):
            return DropReason.QUOTA_FULL
        if p.max_stops_per_day == 0 or not fits:
            return DropReason.CANNOT_FIT
        rule = self.rules[self.kind[i]] if self.kind[i] >= 0 else None
        if rule is not None and rule.day_cap == 0:
            return DropReason.CANNOT_FIT
        if i not in self.must and self.net_value(i) <= 0 and not self._in_must_any(i):
            return DropReason.NOT_SELECTED
        return None

    def _reach_fit(self, i: int) -> tuple[bool, bool]:
        """Whether place ``i`` can be reached on one of its open days (between some pair of
        that day's hubs, by some mode), and whether a visit fits there by lower bounds; the
        same for every group, so computed once."""
        known = self._reach_fit_cache.get(i)
        if known is not None:
            return known
        pl = self.problem.places[i]
        reach = False
        out = (False, False)
        for d in self.open_days[i]:
            day = self.days[d]
            for m in range(self.n_modes):
                tmin = self.lookups[d][m].tmin
                for ends in self._day_ends[d]:
                    a, b = tmin[ends.start, pl.node], tmin[pl.node, ends.end]
                    if a >= INF or b >= INF:
                        continue
                    reach = True
                    # lower bounds: leave when ready, start within a window, be back
                    start = day.next_start(i, ends.ready + int(a))
                    if start < INF and start + pl.visit_min + int(b) <= ends.deadline:
                        out = (True, True)
                        break
                if out[1]:
                    break
            if out[1]:
                break
        else:
            out = (reach, False)
        self._reach_fit_cache[i] = out
        return out

    def _in_must_any(self, i: int) -> bool:
        return any(i in s for s in self.any_places)

    def net_value(self, i: int) -> float:
        """Prize of place ``i`` minus its weighted ticket."""
        return float(self.prize[i]) - self.problem.money_weight * float(self.cost[i])

    # -- evaluation -------------------------------------------------------------------------

    def hubs(self, choice: HubChoice, g: int) -> list[Hub]:
        """Group ``g``'s hub of each night under ``choice``."""
        return [self.problem.nights[n][h] for n, h in enumerate(choice[g])]

    def day_terminals(self, choice: HubChoice, g: int, d: int) -> Terminals:
        """The ends of group ``g``'s day ``d`` under ``choice``."""
        hubs = self.hubs(choice, g)
        start = None if d == 0 else hubs[d - 1]
        end = None if d == self.n_days - 1 else hubs[d]
        return self.terminals(d, start, end)

    def day_penalty(self, kinds: dict[int, int]) -> float:
        """Variety penalty of one day with ``kinds`` counts."""
        return sum(self.rules[k].day_penalty(n) for k, n in kinds.items())

    def route_eval(self, ends: Terminals, d: int, visits: list[int]) -> RouteEval:
        """Evaluate a route (candidate indices) of day ``d`` between ``ends`` under every
        mode; the best feasible mode is kept in ``mode``. The timings have no backward pass
        yet (:meth:`backward` adds it where insertions are checked)."""
        p = self.problem
        places = [self.candidates[k].place for k in visits]
        nodes = [int(self.node[i]) for i in places]
        kinds: dict[int, int] = {}
        for i in places:
            k = int(self.kind[i])
            if k >= 0:
                kinds[k] = kinds.get(k, 0) + 1
        caps_ok = all(self.rules[k].day_cap is None or n <= self.rules[k].day_cap
                      for k, n in kinds.items())  # fmt: skip
        if p.max_stops_per_day is not None and len(visits) > p.max_stops_per_day:
            caps_ok = False
        prize = float(sum(self.prize[i] for i in places))
        tickets = int(sum(int(self.cost[i]) for i in places))
        variety = self.day_penalty(kinds)
        seq = [ends.start, *nodes, ends.end]
        model = self.days[d]
        evals: list[ModeEval | None] = []
        best, best_value = -1, -math.inf
        for m, mode in enumerate(self.modes):
            lookup = self.lookups[d][m]
            timing = model.timing(lookup, ends, places, nodes, backward=False)
            drive_l = self.drive_l[d][m]
            money_l = self.money_l[d][m]
            drive = 0
            leg = 0.0
            for a, b in zip(seq, seq[1:], strict=False):
                drive += drive_l[a][b] if drive_l[a][b] < INF else 0
                leg += money_l[a][b]
            money = max(leg, float(mode.day_minimum))
            ok = timing.feasible and caps_ok
            if p.max_drive_min_per_day is not None and drive > p.max_drive_min_per_day:
                ok = False
            value = (
                prize
                - variety
                - mode.day_penalty
                - p.travel_weight * drive
                - p.money_weight * (tickets + money)
            )
            ok = ok and m in self.allowed_modes
            evals.append(ModeEval(timing, ok, drive, leg, money, value))
            if ok and value > best_value:
                best, best_value = m, value
        return RouteEval(visits, evals, best, best_value if best >= 0 else -math.inf, prize,
                         tickets, kinds)  # fmt: skip

    def backward(self, ends: Terminals, d: int, route: RouteEval, m: int) -> Timing:
        """The timing of ``route`` under mode ``m`` with its backward pass."""
        ev = route.modes[m]
        assert ev is not None
        places = [self.candidates[k].place for k in route.visits]
        nodes = [int(self.node[i]) for i in places]
        return self.days[d].complete(self.lookups[d][m], ends, places, nodes, ev.timing)

    def unreachable(self, d: int, m: int, a: int, b: int) -> bool:
        """Whether no travel exists from ``a`` to ``b`` on day ``d`` under mode ``m``."""
        return bool(self.modes[m].matrix(d).minutes[a, b] == UNREACHABLE)
