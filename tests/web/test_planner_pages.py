"""The tourist's form, the solve's progress, the itinerary page, its exports and re-planning."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from tests.web.conftest import csrf_token
from tests.web.conftest import wait_for_job

CONTRACTS = Path(__file__).resolve().parents[3] / "shared" / "contracts"


def _schema(name: str) -> dict:
    path = CONTRACTS / name
    if not path.exists():  # running from a clone without shared/ beside it
        path = Path(__file__).resolve().parents[1] / "data" / "contracts" / name
    return json.loads(path.read_text(encoding="utf-8"))


def test_form_renders_with_choices_and_token(client):
    """The form offers categories, provinces, paces and carries a CSRF token."""
    html = client.get("/").get_data(as_text=True)
    assert 'name="csrf_token"' in html
    assert 'value="heritage"' in html
    assert "Quảng Ninh" in html
    assert 'value="relaxed"' in html
    assert 'lang="vi"' in html


def test_form_in_english(client):
    """?lang=en switches the labels and is remembered in a cookie."""
    response = client.get("/?lang=en")
    html = response.get_data(as_text=True)
    assert "Plan your trip" in html
    assert 'lang="en"' in html
    assert "lang=en" in response.headers["Set-Cookie"]
    assert "Plan your trip" in client.get("/").get_data(as_text=True)


def test_form_rejects_missing_csrf_token(client):
    """A post without the CSRF token is refused with 400."""
    response = client.post(
        "/", data={"start": "hub-ha-noi", "start_date": "2027-03-06", "days": "2"}
    )
    assert response.status_code == 400


def test_form_errors_are_shown_at_each_field_and_input_kept(client):
    """Bad fields re-render the form with a message at each and what the user typed (an
    English form, so English reasons: tests/test_reasons.py has the Vietnamese one)."""
    token = csrf_token(client)
    response = client.post(
        "/",
        data={
            "csrf_token": token,
            "language": "en",
            "start": "Atlantis",
            "start_date": "2027-02-30",
            "days": "99",
            "budget_vnd": "-5",
            "must_visit": ["Vinh Ha Lonh"],
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert 'id="start-error"' in html and "no place is called" in html
    assert 'id="start_date-error"' in html
    assert 'id="days-error"' in html and "must be between 1 and 14" in html
    assert 'id="budget_vnd-error"' in html
    assert 'id="must_visit-error"' in html and "Vịnh Hạ Long" in html
    assert 'value="Atlantis"' in html
    assert 'aria-invalid="true"' in html


def test_plan_through_form_shows_itinerary(client, planned):
    """A valid form leads through the progress page to the itinerary with map and totals."""
    html = client.get(planned).get_data(as_text=True)
    assert 'id="route-map"' in html and 'class="route-map"' in html
    assert "Vịnh Hạ Long" in html
    assert "Ngày 1" in html and "Ngày 2" in html
    assert "₫" in html
    assert planned in html  # the share link


def test_itinerary_json_matches_contract(client, planned):
    """The JSON export validates against the itinerary schema."""
    body = client.get(planned + ".json").get_json()
    jsonschema.validate(body, _schema("itinerary.schema.json"))
    assert body["id"] == planned.rsplit("/", 1)[1]


def test_itinerary_exports(client, planned):
    """iCalendar, GeoJSON, PDF and the printable page are served with the right types."""
    ics = client.get(planned + ".ics")
    assert ics.mimetype == "text/calendar"
    text = ics.get_data(as_text=True)
    assert text.startswith("BEGIN:VCALENDAR") and text.count("BEGIN:VEVENT") >= 2
    geo = client.get(planned + ".geojson")
    features = json.loads(geo.get_data(as_text=True))["features"]
    assert {f["geometry"]["type"] for f in features} == {"LineString", "Point"}
    pdf = client.get(planned + ".pdf")
    assert pdf.mimetype == "application/pdf" and pdf.data.startswith(b"%PDF")
    printable = client.get(planned + "/print")
    assert printable.status_code == 200 and "print.css" in printable.get_data(as_text=True)


def test_replan_removes_a_stop_and_keeps_the_old_version(app, client, planned):
    """Removing a stop makes a new version without it; the old permalink still works."""
    old = client.get(planned + ".json").get_json()
    visited = [s["id"] for d in old["days"] for s in d["stops"] if s["kind"] == "attraction"]
    victim = next(v for v in visited if v != "ha-long-bay")
    token = csrf_token(client, planned)
    response = client.post(planned + "/replan", data={"csrf_token": token, "remove": victim})
    assert response.status_code == 302
    new = wait_for_job(app, client, response.headers["Location"])
    body = client.get(new + ".json").get_json()
    assert body["parent_id"] == old["id"]
    assert victim in body["request"]["exclude"]
    assert victim not in [s["id"] for d in body["days"] for s in d["stops"]]
    assert client.get(planned).status_code == 200


def test_unknown_itinerary_and_job_are_404(client):
    """Unknown ids get the 404 page, never a 500."""
    assert client.get("/i/doesnotexist").status_code == 404
    assert client.get("/i/doesnotexist.ics").status_code == 404
    assert client.get("/jobs/nope").status_code == 404
    assert client.get("/jobs/nope.json").status_code == 404


@pytest.mark.parametrize(
    ("query", "expected"),
    [("ha long", "ha-long-bay"), ("yen tu", "yen-tu"), ("Kiếp Bạc", "kiep-bac")],
    ids=["ascii", "ascii-2", "diacritics"],
)
def test_suggest_finds_attractions(client, query, expected):
    """Search-as-you-type finds places without diacritics."""
    hits = client.get("/api/suggest", query_string={"q": query, "kind": "attraction"}).get_json()
    assert hits[0]["id"] == expected


def test_suggest_rejects_bad_kind(client):
    """An unknown kind is a 400 with a JSON message."""
    response = client.get("/api/suggest?q=ha&kind=spaceport")
    assert response.status_code == 400
    assert response.get_json()["error"] == "bad_request"


def test_infeasible_request_gets_a_friendly_page(app, client):
    """When no tour is feasible (the bay's boats do not run in the evening) the job page says
    why and what to relax (422, never a 500)."""
    token = csrf_token(client)
    response = client.post(
        "/",
        data={
            "csrf_token": token,
            "start": "hub-ha-noi",
            "end": "ha-long-bay",
            "start_date": "2027-03-06",
            "days": "1",
            "day_start": "19:00",
            "day_end": "23:00",
        },
    )
    assert response.status_code == 302
    job_id = response.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    app.extensions["tourplanner.jobs.runner"].wait(job_id, timeout=60)
    page = client.get(f"/jobs/{job_id}")
    assert page.status_code == 422
    html = page.get_data(as_text=True)
    assert "Không lập được lịch trình" in html
    # the reason and what to relax in the page's language only
    assert "ngày 1 không đi kịp trong giờ của ngày" in html
    assert "thêm một ngày hoặc khởi hành sớm hơn" in html
    assert "add a day" not in html and "Try:" not in html
    assert client.get(f"/jobs/{job_id}.json").get_json()["error"]["error"] == "no_feasible_tour"
