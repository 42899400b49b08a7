"""The travel network as the planning service sees it, configured once per application.

:class:`NetworkTravel` adapts :mod:`tourplanner.travel` (matrices with expected waits for the
solver, exact timetabled legs for the itinerary) to :class:`tourplanner.planning.TravelModel`,
using OSRM for road times when ``OSRM_URL`` is set and collecting the warnings that must reach
the itinerary (e.g. OSRM failed and the embedded network was used).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING

from flask import current_app

from tourplanner.catalogue.models import Place
from tourplanner.planning.itinerary import LEG_MODES
from tourplanner.planning.itinerary import Leg
from tourplanner.travel import legs as travel_legs
from tourplanner.travel.matrix import travel_matrix
from tourplanner.travel.modes import base_link_id
from tourplanner.travel.modes import is_public
from tourplanner.travel.network import default_network

if TYPE_CHECKING:
    from flask import Flask

#: network modes that the itinerary contract names differently (the bridge is named in ``via``;
#: a coach line or a taxi rides the road: the leg's ``services`` say which)
_MODE_ALIASES = {"bridge": "road", "coach": "road", "taxi": "road"}


def contract_modes(modes: Sequence[str]) -> tuple[str, ...]:
    """Return *modes* in the itinerary contract's vocabulary, without repeats."""
    out = [_MODE_ALIASES.get(m, m) for m in modes]
    return tuple(dict.fromkeys(m for m in out if m in LEG_MODES))


#: the contract's service kind of a network mode (coach lines say their own kind)
_SERVICE_OF_MODE = {"ferry": "ferry", "boat": "boat", "cable_car": "cable_car", "walk": "walk"}


def _service_kind(step_mode: str, link, mode: str) -> str:
    if link is not None and link.mode == "coach":
        return link.service_kind or "coach"
    if step_mode in _SERVICE_OF_MODE:
        return _SERVICE_OF_MODE[step_mode]
    return "taxi" if is_public(mode) else "hired_vehicle"


def describe_services(found: travel_legs.Leg, network, mode: str) -> list[dict]:
    """The services of an exact leg in order, consecutive road pieces merged (one ride of the
    hired vehicle, or one taxi ride priced by the network's tariff), with fares."""
    services: list[dict] = []
    for step in found.steps:
        link = None
        if step.link_id is not None:
            link = network.links.get(step.link_id) or network.links.get(base_link_id(step.link_id))
        kind = _service_kind(step.mode, link, mode)
        road = kind in ("taxi", "hired_vehicle")
        if services and road and services[-1]["kind"] == kind:
            last = services[-1]
            last["arrive"] = step.arrive.isoformat(timespec="minutes")
            last["km"] = round(last["km"] + step.km, 1)
            if link is not None and kind == "hired_vehicle":
                last["vehicle_vnd"] += link.toll_vnd
            continue
        name_vi, name_en = "", ""
        if link is not None and link.mode not in ("road", "expressway", "bridge", "taxi"):
            name_vi, name_en = link.name_vi, link.name_en
        services.append(
            {
                "kind": kind,
                "name_vi": name_vi,
                "name_en": name_en,
                "depart": step.depart.isoformat(timespec="minutes"),
                "arrive": step.arrive.isoformat(timespec="minutes"),
                "km": round(step.km, 1),
                "fare_per_person_vnd": (link.fare_vnd if link is not None else 0)
                if not road
                else 0,
                "fare_child_vnd": link.fare_child_vnd if link is not None and not road else None,
                "fare_year": link.fare_year if link is not None else None,
                "vehicle_vnd": link.toll_vnd if link is not None and kind == "hired_vehicle" else 0,
                "fare_unknown": bool(link is not None and link.fare_unknown),
                "uncertain": bool(link is not None and link.uncertain and not road),
                "operators": list(link.operators) if link is not None else [],
            }
        )
    tariff = network.taxi
    for service in services:
        if service["kind"] == "taxi":
            service["vehicle_vnd"] = tariff.fare(service["km"]) if tariff is not None else 0
    return services


