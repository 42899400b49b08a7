"""The batch's price sheet in the agency workspace."""

from __future__ import annotations

import io

from openpyxl import load_workbook

from tests.batch.conftest import run_batch


def test_workspace_price_sheet_has_a_row_per_product_and_group_size(app, client):
    """``/agency/batches/<id>/prices.xlsx?sizes=2,10`` quotes each planned product for each
    size (money in ₫ format); the bad row is on the second sheet with its reason; the batch
    page links it; a bad size is a 400."""
    view = run_batch(app)
    response = client.get(f"/agency/batches/{view.id}/prices.xlsx?sizes=2,10")
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    book = load_workbook(io.BytesIO(response.data))
    rows = list(book["Bảng giá"].iter_rows(min_row=3, values_only=True))
    assert [(r[0], r[4]) for r in rows] == [
        (name, size)
        for name in ("2N1Đ Hạ Long from Hà Nội", "1N Yên Tử two groups", "1N Côn Sơn")
        for size in (2, 10)
    ]
    assert all(isinstance(r[6], int) and r[6] > 0 for r in rows)
    assert "₫" in book["Bảng giá"].cell(row=3, column=7).number_format
    problems = list(book["Chưa có giá"].iter_rows(min_row=2, values_only=True))
    assert problems[0][0] == "broken" and "start" in problems[0][1]
    page = client.get(f"/agency/batches/{view.id}").get_data(as_text=True)
    assert f"/agency/batches/{view.id}/prices.xlsx" in page
    bad = client.get(
        f"/agency/batches/{view.id}/prices.xlsx?sizes=x", headers={"Accept": "application/json"}
    )
    assert bad.status_code == 400
