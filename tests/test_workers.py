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


def test_a_work_bound_replaces_the_clock(tmp_path):
    """PLANNER_MAX_ROUNDS: one search bounded by work, no early stop, the clock a backstop."""
    from tourplanner import create_app
    from tourplanner.catalogue.service import get_catalogue
    from tourplanner.planning import _solve_params
    from tourplanner.planning.request import parse_tour_request

    body = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 2, "time_limit_s": 3}
    config = {"TESTING": True, "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3"}
    app = create_app({**config, "SECRET_KEY": "t", "PLANNER_MAX_ROUNDS": 5})
    with app.app_context():
        request = parse_tour_request(body, get_catalogue())
        params = _solve_params(request, seed=3)
    assert (params.max_rounds, params.workers, params.early_stop, params.seed) == (5, 1, False, 3)
    assert params.time_limit_s == 30.0
    app = create_app({**config, "SECRET_KEY": "t", "PLANNER_WORKERS": 1})
    with app.app_context():
        params = _solve_params(request, seed=0)
    assert params.max_rounds is None and params.time_limit_s == 3.0 and params.workers == 1
