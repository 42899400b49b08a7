"""Batches through the API alone: submit, follow, read back, export, re-plan; ownership,
idempotency and bad input."""

from __future__ import annotations

import io
import time

import pytest
from openpyxl import load_workbook

from tests.batch.conftest import SMALL_CSV
from tourplanner.testing.keys import auth

#: two tiny products and one bad row (row 2), as JSON
PRODUCTS = {
    "name": "Spring products",
    "products": [
        {"name": "1N Yên Tử", "start": "Hà Nội", "start_date": "2027-03-06", "days": 1,
         "must_visit": ["Yên Tử"], "time_limit_s": 0.5},
        {"name": "broken", "start": "Nowhere", "start_date": "2027-13-01", "days": "x"},
        {"name": "1N Côn Sơn", "start": "Hà Nội", "start_date": "2027-03-08", "days": 1,
         "must_visit": ["Côn Sơn"], "time_limit_s": 0.5},
    ],
}  # fmt: skip


def follow(client, token: str, status_url: str, timeout: float = 90) -> dict:
    """Poll a batch until no product waits or runs; return its last state."""
    deadline = time.monotonic() + timeout
    while True:
        response = client.get(status_url, headers=auth(token))
        assert response.status_code == 200, response.get_json()
        body = response.get_json()
        if body["finished"]:
            return body
        assert time.monotonic() < deadline, body
        time.sleep(0.2)


def test_batch_submitted_followed_and_read_back_through_the_api(any_app, any_keys):
    """A JSON batch is accepted (202, bad row reported with its field), planned in the
    background, followed to the end, and its itineraries read back; another agency's key
    gets 404 on the batch, its items and its itineraries. SQLite and PostgreSQL."""
    client = any_app.test_client()
    response = client.post("/api/v1/batches", json=PRODUCTS, headers=auth(any_keys.planner))
    assert response.status_code == 202, response.get_json()
    accepted = response.get_json()
    assert response.headers["Location"] == accepted["status_url"]
    assert accepted["counts"]["invalid"] == 1
    fields = {e["field"] for e in accepted["errors"]}
    assert {e["row"] for e in accepted["errors"]} == {2}
    assert {"start", "start_date", "days"} <= fields
    done = follow(client, any_keys.planner, accepted["status_url"])
    assert done["counts"]["done"] == 2 and done["counts"]["invalid"] == 1
    statuses = {p["row"]: p["status"] for p in done["products"]}
    assert statuses == {1: "done", 2: "invalid", 3: "done"}
    assert done["products"][1]["errors"]
    items = client.get(accepted["items_url"], headers=auth(any_keys.planner)).get_json()
    planned = [i for i in items["items"] if i["status"] == "done"]
    assert len(planned) == 2
    for item in planned:
        assert item["itinerary"]["id"] == item["itinerary_id"]
        assert item["itinerary"]["days"]
        again = client.get(item["itinerary_url"], headers=auth(any_keys.planner))
        assert again.status_code == 200
        other = client.get(item["itinerary_url"], headers=auth(any_keys.other))
        assert other.status_code == 404
    for url in (
        accepted["status_url"],
        accepted["items_url"],
        accepted["status_url"] + "/summary.csv",
    ):
        assert client.get(url, headers=auth(any_keys.other)).status_code == 404
    assert client.get(accepted["status_url"], headers=auth(any_keys.editor)).status_code == 200


