"""Earliest-time scheduling of one day's visit order (used to time the routes the search returns).

Given the order of a day, :func:`schedule_day` computes the earliest feasible arrival, start and
departure of every visit and places the lunch break, with a two-state forward pass (lunch not yet
taken / taken). Earlier is never worse with waiting allowed, so the pass is exact: it returns
``None`` if and only if the order cannot be timed.

Semantics shared with :mod:`solver.validate`: on a leg ``a -> b`` the group leaves ``a`` at
``depart_a`` and arrives at ``arrive_b = depart_a + travel (+ lunch duration if lunch is taken
on this leg)``; service starts at ``start_b >= arrive_b`` inside one of ``b``'s windows; the lunch
interval lies inside its window and inside ``[depart_a, start_b]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from solver.problem import UNREACHABLE
from solver.problem import Lunch
from solver.problem import TimeWindow


@dataclass(frozen=True, slots=True)
class DayTiming:
    """Times of one day: per visit ``(arrive, start, depart)``, plus departure, return, lunch."""

    visits: tuple[tuple[int, int, int], ...]
    depart_min: int
    return_min: int
    lunch_start_min: int | None
    drive_min: int


def _earliest_start(ready: int, windows: tuple[TimeWindow, ...] | None) -> int | None:
    if windows is None:
        return ready
    for w in windows:
        if w.end_min >= ready:
            return max(ready, w.start_min)
    return None


def schedule_day(
    minutes: np.ndarray,
    nodes: Sequence[int],
    service: Sequence[int],
    windows: Sequence[tuple[TimeWindow, ...] | None],
    day_start: int,
    day_end: int,
    lunch: Lunch | None,
) -> DayTiming | None:
    """Earliest schedule of ``nodes`` = ``[start, v1, ..., vk, end]`` on one day.

    Parameters
    ----------
    minutes
        The day's travel matrix (``UNREACHABLE`` marks a missing leg).
    nodes
        Matrix nodes: the day's start point, the visits in order, the day's end point.
    service, windows
        Visit minutes and start windows of ``v1..vk`` (``None`` = open all day).
    day_start, day_end
        The day's bounds: leave at or after ``day_start``, arrive by ``day_end``.
    lunch
        The day's lunch break, if any.

    Returns
    -------
    DayTiming or None
        ``None`` if the order cannot be timed.
    """
    k = len(nodes) - 2
    big = 1 << 60
    # state 0: lunch not taken yet (only if there is a lunch); state 1: taken / no lunch.
    dep = [big, day_start] if lunch is None else [day_start, big]
    back: list[tuple[tuple[int, int, int, int | None], tuple[int, int, int, int | None]]] = []
    drive = 0
    for i in range(k + 1):
        a, b = nodes[i], nodes[i + 1]
        tr = int(minutes[a, b])
        if tr == UNREACHABLE:
            return None
        drive += tr
        is_end = i == k
        wins = None if is_end else windows[i]
        # candidates: (ready, prev_state, lunch_start)
        cand0: tuple[int, int, int | None] | None = None
        cand1: tuple[int, int, int | None] | None = None
        if dep[0] < big:
            cand0 = (dep[0] + tr, 0, None)
            assert lunch is not None
            ls = max(lunch.earliest_start_min, dep[0])
            if ls + lunch.duration_min <= lunch.latest_end_min:
                ready = max(dep[0] + tr + lunch.duration_min, ls + lunch.duration_min)
                cand1 = (ready, 0, ls)
        if dep[1] < big:
            c = (dep[1] + tr, 1, None)
            if cand1 is None or c[0] < cand1[0]:
                cand1 = c
        row: list[tuple[int, int, int, int | None]] = []
        new_dep = [big, big]
        for s, cand in ((0, cand0), (1, cand1)):
            if cand is None:
                row.append((big, big, -1, None))
                continue
            ready, prev, ls = cand
            if is_end:
                start = ready if ready <= day_end else None
            else:
                start = _earliest_start(ready, wins)
            if start is None:
                row.append((big, big, -1, None))
                continue
            arrive = ready if ls is None else dep[0] + tr + lunch.duration_min  # type: ignore[union-attr]
            row.append((arrive, start, prev, ls))
            new_dep[s] = start + (0 if is_end else service[i])
        back.append((row[0], row[1]))
        dep = new_dep
    if dep[1] >= big or back[-1][1][1] > day_end:
        return None
    # Walk back from state 1 at the end.
    state = 1
    times: list[tuple[int, int, int]] = []
    lunch_start = None
    lunch_leg = -1
    for i in range(k, -1, -1):
        arrive, start, prev, ls = back[i][state]
        if ls is not None and prev == 0 and state == 1:
            lunch_start, lunch_leg = ls, i
        depart = start if i == k else start + service[i]
        times.append((arrive, start, depart))
        state = prev
    times.reverse()
    return_min = times[-1][1]
    visit_times = times[:-1]
    depart_min = day_start
    if visit_times and lunch_leg != 0:
        # Leave later instead of waiting at the first place.
        first_arrive, first_start, first_depart = visit_times[0]
        if first_start > first_arrive:
            depart_min = day_start + (first_start - first_arrive)
            visit_times[0] = (first_start, first_start, first_depart)
    return DayTiming(
        visits=tuple(visit_times),
        depart_min=depart_min,
        return_min=return_min,
        lunch_start_min=lunch_start,
        drive_min=drive,
    )
