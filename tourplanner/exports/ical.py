"""iCalendar export: one event per visit, meal and overnight stay (times in Asia/Ho_Chi_Minh)."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

from icalendar import Calendar
from icalendar import Event

from tourplanner.i18n import translator
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.notices import stop_note

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


def to_ical(itinerary: Itinerary, *, lang: str = "vi") -> bytes:
    """Return the itinerary as an iCalendar file in *lang* only: events in local time with
    ``TZID=Asia/Ho_Chi_Minh`` and the VTIMEZONE that defines it."""
    t = translator(lang)
    calendar = Calendar()
    calendar.add("prodid", "-//tourplanner//northern Vietnam tours//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", f"tourplanner {t('it.title')} {itinerary.id or ''}".strip())
    calendar.add("x-wr-timezone", TZ.key)
    stamp = dt.datetime.now(dt.UTC)
    for day in itinerary.days:
        for n, stop in enumerate(day.stops):
            if stop.kind in ("start", "end") or stop.arrive == stop.depart:
                continue
            event = Event()
            name = _one_line(t("it.lunch") if stop.kind == "meal" else t.name(stop))
            if stop.kind == "overnight":
                name = f"{t('it.overnight')}: {name}"
            event.add("summary", name)
            event.add("dtstart", _local(stop.arrive))
            event.add("dtend", _local(stop.depart))
            event.add("dtstamp", stamp)
            event.add("uid", f"{itinerary.id or 'draft'}-{day.group}-{day.date}-{n}@tourplanner")
            event.add("location", f"{name}, {_one_line(stop.province)}")
            event.add("geo", (stop.lat, stop.lon))
            lines = [t.date(day.date)]
            note = stop_note(stop, t.lang)
            if note:
                lines.append(_one_line(note))
            if stop.cost_vnd:
                lines.append(t.money(stop.cost_vnd))
            event.add("description", "\n".join(lines))
            calendar.add_component(event)
    if itinerary.days:
        first = dt.date.fromisoformat(itinerary.days[0].date)
        last = dt.date.fromisoformat(max(d.date for d in itinerary.days))
        calendar.add_missing_timezones(first_date=first, last_date=last + dt.timedelta(days=2))
    return calendar.to_ical()
