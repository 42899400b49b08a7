"""The itinerary reads like a guide: day headers, what each stop is, its hours that day, its
ticket, why it is planned, and the services of each leg with their fares, in one language."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re

import pytest

from tourplanner.catalogue.models import WEEKDAYS
from tourplanner.catalogue.models import OpeningRule
from tourplanner.catalogue.models import ValueBasis
from tourplanner.catalogue.service import get_catalogue
from tourplanner.planning.itinerary import ItineraryDay
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.itinerary import Stop
from tourplanner.web import guide


def _stop(pid: str, kind: str = "attraction", **extra) -> Stop:
    fields = {
        "id": pid,
        "kind": kind,
        "name_vi": pid,
        "name_en": pid,
        "province": "Quảng Ninh",
        "lat": 21.0,
        "lon": 107.0,
        "arrive": "2027-03-06T09:00",
        "depart": "2027-03-06T10:00",
    }
    fields.update(extra)
    return Stop(**fields)


@pytest.fixture
def bay(app):
    """Hạ Long Bay as the app's catalogue holds it."""
    with app.app_context():
        return get_catalogue().places["ha-long-bay"]


def test_road_time_counts_road_services_only():
    """A ferry and its wait are not driving; the taxi and hired-vehicle rides are."""
    services = (
        {
            "kind": "hired_vehicle",
            "depart": "2027-03-06T08:00",
            "arrive": "2027-03-06T09:30",
            "km": 120.0,
        },
        {"kind": "ferry", "depart": "2027-03-06T10:00", "arrive": "2027-03-06T10:40", "km": 9.0},
        {"kind": "taxi", "depart": "2027-03-06T10:45", "arrive": "2027-03-06T11:05", "km": 11.5},
    )
    leg = Leg(
        "a", "b", minutes=185, km=140.5, modes=("road", "ferry"), wait_minutes=30, services=services
    )
    day = ItineraryDay("2027-03-06", (_stop("a", "start"), _stop("b")), (leg,))
    assert guide.road_time(day) == (110, 131.5)
    # an itinerary saved before legs had services: a road leg counts less its waits
    old = Leg("a", "b", minutes=90, km=80.0, modes=("expressway",), wait_minutes=10)
    assert guide.road_time(ItineraryDay("2027-03-06", day.stops, (old,))) == (80, 80.0)


def test_stop_guide_of_ha_long_bay_in_both_languages(bay):
    """Hạ Long Bay with its two seasons of boat hours: on a Saturday in March its description,
    the winter hours, its ticket and why it is planned, each in the language asked for."""
    seasons = (
        OpeningRule(WEEKDAYS, 360, 1140, "04-16", "10-31"),
        OpeningRule(WEEKDAYS, 390, 1110, "11-01", "04-15"),
    )
    place = dataclasses.replace(bay, opening_hours=seasons)
    stop = _stop("ha-long-bay", reasons=("must", "interest:bay"))
    vi = guide.stop_guide(stop, "2027-03-06", place, "vi")
    en = guide.stop_guide(stop, "2027-03-06", place, "en")
    assert vi.description.startswith("Di sản thiên nhiên thế giới")
    assert en.description.startswith("World Natural Heritage bay")
    assert vi.hours == en.hours == "06:30–18:30"  # the 1 Nov–15 Apr rule
    assert guide.stop_guide(stop, "2027-07-03", place, "en").hours == "06:00–19:00"
    assert vi.ticket == "290.000\u00a0₫ (2023)" and en.ticket == "₫290,000 (2023)"
    assert vi.why == (
        "bạn muốn đến",
        "hợp sở thích vịnh",
        "di sản UNESCO",
        "di tích quốc gia đặc biệt",
    )
    assert en.why == (
        "you asked for it",
        "matches your interest: bays",
        "UNESCO heritage",
        "special national relic",
    )
    # what UNESCO lists it as, when the catalogue says: a biosphere reserve is no heritage site
    reserve = dataclasses.replace(place, value_basis=ValueBasis(unesco="biosphere"))
    assert "UNESCO biosphere reserve" in guide.stop_guide(stop, "2027-03-06", reserve, "en").why
    listed = dataclasses.replace(place, value_basis=ValueBasis(unesco="world_heritage"))
    assert "di sản thế giới UNESCO" in guide.stop_guide(stop, "2027-03-06", listed, "vi").why
    tagged = _stop("ha-long-bay", reasons=("interest:kayak",))
    assert guide.stop_guide(tagged, "2027-03-06", place, "vi").why[0] == "hợp sở thích của bạn"
    always_open = dataclasses.replace(bay, opening_hours=())
    assert guide.stop_guide(stop, "2027-03-06", always_open, "en").hours == "open all day"


