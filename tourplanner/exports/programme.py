"""The tour programme ("chương trình tour") an agency sends its customers.

:func:`build_programme` turns a saved itinerary, its quote by group size and the agency's terms
into plain sections (title, code, departures, a narrative per day with its meals and night,
what the price includes and does not, the price table, child policy, notes), in Vietnamese or
English. The HTML page (``templates/programme/``) and :func:`programme_pdf` render the same
sections, so both say the same thing. Nothing internal is printed: modes and services are
named in words, money is written ``1.200.000 ₫``, and a price no source states says so.
"""

from __future__ import annotations

import base64
import io
import re
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

from tourplanner.i18n import N_
from tourplanner.i18n import format_date
from tourplanner.i18n import format_money
from tourplanner.i18n import translator
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.itinerary import ItineraryDay
from tourplanner.planning.itinerary import Leg
from tourplanner.planning.pricing import PUBLIC_MAX_GROUP
from tourplanner.services.quote import CHILD_FREE_UNDER
from tourplanner.services.quote import CHILD_UNDER
from tourplanner.services.quote import Quote
from tourplanner.services.quote import Terms
from tourplanner.text import fold

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"

#: what carries the group, in words (the leg's ``services[].kind``)
SERVICE_WORDS = {
    "hired_vehicle": ("xe riêng", "private vehicle"),
    "taxi": ("taxi", "taxi"),
    "limousine": ("xe limousine", "limousine van"),
    "coach": ("xe khách", "coach"),
    "bus": ("xe buýt", "bus"),
    "combo": ("xe và tàu liên tuyến", "coach-and-boat combo"),
    "motorbike_taxi": ("xe ôm", "motorbike taxi"),
    "ferry": ("phà", "ferry"),
    "boat": ("tàu", "boat"),
    "cable_car": ("cáp treo", "cable car"),
    "walk": ("đi bộ", "on foot"),
}
#: the itinerary contract's leg modes, in words
MODE_WORDS = {
    "road": ("đường bộ", "by road"),
    "expressway": ("cao tốc", "expressway"),
    "ferry": ("phà", "ferry"),
    "boat": ("tàu", "boat"),
    "cable_car": ("cáp treo", "cable car"),
    "walk": ("đi bộ", "on foot"),
    "rail": ("tàu hỏa", "train"),
    "air": ("máy bay", "plane"),
}
WATER_KINDS = {
    "ferry": ("phà", "Ferry"),
    "boat": ("tàu", "Boat"),
    "cable_car": ("cáp treo", "Cable car"),
}
#: generic words left out of a programme's title ("Vịnh Hạ Long" is "Hạ Long" there)
_SHORT = re.compile(
    r"^(Khu di tích và danh thắng|Khu di tích|Khu du lịch|Vịnh|Đảo|Chùa|Đền|Bảo tàng|"
    r"Relic and scenic area of|Relic site of)\s+",
    re.IGNORECASE,
)


