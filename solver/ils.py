"""A fast iterated local search (ILS) that builds warm starts for OR-Tools.

This is the insert/shake ILS of Vansteenwegen et al. (2009) for the TOPTW, vectorised with
numpy over candidate places and insertion positions, on the same :class:`ModelSpec` as the
OR-Tools model (so it sees the same vehicles, day bounds, per-day matrices, windows, allowed
vehicles and prizes).

* **Insert**: repeatedly insert the (place, vehicle, position) with the best ratio
  ``prize**2 / shift`` among the feasible ones, where ``shift`` is the time the insertion adds
  to the route; feasibility uses the classic ``wait`` / ``max_shift`` bookkeeping, so every
  check is O(1) per candidate position.
  The ratio is multiplied by a random factor in ``[0.9, 1.1]`` (seeded) to diversify.
* **Improve**: every few rounds and on each new best, move single visits inside their route to
  where the route returns earliest (or-opt), then insert again into the freed time.
* **Replace**: with the improve step and on each new best, in each route swap the one visit
  whose removal lets a free place of the largest prize gain fit (specs without driving, money
  or quota limits only), then insert again.
* **Relocate**: with the improve step, move single visits to another route where the time
  one route saves exceeds the time the other loses (same scope as replace), then insert again.
* **Shake**: remove ``S`` consecutive visits from position ``R`` of every route, then advance
  ``R`` and grow ``S`` (reset when it gets large).
* **Accept**: a shaken plan that scores less than the current one is kept with probability
  ``exp(delta / T)`` (simulated-annealing style, ``T`` half the mean prize of a visit), else
  the search goes back to the current plan.
* **Kick**: after ``KICK_AFTER`` rounds without a new best, remove a stretch of 30 % of the
  visits of every route (each at a random position) from the *current* plan, insert again and
  go on from there whatever it scores. Small shakes alone let a long route settle in one region
  for good (pr19 with one tour stayed at 471 of 562 for 8 of 9 seconds); going back to the best
  plan instead, as the original ILS does, was worse in the measurements (docs/benchmarks.md).

It handles windows (one per place and day: the longest window meeting the day), day bounds,
allowed vehicles and the stop cap. Lunch breaks, the driving cap, the budget and quotas are
left to OR-Tools: :func:`applicable` says whether the spec uses any of them, and the caller
then skips the ILS. Everything it returns is re-checked by OR-Tools and by the validator.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import numpy as np

from solver.routing_model import ModelSpec

#: run the in-route or-opt every this many iterations (and on every new best)
IMPROVE_EVERY = 5
#: largest number of consecutive visits removed from each route by a shake
S_CAP = 12
#: kick the current plan after this many rounds without a new best (and every as many after)
KICK_AFTER = 40
#: acceptance of a worse plan after a shake: probability ``exp(delta / T)`` with ``T`` this
#: fraction of the mean prize of a visit (0 accepts every plan, the original random walk)
ACCEPT_TEMP = 0.5
#: share of every route's visits a kick removes (one consecutive stretch per route)
KICK = 0.3
#: exponent of the prize in the insertion ratio ``prize**p / shift``
PRIZE_POWER = 2.0


class _Timing:
    """One vehicle's sequence (terminals included) as arrays: node, arrival, start of service,
    and slack (wait + max shift: how much later it may be reached without breaking a window
    or the day's end further on)."""

    __slots__ = ("arrive", "seq", "slack", "start")

    def __init__(
        self, seq: np.ndarray, arrive: np.ndarray, start: np.ndarray, slack: np.ndarray
    ) -> None:
        self.seq = seq
        self.arrive = arrive
        self.start = start
        self.slack = slack


def applicable(spec: ModelSpec) -> bool:
    """Whether the ILS models every constraint of ``spec`` exactly (lunch is approximated)."""
    return not any(v.lunch for v in spec.vehicles)


class ILS:
    """Insert/shake iterated local search over a :class:`ModelSpec`."""

    def __init__(self, spec: ModelSpec, rng: np.random.Generator, noise: float = 0.1) -> None:
        self.spec = spec
        self.rng = rng
        n = spec.n_nodes
        nv = len(spec.vehicles)
        self.tt = [np.asarray(m, dtype=np.int64) for m in spec.time_transit]
        self.vt = [self.tt[spec.matrix_of_day[v.day]] for v in spec.vehicles]
        tts = [np.ascontiguousarray(m.T) for m in self.tt]
        #: transposed travel matrix per vehicle: ``vtT[j][b, c] == vt[j][c, b]`` (row gathers
        #: are several times faster than column gathers)
        self.vtT = [tts[spec.matrix_of_day[v.day]] for v in spec.vehicles]
        self.visit_nodes = np.asarray(spec.visit_nodes, dtype=np.int64)
        self.prize = np.zeros(n, dtype=np.float64)
        for k in spec.visit_nodes:
            self.prize[k] = float(spec.penalty[k])
        # per-vehicle window (open/close of the start of service) and allowed mask
        self.open = np.zeros((nv, n), dtype=np.int64)
        self.close = np.full((nv, n), -1, dtype=np.int64)
        for j, v in enumerate(spec.vehicles):
            for k in spec.visit_nodes:
                wins = spec.windows.get(k)
                if wins is None:
                    lo, hi = v.day_start, v.day_end
                else:
                    best = None
                    for a, b in wins:
                        a2, b2 = max(a, v.day_start), min(b, v.day_end)
                        if a2 <= b2 and (best is None or b2 - a2 > best[1] - best[0]):
                            best = (a2, b2)
                    if best is None:
                        continue
                    lo, hi = best
                allowed = spec.allowed.get(k)
                if allowed is not None and j not in allowed:
                    continue
                self.open[j, k], self.close[j, k] = lo, hi
        self.allowed = self.close >= 0
        # plain-Python copies for the scalar loops of _compute (numpy scalar access is slow)
        tt_rows = [m if isinstance(m, list) else m.tolist() for m in spec.time_transit]
        self._tt_rows = [tt_rows[spec.matrix_of_day[v.day]] for v in spec.vehicles]
        self._open_rows = self.open.tolist()
        self._close_rows = self.close.tolist()
        self.max_stops = spec.max_stops
        # lunch, approximated: the day is shortened by the lunch duration
        self.end_limit = [
            v.day_end - (v.lunch[2] if v.lunch is not None else 0) for v in spec.vehicles
        ]
        # driving cap
        self.dt = None
        if spec.drive_transit is not None and spec.max_drive is not None:
            dts = [np.asarray(m, dtype=np.int64) for m in spec.drive_transit]
            self.dt = [dts[spec.matrix_of_day[v.day]] for v in spec.vehicles]
        # budget per group (tickets + travel money)
        self.mt = None
        if spec.money_transit is not None and spec.group_money_cap is not None:
            mts = [np.asarray(m, dtype=np.int64) for m in spec.money_transit]
            self.mt = [mts[spec.matrix_of_day[v.day]] for v in spec.vehicles]
        self.group_of = [v.group for v in spec.vehicles]
        # quotas: per quota, its node mask and its vehicles
        self.quota_nodes = []
        self.quota_vehicles = []
        self.quota_caps = []
        for nodes, vehicles, cap in spec.quotas:
            mask = np.zeros(n, dtype=bool)
            mask[nodes] = True
            self.quota_nodes.append(mask)
            self.quota_vehicles.append(set(vehicles))
            self.quota_caps.append(cap)
        #: relative noise on insertion ratios (diversification; 0.1 was best in tests)
        self.noise = noise
        self._value = self.prize**PRIZE_POWER
        # noise factors are drawn in blocks (one draw per evaluation costs more than the
        # evaluation of a short candidate list)
        self._noise_buf = np.empty(0)
        self._noise_at = 0
        #: no driving, money or quota limit (TOPTW, OPHS): the cheaper code paths apply
        self._simple = self.dt is None and self.mt is None and not self.quota_nodes
        self.routes: list[list[int]] = [[] for _ in range(nv)]
        self.in_route = np.zeros(n, dtype=bool)
        #: per vehicle, the free places that fitted it at its last evaluation
        self._fits: list[np.ndarray] = [self.visit_nodes for _ in range(nv)]
        # The insertion table survives between calls of insert(): row j holds the best
        # insertion of every free place into vehicle j as timed by _basis[j], for the places
        # marked in _seen[j]; a route that has not changed since is only evaluated for the
        # places freed meanwhile (simple specs only: elsewhere a removal can loosen a cap).
        self._ratio = np.full((nv, n), -1.0)
        self._where = np.zeros((nv, n), dtype=np.int64)
        self._basis: list[_Timing | None] = [None] * nv
        self._seen = np.zeros((nv, n), dtype=bool)
        self._times: list[_Timing] = [self._compute(j, []) for j in range(nv)]
        self._recount()

    # -- route bookkeeping ------------------------------------------------------------------

    def _seq(self, j: int, route: list[int]) -> list[int]:
        v = self.spec.vehicles[j]
        return [v.start, *route, v.end]

    def _compute(self, j: int, route: list[int]) -> _Timing:
        """Arrival, start and slack (wait + max_shift) of every node of vehicle ``j``'s
        sequence."""
        v = self.spec.vehicles[j]
        seq = [v.start, *route, v.end]
        tt = self._tt_rows[j]
        op = self._open_rows[j]
        cl = self._close_rows[j]
        n = len(seq)
        start = [0] * n
        arrive = [0] * n
        start[0] = arrive[0] = t = v.day_start
        prev = seq[0]
        for i in range(1, n):
            node = seq[i]
            a = t + tt[prev][node]
            arrive[i] = a
            o = op[node]
            t = a if (i == n - 1 or a >= o) else o
            start[i] = t
            prev = node
        slack = [0] * n  # wait + max_shift
        nxt = self.end_limit[j] - arrive[-1]
        slack[-1] = nxt
        for i in range(n - 2, 0, -1):
            s_i = start[i]
            room = cl[seq[i]] - s_i
            nxt = s_i - arrive[i] + (room if room < nxt else nxt)
            slack[i] = nxt
        slack[0] = slack[1] if n > 1 else 0
        return _Timing(
            np.array(seq, dtype=np.int64),
            np.array(arrive, dtype=np.int64),
            np.array(start, dtype=np.int64),
            np.array(slack, dtype=np.int64),
        )

    def _route_sum(self, mats: list[np.ndarray], j: int, route: list[int]) -> int:
        seq = self._seq(j, route)
        m = mats[j]
        return int(sum(m[a, b] for a, b in zip(seq, seq[1:], strict=False)))

    def _recount(self) -> None:
        """Recompute driving, money and quota use from the routes."""
        nv = len(self.routes)
        self.drive_used = [
            self._route_sum(self.dt, j, self.routes[j]) if self.dt is not None else 0
            for j in range(nv)
        ]
        self.money_used: dict[int, int] = {}
        if self.mt is not None:
            for j in range(nv):
                g = self.group_of[j]
                self.money_used[g] = self.money_used.get(g, 0) + self._route_sum(
                    self.mt, j, self.routes[j]
                )
        self.quota_used = [
            sum(int(mask[self.routes[j]].sum()) for j in vehicles if self.routes[j])
            for mask, vehicles in zip(self.quota_nodes, self.quota_vehicles, strict=True)
        ]

    def _within_caps(self, j: int, route: list[int]) -> bool:
        """Whether replacing vehicle ``j``'s route by ``route`` keeps driving and money caps."""
        if self.dt is not None and self._route_sum(self.dt, j, route) > self.spec.max_drive:
            return False
        if self.mt is not None:
            g = self.group_of[j]
            delta = self._route_sum(self.mt, j, route) - self._route_sum(self.mt, j, self.routes[j])
            if self.money_used.get(g, 0) + delta > self.spec.group_money_cap[g]:  # type: ignore[index]
                return False
        return True

    def set_routes(self, routes: list[list[int]]) -> None:
        """Start from given routes (assumed feasible)."""
        old = self.routes
        self.routes = [list(r) for r in routes]
        self.in_route[:] = False
        for r in self.routes:
            self.in_route[r] = True
        self._times = [
            self._times[j] if j < len(old) and old[j] == r else self._compute(j, r)
            for j, r in enumerate(self.routes)
        ]
        self._recount()

    def score(self) -> float:
        """Total prize of the current routes."""
        return float(sum(self.prize[r].sum() for r in self.routes if r))

    # -- insert / shake ---------------------------------------------------------------------

    def _noise(self, k: int) -> np.ndarray:
        """``k`` factors uniform in ``[1 - noise, 1 + noise]`` (seeded)."""
        if self._noise_at + k > len(self._noise_buf):
            size = max(4096, k)
            self._noise_buf = self.rng.uniform(1.0 - self.noise, 1.0 + self.noise, size)
            self._noise_at = 0
        out = self._noise_buf[self._noise_at : self._noise_at + k]
        self._noise_at += k
        return out

    def _evaluate(self, j: int, mode: str = "full") -> None:
        """Fill row ``j`` of the insertion table (``_ratio``, ``_where``) with the best
        insertion of free places into vehicle ``j`` (ratio -1 when it does not fit).

        ``mode``: ``"full"`` looks at every free place; ``"fits"`` only at the places that
        fitted ``j`` at its last evaluation (an insertion only delays the rest of a route
        and uses up caps, so a place that did not fit before it does not fit after it, up to
        the rare triangle-inequality breaks of truncated travel times, which only cost a
        missed insertion); ``"new"`` adds the places freed since the row was filled, for a
        route that has not changed since."""
        ratio, where = self._ratio, self._where
        if mode != "new":
            ratio[j] = -1.0
        if self.max_stops is not None and len(self.routes[j]) >= self.max_stops:
            ratio[j] = -1.0
            self._fits[j] = self.visit_nodes[:0]
            return
        kept = None
        if mode == "full":
            cand = self.visit_nodes[~self.in_route[self.visit_nodes]]
            c = cand[self.allowed[j, cand]]
            self._seen[j] = False
            self._seen[j, c] = True
        elif mode == "fits":
            c = self._fits[j]
            c = c[~self.in_route[c]]
        else:
            # places taken since (by any move) leave the row, and count as unseen if freed
            ratio[j, self.in_route] = -1.0
            self._seen[j] &= ~self.in_route
            kept = self._fits[j]
            kept = kept[~self.in_route[kept]]
            cand = self.visit_nodes[
                ~self.in_route[self.visit_nodes] & ~self._seen[j, self.visit_nodes]
            ]
            c = cand[self.allowed[j, cand]]
            self._seen[j, c] = True
        if len(c) == 0:
            self._fits[j] = c if kept is None else kept
            return
        tm = self._times[j]
        # st[e, k]: start of service at c[k] inserted on edge e; shift: how much later the
        # edge's head is then reached
        st = self.vt[j].take(tm.seq[:-1], axis=0).take(c, axis=1)
        st += tm.start[:-1, None]
        np.maximum(st, self.open[j].take(c), out=st)
        ok = st <= self.close[j].take(c)
        shift = self.vtT[j].take(tm.seq[1:], axis=0).take(c, axis=1)
        shift += st
        shift -= tm.arrive[1:, None]
        ok &= shift <= tm.slack[1:, None]
        value = self._value.take(c)
        if self.noise > 0:
            value *= self._noise(len(c))
        i_nodes, j_nodes = tm.seq[:-1], tm.seq[1:]
        if self.dt is not None:
            dt = self.dt[j]
            inc = dt[np.ix_(i_nodes, c)] + dt[np.ix_(c, j_nodes)].T - dt[i_nodes, j_nodes][:, None]
            ok &= inc <= self.spec.max_drive - self.drive_used[j]
        if self.mt is not None:
            mt = self.mt[j]
            g = self.group_of[j]
            inc = mt[np.ix_(i_nodes, c)] + mt[np.ix_(c, j_nodes)].T - mt[i_nodes, j_nodes][:, None]
            ok &= inc <= self.spec.group_money_cap[g] - self.money_used.get(g, 0)  # type: ignore[index]
        for q, mask in enumerate(self.quota_nodes):
            if j in self.quota_vehicles[q] and self.quota_used[q] >= self.quota_caps[q]:
                ok &= ~mask[c][None, :]
        np.maximum(shift, 1, out=shift)
        r = value / shift
        r[~ok] = -1.0
        pos = r.argmax(axis=0)
        best = r.max(axis=0)
        ratio[j, c] = best
        where[j, c] = pos
        fits = c[best >= 0]
        self._fits[j] = fits if kept is None else np.concatenate((kept, fits))

    def insert(self) -> None:
        """Greedy best-ratio insertion until nothing fits (only the changed route is
        re-evaluated after each insertion)."""
        nv, n = len(self.routes), self.spec.n_nodes
        ratio, where = self._ratio, self._where
        for j in range(nv):
            if self._simple and self._basis[j] is self._times[j]:
                self._evaluate(j, "new")
            else:
                self._evaluate(j, "full")
                self._basis[j] = self._times[j]
        while True:
            flat = int(np.argmax(ratio))
            if ratio.flat[flat] < 0:
                return
            j, node = divmod(flat, n)
            self.routes[j].insert(int(where[j, node]), node)
            self.in_route[node] = True
            ratio[:, node] = -1.0
            self._seen[:, node] = False
            self._times[j] = self._compute(j, self.routes[j])
            self._basis[j] = self._times[j]
            if not self._simple:
                self._recount()
            again = {j}
            if self.mt is not None:
                again |= {k for k in range(nv) if self.group_of[k] == self.group_of[j]}
            for q, mask in enumerate(self.quota_nodes):
                if mask[node]:
                    again |= self.quota_vehicles[q]
            for k in again:
                self._evaluate(k, "fits")
                self._basis[k] = self._times[k]

    def _least_delay(self, j: int, times: _Timing, node: int) -> tuple[int, int] | None:
        """The insertion of ``node`` into vehicle ``j``'s route (timed as ``times``) that
        delays the route's end least (ties: the smaller shift), as (position, delay of the
        end); None when it fits nowhere. A shift at an edge reaches the end less the waits
        after it, so the delay of every position comes from one vectorised pass."""
        i_nodes, j_nodes = times.seq[:-1], times.seq[1:]
        st = np.maximum(times.start[:-1] + self.vtT[j][node, i_nodes], self.open[j, node])
        shift = st + self.vt[j][node, j_nodes] - times.arrive[1:]
        ok = (st <= self.close[j, node]) & (shift <= times.slack[1:])
        if not ok.any():
            return None
        waits_after = np.cumsum((times.start - times.arrive)[:0:-1])[::-1]
        delay = np.maximum(shift - waits_after, 0)
        big = np.iinfo(np.int64).max
        least = int(np.where(ok, delay, big).min())
        pos = int(np.argmin(np.where(ok & (delay == least), shift, big)))
        return pos, least

    def _removal_gains(self, j: int) -> np.ndarray:
        """How much earlier vehicle ``j``'s route ends without each of its visits (one value
        per route position). Without visit ``i`` the next stop is reached ``delta`` earlier;
        each later stop passes on at most its start minus its opening time, so the end gains
        ``min(delta, the smallest such margin after i)``."""
        tm = self._times[j]
        seq = tm.seq
        if len(seq) <= 2:
            return np.zeros(0, dtype=np.int64)
        tt = self.vt[j]
        delta = tm.arrive[2:] - (tm.start[:-2] + tt[seq[:-2], seq[2:]])
        margin = tm.start[1:-1] - self.open[j, seq[1:-1]]
        after = np.minimum.accumulate(margin[::-1])[::-1]
        after = np.append(after[1:], np.iinfo(np.int64).max)
        return np.minimum(delta, after)

    def improve(self, j: int) -> bool:
        """Or-opt of single visits inside vehicle ``j``: move a visit to the position that
        brings the route back earliest, while that helps. Frees time for more insertions.
        Only visits whose removal alone brings the end earlier can help, so only those are
        tried."""
        route = self.routes[j]
        if len(route) < 3:
            return False
        changed = False
        tried: set[int] = set()
        while True:
            gains = self._removal_gains(j)
            todo = [route[i] for i in np.flatnonzero(gains > 0) if route[i] not in tried]
            if not todo:
                return changed
            moved = False
            end_now = int(self._times[j].start[-1])
            for node in todo:
                tried.add(node)
                idx = route.index(node)
                rest = route[:idx] + route[idx + 1 :]
                rest_times = self._compute(j, rest)
                found = self._least_delay(j, rest_times, node)
                if found is None or found[0] == idx:
                    continue
                pos, delay = found
                if int(rest_times.start[-1]) + delay >= end_now:
                    continue
                trial = rest[:pos] + [node] + rest[pos:]
                if self._simple or self._within_caps(j, trial):
                    route[:] = trial
                    self._times[j] = self._compute(j, trial)
                    changed = moved = True
                    if not self._simple:
                        self._recount()
                    break
            if not moved:
                return changed

    def replace(self) -> bool:
        """Swap one visit for a free place with a higher prize, where that place fits once
        the visit is gone (the largest prize gain per route first). Only for specs without
        driving, money or quota limits (the swap keeps the stop count)."""
        if self.dt is not None or self.mt is not None or self.quota_nodes:
            return False
        changed = False
        for j, route in enumerate(self.routes):
            if not route:
                continue
            free = self.visit_nodes[~self.in_route[self.visit_nodes]]
            free = free[self.allowed[j, free]]
            if len(free) == 0:
                continue
            tt = self.vt[j]
            best: tuple[float, int, int, int] | None = None
            for idx, out in enumerate(route):
                c = free[self.prize[free] > self.prize[out]]
                if len(c) == 0:
                    continue
                rest = route[:idx] + route[idx + 1 :]
                tm = self._compute(j, rest)
                i_nodes, j_nodes = tm.seq[:-1], tm.seq[1:]
                st = tt[i_nodes][:, c]
                st += tm.start[:-1, None]
                np.maximum(st, self.open[j, c], out=st)
                ok = st <= self.close[j, c]
                shift = self.vtT[j][j_nodes][:, c]
                shift += st
                shift -= tm.arrive[1:, None]
                ok &= shift <= tm.slack[1:, None]
                fits = ok.any(axis=0)
                if not fits.any():
                    continue
                gain = np.where(fits, self.prize[c] - self.prize[out], -1.0)
                k = int(np.argmax(gain))
                if best is None or gain[k] > best[0]:
                    big = np.iinfo(np.int64).max
                    pos = int(np.argmin(np.where(ok[:, k], shift[:, k], big)))
                    best = (float(gain[k]), idx, int(c[k]), pos)
            if best is None:
                continue
            _, idx, node, pos = best
            out = route[idx]
            rest = route[:idx] + route[idx + 1 :]
            self.routes[j] = rest[:pos] + [node] + rest[pos:]
            self.in_route[out] = False
            self.in_route[node] = True
            self._times[j] = self._compute(j, self.routes[j])
            changed = True
        return changed

    def relocate(self) -> bool:
        """Move single visits to another route where that brings the routes back earlier in
        total (the time one route saves exceeds the time the other loses). Frees time for
        more insertions; only for specs without driving, money or quota limits."""
        if self.dt is not None or self.mt is not None or self.quota_nodes or len(self.routes) < 2:
            return False
        nv = len(self.routes)
        changed = False
        for j in range(nv):
            done: set[int] = set()
            while True:
                gains = self._removal_gains(j)
                route = self.routes[j]
                move: tuple[int, int, int, int] | None = None  # (idx, k, pos, loss)
                for idx in np.flatnonzero(gains > 0):
                    node = route[idx]
                    if node in done:
                        continue
                    done.add(node)
                    gain = int(gains[idx])
                    for k in range(nv):
                        if k == j or not self.allowed[k, node]:
                            continue
                        if self.max_stops is not None and len(self.routes[k]) >= self.max_stops:
                            continue
                        found = self._least_delay(k, self._times[k], node)
                        if (
                            found is not None
                            and found[1] < gain
                            and (move is None or found[1] < move[3])
                        ):
                            move = (int(idx), k, found[0], found[1])
                    if move is not None:
                        break
                if move is None:
                    break
                idx, k, pos, _ = move
                node = route[idx]
                self.routes[j] = route[:idx] + route[idx + 1 :]
                self._times[j] = self._compute(j, self.routes[j])
                self.routes[k] = self.routes[k][:pos] + [node] + self.routes[k][pos:]
                self._times[k] = self._compute(k, self.routes[k])
                changed = True
        return changed

    def _remove_stretch(self, j: int, at: int, size: int) -> None:
        """Remove ``size`` consecutive visits (cyclic) from position ``at`` of route ``j``."""
        route = self.routes[j]
        k = len(route)
        drop = {(at + i) % k for i in range(min(size, k))}
        for i in drop:
            self.in_route[route[i]] = False
        self.routes[j] = [x for i, x in enumerate(route) if i not in drop]
        self._times[j] = self._compute(j, self.routes[j])

    def shake(self, s: int, r: int) -> None:
        """Remove ``s`` consecutive visits from position ``r`` (cyclic) of every route."""
        for j, route in enumerate(self.routes):
            if route:
                self._remove_stretch(j, r, s)
        self._recount()

    def kick(self, fraction: float) -> None:
        """Remove a stretch of ``fraction`` of the visits (at least one) from a random
        position of every route."""
        for j, route in enumerate(self.routes):
            if route:
                k = len(route)
                self._remove_stretch(j, int(self.rng.integers(0, k)), max(1, int(fraction * k)))
        self._recount()

    def run(
        self,
        deadline: float,
        initial: list[list[int]] | None = None,
        max_no_improve: int = 10**9,
        should_stop: Callable[[], bool] | None = None,
    ) -> tuple[list[list[int]], float]:
        """Iterate until ``deadline`` (perf_counter) and return the best routes and score."""
        if initial is not None:
            self.set_routes(initial)
        self.insert()
        best = [list(r) for r in self.routes]
        best_score = self.score()
        s, r, no_improve = 1, 0, 0
        n_vis = len(self.visit_nodes)
        # Vansteenwegen et al. let S grow to n / (3 m); capping it gives more, smaller
        # perturbations, which did better on the 100-288-place benchmarks.
        s_max = max(2, min(n_vis // (3 * max(1, len(self.routes))), S_CAP))
        iterations = 0
        cur, cur_score = [list(x) for x in best], best_score
        visited = [k for x in best for k in x]
        mean_prize = float(self.prize[visited].mean()) if visited else 1.0
        temp = ACCEPT_TEMP * mean_prize if ACCEPT_TEMP > 0 else float("inf")
        while time.perf_counter() < deadline and no_improve < max_no_improve:
            if should_stop is not None and should_stop():
                break
            iterations += 1
            self.shake(s, r)
            self.insert()
            sc = self.score()
            due = sc > best_score or iterations % IMPROVE_EVERY == 0
            if due and any([self.improve(j) for j in range(len(self.routes))]):
                self.insert()
                sc = self.score()
            if due and self.relocate():
                self.insert()
                sc = self.score()
            if (due or sc > best_score) and self.replace():
                self.insert()
                sc = self.score()
            if sc > best_score:
                best, best_score = [list(x) for x in self.routes], sc
                s, no_improve = 1, 0
            else:
                no_improve += 1
            if sc >= cur_score or self.rng.random() < np.exp((sc - cur_score) / temp):
                cur, cur_score = [list(x) for x in self.routes], sc
            else:
                self.set_routes(cur)
            r += s
            s += 1
            smallest = min((len(x) for x in self.routes if x), default=1)
            if r >= smallest:
                r = r - smallest if smallest else 0
            if s >= s_max:
                s = 1
            if no_improve and no_improve % KICK_AFTER == 0:
                # idle for a while: a large kick of the current plan, kept whatever it scores
                self.kick(KICK)
                self.insert()
                cur, cur_score = [list(x) for x in self.routes], self.score()
                if cur_score > best_score:
                    best, best_score = [list(x) for x in cur], cur_score
                r = int(self.rng.integers(0, max(1, smallest)))
        self.iterations = iterations
        return best, best_score
