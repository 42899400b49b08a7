"""Exact legs: waiting for departures, unreachable legs, ``via``, scenarios, accuracy."""

from __future__ import annotations

import datetime as dt

import pytest

from tourplanner.errors import NotFound
from tourplanner.errors import ValidationError
from tourplanner.travel.attach import Point
from tourplanner.travel.legs import Unreachable
from tourplanner.travel.legs import Visit
from tourplanner.travel.legs import leg
from tourplanner.travel.legs import retime

DAY = dt.date(2027, 3, 6)  # a Saturday, off-peak season


def at(hhmm: str, day: dt.date = DAY) -> dt.datetime:
    """Return *day* at ``HH:MM``."""
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm))


def test_leg_waits_for_the_next_ferry(tiny_network):
    """Reaching the pier at 07:30 waits 90 min for the 09:00 ferry."""
    result = leg("city", "isle-town", at("07:00"), network=tiny_network)
    assert result.wait_minutes == 90
    assert result.minutes == 30 + 90 + 40 + 20
    assert result.arrive == at("10:00")
    assert result.modes == ("road", "ferry")
    assert result.km == 38.5
    assert result.cost_vnd == 25000 and result.fare_vnd == 20000 and result.toll_vnd == 5000


def test_leg_catches_a_departure_exactly_on_time(tiny_network):
    """Arriving at the pier at 09:00 sharp boards the 09:00 ferry without waiting."""
    result = leg("pier", "isle-pier", at("09:00"), network=tiny_network)
    assert (result.wait_minutes, result.minutes) == (0, 40)


def test_leg_after_the_last_ferry_is_unreachable(tiny_network):
    """After the 13:00 ferry nothing leaves: Unreachable names the ferry and its timetable."""
    with pytest.raises(Unreachable) as caught:
        leg("city", "isle-town", at("12:45"), network=tiny_network)
    message = caught.value.message
    assert "no route from Thành phố (city) to Thị trấn đảo (isle-town)" in message
    assert "Phà thử has no departure after 13:15 (service 07:00, 09:00, 13:00)" in message
    assert caught.value.exit_code == 3


def test_leg_uses_the_timetable_of_its_direction(tiny_network):
    """Back from the island the ferry runs every 2 h from 08:00 to 16:00."""
    result = leg("isle-pier", "pier", at("10:10"), network=tiny_network)
    assert result.wait_minutes == 110  # the 12:00 sailing
    assert result.arrive == at("12:40")


def test_leg_under_a_scenario_that_closes_the_only_ferry_is_unreachable(tiny_network):
    """With the ferry closed the island cannot be reached, whatever the time."""
    with pytest.raises(Unreachable, match="under scenario 'no-ferry'"):
        leg("city", "isle-town", at("06:00"), scenario="no-ferry", network=tiny_network)


def test_leg_rejects_unknown_scenarios_and_nodes(tiny_network):
    """Bad input is a ValidationError (scenario) or NotFound (node id), exit code 2."""
    with pytest.raises(ValidationError):
        leg("city", "pier", at("08:00"), scenario="nope", network=tiny_network)
    with pytest.raises(NotFound, match="no network node is called 'atlantis'"):
        leg("city", "atlantis", at("08:00"), network=tiny_network)


def test_leg_island_place_attaches_only_to_its_island(tiny_network):
    """A place on the island next to the mainland pier still goes through the ferry."""
    beach = Point("beach", "Bãi biển", 10.1, 100.21)  # 6.5 km from the mainland pier
    result = leg("city", beach, at("08:00"), network=tiny_network)
    assert "ferry" in result.modes
    assert result.steps[-1].from_id == "isle-pier"


def test_leg_via_names_bridges_ferries_and_piers(network):
    """Hà Nội → Cát Bà names the expressway, the sea bridge and the crossing's stations."""
    result = leg("ha-noi", "cat-ba-town", at("08:00"), network=network)
    assert result.via[:2] == ("Cao tốc Hà Nội – Hải Phòng (CT.04)", "Cầu Tân Vũ – Lạch Huyện")
    crossing = set(result.via[2:])
    by_cable = {"Ga cáp treo Cát Hải", "Cáp treo Cát Hải – Phù Long", "Ga cáp treo Phù Long"}
    by_ferry = {"Bến phà Gót (Đồng Bài, Cát Hải)", "Phà Gót – Cái Viềng"}
    assert by_cable <= crossing or by_ferry <= crossing


def test_leg_to_cat_ba_at_night_takes_the_ferry_not_the_cable_car(network):
    """At 17:30 on a winter Saturday the cable car is closed (09:00–17:00 at weekends), the Gót
    ferry still runs (every 30 min until 18:30 in the off-peak season)."""
    result = leg("cat-hai-lach-huyen", "cat-ba-town", at("17:30"), network=network)
    assert "ferry" in result.modes and "cable_car" not in result.modes
    assert "Phà Gót – Cái Viềng" in result.via