#: every message of a programme (several are chosen at run time): kept by pybabel extract
PROGRAMME_KEYS = (
    N_("prog.breakfast"),
    N_("prog.checkin_cruise"),
    N_("prog.checkin_hotel"),
    N_("prog.child"),
    N_("prog.child.adult"),
    N_("prog.child.free"),
    N_("prog.child.price"),
    N_("prog.children"),
    N_("prog.code"),
    N_("prog.contact"),
    N_("prog.day"),
    N_("prog.day_only"),
    N_("prog.days_night"),
    N_("prog.days_nights"),
    N_("prog.departures"),
    N_("prog.dinner"),
    N_("prog.end"),
    N_("prog.exc.drinks"),
    N_("prog.exc.guide"),
    N_("prog.exc.insurance"),
    N_("prog.exc.personal"),
    N_("prog.exc.single"),
    N_("prog.exc.single_unknown"),
    N_("prog.exc.tips"),
    N_("prog.exc.unknown"),
    N_("prog.exc.vat"),
    N_("prog.excludes"),
    N_("prog.group_size"),
    N_("prog.guests"),
    N_("prog.inc.guide"),
    N_("prog.inc.lodging"),
    N_("prog.inc.meals"),
    N_("prog.inc.public"),
    N_("prog.inc.tickets"),
    N_("prog.inc.vat"),
    N_("prog.inc.vehicle"),
    N_("prog.inc.water"),
    N_("prog.includes"),
    N_("prog.lodging"),
    N_("prog.lunch"),
    N_("prog.lunch_at"),
    N_("prog.map"),
    N_("prog.meals"),
    N_("prog.meals_none"),
    N_("prog.night"),
    N_("prog.night_none"),
    N_("prog.note.holidays"),
    N_("prog.note.id"),
    N_("prog.note.order"),
    N_("prog.note.vehicle_size"),
    N_("prog.notes"),
    N_("prog.pdf"),
    N_("prog.per_person"),
    N_("prog.pickup"),
    N_("prog.prices"),
    N_("prog.public"),
    N_("prog.title"),
    N_("prog.transport"),
    N_("prog.travel"),
    N_("prog.unknown_price"),
    N_("prog.vehicle"),
    N_("prog.visit"),
    N_("prog.visit_includes"),
)


def money(vnd: int | None, lang: str = "vi") -> str:
    """``1.200.000 ₫`` (Vietnamese) or ``₫1,200,000``; ``None`` is the words for unknown."""
    if vnd is None:
        return t("prog.unknown_price", lang)
    return format_money(int(vnd), lang)


def t(key: str, lang: str, **values: object) -> str:
    """The message *key* of the catalogues in *lang*, its ``{placeholders}`` filled in."""
    message = translator(lang)(key)
    return message.format(**values) if values else message


@dataclass(frozen=True, slots=True)
class ProgrammeDay:
    """One day: its heading, the meals served, the night, and timed lines of narrative."""

    number: int
    date: str
    heading: str
    meals: str
    night: str
    lines: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class PriceLine:
    """A row of the price table."""

    group_size: str
    vehicle: str
    per_person: str
    child: str


@dataclass(frozen=True, slots=True)
class Programme:
    """Everything a programme says, ready to render."""

    lang: str
    title: str
    code: str
    duration: str
    departures: str
    transport: str
    agency_name: str
    contact: str
    logo_png: bytes | None
    days: tuple[ProgrammeDay, ...]
    includes: tuple[str, ...]
    excludes: tuple[str, ...]
    prices: tuple[PriceLine, ...]
    children: tuple[str, ...]
    notes: tuple[str, ...]
    labels: dict[str, str] = field(default_factory=dict)

    @property
    def logo_data_uri(self) -> str | None:
        """The logo as a ``data:`` URI for the HTML page (the CSP allows ``img-src data:``)."""
        if not self.logo_png:
            return None
        return "data:image/png;base64," + base64.b64encode(self.logo_png).decode()


def _name(stop, lang: str) -> str:
    return stop.name_en if lang == "en" else stop.name_vi


def _duration(minutes: int, lang: str) -> str:
    hours, rest = divmod(max(minutes, 0), 60)
    if lang == "en":
        return f"{hours} h {rest:02d} min" if hours else f"{rest} min"
    return f"{hours} giờ {rest:02d} phút" if hours else f"{rest} phút"


def leg_services_text(leg: Leg, lang: str) -> str:
    """What carries the group on *leg*, in words (``taxi, Yên Tử cable car``), never the
    planner's mode codes."""
    words = []
    for service in leg.services:
        word = SERVICE_WORDS.get(service["kind"], ("", ""))[lang == "en"]
        named = service.get("name_en" if lang == "en" else "name_vi") or ""
        if service["kind"] in ("ferry", "boat", "cable_car", "coach", "limousine") and named:
            word = f"{word} ({named})" if fold(word) not in fold(named) else named
        if word and word not in words:
            words.append(word)
    if not words:  # an itinerary saved before legs had services: its modes, in words
        words = list(dict.fromkeys(MODE_WORDS.get(m, ("", ""))[lang == "en"] for m in leg.modes))
    return ", ".join(w for w in words if w)


