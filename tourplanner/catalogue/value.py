"""What a place is worth: its significance from citable evidence (docs/value-model.md).

:func:`significance` turns an attraction's :class:`~tourplanner.catalogue.models.ValueBasis`
(UNESCO inscription, Vietnamese heritage rank, national park or national tourist area status,
visitors per year, rankings and awards) into a score from 20 to 100; the catalogue stores it as
the place's ``value``. Planning then weighs it by the time the experience takes, the
traveller's interests, pace and the festivals of the trip (:mod:`tourplanner.planning`).
"""

from __future__ import annotations

import math

from tourplanner.catalogue.models import ValueBasis

#: every catalogue attraction was chosen as worth a visit
BASE = 20
UNESCO_POINTS = {
    "world_heritage": 35,
    "memory_of_the_world": 10,
    "intangible": 10,
    "biosphere": 10,
}
HERITAGE_POINTS = {"special_national": 20, "national": 12, "provincial": 4}
NATIONAL_PARK = 12
NATIONAL_TOURIST_AREA = 8
#: visitors per year that earn no points, points per tenfold more, and their cap
VISITORS_FLOOR = 50_000
VISITORS_PER_DECADE = 6.0
VISITORS_CAP = 20
RANKING_POINTS = 5
RANKINGS_CAP = 10
CAP = 100


def significance(basis: ValueBasis | None, heritage_rank: str | None) -> int:
    """Return the significance score (20..100) of a place with *basis* and *heritage_rank*.

    >>> significance(ValueBasis(unesco="world_heritage"), "special_national")
    75
    """
    points = float(BASE)
    if basis is not None:
        points += UNESCO_POINTS.get(basis.unesco or "", 0)
        points += NATIONAL_PARK if basis.national_park else 0
        points += NATIONAL_TOURIST_AREA if basis.national_tourist_area else 0
        if basis.visitors_per_year:
            decades = math.log10(max(basis.visitors_per_year, 1) / VISITORS_FLOOR)
            points += min(VISITORS_CAP, max(0.0, VISITORS_PER_DECADE * decades))
        points += min(RANKINGS_CAP, RANKING_POINTS * len(basis.rankings))
    points += HERITAGE_POINTS.get(heritage_rank or "", 0)
    return int(min(CAP, round(points)))


def explain(basis: ValueBasis | None, heritage_rank: str | None) -> list[tuple[str, float]]:
    """The parts of :func:`significance` as (label, points), for the place's page."""
    parts: list[tuple[str, float]] = [("base", float(BASE))]
    if basis is not None:
        if basis.unesco:
            parts.append((f"unesco:{basis.unesco}", float(UNESCO_POINTS[basis.unesco])))
        if basis.national_park:
            parts.append(("national_park", float(NATIONAL_PARK)))
        if basis.national_tourist_area:
            parts.append(("national_tourist_area", float(NATIONAL_TOURIST_AREA)))
        if basis.visitors_per_year:
            decades = math.log10(max(basis.visitors_per_year, 1) / VISITORS_FLOOR)
            got = min(VISITORS_CAP, max(0.0, VISITORS_PER_DECADE * decades))
            if got:
                parts.append(("visitors", round(got, 1)))
        if basis.rankings:
            parts.append(
                ("rankings", float(min(RANKINGS_CAP, RANKING_POINTS * len(basis.rankings))))
            )
    if heritage_rank in HERITAGE_POINTS:
        parts.append((f"heritage:{heritage_rank}", float(HERITAGE_POINTS[heritage_rank])))
    return parts
