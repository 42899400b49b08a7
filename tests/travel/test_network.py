"""Loading and validating the network file: every bad item is named with its field."""

from __future__ import annotations

import copy
import datetime as dt
import json

import pytest

from tests.travel.conftest import tiny_network_data
from tourplanner.errors import ValidationError
from tourplanner.travel.network import MODES
from tourplanner.travel.network import SCHEDULED_MODES
from tourplanner.travel.network import load_network
from tourplanner.travel.network import parse_network
from tourplanner.travel.network import parse_time

REQUIRED_LINKS = {
    "ct04-1": "Hà Nội–Hải Phòng expressway (CT.04)",
    "bach-dang-bridge": "Bạch Đằng bridge",
    "hl-hp-expressway": "Hạ Long–Hải Phòng expressway",
    "hl-vd-1": "Hạ Long–Vân Đồn expressway",
    "vd-mc-1": "Vân Đồn–Móng Cái expressway",
    "ql18-bac-ninh-chi-linh": "QL18",
    "ql10-thuy-nguyen-da-bac": "QL10",
    "ql5-hn-hai-duong": "QL5",
    "tan-vu-lach-huyen": "Tân Vũ–Lạch Huyện bridge",
    "ben-rung-bridge": "Bến Rừng bridge",
    "lai-xuan-bridge": "Lại Xuân bridge",
    "got-cai-vieng-ferry": "Gót–Cái Viềng ferry",
    "cat-hai-phu-long-cable-car": "Cát Hải–Phù Long cable car",
    "tuan-chau-gia-luan-ferry": "Tuần Châu–Gia Luận ferry",
    "cai-rong-quan-lan-speedboat": "Cái Rồng–Quan Lạn boat",
    "ao-tien-co-to-speedboat": "Ao Tiên–Cô Tô boat",
    "yen-tu-cable-1": "Yên Tử cable car",
    "ben-beo-lan-ha-boat": "Bến Bèo–Lan Hạ boat",
    "hl-port-bay-boat": "Hạ Long pier–bay boat",
    "cau-gie-ninh-binh": "link to Ninh Bình",
    "bac-giang-lang-son": "link to Lạng Sơn",
}


def _errors(data) -> dict[str, str]:
    with pytest.raises(ValidationError) as caught:
        parse_network(data)
    return {e.field: e.reason for e in caught.value.errors}


def test_embedded_network_has_every_required_link(network):
    """The issue's list of links is present, each with a source."""
    missing = [name for link_id, name in REQUIRED_LINKS.items() if link_id not in network.links]
    assert missing == []
    assert all(link.source for link in network.links.values())


def test_embedded_network_every_water_link_has_a_timetable(network):
    """Ferries, boats and cable cars all have departures or hours to wait for."""
    for link in network.links.values():
        assert link.mode in MODES
        if link.mode in SCHEDULED_MODES:
            assert link.services, link.id


def test_embedded_network_k_figures_are_marked_uncertain(network):
    """A link sourced only from the compiler's knowledge says so."""
    for link in network.links.values():
        if link.source.split() == ["K"]:
            assert link.uncertain, link.id


def test_embedded_network_statuses_match_the_sources(network):
    """Bến Rừng is open since 17 Jul 2024; Lại Xuân stays planned (unverified)."""
    ben_rung = network.links["ben-rung-bridge"]
    assert ben_rung.status == "open" and ben_rung.opened == dt.date(2024, 7, 17)
    assert not ben_rung.available_by_status(dt.date(2024, 7, 16))
    assert ben_rung.available_by_status(dt.date(2024, 7, 17))
    lai_xuan = network.links["lai-xuan-bridge"]
    assert lai_xuan.status == "planned" and lai_xuan.uncertain
    assert not lai_xuan.available_by_status(dt.date(2030, 1, 1))


def test_load_network_version_changes_with_content(tmp_path):
    """The version carries a hash of the file, so an edit invalidates cached matrices."""
    data = tiny_network_data()
    first = tmp_path / "a.json"
    first.write_text(json.dumps(data), "utf-8")
    data["links"][0]["minutes"] = 31
    second = tmp_path / "b.json"
    second.write_text(json.dumps(data), "utf-8")
    assert load_network(first).version != load_network(second).version
    assert load_network(first).version.startswith("tiny-1+")


def test_load_network_rejects_a_file_that_is_not_json(tmp_path):
    """A broken file is a ValidationError naming the file, not a traceback."""
    path = tmp_path / "network.json"
    path.write_text("{nope", "utf-8")
    with pytest.raises(ValidationError, match="network.json is not JSON"):
        load_network(path)


