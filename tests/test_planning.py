"""Planning on the embedded catalogue: realistic agency requests, end to end.

Each test solves for real (a few seconds at most) and checks the itinerary against the
contract schema and the solver's own validator (planning refuses to build an itinerary from a
plan that fails it).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import jsonschema
import pytest

from tourplanner import create_app
from tourplanner.catalogue.service import get_catalogue
from tourplanner.errors import ValidationError
from tourplanner.planning import plan
from tourplanner.planning.request import parse_tour_request
from tourplanner.services.travel_model import get_travel_model

# the project's copy first: it extends shared/contracts with the legs' services and fares
SCHEMA_DIRS = [
    Path(__file__).resolve().parents[1] / "tourplanner" / "api" / "contracts",
    Path(__file__).resolve().parents[2] / "shared" / "contracts",
    Path(__file__).resolve().parent / "data" / "contracts",
]


def _schema() -> dict:
    for folder in SCHEMA_DIRS:
        path = folder / "itinerary.schema.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    raise FileNotFoundError("itinerary.schema.json")


@pytest.fixture(scope="module")
def full_app(tmp_path_factory):
    """The app on a fresh SQLite file with the whole embedded catalogue."""
    path = tmp_path_factory.mktemp("planning") / "db.sqlite3"
    app = create_app({"TESTING": True, "DATABASE_URL": f"sqlite:///{path}", "SECRET_KEY": "t"})
    yield app
    app.extensions["tourplanner.storage.db"].dispose()


def _plan(app, **request):
    request.setdefault("time_limit_s", 3)
    with app.app_context():
        catalogue = get_catalogue()
        itinerary = plan(parse_tour_request(request, catalogue), catalogue, get_travel_model())
    body = itinerary.to_dict()
    jsonschema.validate(body, _schema())
    return itinerary, body


def _visits(body) -> list[tuple[str, str]]:
    return [
        (d["date"], s["id"]) for d in body["days"] for s in d["stops"] if s["kind"] == "attraction"
    ]


def test_three_days_yen_tu_ha_long_cat_ba(full_app):
    """The cooperation programmes' flagship: Yên Tử, Hạ Long Bay and Cát Bà from Hà Nội in 3 days."""
    _, body = _plan(
        full_app,
        start="Hà Nội",
        start_date="2027-03-06",
        days=3,
        must_visit=["Yên Tử", "Vịnh Hạ Long", "Cát Bà"],
        min_provinces=3,
        interests=["heritage", "nature"],
        time_limit_s=6,
    )
    visited = {pid for _, pid in _visits(body)}
    # "Vịnh Hạ Long" is met by one of the bay's licensed cruise routes (the bay itself is
    # the family they belong to; nobody tours "the bay" without a route).
    assert {"yen-tu", "cat-ba-island"} <= visited, body["dropped"]
    assert visited & {
        "ha-long-bay",
        "ha-long-bay-route-1",
        "ha-long-bay-route-2",
        "ha-long-bay-route-3",
    }, visited
    assert len(body["summary"]["provinces"]) >= 3
    assert body["dropped"] == []


def test_two_days_from_hai_phong_beach_and_cuisine(full_app):
    """Beach and cuisine lovers starting in Hải Phòng end up at Đồ Sơn or on Cát Bà."""
    _, body = _plan(
        full_app, start="Hải Phòng", start_date="2027-06-12", days=2, interests=["beach", "cuisine"]
    )
    visited = {pid for _, pid in _visits(body)}
    beachy = {
        "do-son-beach",
        "cat-co-beaches",
        "cat-ba-island",
        "cat-ba-town",
        "monkey-island",
        "lan-ha-bay",
        "ba-trai-dao",
        "hon-dau",
    }
    assert visited & beachy, visited


def test_one_day_cannot_hold_mong_cai_and_trang_an(full_app):
    """Móng Cái and Tràng An are 400 km apart: one is dropped, with a reason."""
    _, body = _plan(
        full_app,
        start="Hà Nội",
        start_date="2027-03-10",
        days=1,
        must_visit=["Bãi biển Trà Cổ", "Tràng An"],
    )
    visited = {pid for _, pid in _visits(body)}
    assert len({"tra-co-beach", "trang-an"} & visited) <= 1
    dropped = {d["id"]: d["reason"] for d in body["dropped"]}
    assert {"tra-co-beach", "trang-an"} - visited == set(dropped)
    assert all(reason for reason in dropped.values())


def test_places_closed_on_monday_are_not_visited_on_monday(full_app):
    """A museum closed on Mondays never appears on a Monday, whatever the request."""
    with full_app.app_context():
        places = get_catalogue().places
    _, body = _plan(
        full_app, start="Hà Nội", start_date="2027-03-07", days=3, interests=["museum", "heritage"]
    )
    for date, pid in _visits(body):
        day = dt.date.fromisoformat(date)
        assert places[pid].windows_on(day), f"{pid} is closed on {date}"
    mondays = [pid for date, pid in _visits(body) if dt.date.fromisoformat(date).weekday() == 0]
    closed_mondays = [
        p.id
        for p in places.values()
        if p.kind == "attraction" and not p.windows_on(dt.date(2027, 3, 8))
    ]
    assert closed_mondays, "the catalogue should hold places closed on Mondays"
    assert not set(mondays) & set(closed_mondays)


