"""Exact timing of one group-day in the application model, scalar and vectorised.

A day runs from its start terminal (the trip's start or last night's hub) through visits to its
end terminal (tonight's hub or the trip's end). The group is *ready* at the start at
``T0 = max(day start, hub's leave_from_min)`` and must reach the end by ``T_end = min(day end,
hub's arrive_by_min)``. Travel on a leg ``a -> b`` is FIFO: the arrival ``arr(a, b, t)`` never
decreases with the departure ``t`` (a constant time, or a :class:`~solver.problem.Timetable`
row). A visit starts inside one of its windows (clipped so that it ends within the day) and
lasts its ``visit_min``.

Lunch, when the day has one (``[lo, hi]``, ``dur``), is taken exactly once, in one of four
ways:

* **at the origin of a leg** (after a visit, or at the start before leaving): eat from
  ``ls = max(t, lo)``, then travel, arriving at ``arr(a, b, ls + dur)``;
* **at the destination** before its visit: arrive at ``arr(a, b, t)``, eat from
  ``max(arrival, lo)``, start the visit after;
* **inside a visit** of a place with ``lunch_inside``: the visit covers ``[ls, ls + dur]``;
* **at the end terminal** after arriving (a hotel or a cruise's lunch on board).

A hub with ``lunch_on_departure`` serves the day's lunch before the group leaves it.

Earlier is never worse (FIFO travel, waiting allowed), so a forward pass that keeps, per
position, the earliest departure with lunch *pending* (state 0) and *taken* (state 1) is exact.
A backward pass keeps the latest arrival per position and state for which the rest of the day
still fits. Inserting a visit between two positions is then feasible if and only if the new
arrival at the next position is no later than that position's latest arrival in the same
state: :meth:`DayModel.insertion` checks every (gap, candidate) pair of a route at once with
numpy.

Integers throughout; :data:`INF` stands for "impossible" (never a real time).
"""

from __future__ import annotations

import math
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solver.problem import UNREACHABLE
from solver.problem import TravelMatrix

#: "impossible" for times (far beyond any trip minute, safe to add to)
INF = 1 << 40
NEG = -INF


