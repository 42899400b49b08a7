"""Warnings, reasons for dropped places and stop notes as codes with parameters.

An itinerary is planned in one language but may be shown in the other (a saved plan opened
with ``?lang=en``, ``tourplanner show ID --lang en``). So the planner records each warning as
a notice ``{"code": ..., "params": {...}}`` (names in both languages, dates ISO, money integer
VND) in the itinerary's ``notices`` field, each dropped place's reason code in
``drop_codes``, and a meal's note as ``note_code`` on its stop. The contract's ``warnings``
and ``dropped[].reason`` strings are those rendered in the request's language; every output
renders the notices again in its own language with :func:`warning_texts`,
:func:`dropped_texts` and :func:`stop_note`. Itineraries saved before notices existed show
their stored strings.
"""

from __future__ import annotations

import re
from typing import Any

from tourplanner.i18n import N_
from tourplanner.i18n import Translator
from tourplanner.i18n import translator

#: the message of each notice code (``%(name)s`` parameters, filled by :func:`notice_text`)
MESSAGES = {
    "over_budget": N_("warn.over_budget"),
    "festival": N_("warn.festival"),
    "holiday": N_("warn.holiday"),
    "hours_unverified": N_("warn.hours_unverified"),
    "unknown_prices": N_("warn.unknown_prices"),
    "road_fallback": N_("warn.road_fallback"),
    "must_missed": N_("warn.must_missed"),
    "provinces_missed": N_("warn.provinces_missed"),
    "min_provinces": N_("warn.min_provinces"),
}
#: the reason of each drop code (``solver.DropReason`` values)
DROP_MESSAGES = {
    "closed": N_("drop.closed"),
    "cannot_fit": N_("drop.cannot_fit"),
    "over_budget": N_("drop.over_budget"),
    "quota_full": N_("drop.quota_full"),
    "unreachable": N_("drop.unreachable"),
    "excluded": N_("drop.excluded"),
    "not_selected": N_("drop.not_selected"),
}
#: where lunch is eaten (a meal stop's or a visit's ``note_code``)
NOTE_MESSAGES = {
    "near": N_("note.lunch_near"),
    "on_board": N_("note.lunch_on_board"),
    "at_site": N_("note.lunch_at_site"),
    "at_hotel": N_("note.lunch_at_hotel"),
}
UNKNOWN_PRICE_MESSAGES = {
    "ticket": N_("price.ticket_of"),
    "meal:lunch": N_("meal.lunch"),
    "meal:dinner": N_("meal.dinner"),
}
ROAD_FALLBACK = "road times come from the embedded network: "


def names(thing: Any) -> dict[str, str]:
    """``{"vi": ..., "en": ...}`` of a place-like object (``name_vi``/``name_en``)."""
    return {"vi": thing.name_vi, "en": thing.name_en or thing.name_vi}


def notice(code: str, **params: Any) -> dict[str, Any]:
    """A notice of *code* (a key of :data:`MESSAGES`, or ``"text"`` for a raw message)."""
    if code != "text" and code not in MESSAGES:
        raise ValueError(f"unknown notice code {code!r}")
    return {"code": code, "params": params}


def _name(value: dict[str, str] | str, lang: str) -> str:
    if isinstance(value, dict):
        return value.get(lang) or value.get("vi", "")
    return value


def _unknown_price(item: dict[str, Any], t: Translator) -> str:
    kind = item["kind"]
    if kind == "ticket":
        return t.gettext(UNKNOWN_PRICE_MESSAGES["ticket"], name=_name(item["name"], t.lang))
    if kind == "meal":
        return t.gettext(UNKNOWN_PRICE_MESSAGES[f"meal:{item['what']}"])
    return _name(item.get("name", item.get("what", "")), t.lang)


