"""Planning through the API: at once or as a job, ownership of the result, bad bodies."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from tourplanner.testing.keys import auth

CONTRACT = Path(__file__).resolve().parents[2] / "tourplanner" / "api" / "contracts"
SMALL = {"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1, "time_limit_s": 0.5}


def _validate(body: dict) -> None:
    schema = json.loads((CONTRACT / "itinerary.schema.json").read_text(encoding="utf-8"))
    jsonschema.validate(body, schema)


def test_plan_small_request_answers_itinerary_201(client, keys):
    """days × groups ≤ 3 is solved at once: 201, the contract JSON with its id, a Location."""
    response = client.post("/api/v1/plans", json=SMALL, headers=auth(keys.planner))
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    _validate(body)
    assert response.headers["Location"] == f"/api/v1/itineraries/{body['id']}"
    again = client.get(response.headers["Location"], headers=auth(keys.planner))
    assert again.status_code == 200 and again.get_json()["id"] == body["id"]


def test_plan_private_itinerary_is_404_to_other_agency(client, keys):
    """A private itinerary is the planning agency's alone; a shared one any key may read."""
    private = client.post("/api/v1/plans", json=SMALL, headers=auth(keys.planner)).get_json()
    assert (
        client.get(f"/api/v1/itineraries/{private['id']}", headers=auth(keys.other)).status_code
        == 404
    )
    assert (
        client.get(f"/api/v1/itineraries/{private['id']}", headers=auth(keys.editor)).status_code
        == 200
    )
    shared = client.post(
        "/api/v1/plans?visibility=shared", json=SMALL, headers=auth(keys.planner)
    ).get_json()
    assert (
        client.get(f"/api/v1/itineraries/{shared['id']}", headers=auth(keys.other)).status_code
        == 200
    )


def test_plan_large_request_becomes_job_202(app, client, keys):
    """days × groups > 3 is a job (202 with status_url); when done the job links the itinerary,
    which only the submitting agency may read."""
    request = {**SMALL, "days": 2, "groups": 2, "time_limit_s": 1}
    response = client.post("/api/v1/plans", json=request, headers=auth(keys.planner))
    assert response.status_code == 202, response.get_json()
    accepted = response.get_json()
    assert accepted["status_url"] == f"/api/v1/jobs/{accepted['job']}"
    app.extensions["tourplanner.jobs.runner"].wait(accepted["job"], timeout=60)
    job = client.get(accepted["status_url"], headers=auth(keys.planner)).get_json()
    assert job["status"] == "done", job
    assert client.get(accepted["status_url"], headers=auth(keys.other)).status_code == 404
    itinerary = client.get(job["itinerary_url"], headers=auth(keys.planner))
    assert itinerary.status_code == 200
    _validate(itinerary.get_json())
    assert client.get(job["itinerary_url"], headers=auth(keys.other)).status_code == 404


def test_plan_small_request_while_busy_becomes_job_202(app, client, keys):
    """While the process is already solving API_SYNC_CONCURRENCY plans inside requests, a small
    plan becomes a job too (pages keep their threads); the slot is free again afterwards."""
    from tourplanner.api.plans import _sync_slots

    slots = _sync_slots(app)
    assert slots.acquire(blocking=False)  # another request is solving
    try:
        response = client.post("/api/v1/plans", json=SMALL, headers=auth(keys.planner))
    finally:
        slots.release()
    assert response.status_code == 202, response.get_json()
    job_id = response.get_json()["job"]
    app.extensions["tourplanner.jobs.runner"].wait(job_id, timeout=60)
    job = client.get(f"/api/v1/jobs/{job_id}", headers=auth(keys.planner)).get_json()
    assert job["status"] == "done", job
    again = client.post("/api/v1/plans", json=SMALL, headers=auth(keys.planner))
    assert again.status_code == 201, again.get_json()


def test_plan_infeasible_request_is_422(client, keys):
    """A valid request with no feasible tour (Hạ Long from Hà Nội in a day with at most 30
    minutes of driving) is a 422."""
    request = {
        "start": "hub-ha-noi",
        "end": "ha-long-bay",
        "start_date": "2027-03-06",
        "days": 1,
        "day_start": "08:00",
        "day_end": "11:00",
        "max_drive_minutes_per_day": 30,
    }
    response = client.post("/api/v1/plans", json=request, headers=auth(keys.planner))
    assert response.status_code == 422
    body = response.get_json()
    assert body["error"] == "no_feasible_tour"
    assert body["message"].startswith("No feasible tour: ")
    assert body["message"].endswith(
        "Try: allow more driving per day or add a day or start earlier."
    )
    # the same in Vietnamese when the client asks for it
    headers = {**auth(keys.planner), "Accept-Language": "vi"}
    vi = client.post("/api/v1/plans", json=request, headers=headers).get_json()["message"]
    assert vi.startswith("Không lập được lịch trình khả thi: ")
    assert "cho phép lái xe nhiều hơn mỗi ngày hoặc thêm một ngày" in vi
    assert "Try" not in vi and "driving" not in vi


def test_plan_bad_fields_are_400_with_reasons(client, keys):
    """Each bad field of the TourRequest is named with its reason."""
    response = client.post(
        "/api/v1/plans", json={"start": "Atlantis", "days": 99}, headers=auth(keys.planner)
    )
    assert response.status_code == 400
    assert {"start", "days", "start_date"} <= set(response.get_json()["fields"])


def test_plan_hostile_bodies_are_400_never_500(client, keys):
    """Malformed JSON, a wrong content type, NaN, overflowing numbers, deep nesting, a list."""
    bodies = [
        ("{bad", "application/json"),
        (json.dumps(SMALL), "text/plain"),
        ('{"start": "hub-ha-noi", "start_date": "2027-03-06", "days": NaN}', "application/json"),
        ('{"start": "hub-ha-noi", "start_date": "2027-03-06", "days": 1e999}', "application/json"),
        (
            '{"start": "x", "start_date": "2027-03-06", "days": ' + "9" * 5000 + "}",
            "application/json",
        ),
        ('{"a": ' + "[" * 5000 + "]" * 5000 + "}", "application/json"),
        ("[1, 2]", "application/json"),
        (b"\xff\xfe", "application/json"),
    ]
    for data, content_type in bodies:
        response = client.post(
            "/api/v1/plans", data=data, content_type=content_type, headers=auth(keys.planner)
        )
        assert response.status_code == 400, (data[:40], response.get_json())
        assert response.get_json()["error"] == "invalid_input"


def test_job_and_itinerary_unknown_ids_are_404(client, keys):
    """Unknown (or absurdly long) ids are JSON 404s."""
    for path in ("/api/v1/jobs/nope", "/api/v1/itineraries/nope", "/api/v1/jobs/" + "x" * 500):
        response = client.get(path, headers=auth(keys.planner))
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"
