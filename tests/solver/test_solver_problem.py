"""Problem and parameter construction: plain-words errors naming the bad field."""

from __future__ import annotations

import dataclasses

import pytest
from solver_cases import closed_day

from solver import Day
from solver import Lunch
from solver import Place
from solver import ProblemError
from solver import SolveParams
from solver import TimeWindow
from solver import TravelMatrix


@pytest.mark.parametrize(
    "build, message",
    [
        (lambda: Place("a", 0, -1), "prize must be >= 0"),
        (lambda: Place("a", 0, 1, visit_min=-5), "visit_min must be >= 0"),
        (lambda: TimeWindow(10, 5), "TimeWindow.end_min"),
        (lambda: Day(100, 50), "Day.end_min"),
        (lambda: Lunch(600, 620, 60), "shorter than Lunch.duration_min"),
        (lambda: TravelMatrix([[0, 1], [1]]), "TravelMatrix.minutes"),
        (lambda: TravelMatrix([[0, -3], [1, 0]]), "must be >= 0"),
        (lambda: SolveParams(time_limit_s=0), "time_limit_s must be > 0"),
        (lambda: SolveParams(metaheuristic="MAGIC"), "SolveParams.metaheuristic"),
        (lambda: SolveParams(workers=0), "SolveParams.workers must be in 1..64"),
        (lambda: SolveParams(worker=-1), "SolveParams.worker must be >= 0"),
        (
            lambda: Place("a", 0, 1, windows=(TimeWindow(0, 10), TimeWindow(5, 20))),
            "windows overlap",
        ),
    ],
    ids=[
        "prize",
        "visit",
        "window",
        "day",
        "lunch",
        "ragged",
        "negative",
        "limit",
        "meta",
        "workers",
        "worker",
        "overlap",
    ],
)
def test_problem_field_errors_name_the_field(build, message):
    """Each invalid value raises ProblemError whose message names the field."""
    with pytest.raises(ProblemError, match=message):
        build()


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"must_visit": frozenset({"nowhere"})}, "must_visit names unknown"),
        ({"nights": ()}, "Problem.nights must have 1"),
        ({"start_node": 99}, "start_node 99 is outside"),
        ({"cost_per_km": -1.0}, "cost_per_km must be >= 0"),
        ({"must_visit": frozenset({"lake"}), "exclude": frozenset({"lake"})}, "share"),
    ],
    ids=["unknown-must", "nights", "start", "cost-per-km", "must-and-exclude"],
)
def test_problem_cross_field_errors(changes, message):
    """Problem-level checks reject inconsistent fields with a message naming them."""
    with pytest.raises(ProblemError, match=message):
        dataclasses.replace(closed_day(), **changes)


def test_problem_unreachable_is_explicit():
    """``None`` in a nested list becomes the documented UNREACHABLE sentinel, not a number."""
    m = TravelMatrix([[0, None], [5, 0]])
    assert not m.reachable(0, 1)
    assert m.reachable(1, 0)
