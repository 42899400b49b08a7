"""One request planned several ways side by side: most value, least driving, lowest cost, most
provinces. Each variant changes the planner's objective weights or constraints; the answer
shows the figures of each and how each differs from the first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from dataclasses import replace
from typing import Any

import solver
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.errors import PlanningFailed
from tourplanner.planning import MONEY_WEIGHT
from tourplanner.planning import TRAVEL_WEIGHT
from tourplanner.planning import PlannerBug
from tourplanner.planning import build_itinerary
from tourplanner.planning import build_model
from tourplanner.planning import default_time_limit
from tourplanner.planning import infeasible_message
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.request import TourRequest

#: seconds of search per variant when the request names none (pages wait for all of them)
VARIANT_TIME_LIMIT_S = 1.0


@dataclass(frozen=True, slots=True)
class Variant:
    """How one alternative is planned."""

    key: str
    label_vi: str
    label_en: str
    travel_weight: float = TRAVEL_WEIGHT
    money_weight: float = MONEY_WEIGHT
    #: ask for as many provinces as can be covered
    most_provinces: bool = False


VARIANTS = (
    Variant(
        "max_value", "Nhiều điểm giá trị nhất", "Most value", TRAVEL_WEIGHT / 4, MONEY_WEIGHT / 4
    ),
    Variant("min_driving", "Ít lái xe nhất", "Least driving", travel_weight=TRAVEL_WEIGHT * 8),
    Variant("min_cost", "Chi phí thấp nhất", "Lowest cost", money_weight=MONEY_WEIGHT * 25),
    Variant("most_provinces", "Nhiều tỉnh nhất", "Most provinces", most_provinces=True),
)


def _solve(
    request: TourRequest, catalogue: Catalogue, travel, variant: Variant, min_provinces: int
):
    started = time.perf_counter()
    model = build_model(request, catalogue, travel)
    problem = replace(
        model.problem,
        travel_weight=variant.travel_weight,
        money_weight=variant.money_weight,
        min_provinces=max(model.problem.min_provinces, min_provinces),
    )
    model = replace(model, problem=problem)
    limit = request.time_limit_s or min(default_time_limit(request), VARIANT_TIME_LIMIT_S)
    solution = solver.solve(problem, solver.SolveParams(time_limit_s=limit, seed=0))
    if solution.status is solver.Status.INFEASIBLE or not solution.plans:
        raise PlanningFailed(infeasible_message(request, solution))
    if solver.validate(problem, solution) or solution.status is solver.Status.INVALID:
        raise PlannerBug("the planner produced a plan that failed validation")
    return build_itinerary(model, solution, catalogue, travel, time.perf_counter() - started)


def plan_variant(
    request: TourRequest, catalogue: Catalogue, travel_factory, variant: Variant
) -> Itinerary:
    """Plan *request* as *variant*; ``most_provinces`` asks for every province it can reach,
    one fewer at a time until a tour is feasible.

    :raise PlanningFailed: when the variant has no feasible tour.
    """
    if not variant.most_provinces:
        return _solve(request, catalogue, travel_factory(), variant, 0)
    top = len(catalogue.current_provinces())
    floor = max(2, request.min_provinces or 0)
    for wanted in range(top, floor - 1, -1):
        try:
            return _solve(request, catalogue, travel_factory(), variant, wanted)
        except PlanningFailed:
            continue
    return _solve(request, catalogue, travel_factory(), variant, 0)


def _places(itinerary: dict[str, Any]) -> set[str]:
    return {
        s["name_vi"] for d in itinerary["days"] for s in d["stops"] if s["kind"] == "attraction"
    }


def _figures(itinerary: dict[str, Any]) -> dict[str, Any]:
    s = itinerary["summary"]
    return {
        "value": s["value"],
        "cost_per_person_vnd": s["cost_vnd"],
        "km": s["km"],
        "drive_minutes": s.get("drive_minutes", 0),
        "travel_minutes": s["travel_minutes"],
        "provinces": s["provinces"],
        "places": sorted(_places(itinerary)),
    }


def compare_variants(request: TourRequest, catalogue: Catalogue, travel_factory) -> dict[str, Any]:
    """Plan every variant of *request*; return their figures and differences to the first.

    :return: ``{"request", "variants": [{"key", "label_vi", "label_en", "status", "figures",
        "differences", "itinerary", "error"}]}``; differences are against ``max_value``.
    """
    out = []
    reference: dict[str, Any] | None = None
    for variant in VARIANTS:
        entry: dict[str, Any] = {
            "key": variant.key,
            "label_vi": variant.label_vi,
            "label_en": variant.label_en,
        }
        try:
            itinerary = plan_variant(request, catalogue, travel_factory, variant).to_dict()
        except PlanningFailed as exc:
            entry.update(
                status="failed", error=exc.message, figures=None, differences=None, itinerary=None
            )
            out.append(entry)
            continue
        figures = _figures(itinerary)
        if reference is None:
            reference = figures
        entry.update(
            status="done",
            error=None,
            figures=figures,
            differences=_differences(reference, figures),
            itinerary=itinerary,
        )
        out.append(entry)
    return {"request": request.to_dict(), "variants": out}


def _differences(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    return {
        "value": round(b["value"] - a["value"], 2),
        "cost_per_person_vnd": b["cost_per_person_vnd"] - a["cost_per_person_vnd"],
        "km": round(b["km"] - a["km"], 1),
        "drive_minutes": b["drive_minutes"] - a["drive_minutes"],
        "provinces_added": sorted(set(b["provinces"]) - set(a["provinces"])),
        "provinces_dropped": sorted(set(a["provinces"]) - set(b["provinces"])),
        "places_added": sorted(set(b["places"]) - set(a["places"])),
        "places_dropped": sorted(set(a["places"]) - set(b["places"])),
    }