def test_parse_network_names_a_malformed_departure():
    """A bad time in a timetable is reported at links[<id>].timetable[i].departures[j]."""
    data = tiny_network_data()
    data["links"][1]["timetable"][0]["departures"][1] = "9h00"
    errors = _errors(data)
    assert errors == {
        "links[ferry].timetable[0].departures[1]": "'9h00' is not a time of day HH:MM"
    }


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            lambda d: d["links"][0].update({"to": "nowhere"}),
            "links[city-pier].to",
            "unknown node 'nowhere'",
        ),
        (
            lambda d: d["links"][0].update({"mode": "teleport"}),
            "links[city-pier].mode",
            "must be one of expressway, road, bridge, ferry, boat, cable_car, walk, coach, taxi, not 'teleport'",
        ),
        (
            lambda d: d["links"][1].pop("timetable"),
            "links[ferry].timetable",
            "a ferry link needs a timetable or hours",
        ),
        (lambda d: d["links"][0].pop("minutes"), "links[city-pier]", "needs minutes or speed_kmh"),
        (
            lambda d: d["links"][0].update({"status": "maybe"}),
            "links[city-pier].status",
            "must be one of open, closed, planned, not 'maybe'",
        ),
        (
            lambda d: d["links"][0].update({"source": "K"}),
            "links[city-pier].uncertain",
            "a figure sourced only as K must be marked uncertain",
        ),
        (
            lambda d: d["links"][1]["timetable"][1].update({"last": "07:00"}),
            "links[ferry].timetable[1].last",
            "is before first",
        ),
        (
            lambda d: d["nodes"][0].update({"lat": 95}),
            "nodes[city].lat",
            "must lie between -90 and 90, not 95",
        ),
        (
            lambda d: d["nodes"][2].update({"area": "atlantis"}),
            "nodes[isle-pier].area",
            "unknown area 'atlantis'",
        ),
        (
            lambda d: d["scenarios"]["no-ferry"].update({"close": ["ferry", "bridge-x"]}),
            "scenarios[no-ferry].close[1]",
            "unknown link 'bridge-x'",
        ),
        (
            lambda d: d["scenarios"].update({"x": {"seasons": {"ferry": "summer"}}}),
            "scenarios[x].seasons[ferry]",
            "link 'ferry' has no season 'summer' (seasons: none)",
        ),
    ],
    ids=[
        "unknown-node",
        "bad-mode",
        "ferry-without-timetable",
        "no-time",
        "bad-status",
        "k-not-uncertain",
        "last-before-first",
        "bad-latitude",
        "unknown-area",
        "scenario-unknown-link",
        "scenario-unknown-season",
    ],
)
def test_parse_network_names_the_bad_field(change, field, reason):
    """Each kind of mistake is reported with the item's id and field."""
    data = copy.deepcopy(tiny_network_data())
    change(data)
    errors = _errors(data)
    assert errors.get(field) == reason, errors


def test_parse_network_reports_every_problem_at_once():
    """Two unrelated mistakes give two field errors in one ValidationError."""
    data = tiny_network_data()
    data["links"][0]["km"] = "far"
    data["nodes"][1]["kind"] = "castle"
    errors = _errors(data)
    assert set(errors) == {"links[city-pier].km", "nodes[pier].kind"}


def test_parse_network_rejects_duplicate_ids():
    """A repeated link id is named."""
    data = tiny_network_data()
    data["links"].append(dict(data["links"][0]))
    assert _errors(data) == {"links[city-pier]": "duplicate id"}


def test_parse_time_accepts_midnight_end_and_refuses_garbage():
    """``24:00`` closes a day; ``25:00`` is not a time."""
    assert parse_time("24:00") == 1440
    assert parse_time("07:30") == 450
    with pytest.raises(ValueError):
        parse_time("25:00")


def test_scenario_lookup_rejects_unknown_names(network):
    """An unknown scenario is a ValidationError on the field ``scenario`` listing known ones."""
    with pytest.raises(ValidationError) as caught:
        network.scenario("with-a-tunnel")
    (error,) = caught.value.errors
    assert error.field == "scenario"
    assert "unknown scenario 'with-a-tunnel'" in error.reason
    assert "without-ben-rung" in error.reason


def test_seasonal_timetable_switches_with_the_date(network):
    """The Tuần Châu ferry has five peak sailings and fewer off-season (sourced S131)."""
    ferry = network.links["tuan-chau-gia-luan-ferry"]
    peak = ferry.day_service(dt.date(2027, 7, 1), "forward")
    off = ferry.day_service(dt.date(2027, 1, 10), "forward")
    assert [m // 60 for m in peak.departures] == [7, 9, 11, 13, 15]
    assert len(off.departures) < len(peak.departures)


def test_lunar_season_decides_yen_tu_cable_car_hours(network):
    """The Yên Tử cable car runs 05:00–20:00 in lunar months 1–3, 07:00–18:00 otherwise."""
    cable = network.links["yen-tu-cable-1"]
    festival = cable.day_service(dt.date(2027, 2, 20), "forward")  # lunar 1st month
    regular = cable.day_service(dt.date(2027, 8, 20), "forward")
    assert festival.window == (5 * 60, 20 * 60)
    assert regular.window == (7 * 60, 18 * 60)


@pytest.mark.parametrize(
    ("change", "field", "reason"),
    [
        (
            lambda d: d["links"][0].update({"minutes": None}),
            "links[city-pier]",
            "needs minutes or speed_kmh",
        ),
        (
            lambda d: d["links"][0].update({"minutes": 10**400}),
            "links[city-pier].minutes",
            f"must be a number, not {10**400!r}",
        ),
        (
            lambda d: d["links"][1].update({"fare_vnd": 10**400}),
            "links[ferry].fare_vnd",
            f"must lie between 0 and 10000000, not {10**400!r}",
        ),
        (lambda d: d.update({"nodes": None}), "nodes", "must be a list"),
        (
            lambda d: d["nodes"][2].update({"area": ["isle"]}),
            "nodes[isle-pier].area",
            "unknown area ['isle']",
        ),
        (
            lambda d: d["links"][1]["timetable"][1].update({"last": None}),
            "links[ferry].timetable[1].last",
            "None is not a time of day HH:MM",
        ),
    ],
    ids=["null-minutes", "huge-minutes", "huge-fare", "null-nodes", "list-area", "null-time"],
)
def test_parse_network_names_odd_values_instead_of_crashing(change, field, reason):
    """Values the hand-written reader dropped silently (a null time) or crashed on (an int
    beyond every float, a list where an id belongs) are each named with their field."""
    data = copy.deepcopy(tiny_network_data())
    change(data)
    errors = _errors(data)
    assert errors.get(field) == reason, errors
