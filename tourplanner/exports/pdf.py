"""PDF export: the day-by-day plan on A4, with a font that carries Vietnamese diacritics."""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from tourplanner.exports.programme import leg_services_text
from tourplanner.itinerary import Itinerary

FONTS = Path(__file__).resolve().parents[2] / "static" / "fonts"


def to_pdf(itinerary: Itinerary, *, english: bool = False) -> bytes:
    """Return the itinerary as a PDF document."""
    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_title("tourplanner " + (itinerary.id or ""))
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, "Itinerary" if english else "Lịch trình", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    c = itinerary.costs
    summary = (
        f"{itinerary.km:.0f} km · {itinerary.travel_minutes // 60} h {itinerary.travel_minutes % 60:02d} · "
        f"{c.per_person_vnd:,} ₫/{'person' if english else 'người'} · "
        + ", ".join(itinerary.provinces)
    )
    pdf.multi_cell(0, 6, summary, new_x="LMARGIN", new_y="NEXT")
    for number, day in enumerate(itinerary.days, start=1):
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(
            0,
            8,
            f"{'Day' if english else 'Ngày'} {number} — {day.date}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("DejaVu", "", 10)
        for stop, leg in day.rows():
            if leg and leg.minutes:
                via = f" · {', '.join(leg.via)}" if leg.via else ""
                pdf.set_text_color(90, 100, 110)
                pdf.multi_cell(
                    0,
                    5,
                    f"    ↓ {leg.minutes} min, {leg.km:.0f} km, "
                    f"{leg_services_text(leg, 'en' if english else 'vi')}{via}",
                    new_x="LMARGIN",
                    new_y="NEXT",
                )
                pdf.set_text_color(0, 0, 0)
            name = stop.name_en if english else stop.name_vi
            times = (
                stop.arrive[11:]
                if stop.arrive == stop.depart
                else f"{stop.arrive[11:]}–{stop.depart[11:]}"
            )
            cost = f"  ({stop.cost_vnd:,} ₫)" if stop.cost_vnd else ""
            pdf.multi_cell(0, 6, f"{times}  {name}{cost}", new_x="LMARGIN", new_y="NEXT")
    if itinerary.warnings:
        pdf.ln(3)
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(0, 7, "Notes" if english else "Lưu ý", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for warning in itinerary.warnings:
            pdf.multi_cell(0, 5, "• " + warning, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
