"""iCalendar export: one event per visit, meal and overnight stay (times in Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event

from tourplanner.planning.itinerary import Itinerary

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
#: control characters and everything some reader takes for the end of a line (str.splitlines
#: does for VT, FF, FS-RS, NEL, U+2028 and U+2029): a name that held one could otherwise start
#: a property of its own ("...\u2028ATTENDEE:...") in a lenient calendar reader
_BREAKS = re.compile("[\x00-\x1f\x7f\x85\u2028\u2029]+")


def _one_line(text: str) -> str:
    """Return *text* with every line break or control character turned into a space."""
    return _BREAKS.sub(" ", text).strip()


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
            name = _one_line(stop.name_en if english else stop.name_vi)
            if stop.kind == "overnight":
                name = ("Overnight: " if english else "Nghỉ đêm: ") + name
            event.add("summary", name)
            event.add("dtstart", _local(stop.arrive))
            event.add("dtend", _local(stop.depart))
            event.add("dtstamp", stamp)
            event.add("uid", f"{itinerary.id or 'draft'}-{day.group}-{day.date}-{n}@tourplanner")
            event.add("location", f"{name}, {_one_line(stop.province)}")
            event.add("geo", (stop.lat, stop.lon))
            if stop.cost_vnd:
                event.add("description", f"{stop.cost_vnd:,} VND")
            calendar.add_component(event)
    return calendar.to_ical()
