"""Summary, exports, linkage figures and scenario comparison on a tiny batch."""

from __future__ import annotations

import csv
import io
import json

from tests.batch.conftest import SMALL_CSV
from tests.batch.conftest import run_batch
from tourplanner.services.batch import report
from tourplanner.services.batch import service


def test_summary_rows_have_figures_and_group_days(app):
    """Planned rows carry value, cost, km, driving, provinces and days per group."""
    view = run_batch(app)
    rows = report.summary_rows(view)
    assert [r["status"] for r in rows] == ["done", "done", "invalid", "done"]
    first = rows[0]
    assert first["value"] > 0 and first["cost_per_person_vnd"] > 0 and first["km"] > 0
    assert "Quảng Ninh" in first["provinces"]
    assert [g["group"] for g in rows[1]["group_days"]] == [1, 2]
    assert "start_date" in rows[2]["problem"]


def test_batch_csv_and_json_exports_have_one_row_per_product(app):
    """The CSV has the summary columns and a line per product; JSON has counts and products."""
    view = run_batch(app)
    table = list(csv.DictReader(io.StringIO(report.batch_csv(view))))
    assert tuple(table[0]) == report.SUMMARY_COLUMNS
    assert [t["row"] for t in table] == ["1", "2", "3", "4"]
    assert table[1]["group_days"].startswith("G1: ") and " | G2: " in table[1]["group_days"]
    body = report.batch_json(view)
    json.dumps(body)
    assert body["counts"] == {"invalid": 1, "queued": 0, "running": 0, "done": 3, "failed": 0}


def test_batch_csv_cells_never_start_a_spreadsheet_formula(app):
    """An agency-typed product name such as ``=HYPERLINK(...)`` is exported as text (a leading
    ``'``), in the summary CSV and in the scenario comparison CSV; numbers stay numbers."""
    text = SMALL_CSV.replace("1N Côn Sơn", '"=HYPERLINK(""http://x"",""y"")"').replace(
        "broken", "@SUM(A1)"
    )
    view = run_batch(app, text)
    table = list(csv.DictReader(io.StringIO(report.batch_csv(view))))
    names = [t["name"] for t in table]
    assert '\'=HYPERLINK("http://x","y")' in names and "'@SUM(A1)" in names
    assert all(not n.startswith(("=", "+", "-", "@")) for n in names)
    assert all(t["row"].isdigit() for t in table)
    comparison = report.compare(view, view)
    rows = list(csv.DictReader(io.StringIO(report.compare_csv(comparison))))
    assert '\'=HYPERLINK("http://x","y")' in [r["name"] for r in rows]


def test_linkage_counts_provinces_flows_and_links(app):
    """Province figures add up to the itineraries; every flow crosses provinces."""
    view = run_batch(app)
    linkage = report.batch_linkage(view)
    assert linkage.tours == 3
    tours = [i.itinerary for i in view.items if i.itinerary]
    visits = sum(
        1 for t in tours for d in t["days"] for s in d["stops"] if s["kind"] == "attraction"
    )
    assert sum(p.visits for p in linkage.provinces) == visits
    ha_long = next(p for p in linkage.provinces if p.province == "Quảng Ninh")
    assert ha_long.tours >= 1 and ha_long.visit_minutes > 0
    assert linkage.flows and all(f["from"] != f["to"] for f in linkage.flows)
    assert linkage.multi_province_tours == 3
    rows = list(csv.reader(io.StringIO(report.linkage_csv(linkage))))
    assert {r[0] for r in rows[1:]} >= {"province", "flow", "mode"}


def test_linkage_on_handmade_itinerary_counts_exactly():
    """A two-leg tour: one cross-province flow, one named bridge, visit minutes and spend."""
    stop = {"kind": "attraction", "cost_vnd": 0}
    day = {
        "date": "2027-03-06",
        "group": 0,
        "stops": [
            {
                **stop,
                "id": "a",
                "kind": "start",
                "province": "Hải Phòng",
                "arrive": "",
                "depart": "",
            },
            {
                **stop,
                "id": "b",
                "province": "Quảng Ninh",
                "arrive": "2027-03-06T09:00",
                "depart": "2027-03-06T11:30",
                "cost_vnd": 100,
            },
            {
                **stop,
                "id": "c",
                "province": "Quảng Ninh",
                "arrive": "2027-03-06T12:00",
                "depart": "2027-03-06T13:00",
            },
        ],
        "legs": [
            {"from": "a", "to": "b", "minutes": 50, "modes": ["road"], "via": ["Cầu Bến Rừng"]},
            {"from": "b", "to": "c", "minutes": 20, "modes": ["road"], "via": []},
        ],
    }
    linkage = report.linkage([{"days": [day]}])
    qn = next(p for p in linkage.provinces if p.province == "Quảng Ninh")
    assert (qn.visits, qn.visit_minutes, qn.spend_vnd) == (2, 210, 100)
    assert linkage.flows == [
        {"from": "Hải Phòng", "to": "Quảng Ninh", "legs": 1, "minutes": 50, "tours": 1}
    ]
    assert linkage.links == [{"name": "Cầu Bến Rừng", "legs": 1, "tours": 1, "modes": ["road"]}]


def test_compare_scenario_replan_counts_feasible_and_value(app):
    """Re-planning under without-ben-rung keeps the same rows; the comparison adds up."""
    base = run_batch(app)
    database = app.extensions["tourplanner.storage.db"]
    with app.app_context(), database.session() as session:
        other_id = service.replan_batch(session, base.id, "without-ben-rung")
    other = service.wait_for_batch(database, other_id, timeout=60)
    assert other.scenario == "without-ben-rung" and other.base_id == base.id
    comparison = report.compare(base, other)
    assert [p["row"] for p in comparison["products"]] == [1, 2, 4]
    f = comparison["feasible"]
    assert f["base"] == 3 and f["kept"] + f["lost"] == 3
    changes = [p["change"] for p in comparison["products"] if p["change"] is not None]
    assert round(sum(changes), 2) == comparison["value"]["change"]


def test_summary_text_lists_every_row(app):
    """The terminal summary names every product and the bad row's problem."""
    view = run_batch(app, SMALL_CSV)
    text = report.summary_text(view)
    assert "3 planned, 0 failed, 1 bad rows" in text
    assert "! start:" in text
