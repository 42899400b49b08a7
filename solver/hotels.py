"""Night hub selection: which hub each group sleeps at (the hotel-selection part of OPHS).

The routing model has fixed start and end nodes per vehicle, so the hub choice is searched
*around* it: :func:`hub_candidates` ranks hub sequences with a cheap estimate, and
:mod:`solver.solve` evaluates the best few with short OR-Tools runs, keeps the best, and tries
single-night hub changes during the rest of the search.

The estimate is a beam search over nights. Extending a sequence by the hub ``b`` of night
``n`` (from the previous hub ``a``) adds an estimate of the prize a day ``a -> b`` can collect:
places open that day, allowed to the group, not yet counted by earlier days, and inside the
"ellipse" ``t(a, i) + visit_i + t(i, b) <= day length``; they are taken greedily by prize per
(visit + nearest-neighbour minutes) until the day's time (minus the direct leg) is used up.
Weighted lodging cost is subtracted. Sequences whose last night cannot reach the trip's end
within the last day are discarded.
"""

from __future__ import annotations

import logging

import numpy as np

from solver.compiled import Compiled
from solver.compiled import HubChoice
from solver.problem import UNREACHABLE
from solver.timing import schedule_day

log = logging.getLogger(__name__)

#: estimated value of serving a must-visit, above any sum of optional prizes in practice
MUST_BONUS = 1.0e6


class _DayEstimator:
    def __init__(self, c: Compiled, g: int) -> None:
        p = c.problem
        self.c = c
        places = sorted({v.place for v in c.visits if v.group in (-1, g)})
        allowed = p.groups[g].allowed_places
        if allowed is not None:
            places = [i for i in places if p.places[i].id in allowed]
        self.idx = np.asarray(places, dtype=np.int64)
        self.nodes = np.asarray([p.places[i].node for i in places], dtype=np.int64)
        # A must-visit outweighs every optional place, so sequences whose days can reach the
        # must-visits rank first (their prize alone may be small next to a city's sights).
        self.prize = np.asarray(
            [c.net_value(i) + (MUST_BONUS if i in c.must else 0.0) for i in places],
            dtype=np.float64,
        )
        self.visit = np.asarray([p.places[i].visit_min for i in places], dtype=np.float64)
        self.open = np.zeros((c.n_days, len(places)), dtype=bool)
        for k, i in enumerate(places):
            for d in c.open_days[i]:
                self.open[d, k] = True
        m0 = c.minutes[0][np.ix_(self.nodes, self.nodes)].astype(np.float64)
        m0[m0 == UNREACHABLE] = np.inf
        np.fill_diagonal(m0, np.inf)
        nn = m0.min(axis=1) if len(places) > 1 else np.zeros(len(places))
        self.unit_cost = self.visit + np.where(np.isfinite(nn), nn, 0.0) + 1e-6
        self.is_must = np.asarray([i in c.must for i in places], dtype=bool)

    def _musts_that_fit(self, d: int, a: int, b: int, cand: np.ndarray) -> tuple[np.ndarray, float]:
        """The must-visits among ``cand`` that one real day ``a -> ... -> b`` can serve
        (cheapest feasible insertion, timed with windows and lunch), and the minutes used."""
        p = self.c.problem
        day = p.days[d]
        m = self.c.minutes[d]
        chosen: list[int] = []
        used = 0.0
        for k in cand[self.is_must[cand]]:
            best = None
            for pos in range(len(chosen) + 1):
                order = [*chosen[:pos], int(k), *chosen[pos:]]
                idx = [int(self.idx[j]) for j in order]
                timing = schedule_day(
                    m,
                    [a, *(int(self.nodes[j]) for j in order), b],
                    [p.places[i].visit_min for i in idx],
                    [p.places[i].windows for i in idx],
                    day.start_min,
                    day.end_min,
                    day.lunch,
                )
                if timing is not None:
                    span = timing.return_min - timing.depart_min
                    if best is None or span < best[0]:
                        best = (span, order)
            if best is not None:
                used, chosen = best
        return np.asarray(chosen, dtype=np.int64), float(used)

    def day_value(self, d: int, a: int, b: int, covered: np.ndarray) -> tuple[float, np.ndarray]:
        c = self.c
        day = c.problem.days[d]
        length = day.end_min - day.start_min - (day.lunch.duration_min if day.lunch else 0)
        m = c.minutes[d]
        direct = m[a, b]
        cap = c.problem.max_drive_min_per_day
        if direct == UNREACHABLE or direct > length or (cap is not None and direct > cap):
            return -np.inf, covered
        if len(self.idx) == 0:
            return 0.0, covered
        ta = m[a, self.nodes].astype(np.float64)
        tb = m[self.nodes, b].astype(np.float64)
        ok = (ta != UNREACHABLE) & (tb != UNREACHABLE) & self.open[d] & ~covered
        ok &= ta + self.visit + tb <= length
        cand = np.flatnonzero(ok)
        if len(cand) == 0:
            return 0.0, covered
        # Must-visits count only when a real schedule of the day serves them; optional places
        # then fill the time left, greedily by prize per minute.
        musts, must_minutes = self._musts_that_fit(d, a, b, cand)
        optional = cand[~self.is_must[cand]]
        ratio = self.prize[optional] / self.unit_cost[optional]
        order = optional[np.argsort(-ratio, kind="stable")]
        # Driving into and out of the day's cluster of places; between places the path costs
        # about each place's nearest-neighbour distance (already in unit_cost). Using the
        # direct hub-to-hub leg here starved days whose hubs are far apart although the places
        # lie on the way.
        overhead = float(ta[cand].min() + tb[cand].min())
        budget = length - max(min(overhead, float(direct)), must_minutes)
        used = np.cumsum(self.unit_cost[order])
        take = np.concatenate([musts, order[used <= budget]])
        new_cov = covered.copy()
        new_cov[take] = True
        return float(self.prize[take].sum()), new_cov


