"""PDF export: the day-by-day plan on A4, with a font that carries Vietnamese diacritics."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from tourplanner.exports.programme import leg_services_text
from tourplanner.i18n import Translator
from tourplanner.i18n import translator
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.notices import stop_note
from tourplanner.planning.notices import warning_texts

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"


def _hm(minutes: int, t: Translator) -> str:
    return (
        f"{minutes // 60} h {minutes % 60:02d}" if minutes >= 60 else t("unit.minutes", n=minutes)
    )


def to_pdf(itinerary: Itinerary, *, lang: str = "vi") -> bytes:
    """Return the itinerary as a PDF document in *lang* only."""
    t = translator(lang)
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title("tourplanner " + (itinerary.id or ""))
    pdf.set_lang(t.lang)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, t("it.title"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    c = itinerary.costs
    summary = (
        f"{t.number(itinerary.km)} km · {_hm(itinerary.travel_minutes, t)} · "
        f"{t.money(c.per_person_vnd)}/{t('lodging.person')} · " + ", ".join(itinerary.provinces)
    )
    pdf.multi_cell(0, 6, summary, new_x="LMARGIN", new_y="NEXT")
    for number, day in enumerate(itinerary.days, start=1):
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        heading = f"{t('it.day')} {number} — {t.date(day.date)}"
        pdf.cell(0, 8, heading, new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 10)
        for stop, leg in day.rows():
            if leg and leg.minutes:
                via = f" · {', '.join(leg.via)}" if leg.via else ""
                pdf.set_text_color(90, 100, 110)
                pdf.multi_cell(
                    0,
                    5,
                    f"    ↓ {_hm(leg.minutes, t)}, {t.number(leg.km)} km, "
                    f"{leg_services_text(leg, t.lang)}{via}",
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
                pdf.set_text_color(0, 0, 0)
            name = t("it.lunch") if stop.kind == "meal" else t.name(stop)
            note = stop_note(stop, t.lang)
            if note:
                name += f" ({note})"
            times = (
                stop.arrive[11:]
                if stop.arrive == stop.depart
                else f"{stop.arrive[11:]}–{stop.depart[11:]}"
            )
            cost = f"  ({t.money(stop.cost_vnd)})" if stop.cost_vnd else ""
            pdf.multi_cell(0, 6, f"{times}  {name}{cost}", new_x="LMARGIN", new_y="NEXT")
    warnings = warning_texts(itinerary, t.lang)
    if warnings:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, t("it.warnings"), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for warning in warnings:
            pdf.multi_cell(0, 5, "• " + warning, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
