"""A validated Solution becomes an Itinerary: exact legs, meals, nights, costs and warnings.

The solver timed every day with the timetables (its arrivals can always be met), so each leg
is re-timed from the solver's departure with the exact timetables of its mode and reaches the
next stop no later than planned; the visit then starts at the planned time. Lunch is placed
where the solver placed it: at a stop, inside a visit that holds it (on board, on site), at the
night's hub or on board before leaving. Costs count what the group pays for the way it travels
each day (the hired vehicle's day with its minimum and tolls, or seats and taxi rides), the
tickets, the nights at the requested tier, and the meals not included in a product or cruise;
prices no source states are listed, never counted as 0.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import logging
from dataclasses import dataclass
from dataclasses import field

import solver
from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.models import Place
from tourplanner.festivals import holidays_between
from tourplanner.i18n import translator
from tourplanner.planning import notices
from tourplanner.planning import pricing
from tourplanner.planning.itinerary import Costs
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.itinerary import ItineraryDay
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.itinerary import Stop
from tourplanner.planning.model import DAY
from tourplanner.planning.model import Model
from tourplanner.planning.model import TravelModel
from tourplanner.travel.modes import PUBLIC
from tourplanner.travel.modes import is_public

log = logging.getLogger(__name__)


def _iso(minute_of_trip: int, start: dt.date) -> str:
    return _clock(minute_of_trip, start).strftime("%Y-%m-%dT%H:%M")


def _clock(minute_of_trip: int, start: dt.date) -> dt.datetime:
    return dt.datetime.combine(start, dt.time()) + dt.timedelta(minutes=minute_of_trip)


def _minute(text: str, start: dt.date) -> int:
    moment = dt.datetime.fromisoformat(text)
    return round((moment - dt.datetime.combine(start, dt.time())).total_seconds() / 60)


@dataclass
class _Totals:
    value: float = 0.0
    travel_minutes: int = 0
    drive_minutes: int = 0
    km: float = 0.0
    tickets: int = 0
    lodging: int = 0
    meals: int = 0
    transport: int = 0
    unknown: list[str] = field(default_factory=list)


class _Day:
    """Builds one group-day of the itinerary from the solver's route."""

    def __init__(self, model: Model, catalogue: Catalogue, travel: TravelModel,
                 totals: _Totals, warnings: list[str], provinces: dict[str, None]) -> None:  # fmt: skip
        self.model = model
        self.catalogue = catalogue
        self.travel = travel
        self.totals = totals
        self.warnings = warnings
        self.provinces = provinces
        self.request = model.request
        self.lang = self.request.language

    def _stop(self, place: Place, kind: str, arrive: int, depart: int, **extra) -> Stop:
        start = self.request.start_date
        return Stop(
            id=place.id,
            kind=kind,
            name_vi=place.name_vi,
            name_en=place.name_en,
            province=place.province,
            lat=place.lat,
            lon=place.lon,
            arrive=_iso(arrive, start),
            depart=_iso(depart, start),
            former_province=place.former_province,
            **extra,
        )

    def _span(self, start: int, minutes: int) -> str:
        """``12:00–13:00`` of trip minutes."""
        begin = self.request.start_date
        return f"{_iso(start, begin)[11:]}–{_iso(start + minutes, begin)[11:]}"

    def _noted(self, stop: Stop, where: str, start: int, minutes: int) -> Stop:
        """*stop* with a note saying that lunch is eaten there (*where*: a note code)."""
        code = notices.note(where, self._span(start, minutes))
        return dataclasses.replace(
            stop, note=notices.stop_note_text(code, self.lang), note_code=code
        )

    def _meal(self, g: int, d: int, where: Place, start: int, minutes: int) -> Stop:
        begin = self.request.start_date
        code = notices.note("near", "", where)
        return Stop(
            id=f"meal-{g}-{d}",
            kind="meal",
            name_vi="Ăn trưa",
            name_en="Lunch",
            province=where.province,
            lat=where.lat,
            lon=where.lon,
            arrive=_iso(start, begin),
            depart=_iso(start + minutes, begin),
            note=notices.stop_note_text(code, self.lang),
            note_code=code,
        )

    def _leg(self, a: Place, b: Place, t: int, arrive_by: int, mode: str, d: int) -> Leg:
        """The exact leg leaving *a* at trip minute *t* by *mode* (planned to arrive by
        *arrive_by*)."""
        start = self.request.start_date
        found = self.travel.leg(a, b, _clock(t, start), mode)
        group = self.request.group_size
        if found is None:
            # the solver's timetables say this leg runs; the exact router disagrees (a bug)
            log.error("no exact leg %s -> %s at %s (%s)", a.id, b.id, _iso(t, start), mode)
            minutes = max(arrive_by - t, 0)
            return Leg(a.id, b.id, minutes, 0.0, ("road",), depart=_iso(t, start),
                       arrive=_iso(t + minutes, start), mode=mode)  # fmt: skip
        arrive = t + found.minutes
        if arrive > arrive_by:
            log.error("exact leg %s -> %s arrives %d min after the plan", a.id, b.id,
                      arrive - arrive_by)  # fmt: skip
        tariff = self.travel.taxi()
        taxis = pricing.taxis_for(group, tariff.seats if tariff else 4)
        vehicles = pricing.vehicle_for(group)[1]
        taxi_vnd = sum(s["vehicle_vnd"] for s in found.services if s["kind"] == "taxi")
        tolls = sum(s["vehicle_vnd"] for s in found.services if s["kind"] == "hired_vehicle")
        seats = sum(s["fare_per_person_vnd"] for s in found.services)
        group_cost = seats * group + taxi_vnd * taxis + tolls * vehicles
        per_person = seats + (taxi_vnd * taxis + tolls * vehicles) / group
        for s in found.services:
            if s["fare_unknown"]:
                self.totals.unknown.append(f"fare:{s['name_vi'] or s['kind']}")
        return dataclasses.replace(
            found,
            cost_vnd=int(group_cost),
            depart=_iso(t, start),
            arrive=_iso(arrive, start),
            fare_per_person_vnd=int(-(-per_person // 1000) * 1000) if per_person else 0,
        )

    def build(self, plan: solver.GroupPlan, route: solver.DayRoute, g: int) -> ItineraryDay:
        model, request, d = self.model, self.request, route.day
        begin = request.start_date
        nodes = model.nodes
        origin, finish = nodes[route.start_node], nodes[route.end_node]
        mode = route.mode
        lunch = model.problem.days[d].lunch
        ls = route.lunch_start_min
        dur = lunch.duration_min if lunch is not None else 0
        stops = [self._stop(origin, "start", route.depart_min, route.depart_min)]
        legs: list[Leg] = []
        self.provinces[origin.province] = None
        t = route.depart_min
        previous = origin
        lunch_done = ls is None
        for visit in [*route.visits, None]:
            target = self.catalogue.places[visit.place_id] if visit else finish
            planned_arrive = visit.arrive_min if visit else route.return_min
            if (
                not lunch_done
                and ls < planned_arrive
                and (visit is None or route.lunch_inside != visit.place_id)
            ):
                # eaten here before leaving (the solver's lunch starts before it travels on)
                stops.append(self._meal(g, d, previous, ls, dur))
                t = max(t, ls + dur)
                lunch_done = True
            leg = self._leg(previous, target, t, planned_arrive, mode, d)
            legs.append(leg)
            self._count(leg)
            self.provinces[target.province] = None
            ready = _minute(leg.arrive, begin)
            if (
                not lunch_done
                and visit is not None
                and route.lunch_inside != visit.place_id
                and ls >= ready
                and ls + dur <= visit.start_min
            ):
                # eaten on arrival, before the visit: the stop is reached after lunch
                stops.append(self._meal(g, d, target, ls, dur))
                ready = ls + dur
                lunch_done = True
            if visit is None:
                t = ready
                break
            place = model.places[target.id]
            quote = pricing.ticket(place, request.group_size)
            self.totals.tickets += quote.vnd
            if quote.unknown:
                self.totals.unknown.append(f"ticket:{target.id}")
            self.totals.value += model.prizes.get(target.id, 0.0)
            included = []
            if place.product is not None:
                included = [self.catalogue.places[x] for x in place.product.visits
                            if x in self.catalogue.places]  # fmt: skip
            stops.append(
                self._stop(
                    target, "attraction", ready, visit.depart_min,
                    cost_vnd=quote.vnd, value=model.prizes.get(target.id, 0.0),
                    ticket_unknown=quote.unknown, reasons=tuple(model.reasons.get(target.id, ())),
                    includes=tuple(p.name_vi for p in included),
                    includes_en=tuple(p.name_en or p.name_vi for p in included),
                )
            )  # fmt: skip
            if not lunch_done and route.lunch_inside == visit.place_id:
                # the visit holds lunch (on board, at the site): said on the stop itself
                on_board = place.product is not None and place.product.lunch
                stops[-1] = self._noted(stops[-1], "on_board" if on_board else "at_site", ls, dur)
                lunch_done = True
            previous, t = target, visit.depart_min
        lunch_at_end = not lunch_done
        self._meals(route, finish, d, lunch_at_end)
        if d == request.days - 1:
            stops.append(self._stop(finish, "end", t, t))
        else:
            stops.append(self._night(plan, d, t, finish))
        if lunch_at_end:  # at the night's hub (or on board) after arriving: said on that stop
            on_board = finish.cruise is not None and "lunch" in finish.cruise.meals
            stops[-1] = self._noted(stops[-1], "on_board" if on_board else "at_hotel", ls, dur)
        if t > d * DAY + request.day_end_min:
            log.error(
                "day %d of %s ends at %s after the asked end", d, plan.group_id, _iso(t, begin)
            )
        self._transport(route, legs, mode)
        return ItineraryDay(
            date=(begin + dt.timedelta(days=d)).isoformat(),
            group=g,
            stops=tuple(stops),
            legs=tuple(legs),
        )

    def _night(self, plan: solver.GroupPlan, d: int, t: int, hub: Place) -> Stop:
        request = self.request
        quote = pricing.lodging(hub, request.lodging, request.group_size)
        self.totals.lodging += quote.vnd
        if quote.unknown:
            self.totals.unknown.append(f"lodging:{hub.id}")
        tier = hub.tier(request.lodging)
        info = {
            "type": "cruise" if hub.cruise is not None else "hotel",
            "tier": tier.tier if tier is not None else "typical",
            "asked_tier": request.lodging,
            "example": tier.examples[0] if tier is not None and tier.examples else None,
            "unit_vnd": (
                tier.typical_vnd
                if tier is not None
                else (hub.lodging.typical_vnd if hub.lodging else None)
            ),  # fmt: skip
            "per": quote.unit,
            "count": (
                request.group_size
                if quote.unit == "person"
                else pricing.rooms_for(request.group_size)
            ),  # fmt: skip
            "total_vnd": quote.vnd,
            "uncertain": quote.uncertain,
            "meals": list(hub.cruise.meals) if hub.cruise is not None else [],
        }
        next_depart = plan.days[d + 1].depart_min
        return self._stop(hub, "overnight", t, next_depart, cost_vnd=quote.vnd, lodging=info)

    def _meals(self, route: solver.DayRoute, finish: Place, d: int, lunch_at_end: bool) -> None:
        """Lunch (unless a product with lunch holds it, or it is served on board) and dinner
        (unless the night is on a cruise), per person at the requested tier."""
        request = self.request
        model = self.model
        lunch_included = route.lunch_start_min is None  # brunch on board before leaving
        if route.lunch_inside is not None:
            place = model.places.get(route.lunch_inside)
            lunch_included = bool(place and place.product and place.product.lunch)
        if lunch_at_end and finish.cruise is not None and "lunch" in finish.cruise.meals:
            lunch_included = True
        if not lunch_included:
            quote = pricing.meal("lunch", request.lodging, request.group_size)
            self.totals.meals += quote.vnd
            if quote.unknown:
                self.totals.unknown.append("meal:lunch")
        if d < request.days - 1 and finish.cruise is None:
            quote = pricing.meal("dinner", request.lodging, request.group_size)
            self.totals.meals += quote.vnd
            if quote.unknown:
                self.totals.unknown.append("meal:dinner")

    def _count(self, leg: Leg) -> None:
        self.totals.travel_minutes += leg.minutes
        self.totals.drive_minutes += leg.minutes - leg.wait_minutes
        self.totals.km += leg.km

    def _transport(self, route: solver.DayRoute, legs: list[Leg], mode: str) -> None:
        """What the day's travel costs the group: the hired vehicle's day (per km, with its
        daily minimum) and tolls, or the seats and taxi rides; fares on top."""
        group = self.request.group_size
        fares = sum(leg.cost_vnd for leg in legs)
        if mode == "private":
            km = sum(s["km"] for leg in legs for s in leg.services if s["kind"] == "hired_vehicle")
            fares += pricing.hire_day(km, group)
        self.totals.transport += fares


def build_itinerary(
    model: Model,
    solution: solver.Solution,
    catalogue: Catalogue,
    travel: TravelModel,
    solve_seconds: float,
) -> Itinerary:
    """Re-time the solution with exact timetables, price it, and explain what was left out."""
    request = model.request
    warnings: list[dict] = []
    provinces: dict[str, None] = {}
    totals = _Totals()
    builder = _Day(model, catalogue, travel, totals, warnings, provinces)
    days = [
        builder.build(plan_, route, int(plan_.group_id.rsplit("-", 1)[1]) - 1)
        for plan_ in solution.plans
        for route in plan_.days
    ]
    travellers = request.group_size * request.groups
    costs = Costs(
        tickets_vnd=totals.tickets,
        transport_vnd=totals.transport,
        lodging_vnd=totals.lodging,
        per_person_vnd=0,
        travellers=travellers,
        meals_vnd=totals.meals,
        unknown=tuple(dict.fromkeys(totals.unknown)),
    )
    costs = dataclasses.replace(
        costs, per_person_vnd=pricing.per_person(costs.total_vnd, travellers)
    )
    budget_total = costs.tickets_vnd + costs.transport_vnd + costs.lodging_vnd
    if (
        request.budget_vnd is not None
        and pricing.per_person(budget_total, travellers) > request.budget_vnd
    ):
        warnings.append(notices.notice(
            "over_budget", cost_vnd=pricing.per_person(budget_total, travellers),
            budget_vnd=request.budget_vnd,
        ))  # fmt: skip
    visited = {v for _, v in solution.visited()}
    nights = {h for plan_ in solution.plans for h in plan_.night_hubs}
    wanted = set(request.must_visit) | set(request.pins)
    drop_codes: dict[str, str] = {}
    for drop in solution.dropped:
        if drop.place_id in visited or drop.place_id not in wanted:
            continue
        drop_codes.setdefault(drop.place_id, drop.reason.value)
    for asked, alts in model.wanted_any:
        if not (alts & (visited | nights)):
            drop_codes.setdefault(asked, solver.DropReason.CANNOT_FIT.value)
    visited_places = [catalogue.places[p] for p in sorted(visited)]
    multi_group = request.groups > 1
    warnings.extend(
        notices.unmet_notice(u, catalogue.places, multi_group)
        for u in solution.unmet
        if "none of" not in u
    )
    warnings.extend(n for n in model.festival_notes if n["params"]["place_id"] in visited)
    for holiday in holidays_between(request.start_date, request.dates[-1]):
        warnings.append(notices.notice(
            "holiday", date=holiday.date.isoformat(), name=notices.names(holiday)
        ))  # fmt: skip
    unverified = [notices.names(p) for p in visited_places if "hours" in p.uncertain]
    if unverified:
        warnings.append(notices.notice("hours_unverified", places=unverified))
    if costs.unknown:
        warnings.append(notices.notice(
            "unknown_prices", items=[_unknown_item(u, catalogue) for u in costs.unknown]
        ))  # fmt: skip
    warnings.extend(notices.travel_notice(w) for w in travel.warnings())
    warnings = list({json.dumps(w, sort_keys=True): w for w in warnings}.values())
    lang = request.language
    t = translator(lang)
    return Itinerary(
        request=request.to_dict(),
        days=tuple(days),
        value=totals.value,
        travel_minutes=totals.travel_minutes,
        drive_minutes=totals.drive_minutes,
        km=totals.km,
        costs=costs,
        provinces=tuple(provinces),
        dropped=tuple(
            (pid, t.gettext(notices.DROP_MESSAGES[code])) for pid, code in drop_codes.items()
        ),
        warnings=tuple(dict.fromkeys(notices.notice_text(w, lang) for w in warnings)),
        solve_seconds=solve_seconds,
        extra={
            "modes": list(dict.fromkeys(PUBLIC if is_public(m) else m for m in model.modes)),
            "lodging": request.lodging,
            "transport": request.transport,
            "vehicle": _vehicle(request, days),
            "notices": warnings,
            "drop_codes": drop_codes,
        },
    )


def _vehicle(request, days) -> dict | None:
    """The hired vehicle(s) of the trip's private days (``None``: no private day)."""
    private = [d.date for d in days if any(leg.mode == "private" for leg in d.legs)]
    if not private:
        return None
    vehicle, count = pricing.vehicle_for(request.group_size)
    return {
        "id": vehicle.id,
        "name_vi": vehicle.name_vi,
        "name_en": vehicle.name_en,
        "seats": vehicle.seats,
        "count": count,
        "vnd_per_km": vehicle.vnd_per_km,
        "day_minimum_vnd": vehicle.day_minimum_vnd,
        "uncertain": vehicle.uncertain,
        "year": vehicle.year,
        "days": private,
    }


def _unknown_item(key: str, catalogue: Catalogue) -> dict:
    """An unknown price (``ticket:<place id>``, ``lodging:<hub id>``, ``meal:lunch``,
    ``fare:<link name>``) as a notice item naming it in both languages."""
    kind, _, what = key.partition(":")
    if kind in ("ticket", "lodging") and what in catalogue.places:
        return {"kind": kind, "name": notices.names(catalogue.places[what])}
    return {"kind": kind, "what": what}