def test_first_lunar_month_trip_warns_of_yen_tu_festival(full_app):
    """In the 1st lunar month (Yên Tử festival from the 10th) the itinerary warns of crowds."""
    _, body = _plan(
        full_app, start="Hà Nội", start_date="2027-02-20", days=2, must_visit=["Yên Tử"]
    )
    assert "yen-tu" in {pid for _, pid in _visits(body)}
    assert any("Yên Tử" in w and "đông khách" in w for w in body["warnings"]), body["warnings"]


def test_unknown_must_visit_lists_closest_matches(full_app):
    """A misspelt must-visit is a field error that suggests the right place."""
    with full_app.app_context(), pytest.raises(ValidationError) as caught:
        parse_tour_request(
            {
                "start": "Hà Nội",
                "start_date": "2027-03-06",
                "days": 2,
                "must_visit": ["Vinh Ha Lonh"],
            },
            get_catalogue(),
        )
    assert "Vịnh Hạ Long (ha-long-bay)" in caught.value.errors[0].reason


def test_required_province_far_from_the_start_is_touched(full_app):
    """Asking for Lạng Sơn on a 2-day trip from Hà Nội brings the tour to Lạng Sơn."""
    _, body = _plan(
        full_app, start="Hà Nội", start_date="2027-03-06", days=2, provinces=["Lạng Sơn"]
    )
    assert "Lạng Sơn" in body["summary"]["provinces"]
    assert any(
        s["province"] == "Lạng Sơn" and s["kind"] == "attraction"
        for d in body["days"]
        for s in d["stops"]
    )


def test_a_must_visit_may_name_an_overnight_cruise(full_app):
    """Naming the Hạ Long Bay cruise as a must-see plans a night aboard it (its price per
    person at the asked tier), and no bay route on top."""
    itinerary, body = _plan(
        full_app,
        start="Hà Nội",
        start_date="2027-04-10",
        days=2,
        must_visit=["Du thuyền ngủ đêm vịnh Hạ Long"],
        lodging="luxury",
    )
    nights = [s for d in body["days"] for s in d["stops"] if s["kind"] == "overnight"]
    assert [n["id"] for n in nights] == ["hub-cruise-ha-long-bay"]
    assert nights[0]["lodging"]["per"] == "person"
    assert not {pid for _, pid in _visits(body)} & {
        "ha-long-bay-route-1",
        "ha-long-bay-route-2",
        "ha-long-bay-route-3",
    }
    assert body["dropped"] == []


def test_a_must_visit_naming_a_hotel_hub_is_refused_with_the_reason(full_app):
    with full_app.app_context():
        catalogue = get_catalogue()
        with pytest.raises(ValidationError) as exc:
            parse_tour_request(
                {"start": "Hà Nội", "start_date": "2027-04-10", "days": 2,
                 "must_visit": ["hub-bai-chay"]},
                catalogue,
            )  # fmt: skip
    errors = {e.field: e.reason for e in exc.value.errors}
    assert "place to stay" in errors["must_visit[0]"]


def test_candidates_do_not_depend_on_the_process(full_app):
    """A must-see met by any of several products (the bay's routes and cruises) lists them in
    one order: a set's order changes with each process's hash seed, and with it the Problem,
    so the same request and seed gave different plans in the web worker and the CLI."""
    from tourplanner.planning.model import alternatives
    from tourplanner.planning.model import select_candidates

    with full_app.app_context():
        catalogue = get_catalogue()
        request = parse_tour_request(
            {"start": "Hà Nội", "start_date": "2027-03-06", "days": 3,
             "must_visit": ["Vịnh Hạ Long", "Vịnh Lan Hạ"]},
            catalogue,
        )  # fmt: skip
        candidates, any_sets = select_candidates(request, catalogue, get_travel_model())
        ids = [p.id for p in candidates]
        for pid, alts in any_sets:
            products = [i for i in ids if i in alts]
            assert len(products) >= 2, (pid, alts)
            assert products == sorted(products), pid
        bay = next(p.id for p in catalogue.attractions() if p.name_vi == "Vịnh Hạ Long")
        assert alternatives(bay, catalogue, get_travel_model()) is not None


def test_six_days_to_ninh_binh_by_coach_under_a_drive_cap(full_app):
    """One traveller, relaxed, by public services, at most 3 hours on the road a day, with
    Bái Đính and Tràng An as must-sees: the plan sleeps in Ninh Bình and visits both (the hub
    search once ignored the drive cap, and the plan left both out)."""
    _, body = _plan(
        full_app,
        start="Hà Nội",
        start_date="2027-10-05",
        days=6,
        group_size=1,
        pace="relaxed",
        transport="public",
        max_drive_minutes_per_day=180,
        must_visit=["Tràng An", "Bái Đính"],
        interests=["nature", "spiritual"],
    )
    visited = {pid for _, pid in _visits(body)}
    assert "bai-dinh-pagoda" in visited and "trang-an" in visited, body["dropped"]
    assert {"bai-dinh-pagoda", "trang-an"}.isdisjoint(d["id"] for d in body["dropped"])
