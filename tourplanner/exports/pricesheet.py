"""Price sheets as .xlsx workbooks: one row per product and group size, what agencies keep
their prices in. Money cells are whole VND with the ``#,##0 ₫`` format; an unknown price is
an empty cell with the reason in the ``unknown`` column, never 0."""

from __future__ import annotations

import io
from collections.abc import Iterable
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font

from tourplanner.planning.itinerary import Itinerary
from tourplanner.services.quote import Quote
from tourplanner.services.quote import Terms
from tourplanner.services.quote import quote_itinerary
from tourplanner.text import spreadsheet_safe

MONEY_FORMAT = '#,##0 "₫"'
#: the columns of a price row: (key of QuoteRow.to_dict or the product's, heading)
COLUMNS = (
    ("product", "Sản phẩm / Product"),
    ("itinerary_id", "Mã lịch trình / Itinerary"),
    ("days", "Ngày / Days"),
    ("nights", "Đêm / Nights"),
    ("group_size", "Số khách / Group size"),
    ("vehicle", "Xe / Vehicle"),
    ("per_person_vnd", "Giá/khách / Per person"),
    ("child_per_person_vnd", "Trẻ em 5–10 / Child 5–10"),
    ("single_supplement_vnd", "Phụ thu phòng đơn / Single room"),
    ("transport_vnd", "Vận chuyển / Transport"),
    ("tickets_vnd", "Vé / Tickets"),
    ("lodging_vnd", "Lưu trú / Lodging"),
    ("meals_vnd", "Ăn uống / Meals"),
    ("guide_vnd", "Hướng dẫn viên / Guide"),
    ("markup_vnd", "Lợi nhuận / Markup"),
    ("vat_vnd", "VAT"),
    ("total_vnd", "Tổng đoàn / Group total"),
    ("unknown", "Giá chưa rõ / Unknown prices"),
)


def _vehicle_text(vehicle: dict[str, Any] | None, transport: str) -> str:
    if vehicle is None:
        return "Phương tiện công cộng / public services" if transport == "public" else ""
    count = f"{vehicle['count']} × " if vehicle["count"] > 1 else ""
    return f"{count}{vehicle['name_vi']} / {vehicle['name_en']}"


def price_rows(products: Iterable[tuple[str, Quote]]) -> list[dict[str, Any]]:
    """One dict per (product, group size) with the :data:`COLUMNS` keys."""
    rows = []
    for name, quote in products:
        for row in quote.rows:
            body = row.to_dict()
            body.update(
                product=name,
                itinerary_id=quote.itinerary_id or "",
                days=quote.days,
                nights=quote.nights,
                vehicle=_vehicle_text(row.vehicle, row.transport),
                unknown=", ".join(row.unknown),
            )
            rows.append(body)
    return rows


def price_sheet(
    products: Iterable[tuple[str, Quote]],
    *,
    title: str = "Bảng giá",
    problems: Iterable[tuple[str, str]] = (),
) -> bytes:
    """Return a workbook: a ``Bảng giá`` sheet of :func:`price_rows` and, when some products
    were not priced, a ``Chưa có giá`` sheet with each one's reason.

    :param products: (product name, its quote) pairs.
    :param problems: (product name, why it has no price) pairs.
    """
    book = Workbook()
    sheet = book.active
    sheet.title = "Bảng giá"
    sheet.append([spreadsheet_safe(title)])
    sheet["A1"].font = Font(bold=True, size=13)
    sheet.append([heading for _, heading in COLUMNS])
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in price_rows(products):
        values = []
        for key, _ in COLUMNS:
            value = row[key]
            values.append(spreadsheet_safe(value) if isinstance(value, str) else value)
        sheet.append(values)
        for cell, (key, _) in zip(sheet[sheet.max_row], COLUMNS, strict=True):
            if key.endswith("_vnd"):
                cell.number_format = MONEY_FORMAT
    sheet.freeze_panes = "B3"
    for letter, width in zip("ABCDEFGHIJKLMNOPQR", (36, 20, 7, 7, 10, 28), strict=False):
        sheet.column_dimensions[letter].width = width
    problems = list(problems)
    if problems:
        other = book.create_sheet("Chưa có giá")
        other.append(["Sản phẩm / Product", "Lý do / Reason"])
        for name, reason in problems:
            other.append([spreadsheet_safe(name), spreadsheet_safe(reason)])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def batch_price_sheet(view, sizes: tuple[int, ...], catalogue, travel, terms: Terms) -> bytes:
    """The price sheet of a batch (:class:`tourplanner.services.batch.service.BatchView`): each planned
    product quoted for each of *sizes*; the others listed with their reason."""
    from tourplanner.services.batch.report import summary_rows

    priced, problems = [], []
    for item, row in zip(view.items, summary_rows(view), strict=True):
        if item.itinerary is None:
            problems.append((item.name, row["problem"] or item.status))
            continue
        itinerary = Itinerary.from_dict(item.itinerary)
        priced.append((item.name, quote_itinerary(itinerary, sizes, catalogue, travel, terms)))
    return price_sheet(priced, title=f"Bảng giá / Price sheet: {view.name}", problems=problems)