def _day_meals(day: ItineraryDay, index: int, days: list[ItineraryDay], lang: str) -> list[str]:
    """The meals the programme serves on *day*: breakfast after a night on a cruise that
    serves it, lunch when one is eaten (a stop, on board or at a site), dinner before a night."""
    meals = []
    if index > 0:
        night = next((s for s in days[index - 1].stops if s.kind == "overnight"), None)
        served = (night.lodging or {}).get("meals", []) if night is not None else []
        if "breakfast" in served or "brunch" in served:
            meals.append(t("prog.breakfast", lang))
    lunch = any(s.kind == "meal" for s in day.stops) or any(
        s.note and ("trưa" in s.note or "lunch" in s.note) for s in day.stops
    )
    if lunch:
        meals.append(t("prog.lunch", lang))
    if any(s.kind == "overnight" for s in day.stops):
        meals.append(t("prog.dinner", lang))
    return meals


def _narrative(day: ItineraryDay, lang: str, notes: bool) -> list[tuple[str, str]]:
    """Timed lines of *day*; *notes*: the stops' notes are in *lang* (the planned language)."""
    lines: list[tuple[str, str]] = []
    for stop, leg in day.rows():
        when = stop.arrive[11:16]
        name = _name(stop, lang)
        if stop.kind == "start":
            lines.append((stop.depart[11:16], t("prog.pickup", lang, place=name)))
            continue
        if leg is not None and leg.minutes:
            lines.append(
                (
                    leg.depart[11:16] if leg.depart else "",
                    t(
                        "prog.travel",
                        lang,
                        place=name,
                        services=leg_services_text(leg, lang),
                        duration=_duration(leg.minutes, lang),
                    ),
                )
            )
        if stop.kind == "attraction":
            line = t("prog.visit", lang, place=name)
            if stop.includes:
                line += " " + t("prog.visit_includes", lang, places=", ".join(stop.includes))
            if stop.note and notes:
                line += f" ({stop.note})"
            lines.append((f"{when}–{stop.depart[11:16]}", line))
        elif stop.kind == "meal":
            where = stop.note if stop.note and notes else name
            lines.append((f"{when}–{stop.depart[11:16]}", t("prog.lunch_at", lang, where=where)))
        elif stop.kind == "overnight":
            lodging = stop.lodging or {}
            example = f" ({lodging['example']})" if lodging.get("example") else ""
            tier = t(f"tier.{lodging.get('tier', 'typical')}", lang)
            key = "prog.checkin_cruise" if lodging.get("type") == "cruise" else "prog.checkin_hotel"
            line = t(key, lang, place=name, tier=tier, example=example)
            if stop.note and notes:
                line += f" ({stop.note})"
            lines.append((when, line))
        elif stop.kind == "end":
            lines.append((when, t("prog.end", lang, place=name)))
    return lines


def _title(itinerary: Itinerary, days: list[ItineraryDay], lang: str) -> tuple[str, str, str]:
    names: list[str] = []
    for day in days:
        for stop in day.stops:
            if stop.kind in ("start", "attraction", "overnight", "end"):
                short = _name(stop, lang).split(" (")[0].split(" – ")[0]
                short = _SHORT.sub("", short) or short
                if short not in names:
                    names.append(short)
    main = names[:4] if len(names) <= 4 else [*names[:3], names[-1]]
    date_count = len({d.date for d in days})
    nights = sum(1 for d in days for s in d.stops if s.kind == "overnight")
    key = "prog.days_nights" if nights > 1 else "prog.days_night" if nights else "prog.day_only"
    duration = t(key, lang, days=date_count, nights=nights)  # "{days} ngày" takes no nights
    initials = "".join(w[0] for n in main for w in fold(n).split()[:2] if w).upper()
    code = f"{initials[:8]}-{date_count}N{nights}Đ"
    if itinerary.id:
        code += f"-{itinerary.id[:4].upper()}"
    return f"{' – '.join(main)} {duration}", code, duration


