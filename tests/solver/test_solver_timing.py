"""The day scheduler: earliest times, windows, lunch placement."""

from __future__ import annotations

import numpy as np

from solver import Lunch
from solver import TimeWindow
from solver.timing import schedule_day

M = np.array([[0, 10, 20], [10, 0, 10], [20, 10, 0]])


def test_timing_waits_for_window_by_leaving_later():
    """A window opening at 100 makes the group leave later rather than wait on site."""
    t = schedule_day(M, [0, 1, 0], [30], [(TimeWindow(100, 200),)], 0, 500, None)
    assert t is not None
    assert t.visits == ((100, 100, 130),)
    assert t.depart_min == 90
    assert t.return_min == 140


def test_timing_lunch_between_visits():
    """Lunch 60 min in [100, 170] can only be taken on the leg between the two visits."""
    t = schedule_day(M, [0, 1, 2, 0], [90, 30], [None, None], 0, 400, Lunch(100, 170, 60))
    assert t is not None
    assert t.lunch_start_min == 100
    (a1, s1, d1), (a2, s2, d2) = t.visits
    assert d1 == 100 and a2 == d1 + 10 + 60
    assert t.return_min == d2 + 20


def test_timing_infeasible_window_returns_none():
    """A window that closes before the group can arrive makes the order infeasible."""
    assert schedule_day(M, [0, 2, 0], [10], [(TimeWindow(0, 5),)], 0, 500, None) is None