def test_leg_to_cat_ba_after_the_last_ferry_is_unreachable(network):
    """At 23:30 nothing crosses to Cát Bà, and a leg never waits overnight for a boat."""
    with pytest.raises(Unreachable) as caught:
        leg("got-pier", "cat-ba-town", at("23:30"), network=network)
    message = caught.value.message
    assert "Phà Gót – Cái Viềng has no departure after 23:30" in message


def test_leg_tuan_chau_ferry_off_season_scenario_changes_the_wait(network):
    """In July the 09:00 ferry is caught; on the off-season timetable (forced) it is not."""
    july = dt.date(2027, 7, 5)
    peak = leg("tuan-chau-port", "gia-luan", at("08:30", july), network=network)
    off = leg(
        "tuan-chau-port",
        "gia-luan",
        at("08:30", july),
        network=network,
        scenario="tuan-chau-ferry-off-season",
    )
    assert "Phà Tuần Châu – Gia Luận" in peak.via
    assert peak.arrive == at("10:00", july)
    assert off.arrive > peak.arrive


def test_leg_without_ben_rung_is_longer_between_thuy_nguyen_and_quang_yen(network):
    """Closing the Bến Rừng bridge sends Thủy Nguyên–Quảng Yên traffic round by Đá Bạc."""
    with_bridge = leg("thuy-nguyen", "quang-yen", at("09:00"), network=network)
    without = leg(
        "thuy-nguyen", "quang-yen", at("09:00"), network=network, scenario="without-ben-rung"
    )
    assert "Cầu Bến Rừng" in with_bridge.via
    assert "Cầu Bến Rừng" not in without.via
    assert without.km > with_bridge.km and without.minutes > with_bridge.minutes


def test_leg_with_lai_xuan_shortens_hai_phong_to_dong_trieu(network):
    """The planned Lại Xuân bridge is used only in its scenario, and saves time."""
    baseline = leg("hai-phong", "dong-trieu", at("09:00"), network=network)
    opened = leg("hai-phong", "dong-trieu", at("09:00"), network=network, scenario="with-lai-xuan")
    assert "Cầu Lại Xuân" not in baseline.via
    assert "Cầu Lại Xuân" in opened.via
    assert opened.minutes < baseline.minutes


def test_leg_before_ben_rung_opened_does_not_use_it(network):
    """On 1 Jul 2024 the Bến Rừng bridge (opened 17 Jul 2024) is not yet there."""
    early = leg("thuy-nguyen", "quang-yen", at("09:00", dt.date(2024, 7, 1)), network=network)
    assert "Cầu Bến Rừng" not in early.via


def test_leg_bay_attraction_is_reached_by_boat_from_a_pier(network, test_places):
    """Hạ Long Bay is reached from a Hạ Long pier by boat, waiting for its departure."""
    result = leg(
        test_places["hub-bai-chay"], test_places["ha-long-bay"], at("08:10"), network=network
    )
    assert result.modes[-1] == "boat"
    assert any("Cảng tàu khách quốc tế" in v for v in result.via)


def test_leg_yen_tu_summit_uses_the_cable_cars_in_service_hours(network, test_places):
    """The summit is reached by the two cable-car lines; at 19:00 in August it is not."""
    result = leg(
        "uong-bi", test_places["yen-tu"], at("08:00", dt.date(2027, 8, 20)), network=network
    )
    assert "cable_car" in result.modes
    assert result.via.count("Cáp treo Yên Tử (Giải Oan – Hoa Yên)") == 1
    evening = leg(
        "uong-bi", test_places["yen-tu"], at("19:00", dt.date(2027, 8, 20)), network=network
    )
    assert "cable_car" not in evening.modes  # the 6 h footpath is the only way up
    assert evening.minutes > 300


def test_leg_to_itself_is_empty(network):
    """A leg from a point to itself takes no time."""
    result = leg("ha-noi", "ha-noi", at("08:00"), network=network)
    assert (result.minutes, result.km, result.modes) == (0, 0.0, ())


def test_leg_to_dict_has_the_contract_keys(network):
    """The JSON shape of a leg is exactly the CLI contract."""
    body = leg("ha-noi", "hai-phong", at("08:00"), network=network).to_dict()
    assert list(body) == [
        "from",
        "to",
        "depart",
        "minutes",
        "wait_minutes",
        "km",
        "modes",
        "via",
        "cost_vnd",
    ]
    assert body["depart"] == "2027-03-06T08:00"