def _departure(date: str, lang: str) -> str:
    return format_date(date, lang, weekday=True)


def build_programme(
    itinerary: Itinerary, quote: Quote, terms: Terms, lang: str = "vi"
) -> Programme:
    """Return the programme of *itinerary* (its first group) priced by *quote*.

    Parameters
    ----------
    itinerary : a saved itinerary.
    quote : its quote by group size (:func:`tourplanner.services.quote.quote_itinerary`).
    terms : the agency's name, contact, logo, markup and VAT.
    lang : ``vi`` or ``en``.
    """
    days = [d for d in itinerary.days if d.group == 0]
    title, code, duration = _title(itinerary, days, lang)
    same_language = itinerary.request.get("language", "vi") == lang
    programme_days = []
    for index, day in enumerate(days):
        meals = _day_meals(day, index, days, lang)
        night = next((s for s in day.stops if s.kind == "overnight"), None)
        stops = [_name(s, lang).split(" (")[0] for s in day.stops if s.kind != "meal"]
        heading = " – ".join(dict.fromkeys(stops))
        programme_days.append(
            ProgrammeDay(
                number=index + 1,
                date=_departure(day.date, lang),
                heading=heading.upper() if lang == "vi" else heading,
                meals=", ".join(meals) if meals else t("prog.meals_none", lang),
                night=_name(night, lang) if night is not None else t("prog.night_none", lang),
                lines=tuple(_narrative(day, lang, same_language)),
            )
        )
    rows = quote.rows
    services = {s["kind"] for d in days for leg in d.legs for s in leg.services}
    private = any(leg.mode == "private" for d in days for leg in d.legs) or any(
        r.transport == "private" for r in rows
    )
    public = any(leg.mode == "public" for d in days for leg in d.legs) or any(
        r.transport == "public" for r in rows
    )
    includes: list[str] = []
    vehicles = [r.vehicle for r in rows if r.vehicle]
    if private and vehicles:
        names = " / ".join(
            dict.fromkeys(v["name_en" if lang == "en" else "name_vi"] for v in vehicles)
        )
        includes.append(t("prog.inc.vehicle", lang, vehicle=names))
    if public:
        includes.append(t("prog.inc.public", lang))
    water = [WATER_KINDS[k][lang == "en"] for k in WATER_KINDS if k in services]
    if water:
        includes.append(t("prog.inc.water", lang, what=", ".join(water)))
    if any(s.kind == "attraction" for d in days for s in d.stops):
        includes.append(t("prog.inc.tickets", lang))
    lunches = sum(1 for d in programme_days if t("prog.lunch", lang) in d.meals)
    dinners = sum(1 for d in programme_days if t("prog.dinner", lang) in d.meals)
    meal_count = ", ".join(
        p
        for p in (
            f"{lunches} {t('prog.lunch', lang)}" if lunches else "",
            f"{dinners} {t('prog.dinner', lang)}" if dinners else "",
        )
        if p
    )
    tier = t(f"tier.{itinerary.request.get('lodging', 'standard')}", lang)
    if meal_count:
        includes.append(t("prog.inc.meals", lang, count=meal_count, tier=tier))
    if quote.nights:
        includes.append(t("prog.inc.lodging", lang, nights=quote.nights, tier=tier))
    if terms.guide_vnd_per_day is not None:
        includes.append(t("prog.inc.guide", lang))
    if terms.vat_pct:
        includes.append(t("prog.inc.vat", lang, pct=f"{terms.vat_pct:g}"))
    excludes = []
    if not terms.vat_pct:
        excludes.append(t("prog.exc.vat", lang))
    excludes += [
        t("prog.exc.insurance", lang),
        t("prog.exc.drinks", lang),
        t("prog.exc.tips", lang),
        t("prog.exc.personal", lang),
    ]
    supplements = [r.single_supplement_vnd for r in rows]
    if quote.nights and supplements and all(s is not None for s in supplements):
        excludes.append(t("prog.exc.single", lang, amount=money(max(supplements), lang)))
    elif quote.nights:
        excludes.append(t("prog.exc.single_unknown", lang))
    if terms.guide_vnd_per_day is None:
        excludes.append(t("prog.exc.guide", lang))
    unknown = sorted({u for r in rows for u in r.unknown if u != "guide"})
    if unknown:
        excludes.append(
            t(
                "prog.exc.unknown",
                lang,
                items=", ".join(_unknown_words(u, itinerary, lang) for u in unknown),
            )
        )
    prices = tuple(
        PriceLine(
            group_size=t("prog.guests", lang, n=r.group_size),
            vehicle=(
                (f"{r.vehicle['count']} × " if r.vehicle["count"] > 1 else "")
                + r.vehicle["name_en" if lang == "en" else "name_vi"]
                if r.vehicle
                else t("prog.public", lang)
            ),
            per_person=money(r.per_person_vnd, lang),
            child=money(r.child_per_person_vnd, lang),
        )
        for r in rows
    )
    child_prices = sorted({r.child_per_person_vnd for r in rows})
    child_amount = (
        money(child_prices[0], lang)
        if len(child_prices) == 1
        else f"{money(child_prices[0], lang)} – {money(child_prices[-1], lang)}"
    )
    children = (
        t("prog.child.free", lang, age=CHILD_FREE_UNDER),
        t("prog.child.price", lang, free=CHILD_FREE_UNDER, age=CHILD_UNDER, amount=child_amount),
        t("prog.child.adult", lang, age=CHILD_UNDER),
    )
    notes = [
        t("prog.note.order", lang),
        t("prog.note.id", lang),
        t("prog.note.holidays", lang),
    ]
    if itinerary.request.get("transport", "auto") == "auto":
        notes.append(t("prog.note.vehicle_size", lang, n=PUBLIC_MAX_GROUP))
    if same_language:
        notes.extend(itinerary.warnings)
    labels = {
        key: t(f"prog.{key}", lang)
        for key in (
            "title", "code", "departures", "transport", "meals", "night", "includes", "excludes",
            "prices", "group_size", "per_person", "child", "vehicle", "children", "notes", "map",
            "contact", "pdf",
        )
    }  # fmt: skip
    return Programme(
        lang=lang,
        title=title,
        code=code,
        duration=duration,
        departures=_departure(itinerary.request.get("start_date") or days[0].date, lang),
        transport=", ".join(dict.fromkeys(p.vehicle for p in prices)),
        agency_name=terms.agency_name,
        contact=terms.contact,
        logo_png=terms.logo_png,
        days=tuple(programme_days),
        includes=tuple(includes),
        excludes=tuple(excludes),
        prices=prices,
        children=children,
        notes=tuple(dict.fromkeys(notes)),
        labels=labels,
    )