def test_batch_csv_exports_and_replan(app, client, keys):
    """A CSV batch (the CLI's format) runs; its summary CSV and price sheet (a row per
    product and group size) download; a re-plan under a scenario is a new batch."""
    response = client.post(
        "/api/v1/batches?name=csv%20batch",
        data=SMALL_CSV.encode(),
        headers={**auth(keys.planner), "Content-Type": "text/csv"},
    )
    assert response.status_code == 202, response.get_json()
    accepted = response.get_json()
    assert accepted["name"] == "csv batch" and accepted["counts"]["invalid"] == 1
    follow(client, keys.planner, accepted["status_url"])
    summary = client.get(accepted["status_url"] + "/summary.csv", headers=auth(keys.planner))
    assert summary.status_code == 200 and summary.mimetype == "text/csv"
    assert summary.get_data(as_text=True).startswith("row,name,status")
    sheet = client.get(
        accepted["status_url"] + "/prices.xlsx?sizes=2,20", headers=auth(keys.planner)
    )
    assert sheet.status_code == 200
    book = load_workbook(io.BytesIO(sheet.data))
    rows = list(book["Bảng giá"].iter_rows(min_row=3, values_only=True))
    assert len(rows) == 3 * 2  # three planned products × two sizes
    assert {r[4] for r in rows} == {2, 20}
    assert [r[0] for r in book["Chưa có giá"].iter_rows(min_row=2, values_only=True)] == ["broken"]
    replan = client.post(
        accepted["status_url"] + "/replan",
        json={"scenario": "without-ben-rung"},
        headers=auth(keys.planner),
    )
    assert replan.status_code == 202, replan.get_json()
    new = follow(client, keys.planner, replan.get_json()["status_url"])
    assert new["base_id"] == accepted["id"] and new["scenario"] == "without-ben-rung"
    bad = client.post(
        accepted["status_url"] + "/replan", json={"scenario": "nope"}, headers=auth(keys.planner)
    )
    assert bad.status_code == 400 and "scenario" in bad.get_json()["fields"]


def test_batch_idempotency_key_answers_the_same_batch(app, client, keys):
    """The same Idempotency-Key and body answers the first batch (200), creating nothing; the
    same key with another body is 409; another agency may use the same key for its own."""
    headers = {**auth(keys.planner), "Idempotency-Key": "order-42"}
    one_product = {**PRODUCTS, "products": PRODUCTS["products"][1:2]}  # a bad row: no solve
    first = client.post("/api/v1/batches", json=one_product, headers=headers)
    assert first.status_code == 202
    again = client.post("/api/v1/batches", json=one_product, headers=headers)
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    other_body = client.post(
        "/api/v1/batches", json={**one_product, "name": "other"}, headers=headers
    )
    assert other_body.status_code == 409
    theirs = client.post(
        "/api/v1/batches",
        json=one_product,
        headers={**auth(keys.other), "Idempotency-Key": "order-42"},
    )
    assert theirs.status_code == 202 and theirs.get_json()["id"] != first.get_json()["id"]
    audit = app.extensions["tourplanner.storage.db"]
    from sqlalchemy import select

    from tourplanner.storage.agencies import AuditRow

    with audit.session() as session:
        actions = session.scalars(
            select(AuditRow.action).where(AuditRow.place_id.like("batch:%"))
        ).all()
    assert actions == ["batch_create", "batch_create"]


@pytest.mark.parametrize(
    ("body", "content_type", "field"),
    [
        ({"products": "x"}, "application/json", "products"),
        ({"products": [], "colour": 1}, "application/json", "colour"),
        ({"products": []}, "application/json", "file"),
        ({"products": [{"name": "a"}], "scenario": "nope"}, "application/json", "scenario"),
        ("name,start\n", "text/csv", "file"),
        ("hello", "text/plain", "body"),
    ],
    ids=["products-not-list", "unknown-field", "no-products", "bad-scenario", "empty-csv",
         "wrong-type"],
)  # fmt: skip
def test_batch_bad_input_is_400_naming_the_field(client, keys, body, content_type, field):
    """Every bad batch is a 400 whose ``fields`` names what is wrong."""
    kwargs = {"json": body} if content_type == "application/json" else {"data": body}
    headers = auth(keys.planner)
    if content_type != "application/json":
        headers["Content-Type"] = content_type
    response = client.post("/api/v1/batches", headers=headers, **kwargs)
    assert response.status_code == 400, response.get_json()
    assert field in response.get_json()["fields"]


def test_batch_unknown_is_404_and_needs_a_key(client, keys):
    """An unknown batch is 404; no key is 401."""
    assert client.get("/api/v1/batches/nope", headers=auth(keys.planner)).status_code == 404
    assert client.get("/api/v1/batches/nope").status_code == 401