# ---------------------------------------------------------------- accuracy against sources
#: (from, to, sourced minutes (lo, hi) or None, sourced km or None, source)
ACCURACY = [
    ("ha-noi", "hai-phong", (90, 90), 105, "ref:S119 ref:S120"),
    ("hai-phong", "bai-chay", (30, 60), None, "ref:S111, R3"),
    ("bai-chay", "van-don-airport", (50, 50), None, "ref:S113"),
    ("van-don-airport", "mong-cai", (50, 50), None, "ref:S116"),
    ("ha-noi", "bai-chay", (120, 150), 130, "ref:S111, R2"),
    ("ha-noi", "cat-ba-town", (210, 240), 155, "ref:S144 ref:S143"),
    ("ha-noi", "chi-linh", None, 80, "ref:S47"),
    ("ha-noi", "lang-son", (150, 150), 143, "N2 N3"),
    ("ha-noi", "ninh-binh", None, 95, "ref:S93 ref:S91"),
    ("ha-noi", "do-son", None, 105, "ref:S41"),
    ("hai-phong", "do-son", None, 20, "ref:S41"),
    ("bai-chay", "yen-tu-base", None, 40, "ref:S28"),
    ("ha-noi", "yen-tu-base", None, 130, "ref:S142"),
    ("bai-chay", "mong-cai", (90, 90), None, "ref:S117"),
    ("ha-noi", "mong-cai", (180, 180), None, "ref:S116"),
    ("cai-vieng", "cat-ba-town", None, 23.5, "ref:S128 ref:S145 (20–27 km)"),
    ("ha-noi", "noi-bai", None, 35, "ref:S141"),
]


@pytest.mark.parametrize(
    ("origin", "destination", "minutes", "km", "source"),
    ACCURACY,
    ids=[f"{a}-{b}" for a, b, *_ in ACCURACY],
)
def test_leg_matches_sourced_figures_within_25_percent(
    network, origin, destination, minutes, km, source
):
    """Road times and distances agree with the sourced figures within ±25 %."""
    result = leg(origin, destination, at("09:00"), network=network)
    if minutes is not None:
        lo, hi = minutes
        assert lo * 0.75 <= result.minutes <= hi * 1.25, (result.minutes, source)
    if km is not None:
        assert km * 0.75 <= result.km <= km * 1.25, (result.km, source)


@pytest.mark.parametrize(
    ("link_id", "depart", "ride"),
    [
        ("got-cai-vieng-ferry", "08:00", (20, 30)),  # ref:S128 ref:S145
        ("cat-hai-phu-long-cable-car", "09:00", (9, 10)),  # ref:S133 ref:S128
        ("tuan-chau-gia-luan-ferry", "07:30", (60, 60)),  # ref:S130; off-peak first sailing 07:30
        ("cai-rong-quan-lan-speedboat", "08:00", (45, 45)),  # ref:S55
        ("ao-tien-co-to-speedboat", "07:00", (90, 90)),  # ref:S58 ref:S59
        ("nghieng-hon-dau-boat", "07:00", (20, 20)),  # ref:S41
    ],
    ids=[
        "got-ferry",
        "cat-ba-cable",
        "tuan-chau-ferry",
        "quan-lan-boat",
        "co-to-boat",
        "hon-dau-boat",
    ],
)
def test_crossings_take_their_sourced_time(network, link_id, depart, ride):
    """Each water crossing, boarded at a departure, takes its sourced time (±25 %)."""
    link = network.links[link_id]
    result = leg(link.source_node, link.target_node, at(depart), network=network)
    assert result.wait_minutes == 0
    assert ride[0] * 0.75 <= result.minutes <= ride[1] * 1.25


def test_retime_a_day_waits_for_ferries_and_opening(network, test_places):
    """Re-timing a day chains legs, waits for a visit's opening and for the ferry."""
    visits = [
        Visit("ha-noi", 0),
        Visit(test_places["con-son"], 120, not_before=at("09:30")),
        Visit("got-pier", 0),
        Visit("cat-ba-town", 60),
    ]
    timed = retime(visits, at("07:00"), network=network)
    assert [t.point_id for t in timed] == ["ha-noi", "con-son", "got-pier", "cat-ba-town"]
    assert timed[1].start == max(timed[1].arrive, at("09:30"))
    assert timed[1].end == timed[1].start + dt.timedelta(minutes=120)
    assert timed[3].leg is not None and timed[3].leg.depart == timed[2].end
    assert all(a.end <= b.arrive for a, b in zip(timed, timed[1:], strict=False))


def test_retime_names_the_leg_that_cannot_be_made(network):
    """A day that reaches the pier after the last ferry fails with Unreachable."""
    with pytest.raises(Unreachable, match="Gót"):
        retime(
            [Visit("ha-noi"), Visit("got-pier", 30, not_before=at("23:10")), Visit("cat-ba-town")],
            at("08:00"),
            network=network,
            scenario="cat-ba-cable-car-closed",
        )
