"""The packaged basemap (``static/basemap/``, made by ``scripts/build_basemap.py``) and the
travel network as GeoJSON, for the interactive map and the printable SVG map.

The basemap files are read once per process; the network comes from the loaded
``network.json`` so the map always shows the network the planner uses.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from tourplanner.travel.network import default_network

#: the files of a map's basemap, in drawing order, under the static folder
BASEMAP_FILES = ("basemap/land.geojson", "basemap/borders.geojson", "basemap/provinces.geojson")

#: network modes the maps draw as water (dashed blue) or aerial (dotted) lines
WATER_MODES = frozenset({"ferry", "boat"})

Ring = tuple[tuple[float, float], ...]  # (lon, lat) pairs, as GeoJSON


@lru_cache(maxsize=4)
def _read(path: str) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _features(static_folder: str, name: str) -> list[dict[str, Any]]:
    return _read(str(Path(static_folder) / "basemap" / name))["features"]


def land_polygons(static_folder: str) -> list[tuple[str, tuple[Ring, ...]]]:
    """Return ``(country, rings)`` for every land polygon; the first ring is the outline."""
    out = []
    for feature in _features(static_folder, "land.geojson"):
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        for polygon in polygons:
            rings = tuple(tuple((lon, lat) for lon, lat in ring) for ring in polygon)
            out.append((feature["properties"]["country"], rings))
    return out


def border_lines(static_folder: str) -> list[tuple[str, Ring]]:
    """Return ``(kind, line)`` for every border line; kind is ``country`` or ``province``."""
    out = []
    for feature in _features(static_folder, "borders.geojson"):
        geometry = feature["geometry"]
        lines = (
            [geometry["coordinates"]]
            if geometry["type"] == "LineString"
            else geometry["coordinates"]
        )
        for line in lines:
            out.append((feature["properties"]["kind"], tuple((lon, lat) for lon, lat in line)))
    return out


def province_labels(static_folder: str) -> list[tuple[str, str, float, float]]:
    """Return ``(name_vi, name_en, lat, lon)`` of each province's label point."""
    out = []
    for feature in _features(static_folder, "provinces.geojson"):
        lon, lat = feature["geometry"]["coordinates"]
        props = feature["properties"]
        out.append((props["name_vi"], props["name_en"], lat, lon))
    return out


@lru_cache(maxsize=4)
def attribution(static_folder: str) -> str:
    """Return the data attribution the maps show (from ``basemap/attribution.txt``)."""
    return (Path(static_folder) / "basemap" / "attribution.txt").read_text("utf-8").strip()


@lru_cache(maxsize=1)
def network_geojson() -> str:
    """Return the open and planned links of the travel network as a GeoJSON text.

    Each link is a straight ``LineString`` between its nodes (the network has no finer
    geometry) with ``id``, ``mode``, ``name_vi``, ``name_en`` and ``status``.
    """
    network = default_network()
    features = []
    for link in sorted(network.links.values(), key=lambda item: item.id):
        a = network.nodes.get(link.source_node)
        b = network.nodes.get(link.target_node)
        if a is None or b is None or link.status == "closed":
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[a.lon, a.lat], [b.lon, b.lat]],
                },
                "properties": {
                    "id": link.id,
                    "mode": link.mode,
                    "name_vi": link.name_vi,
                    "name_en": link.name_en,
                    "status": link.status,
                },
            }
        )
    body = {"type": "FeatureCollection", "features": features}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"))
