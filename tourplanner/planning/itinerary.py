"""Itinerary: what the planner answers, in the shape of ``shared/contracts/itinerary.schema.json``.

Times are local ISO 8601 without offset (``2027-03-06T08:30``), money integer VND, distances km.
:meth:`Itinerary.to_dict` writes the contract; :meth:`Itinerary.from_dict` reads it back
(saved itineraries are stored as that JSON).
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field
from typing import Any

STOP_KINDS = ("start", "attraction", "meal", "overnight", "end")
LEG_MODES = ("road", "expressway", "ferry", "boat", "cable_car", "walk", "rail", "air")
#: what carries the group on a piece of a leg
SERVICE_KINDS = (
    "hired_vehicle",
    "taxi",
    "limousine",
    "coach",
    "bus",
    "combo",
    "motorbike_taxi",
    "ferry",
    "boat",
    "cable_car",
    "walk",
)


@dataclass(frozen=True, slots=True)
class Stop:
    """A stop of a day: the start, an attraction, a meal, the overnight hub or the end."""

    id: str
    kind: str
    name_vi: str
    name_en: str
    province: str
    lat: float
    lon: float
    arrive: str
    depart: str
    cost_vnd: int = 0
    former_province: str | None = None
    value: float = 0.0
    note: str = ""
    #: an attraction whose ticket no source states (its cost_vnd does not include it)
    ticket_unknown: bool = False
    #: why it is in the plan: "must", "interest:<name>", "festival"
    reasons: tuple[str, ...] = ()
    #: a product's sights seen on the way (names), e.g. the caves of a bay route
    includes: tuple[str, ...] = ()
    #: the same sights named in English (``includes`` names them in Vietnamese)
    includes_en: tuple[str, ...] = ()
    #: ``note`` as a code, rendered in any language (:func:`tourplanner.planning.notices.stop_note`)
    note_code: dict[str, Any] | None = None
    #: an overnight stop: {"type": "hotel"|"cruise", "tier", "example", "unit_vnd", "per":
    #: "room"|"person", "count", "total_vnd", "uncertain", "meals"}
    lodging: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class Leg:
    """Travel between two consecutive stops, with the named bridges, ferries and piers used."""

    from_id: str
    to_id: str
    minutes: int
    km: float
    modes: tuple[str, ...]
    wait_minutes: int = 0
    via: tuple[str, ...] = ()
    cost_vnd: int = 0
    depart: str = ""
    arrive: str = ""
    #: road tolls for one car and fares for one passenger, the parts of a group's cost
    toll_vnd: int = 0
    fare_vnd: int = 0
    #: "private" (the group's hired vehicle) or "public" (seats, ferries, taxis)
    mode: str = "private"
    #: the services of the leg in order: {"kind" (SERVICE_KINDS), "name_vi", "name_en",
    #: "depart", "arrive", "fare_per_person_vnd", "vehicle_vnd", "fare_unknown"}
    services: tuple[dict[str, Any], ...] = ()
    #: what one traveller pays on this leg (seats, ferry and cable-car tickets; taxi shares)
    fare_per_person_vnd: int = 0
    #: some fare of the leg is not known (it is not counted: shown as "fare unknown")
    fare_unknown: bool = False


@dataclass(frozen=True, slots=True)
class ItineraryDay:
    """One day of one group."""

    date: str
    stops: tuple[Stop, ...]
    legs: tuple[Leg, ...]
    group: int = 0

    def rows(self) -> list[tuple[Stop, Leg | None]]:
        """Each stop with the leg that leads to it (``None`` for the start and for meals)."""
        legs = iter(self.legs)
        rows: list[tuple[Stop, Leg | None]] = []
        pending = False  # a leg has been shown before a meal taken on arrival
        for index, stop in enumerate(self.stops):
            if index == 0:
                rows.append((stop, None))
            elif stop.kind == "meal":
                following = self.stops[index + 1] if index + 1 < len(self.stops) else None
                on_arrival = (
                    following is not None
                    and (following.lat, following.lon) == (stop.lat, stop.lon)
                    and (self.stops[index - 1].lat, self.stops[index - 1].lon)
                    != (stop.lat, stop.lon)
                )
                rows.append((stop, next(legs, None) if on_arrival else None))
                pending = on_arrival
            else:
                rows.append((stop, None if pending else next(legs, None)))
                pending = False
        return rows


@dataclass(frozen=True, slots=True)
class Costs:
    """What the trip costs, in VND: totals for all travellers and the share of one person."""

    tickets_vnd: int
    transport_vnd: int
    lodging_vnd: int
    per_person_vnd: int
    travellers: int
    meals_vnd: int = 0
    #: prices no source states (not counted): e.g. "ticket:<place id>", "fare:<link name>"
    unknown: tuple[str, ...] = ()

    @property
    def total_vnd(self) -> int:
        """Everything together."""
        return self.tickets_vnd + self.transport_vnd + self.lodging_vnd + self.meals_vnd

    def per_person(self, amount: int) -> int:
        """*amount* shared by the travellers, rounded up to 1,000 VND."""
        share = amount / max(self.travellers, 1)
        return int(-(-share // 1000) * 1000)


@dataclass(frozen=True, slots=True)
class Itinerary:
    """A planned tour: days, totals, dropped places with reasons, and warnings."""

    request: dict[str, Any]
    days: tuple[ItineraryDay, ...]
    value: float
    travel_minutes: int
    km: float
    costs: Costs
    provinces: tuple[str, ...]
    dropped: tuple[tuple[str, str], ...] = ()
    warnings: tuple[str, ...] = ()
    solve_seconds: float = 0.0
    id: str | None = None
    parent_id: str | None = None
    drive_minutes: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the contract JSON (plus documented extra fields)."""
        body: dict[str, Any] = {
            "request": self.request,
            "days": [
                {
                    "date": day.date,
                    "group": day.group,
                    "stops": [_stop_dict(s) for s in day.stops],
                    "legs": [_leg_dict(leg) for leg in day.legs],
                }
                for day in self.days
            ],
            "summary": {
                "value": round(self.value, 2),
                "travel_minutes": self.travel_minutes,
                "drive_minutes": self.drive_minutes,
                "km": round(self.km, 1),
                "cost_vnd": self.costs.per_person_vnd,
                "costs": {
                    "tickets_vnd": self.costs.tickets_vnd,
                    "transport_vnd": self.costs.transport_vnd,
                    "lodging_vnd": self.costs.lodging_vnd,
                    "meals_vnd": self.costs.meals_vnd,
                    "total_vnd": self.costs.total_vnd,
                    "per_person_vnd": self.costs.per_person_vnd,
                    "travellers": self.costs.travellers,
                    "per_person": {
                        "tickets_vnd": self.costs.per_person(self.costs.tickets_vnd),
                        "transport_vnd": self.costs.per_person(self.costs.transport_vnd),
                        "lodging_vnd": self.costs.per_person(self.costs.lodging_vnd),
                        "meals_vnd": self.costs.per_person(self.costs.meals_vnd),
                    },
                    "unknown": list(self.costs.unknown),
                },
                "provinces": list(self.provinces),
                "solve_seconds": round(self.solve_seconds, 3),
            },
            "dropped": [{"id": pid, "reason": reason} for pid, reason in self.dropped],
            "warnings": list(self.warnings),
        }
        if self.id:
            body["id"] = self.id
        if self.parent_id:
            body["parent_id"] = self.parent_id
        body.update(self.extra)
        return body

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Itinerary:
        """Rebuild an itinerary from its contract JSON."""
        summary = data["summary"]
        costs = summary.get("costs") or {}
        days = tuple(
            ItineraryDay(
                date=d["date"],
                group=d.get("group", 0),
                stops=tuple(_stop_from(s) for s in d["stops"]),
                legs=tuple(
                    Leg(
                        from_id=leg["from"],
                        to_id=leg["to"],
                        minutes=leg["minutes"],
                        km=leg["km"],
                        modes=tuple(leg["modes"]),
                        wait_minutes=leg.get("wait_minutes", 0),
                        via=tuple(leg.get("via", ())),
                        cost_vnd=leg.get("cost_vnd", 0),
                        depart=leg.get("depart", ""),
                        arrive=leg.get("arrive", ""),
                        toll_vnd=leg.get("toll_vnd", 0),
                        fare_vnd=leg.get("fare_vnd", 0),
                        mode=leg.get("mode", "private"),
                        services=tuple(leg.get("services", ())),
                        fare_per_person_vnd=leg.get("fare_per_person_vnd", 0),
                        fare_unknown=leg.get("fare_unknown", False),
                    )
                    for leg in d["legs"]
                ),
            )
            for d in data["days"]
        )
        known = {"request", "days", "summary", "dropped", "warnings", "id", "parent_id"}
        return cls(
            request=data["request"],
            days=days,
            value=summary["value"],
            travel_minutes=summary["travel_minutes"],
            km=summary.get("km", 0.0),
            costs=Costs(
                tickets_vnd=costs.get("tickets_vnd", 0),
                transport_vnd=costs.get("transport_vnd", 0),
                lodging_vnd=costs.get("lodging_vnd", 0),
                per_person_vnd=summary["cost_vnd"],
                travellers=costs.get("travellers", 1),
                meals_vnd=costs.get("meals_vnd", 0),
                unknown=tuple(costs.get("unknown", ())),
            ),
            provinces=tuple(summary["provinces"]),
            dropped=tuple((d["id"], d["reason"]) for d in data["dropped"]),
            warnings=tuple(data.get("warnings", ())),
            solve_seconds=summary.get("solve_seconds", 0.0),
            id=data.get("id"),
            parent_id=data.get("parent_id"),
            drive_minutes=summary.get("drive_minutes", 0),
            extra={k: v for k, v in data.items() if k not in known},
        )


