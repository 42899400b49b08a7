"""Tour optimisation engine: a multi-day team orienteering problem with time windows and hotel
selection (TOPTW + OPHS), solved with OR-Tools' routing library and checked by an independent
validator. Pure Python + OR-Tools; imports nothing from ``tourplanner`` or Flask.

Typical use::

    from solver import Problem, SolveParams, solve, validate

    solution = solve(problem, SolveParams(time_limit_s=5, seed=1))
    assert validate(problem, solution) == []
"""

from __future__ import annotations

from solver.params import SolveParams
from solver.problem import UNREACHABLE
from solver.problem import Day
from solver.problem import Group
from solver.problem import Hub
from solver.problem import Lunch
from solver.problem import Mode
from solver.problem import Place
from solver.problem import Problem
from solver.problem import ProblemError
from solver.problem import Quota
from solver.problem import Timetable
from solver.problem import TimeWindow
from solver.problem import TravelMatrix
from solver.problem import VarietyRule
from solver.solution import DayRoute
from solver.solution import Dropped
from solver.solution import DropReason
from solver.solution import GroupPlan
from solver.solution import Objective
from solver.solution import Progress
from solver.solution import Solution
from solver.solution import Status
from solver.solution import Visit
from solver.solve import solve
from solver.validate import Violation
from solver.validate import ViolationKind
from solver.validate import validate

__all__ = [
    "UNREACHABLE",
    "Day",
    "DayRoute",
    "DropReason",
    "Dropped",
    "Group",
    "GroupPlan",
    "Hub",
    "Lunch",
    "Mode",
    "Objective",
    "Place",
    "Problem",
    "ProblemError",
    "Progress",
    "Quota",
    "Solution",
    "SolveParams",
    "Status",
    "TimeWindow",
    "Timetable",
    "TravelMatrix",
    "VarietyRule",
    "Violation",
    "ViolationKind",
    "Visit",
    "solve",
    "validate",
]
