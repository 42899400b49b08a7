"""How many searches a plan runs side by side: what is configured, on the cores that are free."""

from __future__ import annotations

import math
import os

from tourplanner.planning import free_workers


def test_never_more_searches_than_cores():
    assert free_workers(4, cores=2, load=lambda: 0.0) == 2
    assert free_workers(2, cores=1, load=lambda: 0.0) == 1
    assert free_workers(8, cores=None, load=lambda: 0.0) <= (os.cpu_count() or 1)


def test_busy_cores_are_left_to_the_work_already_running():
    """With one core of two busy (another plan, a batch) the plan runs one search at full
    speed rather than two at half speed; an idle machine gets both."""
    assert free_workers(2, cores=2, load=lambda: 0.2) == 2
    assert free_workers(2, cores=2, load=lambda: 1.1) == 1
    assert free_workers(2, cores=2, load=lambda: 3.5) == 1
    assert free_workers(4, cores=8, load=lambda: 5.0) == 3


def test_at_least_one_and_unknown_load_trusts_the_configuration():
    assert free_workers(0, cores=2, load=lambda: 0.0) == 1
    assert free_workers(2, cores=2, load=lambda: math.nan) == 2
