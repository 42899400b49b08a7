"""What the itinerary page says besides times and places, so that it reads like a guide.

Per day: the route in a few names, the time and kilometres on the road (the hired vehicle, a
coach or a taxi; boats and cable cars are not driving), and the night's lodging. Per stop: what
the place is, its opening hours on that day, its ticket, and why the planner chose it. Per
leg: the services that carry the traveller, each with its fare per person. Everything comes in
the page's language only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from tourplanner.catalogue.models import Place
from tourplanner.i18n import N_
from tourplanner.i18n import format_money
from tourplanner.i18n import name
from tourplanner.i18n import translator
from tourplanner.planning.itinerary import ItineraryDay
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.itinerary import Stop
from tourplanner.text import fold
from tourplanner.validation import format_clock

#: services that drive on roads (the rest: ferries, boats, cable cars, walking)
ROAD_SERVICES = frozenset(
    {"hired_vehicle", "taxi", "limousine", "coach", "bus", "combo", "motorbike_taxi"}
)
#: leg modes of an itinerary saved before legs named their services
ROAD_MODES = frozenset({"road", "expressway", "bridge"})

#: what UNESCO lists a place as (``ValueBasis.unesco``): a biosphere reserve is no heritage site
UNESCO_KEYS = {
    "world_heritage": N_("guide.why.world_heritage"),
    "biosphere": N_("guide.why.biosphere"),
    "intangible": N_("guide.why.intangible"),
    "memory_of_the_world": N_("guide.why.memory_of_the_world"),
}

#: messages chosen at run time (kept by pybabel extract)
GUIDE_KEYS = (
    N_("guide.why.must"),
    N_("guide.why.interest"),
    N_("guide.why.interests"),
    N_("guide.why.festival"),
    N_("guide.why.unesco"),
    N_("guide.why.special_national"),
    N_("guide.why.national"),
)


@dataclass(frozen=True, slots=True)
class DayGuide:
    """The header of one day: where it goes, how long on the road, where it sleeps."""

    route: tuple[str, ...]
    road_minutes: int
    road_km: float
    lodging: str = ""


@dataclass(frozen=True, slots=True)
class StopGuide:
    """What an attraction is, its hours that day, its ticket, and why it is in the plan."""

    description: str = ""
    hours: str = ""
    hours_uncertain: bool = False
    ticket: str = ""
    why: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LegService:
    """One service of a leg in words (``Phà Gót – Cái Viềng``) with its fare per person."""

    text: str
    fare: str = ""
    fare_unknown: bool = False
    times: str = ""


def _minutes_between(depart: str, arrive: str) -> int:
    try:
        start, end = dt.datetime.fromisoformat(depart), dt.datetime.fromisoformat(arrive)
    except ValueError:
        return 0
    return max(int((end - start).total_seconds() // 60), 0)


def road_time(day: ItineraryDay) -> tuple[int, float]:
    """Minutes and kilometres of *day* on the road (waits for a ferry are not driving)."""
    minutes, km = 0, 0.0
    for leg in day.legs:
        if leg.services:
            for service in leg.services:
                if service.get("kind") in ROAD_SERVICES:
                    minutes += _minutes_between(
                        service.get("depart", ""), service.get("arrive", "")
                    )
                    km += float(service.get("km") or 0.0)
        elif set(leg.modes) & ROAD_MODES:
            # an itinerary saved before legs named their services: the leg, less its waits
            # (a mixed road-and-ferry leg counts whole: its road share is not known)
            minutes += max(leg.minutes - leg.wait_minutes, 0)
            km += leg.km
    return minutes, round(km, 1)


def lodging_text(stop: Stop, lang: str) -> str:
    """The night of an overnight stop in words:
    ``Khách sạn, tiêu chuẩn (3★) · ví dụ <a hotel> · Hạ Long – Bãi Cháy``."""
    t = translator(lang)
    lodging = stop.lodging or {}
    kind = t("lodging.cruise") if lodging.get("type") == "cruise" else t("lodging.hotel")
    tier = f"tier.{lodging.get('tier', 'typical')}"  # keys listed in i18n.RUNTIME_KEYS
    parts = [f"{kind}, {t(tier)}"]
    if lodging.get("example"):
        parts.append(t("guide.example", example=lodging["example"]))
    parts.append(name(stop, lang))
    return " · ".join(parts)


def day_guide(day: ItineraryDay, lang: str) -> DayGuide:
    """The header of *day*: its route, road time and km, and the night's lodging."""
    route: list[str] = []
    for stop in day.stops:
        if stop.kind == "meal":
            continue
        label = name(stop, lang)
        if not route or route[-1] != label:
            route.append(label)
    minutes, km = road_time(day)
    night = next((s for s in day.stops if s.kind == "overnight"), None)
    return DayGuide(
        route=tuple(route),
        road_minutes=minutes,
        road_km=km,
        lodging=lodging_text(night, lang) if night is not None else "",
    )


