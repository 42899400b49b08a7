"""Quotes by group size through the API, the CLI and the price sheet, on a real itinerary."""

from __future__ import annotations

import io
import json

import pytest
from openpyxl import load_workbook

from tourplanner.api.keys import find_agency
from tourplanner.testing.keys import auth

#: two days from Hà Nội with Hạ Long Bay (and Yên Tử on the way): a night, boats, a cable car
TRIP = {
    "start": "Hà Nội",
    "start_date": "2027-03-06",
    "days": 2,
    "must_visit": ["Vịnh Hạ Long"],
    "group_size": 2,
    "time_limit_s": 1,
}


def plan(client, token: str) -> str:
    """Plan :data:`TRIP` through the API; return the itinerary id."""
    response = client.post("/api/v1/plans", json=TRIP, headers=auth(token))
    assert response.status_code == 201, response.get_json()
    return response.get_json()["id"]


def set_terms(app, name: str = "Agency A", **values) -> None:
    """Give agency *name* quote terms."""
    with app.extensions["tourplanner.storage.db"].session() as session:
        row = find_agency(session, name)
        for key, value in values.items():
            setattr(row, key, value)
        session.commit()


def test_quote_twenty_pay_less_per_person_and_ride_a_coach(app, client, keys):
    """The same itinerary for 2 and 20 people: 2 take public services, 20 hire a coach sized
    to them and pay less each; every part is counted and the agency's markup and VAT apply."""
    itinerary_id = plan(client, keys.planner)
    set_terms(app, guide_vnd_per_day=800_000, markup_pct=15.0, vat_pct=8.0)
    response = client.get(
        f"/api/v1/itineraries/{itinerary_id}/quote?sizes=20,2,10", headers=auth(keys.planner)
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["itinerary_id"] == itinerary_id
    assert (body["days"], body["nights"]) == (2, 1)
    assert (body["markup_pct"], body["vat_pct"]) == (15.0, 8.0)
    two, ten, twenty = body["rows"]
    assert [r["group_size"] for r in body["rows"]] == [2, 10, 20]
    assert two["transport"] == "public" and two["vehicle"] is None
    assert ten["vehicle"]["id"] == "van-16"
    assert twenty["transport"] == "private" and twenty["vehicle"]["id"] == "coach-29"
    assert twenty["per_person_vnd"] < ten["per_person_vnd"] < two["per_person_vnd"]
    for row in body["rows"]:
        parts = ("transport_vnd", "tickets_vnd", "lodging_vnd", "meals_vnd", "guide_vnd")
        assert row["cost_vnd"] == sum(row[p] for p in parts)
        assert row["guide_vnd"] == 2 * 800_000  # one guide, two days
        assert row["markup_vnd"] == round(row["cost_vnd"] * 0.15)
        assert row["total_vnd"] == row["cost_vnd"] + row["markup_vnd"] + row["vat_vnd"]
        assert row["per_person_vnd"] >= row["total_vnd"] / row["group_size"]
        assert row["lodging_vnd"] > 0 and row["tickets_vnd"] > 0 and row["meals_vnd"] > 0
        assert row["single_supplement_vnd"] > 0
        assert 0 < row["child_per_person_vnd"] < row["per_person_vnd"]
        assert row["unknown"] == []
    # tickets and meals are per person: 20 pay ten times what 2 pay
    assert twenty["tickets_vnd"] == 10 * two["tickets_vnd"]
    assert twenty["meals_vnd"] == 10 * two["meals_vnd"]


def test_quote_without_guide_fee_lists_it_unknown_and_markup_overrides(client, keys):
    """An agency that set no guide fee gets ``guide`` in ``unknown`` (never a silent 0);
    ``markup_pct`` in the query replaces the agency's markup."""
    itinerary_id = plan(client, keys.planner)
    response = client.get(
        f"/api/v1/itineraries/{itinerary_id}/quote?sizes=4&markup_pct=10",
        headers=auth(keys.planner),
    )
    row = response.get_json()["rows"][0]
    assert row["unknown"] == ["guide"] and row["guide_vnd"] == 0
    assert row["markup_vnd"] == round(row["cost_vnd"] * 0.10)


@pytest.mark.parametrize(
    ("query", "field"),
    [("sizes=0", "sizes"), ("sizes=2,x", "sizes"), ("sizes=201", "sizes"),
     ("markup_pct=-1", "markup_pct"), ("markup_pct=abc", "markup_pct")],
    ids=["zero", "not-a-number", "too-large", "negative-markup", "bad-markup"],
)  # fmt: skip
def test_quote_bad_query_is_400_naming_the_field(client, keys, query, field):
    """Every bad query parameter is a 400 whose ``fields`` names it."""
    itinerary_id = plan(client, keys.planner)
    response = client.get(
        f"/api/v1/itineraries/{itinerary_id}/quote?{query}", headers=auth(keys.planner)
    )
    assert response.status_code == 400
    assert field in response.get_json()["fields"]


def test_quote_of_another_agencys_itinerary_is_404(client, keys):
    """A private itinerary's quote is its agency's alone; an unknown id is 404 too."""
    itinerary_id = plan(client, keys.planner)
    other = client.get(f"/api/v1/itineraries/{itinerary_id}/quote", headers=auth(keys.other))
    assert other.status_code == 404
    assert (
        client.get("/api/v1/itineraries/nope/quote", headers=auth(keys.planner)).status_code == 404
    )


def test_quote_xlsx_has_a_row_per_group_size(client, keys):
    """The .xlsx price sheet holds one row per size with money cells in ₫ format."""
    itinerary_id = plan(client, keys.planner)
    response = client.get(
        f"/api/v1/itineraries/{itinerary_id}/quote.xlsx?sizes=2,20", headers=auth(keys.planner)
    )
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = list(sheet.iter_rows(min_row=3, values_only=True))
    assert [r[4] for r in rows] == [2, 20]
    assert rows[1][5] == "Xe 29 chỗ / 29-seat coach"
    assert rows[0][6] > rows[1][6]
    assert "₫" in sheet.cell(row=3, column=7).number_format


def test_quote_cli_json_and_table(app, client, keys, tmp_path):
    """``tourplanner quote ID --sizes 2,20 --json`` prints the rows; the table names the
    vehicles and money as 1.200.000 ₫; --xlsx writes the sheet; a bad size exits 2."""
    itinerary_id = plan(client, keys.planner)
    runner = app.test_cli_runner()
    result = runner.invoke(
        args=["quote", itinerary_id, "--sizes", "2,20", "--markup", "10", "--json"]
    )
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    assert [r["group_size"] for r in body["rows"]] == [2, 20]
    assert body["markup_pct"] == 10
    sheet = tmp_path / "quote.xlsx"
    table = runner.invoke(args=["quote", itinerary_id, "--sizes", "2,20", "--xlsx", str(sheet)])
    assert table.exit_code == 0, table.output
    assert "Xe 29 chỗ" in table.output and "\xa0₫" in table.output  # Babel: 1.200.000\xa0₫
    assert "." in table.output.splitlines()[1].split("₫")[0]  # 1.234.000 ₫
    assert sheet.stat().st_size > 0
    bad = runner.invoke(args=["quote", itinerary_id, "--sizes", "0"])
    assert bad.exit_code == 2 and "--sizes" in bad.output