def test_unknown_ticket_says_so(bay):
    """A ticket no source states reads as not known, never 0 or free."""
    place = bay
    stop = _stop("ha-long-bay", ticket_unknown=True)
    assert (
        guide.stop_guide(stop, "2027-03-06", place, "en").ticket
        == "not known (no source states it)"
    )
    assert guide.stop_guide(_stop("x", "overnight"), "2027-03-06", None, "en") is None


def test_leg_services_name_the_service_and_its_fare():
    """Each service of a leg in words with its fare per person; an unknown fare is flagged."""
    services = (
        {"kind": "taxi", "name_vi": "", "name_en": "", "depart": "2027-03-06T08:00",
         "arrive": "2027-03-06T08:20", "fare_per_person_vnd": 0},
        {"kind": "ferry", "name_vi": "Phà Gót – Cái Viềng", "name_en": "Gót – Cái Viềng ferry",
         "depart": "2027-03-06T08:30", "arrive": "2027-03-06T08:45", "fare_per_person_vnd": 50000},
        {"kind": "boat", "name_vi": "Tàu Bến Bèo", "name_en": "Bến Bèo boat",
         "depart": "2027-03-06T09:00", "arrive": "2027-03-06T09:30", "fare_unknown": True},
    )  # fmt: skip
    leg = Leg("a", "b", minutes=90, km=30.0, modes=("road", "ferry", "boat"), services=services)
    vi = guide.leg_services(leg, "vi")
    assert [s.text for s in vi] == ["Taxi", "Phà Gót – Cái Viềng", "Tàu Bến Bèo"]
    assert vi[0].fare == ""  # the taxi is paid by the car (the leg's cost), not per seat
    assert vi[1].fare == "50.000\u00a0₫ mỗi người" and vi[1].times == "08:30–08:45"
    assert vi[2].fare == "chưa rõ giá vé" and vi[2].fare_unknown
    en = guide.leg_services(leg, "en")
    assert en[1].fare == "₫50,000 per person" and en[2].fare == "fare unknown"
    assert [s.text for s in en] == ["Taxi", "Gót – Cái Viềng ferry", "Bến Bèo boat"]


def test_itinerary_page_reads_like_a_guide(client, planned, bay):
    """The planned 2-day Hạ Long trip: each day has its route and road time, the night names
    its lodging, the bay stop says what it is, its hours, its ticket and why it is there, and
    the legs name their services; the English page has none of the Vietnamese texts."""
    html = client.get(planned).get_data(as_text=True)
    assert html.count('class="day-route"') == 2
    assert re.search(r'class="day-road">Đi đường bộ: (\d+ h \d\d|\d+ phút) · [\d.,]+ km', html)
    assert "Nghỉ đêm:" in html
    assert bay.description_vi and bay.description_vi in html
    ((open_min, close_min),) = bay.windows_on(dt.date(2027, 3, 6))
    hours = f"{open_min // 60:02d}:{open_min % 60:02d}–{close_min // 60:02d}:{close_min % 60:02d}"
    assert f"Giờ mở cửa: {hours}" in html
    assert "Vì sao chọn: bạn muốn đến" in html
    assert 'class="services"' in html
    english = client.get(planned + "?lang=en").get_data(as_text=True)
    assert bay.description_en in english and bay.description_vi not in english
    assert "Why it is here: you asked for it" in english
    assert f"Open: {hours}" in english
    assert "Vì sao chọn" not in english and "Giờ mở cửa" not in english