class NetworkTravel:
    """Travel from the embedded network (and OSRM for roads when configured), per mode.

    :param scenario: a scenario name of the network (``None``: the network as it is).
    :param osrm_url: an OSRM server for road times, or ``None``.
    """

    def __init__(self, scenario: str | None = None, osrm_url: str | None = None) -> None:
        self.scenario = scenario
        self.osrm_url = osrm_url or None
        self._warnings: list[str] = []

    def matrix(
        self,
        places: Sequence[Place],
        date: dt.date,
        mode: str = "private",
        window: tuple[int, int] | None = None,
    ):
        """The travel matrix between *places* on *date* for *mode*, with its timetabled
        pairs for departures in *window* (minutes after midnight)
        (:class:`tourplanner.travel.matrix.TravelMatrix`)."""
        result = travel_matrix(
            list(places),
            date,
            self.scenario,
            osrm_url=self.osrm_url,
            mode=mode,
            profiles=True,
            window=window,
        )
        self._warnings.extend(w for w in result.warnings if w not in self._warnings)
        return result

    def taxi(self):
        """The network's taxi tariff (or ``None``)."""
        return default_network().taxi

    def island_of(self, place: Place) -> str | None:
        """The island (an area of the network of kind island) *place* lies on, or ``None``."""
        network = default_network()
        area = network.area(network.area_of(place.lat, place.lon))
        return area.id if area is not None and area.kind == "island" else None

    def leg(
        self, origin: Place, destination: Place, depart: dt.datetime, mode: str = "private"
    ) -> Leg | None:
        """The exact leg leaving at *depart* (ferries and coaches wait for their departures),
        with its services and fares, or ``None`` when unreachable then."""
        try:
            found = travel_legs.leg(origin, destination, depart, scenario=self.scenario, mode=mode)
        except travel_legs.Unreachable:
            return None
        services = describe_services(found, default_network(), mode)
        fare = sum(s["fare_per_person_vnd"] for s in services)
        return Leg(
            from_id=origin.id,
            to_id=destination.id,
            minutes=found.minutes,
            km=found.km,
            modes=contract_modes(found.modes),
            wait_minutes=found.wait_minutes,
            via=found.via,
            cost_vnd=found.cost_vnd,
            toll_vnd=sum(s["vehicle_vnd"] for s in services if s["kind"] == "hired_vehicle"),
            fare_vnd=fare,
            mode="public" if is_public(mode) else mode,
            services=tuple(services),
            fare_per_person_vnd=fare,
            fare_unknown=any(s["fare_unknown"] for s in services),
        )

    def warnings(self) -> list[str]:
        """Degradations met so far (OSRM fallbacks)."""
        return list(self._warnings)


def init_app(app: Flask) -> None:
    """Load the network once at start-up, so a broken network file fails loudly and early."""
    default_network()
    app.extensions["tourplanner.travel"] = {"osrm_url": app.config.get("OSRM_URL") or None}


def get_travel_model(scenario: str | None = None) -> NetworkTravel:
    """Return a travel model for one planning run (it collects that run's warnings)."""
    return NetworkTravel(scenario, current_app.extensions["tourplanner.travel"]["osrm_url"])


@lru_cache(maxsize=1)
def _lines() -> tuple[tuple[tuple[float, float], tuple[float, float], str], ...]:
    network = default_network()
    out = []
    for link in network.links.values():
        a, b = network.nodes.get(link.source_node), network.nodes.get(link.target_node)
        if a is not None and b is not None and link.status == "open":
            out.append(((a.lat, a.lon), (b.lat, b.lon), link.mode))
    return tuple(out)


def network_lines() -> tuple[tuple[tuple[float, float], tuple[float, float], str], ...]:
    """The network's links as straight segments, for the background of route maps."""
    return _lines()