def hub_sequences(c: Compiled, g: int, k: int, width: int = 160) -> list[tuple[int, ...]]:
    """The ``k`` best-estimated hub sequences (hub index per night) for group ``g``."""
    p = c.problem
    n_nights = len(p.nights)
    if n_nights == 0:
        return [()]
    est = _DayEstimator(c, g)
    covered0 = np.zeros(len(est.idx), dtype=bool)
    # beam state: (score, sequence, covered, node)
    beam: list[tuple[float, tuple[int, ...], np.ndarray, int]] = [(0.0, (), covered0, p.start_node)]
    for n in range(n_nights):
        nxt = []
        for score, seq, cov, node in beam:
            for h, hub in enumerate(p.nights[n]):
                value, new_cov = est.day_value(n, node, hub.node, cov)
                if value == -np.inf:
                    continue
                s = score + value - p.money_weight * hub.lodging_cost
                nxt.append((s, (*seq, h), new_cov, hub.node))
        nxt.sort(key=lambda t: (-t[0], t[1]))
        beam = nxt[: max(width, k)]
        if not beam:
            break
    final = []
    for score, seq, cov, node in beam:
        value, _ = est.day_value(n_nights, node, p.end_node, cov)
        if value == -np.inf:
            continue
        final.append((score + value, seq))
    final.sort(key=lambda t: (-t[0], t[1]))
    out = [seq for _, seq in final[:k]]
    if not out:
        # Nothing passes the estimate (e.g. every day too short): fall back to first hubs.
        out = [tuple(0 for _ in range(n_nights))]
    log.debug("hub sequences for group %d: %s", g, out)
    return out


def hub_candidates(c: Compiled, k: int) -> list[HubChoice]:
    """Up to ``k`` hub choices (one sequence per group), best estimate first.

    Groups are ranked independently; the ``r``-th choice gives every group its ``r``-th
    sequence (or its last one if it has fewer).
    """
    per_group = [hub_sequences(c, g, k) for g in range(c.n_groups)]
    n = max(len(s) for s in per_group)
    return [tuple(s[min(r, len(s) - 1)] for s in per_group) for r in range(n)]


def neighbour_choices(c: Compiled, choice: HubChoice, rng: np.random.Generator) -> HubChoice | None:
    """A random single-night hub change of ``choice`` (``None`` if every night has one hub)."""
    p = c.problem
    options = [
        (g, n) for g in range(c.n_groups) for n in range(len(p.nights)) if len(p.nights[n]) > 1
    ]
    if not options:
        return None
    g, n = options[int(rng.integers(len(options)))]
    current = choice[g][n]
    alternatives = [h for h in range(len(p.nights[n])) if h != current]
    h = alternatives[int(rng.integers(len(alternatives)))]
    seq = list(choice[g])
    seq[n] = h
    out = list(choice)
    out[g] = tuple(seq)
    return tuple(out)


def feasible_choice(c: Compiled) -> HubChoice | None:
    """Any hub choice under which every day can at least be travelled (empty routes), found by
    dynamic programming over nights; ``None`` if there is none."""
    p = c.problem
    n_nights = len(p.nights)

    def ok(d: int, a: int, b: int) -> bool:
        return c.day_ok(d, a, b)

    # reach[n][h]: predecessor hub index (or -1 from the start) if hub h of night n is reachable
    prev: list[dict[int, int]] = []
    frontier = {-1: p.start_node}
    for n in range(n_nights):
        layer: dict[int, int] = {}
        for h, hub in enumerate(p.nights[n]):
            for ph, node in frontier.items():
                if ok(n, node, hub.node):
                    layer[h] = ph
                    break
        if not layer:
            return None
        prev.append(layer)
        frontier = {h: p.nights[n][h].node for h in layer}
    last = next((h for h, node in frontier.items() if ok(n_nights, node, p.end_node)), None)
    if last is None:
        return None
    seq = []
    h = last
    for n in range(n_nights - 1, -1, -1):
        seq.append(h)
        h = prev[n][h]
    seq.reverse()
    return tuple(tuple(seq) for _ in range(c.n_groups))
