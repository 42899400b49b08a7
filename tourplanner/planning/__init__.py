"""The planning service: a TourRequest becomes a solver Problem, the Solution an Itinerary.

* :mod:`tourplanner.planning.prizes`: the value model (what each experience is worth to this
  traveller, and the diminishing returns of a day);
* :mod:`tourplanner.planning.model`: the request, the catalogue and the travel network become
  a :class:`solver.Problem` (candidates, windows, nights, transport modes, timetables);
* :mod:`tourplanner.planning.build`: the validated :class:`solver.Solution` becomes an
  :class:`~tourplanner.planning.itinerary.Itinerary` (exact legs, meals, nights, costs, warnings).

:func:`plan` runs the three; every solution is checked by ``solver.validate`` first.
"""

from __future__ import annotations

import logging
import math
import os
import re
import time
from collections.abc import Callable

import solver
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.errors import PlanningFailed
from tourplanner.errors import Reason
from tourplanner.errors import TourplannerError
from tourplanner.i18n import N_
from tourplanner.planning.build import build_itinerary
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.model import MONEY_WEIGHT
from tourplanner.planning.model import PACES
from tourplanner.planning.model import TRAVEL_WEIGHT
from tourplanner.planning.model import Model
from tourplanner.planning.model import TravelModel
from tourplanner.planning.model import build_model
from tourplanner.planning.model import default_time_limit
from tourplanner.planning.model import select_candidates
from tourplanner.planning.model import transport_modes
from tourplanner.planning.request import TourRequest

__all__ = [
    "MONEY_WEIGHT",
    "PACES",
    "TRAVEL_WEIGHT",
    "Model",
    "PlannerBug",
    "TravelModel",
    "build_itinerary",
    "build_model",
    "default_time_limit",
    "infeasible_message",
    "plan",
    "select_candidates",
    "transport_modes",
]

log = logging.getLogger(__name__)


class PlannerBug(TourplannerError):
    """The solver returned a plan its own validator rejects. Logged; never shown as valid."""

    code = "planner_error"
    http_status = 500
    exit_code = 1


def plan(
    request: TourRequest,
    catalogue: Catalogue,
    travel: TravelModel,
    *,
    on_progress: Callable[[solver.Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    seed: int = 0,
) -> Itinerary:
    """Plan *request*: build the problem, solve it, validate the solution, build the itinerary.

    :raise PlanningFailed: when no tour is feasible at all; the message says what to relax.
    :raise PlannerBug: when the solver's plan fails its own validator (logged).
    """
    started = time.perf_counter()
    model = build_model(request, catalogue, travel)
    params = _solve_params(request, seed)
    solution = solver.solve(model.problem, params, on_progress=on_progress, should_stop=should_stop)
    if solution.status is solver.Status.INFEASIBLE or not solution.plans:
        raise PlanningFailed(infeasible_message(request, solution))
    violations = solver.validate(model.problem, solution)
    if violations or solution.status is solver.Status.INVALID:
        log.error("invalid plan for %s: %s %s", request.to_dict(), violations, solution.message)
        raise PlannerBug("the planner produced a plan that failed validation; this has been logged")
    return build_itinerary(model, solution, catalogue, travel, time.perf_counter() - started)


def _solve_params(request: TourRequest, seed: int) -> solver.SolveParams:
    """The search's limits: the request's time limit (or the default), on the free cores; with
    the app's ``PLANNER_MAX_ROUNDS`` a work bound instead (one search, no early stop, the
    clock only a backstop of ten times the limit), so that a seed gives one plan."""
    limit = request.time_limit_s or default_time_limit(request)
    rounds = _app_setting("PLANNER_MAX_ROUNDS")
    if rounds:
        return solver.SolveParams(
            time_limit_s=10 * limit, seed=seed, workers=1, max_rounds=int(rounds), early_stop=False
        )
    wanted = int(_app_setting("PLANNER_WORKERS") or 1)  # one search outside an app
    return solver.SolveParams(time_limit_s=limit, seed=seed, workers=free_workers(wanted))


def _app_setting(name: str) -> object:
    """The current app's setting *name* (``None`` outside an app)."""
    from flask import current_app
    from flask import has_app_context

    return current_app.config.get(name) if has_app_context() else None


def free_workers(
    wanted: int,
    cores: int | None = None,
    load: Callable[[], float] | None = None,
) -> int:
    """How many of *wanted* searches to run side by side: never more than the machine's
    *cores* (the CPUs this process may use), nor more than are free by the one-minute load
    average (two half-speed searches plan worse than one at full speed), and at least one.
    """
    if cores is None:
        cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    if load is None:
        load = _load_average
    workers = max(1, min(wanted, cores or 1))
    if workers > 1:
        busy = load()
        if not math.isnan(busy):
            workers = max(1, min(workers, round((cores or 1) - busy)))
    return workers


def _load_average() -> float:
    """The one-minute load average (NaN where the system does not tell)."""
    try:
        return os.getloadavg()[0]
    except (AttributeError, OSError):
        return math.nan


#: the list of what to relax when no tour fits, for 2, 3 and 4 suggestions (one message each,
#: so that each language joins its list its own way)
_HINT_LISTS = (
    N_("reason.plan.hints.2"),
    N_("reason.plan.hints.3"),
    N_("reason.plan.hints.4"),
)
#: the solver's wording of a day that cannot be travelled (its tests quote it)
_UNTRAVELLABLE_DAY = re.compile(r"day (\d+): no candidate start/end pair")


def infeasible_message(request: TourRequest, solution: solver.Solution) -> Reason:
    """Why no tour fits, and what to relax, as a :class:`Reason` (written in the reader's
    language): the solver says which days cannot be travelled, or that no sequence of nights
    works."""
    hints = []
    if request.budget_vnd is not None:
        hints.append(Reason.of(N_("reason.plan.hint.budget")))
    if request.max_drive_minutes_per_day:
        hints.append(Reason.of(N_("reason.plan.hint.drive")))
    if request.must_visit:
        hints.append(Reason.of(N_("reason.plan.hint.must_visit")))
    hints.append(Reason.of(N_("reason.plan.hint.days")))
    days = [int(d) for d in _UNTRAVELLABLE_DAY.findall(solution.message or "")]
    if days:
        why = Reason.of(
            N_("reason.plan.days_untravellable"),
            days=", ".join(str(d + 1) for d in days),
        )
    else:
        why = Reason.of(N_("reason.plan.no_nights"))
    listed = (
        hints[0]
        if len(hints) == 1
        else Reason.of(_HINT_LISTS[len(hints) - 2], **dict(zip("abcd", hints, strict=False)))
    )
    return Reason.of(N_("reason.plan.failed"), why=why, hints=listed)