def _hours_text(place: Place, date: dt.date, lang: str) -> str:
    t = translator(lang)
    windows = place.windows_on(date)
    if not windows:
        return t("guide.closed")
    if windows == [(0, 1440)]:
        return t("guide.all_day")
    return ", ".join(f"{format_clock(o)}–{format_clock(c)}" for o, c in windows)


def _ticket_text(place: Place, stop: Stop, lang: str) -> str:
    t = translator(lang)
    ticket = place.ticket
    if stop.ticket_unknown or ticket is None or ticket.adult_vnd is None:
        return t("guide.ticket_unknown")
    if ticket.adult_vnd == 0:
        return t("guide.free")
    text = format_money(ticket.adult_vnd, lang)
    if ticket.child_vnd is not None and ticket.child_vnd != ticket.adult_vnd:
        child = t("guide.free") if ticket.child_vnd == 0 else format_money(ticket.child_vnd, lang)
        text = t("guide.ticket_child", adult=text, child=child)
    if ticket.year:
        text += f" ({ticket.year})"
    return text


def _why(place: Place | None, stop: Stop, lang: str) -> tuple[str, ...]:
    t = translator(lang)
    why: list[str] = []
    for reason in stop.reasons:
        if reason == "must":
            why.append(t("guide.why.must"))
        elif reason.startswith("interest:"):
            interest = reason.split(":", 1)[1]
            key = f"cat.{interest}"
            label = t(key)
            if label == key:  # a tag (``cruise``, ``kayak``), which has no words of its own
                why.append(t("guide.why.interests"))
            else:
                why.append(t("guide.why.interest", interest=label.lower()))
        elif reason == "festival":
            why.append(t("guide.why.festival"))
    if place is not None:
        kind = place.value_basis.unesco if place.value_basis is not None else None
        if kind in UNESCO_KEYS:
            why.append(t(UNESCO_KEYS[kind]))
        elif place.unesco:
            why.append(t("guide.why.unesco"))
        if place.heritage_rank in ("special_national", "national"):
            key = f"guide.why.{place.heritage_rank}"
            why.append(t(key))
    return tuple(dict.fromkeys(why))


def stop_guide(stop: Stop, date: str, place: Place | None, lang: str) -> StopGuide | None:
    """The guide lines of an attraction stop on *date* (ISO), or None for other stops."""
    if stop.kind != "attraction":
        return None
    if place is None:
        return StopGuide(why=_why(None, stop, lang))
    day = dt.date.fromisoformat(date[:10])
    description = place.description_en if lang == "en" else place.description_vi
    return StopGuide(
        description=description,  # none rather than the other language
        hours=_hours_text(place, day, lang),
        hours_uncertain="hours" in place.uncertain,
        ticket=_ticket_text(place, stop, lang),
        why=_why(place, stop, lang),
    )


def leg_services(leg: Leg, lang: str) -> tuple[LegService, ...]:
    """The services of *leg* in words with their fares per person; an itinerary saved before
    legs named their services gets nothing (its modes are shown instead)."""
    t = translator(lang)
    rows: list[LegService] = []
    for service in leg.services:
        kind = service.get("kind", "")
        key = f"service.{kind}"
        word = t(key) if kind else ""
        if word.startswith("service."):
            word = kind
        named = service.get("name_en" if lang == "en" else "name_vi") or ""
        text = word
        if named:
            text = named if fold(word) in fold(named) else f"{word}: {named}"
        text = text[:1].upper() + text[1:]
        fare = ""
        if service.get("fare_unknown"):
            fare = t("it.fare_unknown")
        elif service.get("fare_per_person_vnd"):
            fare = f"{format_money(service['fare_per_person_vnd'], lang)} {t('it.fare_pp')}"
        depart, arrive = service.get("depart", ""), service.get("arrive", "")
        times = (
            f"{depart[11:16]}–{arrive[11:16]}" if len(depart) >= 16 and len(arrive) >= 16 else ""
        )
        rows.append(
            LegService(
                text=text, fare=fare, fare_unknown=bool(service.get("fare_unknown")), times=times
            )
        )
    return tuple(rows)