class TravelLookup:
    """Fast arrival and latest-departure lookups on one day's :class:`TravelMatrix`."""

    def __init__(self, matrix: TravelMatrix) -> None:
        m = matrix.minutes
        self.n = int(m.shape[0])
        tmin = np.where(m == UNREACHABLE, INF, m).astype(np.int64)
        self.tmin = tmin
        self.tmin_l: list[list[int]] = tmin.tolist()
        self.minutes = m
        tt = matrix.timetable
        self.timed = tt is not None and len(tt.pairs) > 0
        if self.timed:
            assert tt is not None
            self.first = int(tt.first_min)
            self.step = int(tt.step_min)
            self.k = tt.samples
            prow = np.full((self.n, self.n), -1, dtype=np.int64)
            prow[tt.pairs[:, 0], tt.pairs[:, 1]] = np.arange(len(tt.pairs))
            self.prow = prow
            self.prow_l: list[list[int]] = prow.tolist()
            arrive = np.where(tt.arrive == UNREACHABLE, INF, tt.arrive).astype(np.int64)
            # one more column of INF: departures after the last sample find no connection
            self.table = np.concatenate([arrive, np.full((len(arrive), 1), INF)], axis=1)
            #: rows as Python lists, made on first use (scalar lookups are faster on lists)
            self._rows: dict[int, list[int]] = {}

    # -- scalar -----------------------------------------------------------------------------

    def arr(self, a: int, b: int, t: int) -> int:
        """Earliest arrival at ``b`` leaving ``a`` at ``t`` (:data:`INF`: none)."""
        if t >= INF:
            return INF
        if self.timed:
            r = self.prow_l[a][b]
            if r >= 0:
                k = -((self.first - t) // self.step)
                if k < 0:
                    k = 0
                elif k > self.k:
                    k = self.k
                row = self._rows.get(r)
                if row is None:
                    row = self._rows[r] = self.table[r].tolist()
                return row[k]
        m = self.tmin_l[a][b]
        return INF if m >= INF else t + m

    def ld(self, a: int, b: int, arrive_by: int) -> int:
        """Latest departure from ``a`` that reaches ``b`` by ``arrive_by`` (:data:`NEG`: none)."""
        if arrive_by <= NEG:
            return NEG
        if self.timed:
            r = self.prow_l[a][b]
            if r >= 0:
                row = self._rows.get(r)
                if row is None:
                    row = self._rows[r] = self.table[r].tolist()
                k = bisect_right(row, arrive_by) - 1
                return NEG if k < 0 else self.first + k * self.step
        m = self.tmin_l[a][b]
        return NEG if m >= INF else arrive_by - m

    # -- vectorised -------------------------------------------------------------------------

    def arr_v(self, a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
        """:meth:`arr` over broadcast arrays of nodes and times."""
        out = t + self.tmin[a, b]
        if self.timed:
            rows = self.prow[a, b]
            # (np.minimum/np.maximum: np.clip costs more than the lookup on small arrays)
            k = np.minimum(np.maximum(-((self.first - t) // self.step), 0), self.k)
            timed = self.table[np.maximum(rows, 0), k]
            out = np.where(rows >= 0, timed, out)
        return np.where(t >= INF, INF, np.minimum(out, INF))


@dataclass(frozen=True, slots=True)
class Terminals:
    """The fixed ends of one group-day: nodes, ready time, deadline, whether lunch is done."""

    start: int
    end: int
    ready: int
    deadline: int
    lunch_done: bool


@dataclass(slots=True)
class Timing:
    """The forward and backward passes of one route (positions 0..k+1: start, visits, end).

    ``d0``/``d1``: earliest departure per position with lunch pending / taken (:data:`INF`
    when impossible); ``la0``/``la1``: latest arrival per position for which the rest fits
    (:data:`NEG` when impossible; index 0 unused). ``arrive``: earliest arrival per position in
    the state the plan uses. ``feasible``: whether the whole route fits.
    """

    d0: list[int]
    d1: list[int]
    la0: list[int] | None
    la1: list[int] | None
    feasible: bool
    end_state: int
    end_arrive: int


@dataclass(frozen=True, slots=True)
class TimedVisit:
    """Times of one visit of a reconstructed day."""

    arrive: int
    start: int
    depart: int


@dataclass(frozen=True, slots=True)
class DaySchedule:
    """A reconstructed day: visit times, departure, return, lunch start and where lunch is."""

    visits: tuple[TimedVisit, ...]
    depart: int
    return_: int
    lunch_start: int | None
    lunch_inside: int | None  # position (1..k) of the visit holding lunch


class DayModel:
    """Timing rules of one day (its lunch, the visits' windows and durations).

    Parameters
    ----------
    lunch
        ``(lo, hi, dur)`` of the day's lunch window and duration, or ``None``.
    windows
        Per place index: the windows of this day as ``(open, close)`` start bounds, clipped to
        the day so that a visit ends by the day's end (empty: closed that day).
    service, lunch_inside
        Per place index: visit minutes, and whether lunch may be taken inside the visit.
    """

    def __init__(
        self,
        lunch: tuple[int, int, int] | None,
        windows: Sequence[Sequence[tuple[int, int]]],
        service: Sequence[int],
        lunch_inside: Sequence[bool],
    ) -> None:
        self.lunch = lunch
        self.windows = [list(w) for w in windows]
        self.service = list(service)
        self.inside = [bool(x) and lunch is not None and s >= lunch[2] for x, s in
                       zip(lunch_inside, service, strict=True)]  # fmt: skip
        n = len(self.windows)
        width = max(1, max((len(w) for w in self.windows), default=1))
        wo = np.full((n, width), INF, dtype=np.int64)
        wc = np.full((n, width), NEG, dtype=np.int64)
        for i, ws in enumerate(self.windows):
            for j, (o, c) in enumerate(ws):
                wo[i, j], wc[i, j] = o, c
        self.wo, self.wc = wo, wc
        self.svc = np.asarray(self.service, dtype=np.int64)
        self.inside_v = np.asarray(self.inside, dtype=bool)
        #: places open at some time this day
        self.open_mask = np.asarray([bool(w) for w in self.windows], dtype=bool)

    # -- scalar helpers ---------------------------------------------------------------------

    def eat(self, t: int) -> int:
        """End of a lunch started as early as possible from ``t`` (:data:`INF`: too late)."""
        lunch = self.lunch
        if lunch is None or t >= INF:
            return INF
        lo, hi, dur = lunch
        ls = t if t > lo else lo
        return ls + dur if ls + dur <= hi else INF

    def next_start(self, i: int, t: int) -> int:
        """Earliest start of place ``i`` at or after ``t`` (:data:`INF`: none)."""
        if t >= INF:
            return INF
        for o, c in self.windows[i]:
            if c >= t:
                return t if t > o else o
        return INF

    def latest_start(self, i: int, x: int) -> int:
        """Latest start of place ``i`` at or before ``x`` (:data:`NEG`: none)."""
        if x <= NEG:
            return NEG
        for o, c in reversed(self.windows[i]):
            if o <= x:
                return x if x < c else c
        return NEG

    def inside_depart(self, i: int, arrive: int) -> int:
        """Departure after a visit of ``i`` that holds lunch, arriving at ``arrive``."""
        if not self.inside[i] or arrive >= INF:
            return INF
        lo, hi, dur = self.lunch  # type: ignore[misc]
        svc = self.service[i]
        st = self.next_start(i, max(arrive, lo + dur - svc))
        if st >= INF or max(st, lo) + dur > hi:
            return INF
        return st + svc

    # -- passes -----------------------------------------------------------------------------

    def timing(self, travel: TravelLookup, ends: Terminals, places: Sequence[int],
               nodes: Sequence[int], backward: bool = True) -> Timing:  # fmt: skip
        """Forward and (unless ``backward`` is false; :meth:`complete` adds it later)
        backward passes of the route ``places`` (place indices, matrix ``nodes``) between
        ``ends``."""
        k = len(places)
        seq = [ends.start, *nodes, ends.end]
        d0 = [INF] * (k + 2)
        d1 = [INF] * (k + 2)
        if self.lunch is None or ends.lunch_done:
            d1[0] = ends.ready
        else:
            d0[0] = ends.ready
        arr = travel.arr
        eat = self.eat
        for pos in range(1, k + 1):
            x, y = seq[pos - 1], seq[pos]
            i = places[pos - 1]
            a0 = arr(x, y, d0[pos - 1])
            a1 = min(arr(x, y, d1[pos - 1]), arr(x, y, eat(d0[pos - 1])))
            svc = self.service[i]
            s0 = self.next_start(i, a0)
            d0[pos] = s0 + svc if s0 < INF else INF
            best = INF
            s1 = self.next_start(i, a1)
            if s1 < INF:
                best = s1 + svc
            s2 = self.next_start(i, eat(a0))
            if s2 < INF and s2 + svc < best:
                best = s2 + svc
            if self.inside[i]:
                best = min(best, self.inside_depart(i, a0))
            d1[pos] = best
        x, y = seq[k], seq[k + 1]
        a0 = arr(x, y, d0[k])
        a1 = min(arr(x, y, d1[k]), arr(x, y, eat(d0[k])))
        ok1 = a1 <= ends.deadline
        ok0 = a0 <= ends.deadline and self.lunch is not None and eat(a0) < INF
        end_state, end_arrive = (1, a1) if ok1 and (not ok0 or a1 <= a0) else (0, a0)
        feasible = ok0 or ok1
        timing = Timing(d0, d1, None, None, feasible, end_state, end_arrive)
        if backward:
            self.complete(travel, ends, places, nodes, timing)
        return timing

    def complete(self, travel: TravelLookup, ends: Terminals, places: Sequence[int],
                 nodes: Sequence[int], timing: Timing) -> Timing:  # fmt: skip
        """Add the backward pass to ``timing`` if it lacks it; return it."""
        if timing.la0 is None:
            timing.la0, timing.la1 = self._backward(travel, ends, places,
                                                    [ends.start, *nodes, ends.end])  # fmt: skip
        return timing

    def _backward(self, travel: TravelLookup, ends: Terminals, places: Sequence[int],
                  seq: Sequence[int]) -> tuple[list[int], list[int]]:  # fmt: skip
        k = len(places)
        la0 = [NEG] * (k + 2)
        la1 = [NEG] * (k + 2)
        la1[k + 1] = ends.deadline
        lunch = self.lunch
        if lunch is not None:
            lo, hi, dur = lunch
            la0[k + 1] = min(ends.deadline, hi - dur)
        ld = travel.ld
        for pos in range(k, 0, -1):
            y, z = seq[pos], seq[pos + 1]
            i = places[pos - 1]
            svc = self.service[i]
            dep1 = ld(y, z, la1[pos + 1])
            s1 = self.latest_start(i, dep1 - svc) if dep1 > NEG else NEG
            la1[pos] = s1
            if lunch is None:
                continue
            lo, hi, dur = lunch
            dep0 = ld(y, z, la0[pos + 1])
            e = min(dep1, hi) - dur  # leave state 0, eat here after the visit, then go
            if dep1 > NEG and e >= lo and e > dep0:
                dep0 = e
            best = self.latest_start(i, dep0 - svc) if dep0 > NEG else NEG
            if s1 > NEG:  # eat on arrival, then visit
                cap = min(s1, hi)
                if lo + dur <= cap and cap - dur > best:
                    best = cap - dur
            if self.inside[i] and dep1 > NEG:  # lunch inside the visit
                st = self.latest_start(i, min(dep1 - svc, hi - dur))
                if st > NEG and st >= lo + dur - svc and st > best:
                    best = st
            la0[pos] = best
        return la0, la1

    def schedule(self, travel: TravelLookup, ends: Terminals, places: Sequence[int],
                 nodes: Sequence[int]) -> DaySchedule | None:  # fmt: skip
        """The earliest feasible times of the route, lunch placed, or ``None`` if it cannot be
        timed. Leaves the start later rather than waiting at the first place."""
        k = len(places)
        seq = [ends.start, *nodes, ends.end]
        arr = travel.arr
        eat = self.eat
        # per position and state: (departure, arrival, previous state, how lunch was taken)
        #   how: None (not on this step), "origin", "dest", "inside", "end"
        st: list[list[tuple[int, int, int, str | None] | None]] = [[None, None] for _ in seq]
        if self.lunch is None or ends.lunch_done:
            st[0][1] = (ends.ready, ends.ready, -1, None)
        else:
            st[0][0] = (ends.ready, ends.ready, -1, None)
        for pos in range(1, k + 2):
            x, y = seq[pos - 1], seq[pos]
            prev0, prev1 = st[pos - 1]
            a0 = arr(x, y, prev0[0]) if prev0 else INF
            opt1: list[tuple[int, int, str | None]] = []  # (arrival, prev state, how)
            if prev1:
                opt1.append((arr(x, y, prev1[0]), 1, None))
            if prev0:
                opt1.append((arr(x, y, eat(prev0[0])), 0, "origin"))
            a1, p1, how1 = min(opt1, default=(INF, -1, None), key=lambda o: o[0])
            if pos == k + 1:
                if a1 <= ends.deadline:
                    st[pos][1] = (a1, a1, p1, how1)
                if a0 <= ends.deadline and self.lunch is not None and eat(a0) < INF:
                    st[pos][0] = (a0, a0, 0, "end")
                continue
            i = places[pos - 1]
            svc = self.service[i]
            s0 = self.next_start(i, a0)
            if s0 < INF:
                st[pos][0] = (s0 + svc, a0, 0, None)
            cands: list[tuple[int, int, int, str | None]] = []
            s1 = self.next_start(i, a1)
            if s1 < INF:
                cands.append((s1 + svc, a1, p1, how1))
            s2 = self.next_start(i, eat(a0))
            if s2 < INF:
                cands.append((s2 + svc, a0, 0, "dest"))
            if self.inside[i]:
                dep = self.inside_depart(i, a0)
                if dep < INF:
                    cands.append((dep, a0, 0, "inside"))
            if cands:
                st[pos][1] = min(cands, key=lambda c: c[0])
        end = st[k + 1]
        choice = None
        if end[1] is not None and (end[0] is None or end[1][0] <= end[0][0]):
            choice = 1
        elif end[0] is not None:
            choice = 0
        if choice is None:
            return None
        # walk back
        states = [0] * (k + 2)
        states[k + 1] = choice
        lunch_step: tuple[int, str] | None = None
        for pos in range(k + 1, 0, -1):
            entry = st[pos][states[pos]]
            assert entry is not None
            _, _, prev, how = entry
            if how is not None:
                lunch_step = (pos, how)
            states[pos - 1] = prev if prev >= 0 else states[pos]
        visits = []
        lunch_start = None
        lunch_inside = None
        for pos in range(1, k + 1):
            dep, arrive, _, _ = st[pos][states[pos]]  # type: ignore[misc]
            i = places[pos - 1]
            visits.append(TimedVisit(arrive, dep - self.service[i], dep))
        return_ = st[k + 1][states[k + 1]][1]  # type: ignore[index]
        depart = ends.ready
        if lunch_step is not None:
            assert self.lunch is not None
            lo, _, dur = self.lunch
            pos, how = lunch_step
            if how == "origin":
                left = st[pos - 1][0][0]  # type: ignore[index]
                lunch_start = max(left, lo)
            elif how == "dest":
                lunch_start = max(visits[pos - 1].arrive, lo)
            elif how == "inside":
                lunch_start = max(visits[pos - 1].start, lo)
                lunch_inside = pos
            else:  # at the end terminal
                lunch_start = max(return_, lo)
        if visits and not (lunch_step is not None and lunch_step[0] == 1
                           and lunch_step[1] in ("origin", "dest")):  # fmt: skip
            # leave the start later instead of waiting at the first place
            first = visits[0]
            if first.start > first.arrive:
                late = travel.ld(seq[0], seq[1], first.start)
                if late > depart:
                    depart = late
                    visits[0] = TimedVisit(arr(seq[0], seq[1], depart), first.start, first.depart)
        if self.lunch is not None and lunch_step is None and not ends.lunch_done:
            return None  # cannot happen: a state-1 end always took lunch somewhere
        return DaySchedule(tuple(visits), depart, return_, lunch_start, lunch_inside)

    # -- vectorised insertion ---------------------------------------------------------------

    def eat_v(self, t: np.ndarray) -> np.ndarray:
        """:meth:`eat` over an array."""
        if self.lunch is None:
            return np.full_like(t, INF)
        lo, hi, dur = self.lunch
        end = np.maximum(t, lo) + dur
        return np.where((end <= hi) & (t < INF), end, INF)

    def next_start_v(self, places: np.ndarray, t: np.ndarray) -> np.ndarray:
        """:meth:`next_start` for places (1-d, the last axis of ``t``) and times ``t``."""
        wo, wc = self.wo[places], self.wc[places]  # (C, W)
        out = np.full(t.shape, INF, dtype=np.int64)
        for j in range(wo.shape[1] - 1, -1, -1):  # the first window that still opens wins
            out = np.where(wc[:, j] >= t, np.maximum(t, wo[:, j]), out)
        return np.where(t < INF, out, INF)

    def insertion(self, travel: TravelLookup, seq: Sequence[int], timing: Timing,
                  places: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
        """Feasibility of inserting each candidate (``places``, matrix ``nodes``, 1-d) into
        each gap of a route whose terminal-and-visit nodes are ``seq`` and passes ``timing``.

        Returns ``(feasible, shift)``, both ``(gaps, candidates)``: whether the route still
        fits, and how much later the next position is reached (>= 0; for ratios)."""
        g = len(seq) - 1
        xs = np.asarray(seq[:-1], dtype=np.int64)[:, None]
        zs = np.asarray(seq[1:], dtype=np.int64)[:, None]
        c = nodes[None, :]
        d0 = np.asarray(timing.d0[:-1], dtype=np.int64)[:, None]
        d1 = np.asarray(timing.d1[:-1], dtype=np.int64)[:, None]
        la0 = np.asarray(timing.la0[1:], dtype=np.int64)[:, None]
        la1 = np.asarray(timing.la1[1:], dtype=np.int64)[:, None]
        shape = (g, len(nodes))
        d0 = np.broadcast_to(d0, shape)
        d1 = np.broadcast_to(d1, shape)
        arr = travel.arr_v
        a0c = arr(xs, c, d0)
        a1c = np.minimum(arr(xs, c, d1), arr(xs, c, self.eat_v(d0)))
        svc = self.svc[places][None, :]
        s0 = self.next_start_v(places, a0c)
        dep0 = np.where(s0 < INF, s0 + svc, INF)
        s1 = self.next_start_v(places, a1c)
        dep1 = np.where(s1 < INF, s1 + svc, INF)
        if self.lunch is not None:
            s2 = self.next_start_v(places, self.eat_v(a0c))
            dep1 = np.minimum(dep1, np.where(s2 < INF, s2 + svc, INF))
            inside = self.inside_v[places]
            if inside.any():
                lo, hi, dur = self.lunch
                t = np.maximum(a0c, lo + dur - svc)
                st = self.next_start_v(places, t)
                ok = inside[None, :] & (st < INF) & (np.maximum(st, lo) + dur <= hi)
                dep1 = np.minimum(dep1, np.where(ok, st + svc, INF))
        a0z = arr(c, zs, dep0)
        a1z = np.minimum(arr(c, zs, dep1), arr(c, zs, self.eat_v(dep0)))
        feasible = (a0z <= la0) | (a1z <= la1)
        old = np.asarray(
            [min(travel.arr(seq[j], seq[j + 1], timing.d1[j]),
                 travel.arr(seq[j], seq[j + 1], timing.d0[j])) for j in range(g)],
            dtype=np.int64,
        )[:, None]  # fmt: skip
        new = np.minimum(a0z, a1z)
        shift = np.where(feasible, np.maximum(new - np.minimum(old, new), 0), INF)
        return feasible, shift


def clip_windows(
    windows: Sequence[tuple[int, int]] | None, day_start: int, day_end: int, visit_min: int
) -> list[tuple[int, int]]:
    """Start windows of a place on one day: inside the day, ending the visit by its end."""
    latest = day_end - visit_min
    if windows is None:
        return [(day_start, latest)] if latest >= day_start else []
    out = []
    for a, b in windows:
        lo, hi = max(a, day_start), min(b, latest)
        if lo <= hi:
            out.append((lo, hi))
    return out


def is_finite(t: float) -> bool:
    """Whether ``t`` is a real time (not :data:`INF`/:data:`NEG`)."""
    return NEG < t < INF and math.isfinite(t)
