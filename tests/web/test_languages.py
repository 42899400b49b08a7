"""One language per output: a plan made in Vietnamese, shown in English, has no Vietnamese
interface text or warning, and the other way round (pages, PDF, iCalendar)."""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pypdf
import pytest
from icalendar import Calendar

from tourplanner.i18n import translator
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.notices import notice_text

#: interface messages the itinerary page, the printable page and the PDF all show
LABELS = ("it.title", "it.day", "it.warnings")
PAGE_LABELS = (*LABELS, "it.totals", "it.cost_pp", "it.travel", "it.share", "it.replan")
OTHER = {"vi": "en", "en": "vi"}


def _texts(body: dict, lang: str, keys) -> list[str]:
    """The messages *keys* and the itinerary's warnings, rendered in *lang*."""
    t = translator(lang)
    texts = [t(k) for k in keys]
    texts += [notice_text(n, lang) for n in body["notices"]]
    return texts


@pytest.fixture
def body(client, planned):
    """The planned itinerary's JSON, with at least one warning to look for."""
    found = client.get(planned + ".json").get_json()
    assert found["request"]["language"] == "vi"
    assert any(n["code"] == "hours_unverified" for n in found["notices"])
    return found


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_itinerary_page_is_in_one_language(client, planned, body, lang):
    """The page in *lang* shows its labels, warnings, dates and money in *lang* only."""
    html = client.get(f"{planned}?lang={lang}").get_data(as_text=True).replace("&#39;", "'")
    for text in _texts(body, lang, PAGE_LABELS):
        assert text in html
    for text in _texts(body, OTHER[lang], PAGE_LABELS):
        assert text not in html
    saturday = {"vi": "Thứ Bảy, 06/03/2027", "en": "Sat 6 Mar 2027"}
    assert saturday[lang] in html and saturday[OTHER[lang]] not in html
    assert translator(lang).money(body["summary"]["cost_vnd"]) in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_printable_page_is_in_one_language(client, planned, body, lang):
    """The printable page too."""
    html = client.get(f"{planned}/print?lang={lang}").get_data(as_text=True)
    html = html.replace("&#39;", "'")
    for text in _texts(body, lang, LABELS):
        assert text in html
    for text in _texts(body, OTHER[lang], LABELS):
        assert text not in html


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_is_in_one_language(client, planned, body, lang):
    """The PDF's text (read back with pypdf) has the labels and warnings of *lang* only."""
    data = client.get(f"{planned}.pdf?lang={lang}").data
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(data)).pages)
    flat = " ".join(text.split())
    heading = {"vi": "Ngày 1 — Thứ Bảy, 06/03/2027", "en": "Day 1 — Sat 6 Mar 2027"}
    assert heading[lang] in flat and heading[OTHER[lang]] not in flat
    for label in LABELS:
        assert translator(lang)(label) in flat
    warnings = [notice_text(n, lang) for n in body["notices"]]
    assert any(" ".join(w.split())[:30] in flat for w in warnings)
    for other in [notice_text(n, OTHER[lang]) for n in body["notices"]]:
        assert " ".join(other.split())[:30] not in flat


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_ics_has_its_timezone_and_one_language(client, planned, lang):
    """The calendar carries the VTIMEZONE of Asia/Ho_Chi_Minh, its events start at local
    times of that zone, and its texts are in *lang*."""
    data = client.get(f"{planned}.ics?lang={lang}").data
    calendar = Calendar.from_ical(data)
    (zone,) = calendar.walk("VTIMEZONE")
    assert str(zone["TZID"]) == "Asia/Ho_Chi_Minh"
    assert calendar.get_missing_tzids() == set()
    events = calendar.walk("VEVENT")
    start = events[0].decoded("DTSTART")
    assert start.utcoffset() == dt.timedelta(hours=7)
    assert start.replace(tzinfo=None) >= dt.datetime(2027, 3, 6, 8, 0)
    assert start == start.astimezone(ZoneInfo("Asia/Ho_Chi_Minh"))
    descriptions = " ".join(str(e.get("DESCRIPTION", "")) for e in events)
    summaries = " ".join(str(e["SUMMARY"]) for e in events)
    saturday = {"vi": "Thứ Bảy, 06/03/2027", "en": "Sat 6 Mar 2027"}
    assert saturday[lang] in descriptions and saturday[OTHER[lang]] not in descriptions
    overnight = translator(lang)("it.overnight") + ":"
    assert overnight in summaries
    assert translator(OTHER[lang])("it.overnight") + ":" not in summaries


def test_itinerary_keeps_the_request_language_in_the_contract(body):
    """The contract's warnings and reasons are the request's language (Vietnamese here),
    the notices they were rendered from are kept beside them."""
    itinerary = Itinerary.from_dict(body)
    assert body["warnings"] == [notice_text(n, "vi") for n in itinerary.extra["notices"]]
