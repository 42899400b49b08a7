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

import numpy as np
from flask import current_app

from tourplanner.catalogue.models import Place
from tourplanner.itinerary import LEG_MODES
from tourplanner.itinerary import Leg
from tourplanner.travel import legs as travel_legs
from tourplanner.travel.matrix import travel_matrix
from tourplanner.travel.network import default_network

if TYPE_CHECKING:
    from flask import Flask

#: network modes that the itinerary contract names differently (the bridge is named in ``via``)
_MODE_ALIASES = {"bridge": "road"}


def contract_modes(modes: Sequence[str]) -> tuple[str, ...]:
    """Return *modes* in the itinerary contract's vocabulary, without repeats."""
    out = [_MODE_ALIASES.get(m, m) for m in modes]
    return tuple(dict.fromkeys(m for m in out if m in LEG_MODES))


class NetworkTravel:
    """Travel times from the embedded network (and OSRM for roads when configured).

    :param scenario: a scenario name of the network (``None``: the network as it is).
    :param osrm_url: an OSRM server for road times, or ``None``.
    """

    def __init__(self, scenario: str | None = None, osrm_url: str | None = None) -> None:
        self.scenario = scenario
        self.osrm_url = osrm_url or None
        self._warnings: list[str] = []

    def matrix(self, places: Sequence[Place], date: dt.date) -> tuple[np.ndarray, np.ndarray]:
        """Minutes (-1 where unreachable, waits included) and km between *places* on *date*."""
        result = travel_matrix(list(places), date, self.scenario, osrm_url=self.osrm_url)
        self._warnings.extend(w for w in result.warnings if w not in self._warnings)
        minutes = np.where(result.reachable, result.minutes, -1).astype(np.int64)
        km = np.where(result.reachable, np.nan_to_num(result.km, nan=0.0), np.nan)
        return minutes, km

    def leg(self, origin: Place, destination: Place, depart: dt.datetime) -> Leg | None:
        """The exact leg leaving at *depart* (ferries wait for their departures), or None."""
        try:
            found = travel_legs.leg(origin, destination, depart, scenario=self.scenario)
        except travel_legs.Unreachable:
            return None
        return Leg(
            from_id=origin.id,
            to_id=destination.id,
            minutes=found.minutes,
            km=found.km,
            modes=contract_modes(found.modes),
            wait_minutes=found.wait_minutes,
            via=found.via,
            cost_vnd=found.cost_vnd,
            toll_vnd=found.toll_vnd,
            fare_vnd=found.fare_vnd,
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