_STOP_FIELDS = set(Stop.__dataclass_fields__)


def _stop_from(data: dict[str, Any]) -> Stop:
    values = {k: v for k, v in data.items() if k in _STOP_FIELDS}
    for key in ("reasons", "includes", "includes_en"):
        if key in values:
            values[key] = tuple(values[key])
    return Stop(**values)


def _stop_dict(stop: Stop) -> dict[str, Any]:
    return {
        "id": stop.id,
        "kind": stop.kind,
        "name_vi": stop.name_vi,
        "name_en": stop.name_en,
        "province": stop.province,
        "lat": stop.lat,
        "lon": stop.lon,
        "arrive": stop.arrive,
        "depart": stop.depart,
        "cost_vnd": stop.cost_vnd,
        "former_province": stop.former_province,
        "value": round(stop.value, 2),
        "note": stop.note,
        "ticket_unknown": stop.ticket_unknown,
        "reasons": list(stop.reasons),
        "includes": list(stop.includes),
        "includes_en": list(stop.includes_en),
        "note_code": stop.note_code,
        "lodging": stop.lodging,
    }


def _leg_dict(leg: Leg) -> dict[str, Any]:
    return {
        "from": leg.from_id,
        "to": leg.to_id,
        "minutes": leg.minutes,
        "wait_minutes": leg.wait_minutes,
        "km": round(leg.km, 1),
        "modes": list(leg.modes),
        "via": list(leg.via),
        "cost_vnd": leg.cost_vnd,
        "depart": leg.depart,
        "arrive": leg.arrive,
        "toll_vnd": leg.toll_vnd,
        "fare_vnd": leg.fare_vnd,
        "mode": leg.mode,
        "services": [dict(x) for x in leg.services],
        "fare_per_person_vnd": leg.fare_per_person_vnd,
        "fare_unknown": leg.fare_unknown,
    }