def _unknown_words(key: str, itinerary: Itinerary, lang: str) -> str:
    """``ticket:yen-tu`` in words: the place's name, the fare's name, the day."""
    kind, _, what = key.partition(":")
    names = {s.id: _name(s, lang) for d in itinerary.days for s in d.stops}
    if kind in ("ticket", "lodging"):
        return names.get(what, what)
    if kind == "meal":
        return t(f"prog.{what}", lang) if what in ("lunch", "dinner") else what
    if kind == "transport":
        return f"{t('prog.transport', lang).lower()} {what}"
    return what


def _svg_for_pdf(svg: str) -> bytes:
    """The route map's SVG without the elements fpdf2 does not draw (titles, links)."""
    svg = re.sub(r"<title\b[^>]*>.*?</title>", "", svg, flags=re.S)
    svg = re.sub(r"</?a\b[^>]*>", "", svg)
    svg = svg.replace('font-family="sans-serif"', 'font-family="DejaVu"')
    return svg.encode("utf-8")


def programme_pdf(programme: Programme, map_svg: str = "") -> bytes:
    """Return *programme* as an A4 PDF in DejaVu Sans (every Vietnamese diacritic), with the
    route map drawn from *map_svg* when given."""
    from fpdf import FPDF  # heavy: loaded on the first PDF
    from fpdf.fonts import FontFace

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title(f"{programme.title} ({programme.code})")
    pdf.set_author(programme.agency_name or "tourplanner")
    pdf.add_page()
    width = pdf.epw
    if programme.logo_png:
        pdf.image(io.BytesIO(programme.logo_png), x=pdf.l_margin, y=pdf.t_margin, h=16)
        pdf.set_x(pdf.l_margin + 40)
    if programme.agency_name:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 6, programme.agency_name, new_x="LMARGIN", new_y="NEXT", align="R")
    if programme.contact:
        pdf.set_font("DejaVu", "", 9)
        pdf.multi_cell(0, 5, programme.contact, new_x="LMARGIN", new_y="NEXT", align="R")
    pdf.ln(4)
    pdf.set_font("DejaVu", "B", 9)
    pdf.set_text_color(110, 110, 110)
    pdf.cell(0, 5, programme.labels["title"].upper(), new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0, 0, 0)
    pdf.set_font("DejaVu", "B", 17)
    pdf.multi_cell(0, 8, programme.title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    for label, value in (
        (programme.labels["code"], programme.code),
        (programme.labels["departures"], programme.departures),
        (programme.labels["transport"], programme.transport),
    ):
        pdf.multi_cell(0, 6, f"{label}: {value}", new_x="LMARGIN", new_y="NEXT")

    def heading(label: str) -> None:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.set_text_color(20, 80, 120)
        pdf.multi_cell(0, 7, label, new_x="LMARGIN", new_y="NEXT")
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("DejaVu", "", 10)

    for day in programme.days:
        day_label = t("prog.day", programme.lang).format(n=day.number)
        heading(f"{day_label.upper()} | {day.heading}")
        pdf.set_font("DejaVu", "", 9)
        pdf.set_text_color(90, 90, 90)
        pdf.multi_cell(
            0,
            5,
            f"{day.date} · {programme.labels['meals']}: {day.meals} · "
            f"{programme.labels['night']}: {day.night}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_text_color(0, 0, 0)
        pdf.set_font("DejaVu", "", 10)
        for when, line in day.lines:
            pdf.set_font("DejaVu", "B", 10)
            pdf.cell(28, 6, when)
            pdf.set_font("DejaVu", "", 10)
            pdf.multi_cell(width - 28, 6, line, new_x="LMARGIN", new_y="NEXT")
    for label, items in (
        (programme.labels["includes"], programme.includes),
        (programme.labels["excludes"], programme.excludes),
    ):
        heading(label)
        for item in items:
            pdf.multi_cell(0, 6, f"•  {item}", new_x="LMARGIN", new_y="NEXT")
    heading(programme.labels["prices"])
    header_style = FontFace(emphasis="BOLD", fill_color=(230, 238, 244))
    with pdf.table(
        col_widths=(25, 45, 30, 30),
        text_align=("LEFT", "LEFT", "RIGHT", "RIGHT"),
        headings_style=header_style,
        line_height=6,
    ) as table:
        row = table.row()
        for label in ("group_size", "vehicle", "per_person", "child"):
            row.cell(programme.labels[label])
        for line in programme.prices:
            row = table.row()
            row.cell(line.group_size)
            row.cell(line.vehicle)
            row.cell(line.per_person)
            row.cell(line.child)
    heading(programme.labels["children"])
    for item in programme.children:
        pdf.multi_cell(0, 6, f"•  {item}", new_x="LMARGIN", new_y="NEXT")
    heading(programme.labels["notes"])
    pdf.set_font("DejaVu", "", 9)
    for item in programme.notes:
        pdf.multi_cell(0, 5, f"•  {item}", new_x="LMARGIN", new_y="NEXT")
    if map_svg:
        pdf.add_page()
        heading(programme.labels["map"])
        pdf.image(io.BytesIO(_svg_for_pdf(map_svg)), x=pdf.l_margin, w=width)
    return bytes(pdf.output())
