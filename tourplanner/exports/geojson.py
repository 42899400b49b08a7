"""GeoJSON export: a point per stop and a line per day, with times and costs as properties."""

from __future__ import annotations

from typing import Any

from tourplanner.planning.itinerary import Itinerary


def to_geojson(itinerary: Itinerary) -> dict[str, Any]:
    """Return the itinerary as a GeoJSON FeatureCollection (coordinates are [lon, lat])."""
    features: list[dict[str, Any]] = []
    for number, day in enumerate(itinerary.days, start=1):
        line = [[s.lon, s.lat] for s in day.stops if s.kind != "meal"]
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "LineString", "coordinates": line},
                "properties": {
                    "day": number,
                    "date": day.date,
                    "group": day.group,
                    "km": round(sum(leg.km for leg in day.legs), 1),
                    "minutes": sum(leg.minutes for leg in day.legs),
                },
            }
        )
        for stop in day.stops:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [stop.lon, stop.lat]},
                    "properties": {
                        "id": stop.id,
                        "kind": stop.kind,
                        "name_vi": stop.name_vi,
                        "name_en": stop.name_en,
                        "province": stop.province,
                        "arrive": stop.arrive,
                        "depart": stop.depart,
                        "cost_vnd": stop.cost_vnd,
                        "day": number,
                        "group": day.group,
                    },
                }
            )
    return {"type": "FeatureCollection", "features": features}
