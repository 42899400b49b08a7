"""Benchmark the travel network: all-pairs matrices and timetable-exact re-timing.

Run from the repository root::

    /work/venv/bin/python bench/travel_bench.py [--repeat 50]

It prints a table and asserts nothing (timings belong here, not in tests). Targets from the
issue: all-pairs minutes and km for the whole catalogue plus hubs (200+ points) under 1 s cold
and under 10 ms cached; re-timing a 7-day itinerary with exact timetables under 50 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
from pathlib import Path

from tourplanner.catalogue.records import parse_place
from tourplanner.catalogue.records import parse_province
from tourplanner.catalogue.records import province_index
from tourplanner.travel import legs as legs_module
from tourplanner.travel import routing
from tourplanner.travel.legs import Visit
from tourplanner.travel.legs import retime
from tourplanner.travel.matrix import clear_cache
from tourplanner.travel.matrix import travel_matrix
from tourplanner.travel.network import default_network
from tourplanner.travel.network import load_network

DATA = Path(__file__).resolve().parent.parent / "tourplanner" / "data"
DAY = dt.date(2027, 3, 6)

#: a 7-day tour: (overnight hub, attractions of the day) per day, visits of 90 min
TOUR = [
    ("hub-ha-noi", ["temple-of-literature", "hoan-kiem-lake", "hoa-lo-prison"]),
    ("hub-chi-linh", ["but-thap-pagoda", "con-son-pagoda", "kiep-bac-temple"]),
    ("hub-bai-chay", ["yen-tu", "tran-dynasty-dong-trieu", "yen-giang-stake-yard"]),
    ("hub-bai-chay", ["ha-long-bay", "sung-sot-cave", "quang-ninh-museum"]),
    ("hub-cat-ba-town", ["tuan-chau", "cat-ba-national-park", "cannon-fort"]),
    ("hub-cat-ba-town", ["lan-ha-bay", "monkey-island", "cat-co-beaches"]),
    ("hub-ha-noi", ["hai-phong-opera-house", "du-hang-pagoda", "van-mieu-mao-dien"]),
]


def load_places() -> dict:
    """Return the embedded catalogue's places (attractions, hubs, gateways) by id."""
    provinces = [
        parse_province(r, file="provinces.json", row=i)[0]
        for i, r in enumerate(json.loads((DATA / "provinces.json").read_text("utf-8")), 1)
    ]
    index = province_index([p for p in provinces if p is not None])
    places = {}
    for name, kind in (("attractions.json", "attraction"), ("hubs.json", "hub")):
        for i, record in enumerate(json.loads((DATA / name).read_text("utf-8")), 1):
            place, _ = parse_place(record, index, file=name, row=i, default_kind=kind)
            if place is not None:
                places[place.id] = place
    return places


def clear_all() -> None:
    """Forget every travel cache (matrices, day graphs, access legs, adjacency)."""
    clear_cache()
    routing._day_graph_cached.cache_clear()
    routing._adjacency.cache_clear()
    legs_module._cached_access.cache_clear()


def timed(fn, repeat: int) -> list[float]:
    """Return the wall times of *repeat* calls of *fn*, in ms."""
    out = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000.0)
    return out


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    start = time.perf_counter()
    network = load_network()
    load_ms = (time.perf_counter() - start) * 1000.0
    default_network()
    places = load_places()
    points = list(places.values())

    cold = []
    for _ in range(5):
        clear_all()
        start = time.perf_counter()
        matrix = travel_matrix(points, DAY)
        cold.append((time.perf_counter() - start) * 1000.0)
    cached = timed(lambda: travel_matrix(points, DAY), args.repeat)
    same_class = timed(lambda: travel_matrix(points, DAY + dt.timedelta(days=7)), args.repeat)
    clear_all()
    scenario_cold = timed(lambda: travel_matrix(points, DAY, "storm-no-sailings"), 1)

    visits_by_day = []
    for hub, sights in TOUR:
        visits_by_day.append(
            [Visit(places[hub])] + [Visit(places[s], 90) for s in sights] + [Visit(places[hub])]
        )

    def retime_week() -> None:
        for day, visits in enumerate(visits_by_day):
            start_at = dt.datetime.combine(DAY + dt.timedelta(days=day), dt.time(7, 30))
            retime(visits, start_at)

    clear_all()
    retime_cold = timed(retime_week, 1)
    retime_warm = timed(retime_week, args.repeat)
    legs = sum(len(v) - 1 for v in visits_by_day)

    rows = [
        ("network load + validation", f"{load_ms:.1f} ms", ""),
        (
            f"matrix, {len(points)} points, cold (caches cleared)",
            f"{statistics.median(cold):.1f} ms",
            "target < 1000 ms",
        ),
        (
            f"matrix, {len(points)} points, cached",
            f"{statistics.median(cached):.3f} ms",
            "target < 10 ms",
        ),
        ("matrix, same day class, other date", f"{statistics.median(same_class):.3f} ms", ""),
        ("matrix, scenario storm-no-sailings, cold", f"{scenario_cold[0]:.1f} ms", ""),
        (
            f"re-time 7 days ({legs} exact legs), cold",
            f"{retime_cold[0]:.1f} ms",
            "target < 50 ms",
        ),
        (
            f"re-time 7 days ({legs} exact legs), warm",
            f"{statistics.median(retime_warm):.1f} ms",
            "",
        ),
    ]
    width = max(len(r[0]) for r in rows)
    print(
        f"travel network {network.version}: {len(network.nodes)} nodes, "
        f"{len(network.links)} links; {int(matrix.reachable.sum())} reachable pairs"
    )
    for label, value, target in rows:
        print(f"  {label:<{width}}  {value:>12}  {target}")


if __name__ == "__main__":
    main()
