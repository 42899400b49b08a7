"""Prices in integer VND: tickets, lodging by tier, meals, hired vehicles and public services.

How a group travels decides what it pays (``transport`` of the request):

* a **hired vehicle** with driver sized to the group (``data/vehicles.json``): per km, with a
  daily minimum, several vehicles when the group outgrows the largest class; tolls per vehicle;
* **public services** for small groups: a seat per person on coach and limousine lines,
  ferries, boats and cable cars, plus taxi rides (per taxi, ``ceil(group / seats)`` taxis).

Lodging is a tier of the hub's ``lodging_tiers`` (per room of two, or per person on a cruise),
meals the typical prices of ``data/meals.json``. A price that no source states is never a silent
0: :class:`Quote` says ``unknown`` and the itinerary shows it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from tourplanner.catalogue.models import Place

DATA = Path(__file__).resolve().parents[1] / "data"
PEOPLE_PER_ROOM = 2
#: groups up to this size travel on public services when ``transport`` is ``auto``
PUBLIC_MAX_GROUP = 4


@dataclass(frozen=True, slots=True)
class Vehicle:
    """A vehicle for hire with driver: price per km and the minimum charged per day."""

    id: str
    name_vi: str
    name_en: str
    seats: int
    vnd_per_km: int
    day_minimum_vnd: int
    uncertain: bool = True
    source: str = ""
    year: int | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """A price: ``vnd`` for the whole group, how it was counted, and whether it is unknown
    (then ``vnd`` is 0 and the itinerary says "price unknown") or unverified."""

    vnd: int
    unit: str = ""
    unknown: bool = False
    uncertain: bool = False
    note: str = ""


@lru_cache(maxsize=1)
def vehicles() -> tuple[Vehicle, ...]:
    """Return the vehicle classes from ``data/vehicles.json``, smallest first."""
    records = json.loads((DATA / "vehicles.json").read_text(encoding="utf-8"))
    fleet = [
        Vehicle(
            r["id"],
            r["name_vi"],
            r["name_en"],
            r["seats"],
            r["vnd_per_km"],
            r["day_minimum_vnd"],
            bool(r.get("uncertain", True)),
            str(r.get("source", "")),
            r.get("year"),
        )
        for r in records
    ]
    return tuple(sorted(fleet, key=lambda v: v.seats))


def vehicle_for(group_size: int) -> tuple[Vehicle, int]:
    """Return the vehicle class for *group_size* people and how many of them are needed."""
    fleet = vehicles()
    for vehicle in fleet:
        if group_size <= vehicle.seats:
            return vehicle, 1
    largest = fleet[-1]
    return largest, math.ceil(group_size / largest.seats)


def taxis_for(group_size: int, seats: int = 4) -> int:
    """How many taxis a group of *group_size* takes."""
    return max(1, math.ceil(group_size / max(1, seats)))


def taxi_fares(tariff, km: np.ndarray) -> np.ndarray:
    """The fare of one taxi ride of each *km* (the tariff of
    :class:`tourplanner.travel.network.TaxiTariff`; 0 without a tariff), VND."""
    if tariff is None:
        return np.zeros_like(km, dtype=np.float64)
    rest = np.maximum(0.0, km - tariff.open_km)
    short = np.minimum(rest, max(0.0, tariff.long_from_km - tariff.open_km))
    total = tariff.open_vnd + short * tariff.per_km_vnd + (rest - short) * tariff.per_km_long_vnd
    return np.ceil(total / 1000.0) * 1000


def rooms_for(group_size: int) -> int:
    """Return the number of rooms a group needs."""
    return math.ceil(group_size / PEOPLE_PER_ROOM)


def ticket(place: Place, group_size: int) -> Quote:
    """The entrance fee of *place* (and a product's boat fare) for the whole group."""
    unknown = place.ticket is None or place.ticket.adult_vnd is None
    per_person = 0 if unknown else place.ticket.adult_vnd  # type: ignore[union-attr]
    uncertain = "ticket" in place.uncertain
    note = ""
    product = place.product
    if product is not None:
        if product.boat_vnd is None:
            note = "boat fare unknown"
            unknown = True
        else:
            per_person += product.boat_vnd
    return Quote(per_person * group_size, "person", unknown, uncertain, note)


def ticket_cost(place: Place, group_size: int) -> int:
    """The known part of :func:`ticket` (the solver plans with it)."""
    return ticket(place, group_size).vnd


def lodging(hub: Place, tier: str, group_size: int) -> Quote:
    """One night at *hub* in *tier* for the whole group: rooms of two at a hotel, per person
    on a cruise. The nearest tier the hub has stands in for a missing one (the note says)."""
    per_person = hub.hub_type == "cruise"
    found = hub.tier(tier)
    if found is not None:
        price, note = found.typical_vnd, "" if found.tier == tier else f"tier {found.tier}"
        uncertain = f"lodging.{found.tier}" in hub.uncertain or "lodging" in hub.uncertain
    elif hub.lodging is not None:
        # no tier is known here: the hub's typical (standard hotel) price, flagged
        price, note = hub.lodging.typical_vnd, "typical price"
        uncertain = "lodging" in hub.uncertain or tier not in ("budget", "standard")
    else:
        return Quote(0, "", unknown=True, note="no lodging price")
    count = group_size if per_person else rooms_for(group_size)
    return Quote(price * count, "person" if per_person else "room", False, uncertain, note)


def lodging_cost(hub: Place, group_size: int, tier: str = "standard") -> int:
    """One night at *hub* for the whole group (see :func:`lodging`)."""
    return lodging(hub, tier, group_size).vnd


@lru_cache(maxsize=1)
def _meals() -> dict:
    path = DATA / "meals.json"
    if not path.exists():
        return {}
    return json.loads(path.read_text(encoding="utf-8"))


def meal(kind: str, tier: str, group_size: int) -> Quote:
    """A *kind* of meal (lunch, dinner) in *tier* for the whole group."""
    table = _meals().get(kind) or {}
    entry = table.get(tier) or table.get("standard")
    if not isinstance(entry, dict) or entry.get("vnd") is None:
        return Quote(0, "person", unknown=True, note=f"{kind} price unknown")
    return Quote(int(entry["vnd"]) * group_size, "person", False, bool(entry.get("uncertain")))


def hire_day(km: float, group_size: int) -> int:
    """One day of the hired vehicle(s) for *km* km (the daily minimum applies)."""
    vehicle, count = vehicle_for(group_size)
    return count * max(round(km * vehicle.vnd_per_km), vehicle.day_minimum_vnd)


def vehicle_cost(km: float, days: int, group_size: int) -> int:
    """Return the hire of the group's vehicle(s) for *km* over *days* days."""
    vehicle, count = vehicle_for(group_size)
    by_distance = round(km * vehicle.vnd_per_km)
    return count * max(by_distance, vehicle.day_minimum_vnd * days)


def per_person(total_vnd: int, group_size: int) -> int:
    """Return one person's share of *total_vnd*, rounded up to the next 1,000 VND."""
    share = total_vnd / max(group_size, 1)
    return int(math.ceil(share / 1000.0) * 1000)