def notice_text(item: dict[str, Any], lang: str) -> str:
    """The notice *item* as a sentence in *lang*."""
    t = translator(lang)
    code, p = item["code"], item.get("params", {})
    if code == "text":
        return p["text"]
    if code == "over_budget":
        return t.gettext(
            MESSAGES[code], cost=t.money(p["cost_vnd"]), budget=t.money(p["budget_vnd"])
        )
    if code == "festival":
        return t.gettext(
            MESSAGES[code],
            place=_name(p["place"], lang),
            festival=_name(p["festival"], lang),
            first=t.date(p["first"], weekday=False),
            last=t.date(p["last"], weekday=False),
        )
    if code == "holiday":
        return t.gettext(MESSAGES[code], date=t.date(p["date"]), name=_name(p["name"], lang))
    if code == "hours_unverified":
        places = sorted(_name(x, lang) for x in p["places"])
        return t.gettext(MESSAGES[code], places=", ".join(places))
    if code == "unknown_prices":
        items = ", ".join(_unknown_price(x, t) for x in p["items"])
        return t.gettext(MESSAGES[code], items=items)
    if code == "road_fallback":
        return t.gettext(MESSAGES[code], detail=p["detail"])
    text = t.gettext(
        MESSAGES[code],
        place=_name(p.get("place", ""), lang),
        provinces=", ".join(p.get("provinces", ())),
        count=p.get("count", ""),
    )
    if p.get("group"):
        return f"{t('it.group')} {p['group']}: {text}"
    return text


def warning_texts(itinerary, lang: str) -> list[str]:
    """The itinerary's warnings in *lang* (its stored strings when it has no notices)."""
    notices = itinerary.extra.get("notices")
    if notices is None:
        return list(itinerary.warnings)
    return list(dict.fromkeys(notice_text(n, lang) for n in notices))


def dropped_texts(itinerary, lang: str) -> list[tuple[str, str]]:
    """``(place id, reason in lang)`` of each dropped place."""
    codes = itinerary.extra.get("drop_codes") or {}
    t = translator(lang)
    return [
        (pid, t.gettext(DROP_MESSAGES[codes[pid]]) if codes.get(pid) in DROP_MESSAGES else reason)
        for pid, reason in itinerary.dropped
    ]


def note(code: str, span: str, near: Any = None) -> dict[str, Any]:
    """A lunch note: *code* (a key of :data:`NOTE_MESSAGES`), its hours, the place it is near."""
    body: dict[str, Any] = {"code": code, "span": span}
    if near is not None:
        body["place"] = names(near)
    return body


def stop_note(stop, lang: str) -> str:
    """The note of *stop* in *lang* (its stored note when it has no ``note_code``)."""
    code = stop.note_code
    if not code or code.get("code") not in NOTE_MESSAGES:
        return stop.note
    return stop_note_text(code, lang)


def stop_note_text(code: dict[str, Any], lang: str) -> str:
    """The lunch note *code* (made by :func:`note`) in *lang*."""
    t = translator(lang)
    where = t.gettext(NOTE_MESSAGES[code["code"]], place=_name(code.get("place", ""), lang))
    return f"{where} {code['span']}" if code.get("span") else where


def includes_names(stop, lang: str) -> tuple[str, ...]:
    """The sights a product's stop includes, named in *lang*."""
    if lang == "en" and stop.includes_en:
        return stop.includes_en
    return stop.includes


_MUST = re.compile(
    r"must-visit place '(?P<place>[^']+)' not visited(?: by group '(?P<group>[^']+)')?"
)
_PROVINCES = re.compile(r"group '(?P<group>[^']+)' does not touch province\(s\) \[(?P<list>.*)\]")
_FEWER = re.compile(r"group '(?P<group>[^']+)' touches fewer than (?P<count>\d+) provinces")


def unmet_notice(message: str, places: dict, multi_group: bool) -> dict[str, Any]:
    """The notice of one of the solver's unmet requirements (its messages are English
    diagnostics; *places* maps ids to catalogue places for their names)."""

    def group(m: re.Match) -> str | None:
        g = m.groupdict().get("group")
        return g.rsplit("-", 1)[-1] if g and multi_group else None

    if m := _MUST.match(message):
        pid = m["place"]
        place = names(places[pid]) if pid in places else {"vi": pid, "en": pid}
        return notice("must_missed", place=place, group=group(m))
    if m := _PROVINCES.match(message):
        provinces = [x.strip().strip("'\"") for x in m["list"].split(",") if x.strip()]
        return notice("provinces_missed", provinces=provinces, group=group(m))
    if m := _FEWER.match(message):
        return notice("min_provinces", count=int(m["count"]), group=group(m))
    return notice("text", text=message)


def travel_notice(message: str) -> dict[str, Any]:
    """The notice of a travel model's warning (the road-time server fell back)."""
    if message.startswith(ROAD_FALLBACK):
        return notice("road_fallback", detail=message[len(ROAD_FALLBACK) :])
    return notice("text", text=message)
