"""Prices in integer VND: tickets, lodging and the hired vehicle, shared per person.

A group travels in one hired vehicle with a driver (the usual product of agencies in the
region), sized to the group; rooms hold two people. Figures whose source is the compiler's own
knowledge are flagged ``uncertain`` in ``data/vehicles.json``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from tourplanner.catalogue.models import Place

DATA = Path(__file__).resolve().parent / "data" / "vehicles.json"
PEOPLE_PER_ROOM = 2


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


@lru_cache(maxsize=1)
def vehicles() -> tuple[Vehicle, ...]:
    """Return the vehicle classes from ``data/vehicles.json``, smallest first."""
    records = json.loads(DATA.read_text(encoding="utf-8"))
    fleet = [
        Vehicle(
            r["id"],
            r["name_vi"],
            r["name_en"],
            r["seats"],
            r["vnd_per_km"],
            r["day_minimum_vnd"],
            bool(r.get("uncertain", True)),
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


def rooms_for(group_size: int) -> int:
    """Return the number of rooms a group needs."""
    return math.ceil(group_size / PEOPLE_PER_ROOM)


def ticket_cost(place: Place, group_size: int) -> int:
    """Return the entrance fees of *place* for the whole group (unknown prices count as 0)."""
    if place.ticket is None or place.ticket.adult_vnd is None:
        return 0
    return place.ticket.adult_vnd * group_size


def lodging_cost(hub: Place, group_size: int) -> int:
    """Return one night at *hub* for the whole group, at its typical room price."""
    if hub.lodging is None:
        return 0
    return hub.lodging.typical_vnd * rooms_for(group_size)


def vehicle_cost(km: float, days: int, group_size: int) -> int:
    """Return the hire of the group's vehicle(s) for *km* over *days* days."""
    vehicle, count = vehicle_for(group_size)
    by_distance = round(km * vehicle.vnd_per_km)
    return count * max(by_distance, vehicle.day_minimum_vnd * days)


def per_person(total_vnd: int, group_size: int) -> int:
    """Return one person's share of *total_vnd*, rounded up to the next 1,000 VND."""
    share = total_vnd / max(group_size, 1)
    return int(math.ceil(share / 1000.0) * 1000)
