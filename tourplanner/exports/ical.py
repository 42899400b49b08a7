"""iCalendar export: one event per visit, meal and overnight stay (times in Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event

from tourplanner.itinerary import Itinerary

TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def _local(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=TZ)


def to_ical(itinerary: Itinerary, *, english: bool = False) -> bytes:
    """Return the itinerary as an iCalendar file."""
    calendar = Calendar()
    calendar.add("prodid", "-//tourplanner//northern Vietnam tours//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", "tourplanner " + (itinerary.id or ""))
    stamp = dt.datetime.now(dt.UTC)
    for day in itinerary.days:
        for n, stop in enumerate(day.stops):
            if stop.kind in ("start", "end") or stop.arrive == stop.depart:
                continue
            event = Event()
            name = stop.name_en if english else stop.name_vi
            if stop.kind == "overnight":
                name = ("Overnight: " if english else "Nghỉ đêm: ") + name
            event.add("summary", name)
            event.add("dtstart", _local(stop.arrive))
            event.add("dtend", _local(stop.depart))
            event.add("dtstamp", stamp)
            event.add("uid", f"{itinerary.id or 'draft'}-{day.group}-{day.date}-{n}@tourplanner")
            event.add("location", f"{name}, {stop.province}")
            event.add("geo", (stop.lat, stop.lon))
            if stop.cost_vnd:
                event.add("description", f"{stop.cost_vnd:,} VND")
            calendar.add_component(event)
    return calendar.to_ical()
