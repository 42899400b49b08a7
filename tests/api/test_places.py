"""The catalogue through the API, on SQLite and PostgreSQL: search, read, edit, retire, audit."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tourplanner.storage.agencies import AuditRow
from tourplanner.testing.keys import auth


@pytest.fixture
def api(any_app, any_keys):
    """A test client of the app on each database, with the keys."""
    return any_app.test_client(), any_keys


def test_list_places_searches_without_diacritics_and_pages(api):
    """?q= folds diacritics; limit/offset page the result and ``next`` links the next page."""
    client, keys = api
    found = client.get("/api/v1/places?q=con son", headers=auth(keys.planner)).get_json()
    assert [p["id"] for p in found["items"]] == ["con-son"]
    first = client.get("/api/v1/places?limit=2", headers=auth(keys.planner))
    assert first.status_code == 200
    page = first.get_json()
    assert (page["limit"], page["offset"], len(page["items"])) == (2, 0, 2)
    assert page["total"] > 2 and "offset=2" in page["next"]
    second = client.get(page["next"], headers=auth(keys.planner)).get_json()
    assert {p["id"] for p in second["items"]}.isdisjoint({p["id"] for p in page["items"]})


def test_list_places_finds_by_former_province_and_kind(api):
    """Hải Dương (merged into Hải Phòng) still finds Côn Sơn; kind narrows to hubs."""
    client, keys = api
    body = client.get("/api/v1/places?province=Hai Duong", headers=auth(keys.planner)).get_json()
    assert "con-son" in {p["id"] for p in body["items"]}
    hubs = client.get("/api/v1/places?kind=hub", headers=auth(keys.planner)).get_json()
    assert hubs["items"] and {p["kind"] for p in hubs["items"]} == {"hub"}


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("limit=0", "limit"),
        ("offset=-1", "offset"),
        ("kind=spaceport", "kind"),
        ("province=Atlantis", "province"),
        ("limit=99999999999999999999999", "limit"),
    ],
    ids=["limit", "offset", "kind", "province", "huge"],
)
def test_list_places_rejects_bad_parameters(api, query, field):
    """Each bad query parameter is a 400 naming the field."""
    client, keys = api
    response = client.get(f"/api/v1/places?{query}", headers=auth(keys.planner))
    assert response.status_code == 400
    assert field in response.get_json()["fields"]


def test_get_place_answers_etag_and_404(api):
    """A place comes with its version as ETag; an unknown id is a JSON 404."""
    client, keys = api
    response = client.get("/api/v1/places/con-son", headers=auth(keys.planner))
    assert response.status_code == 200
    assert response.headers["ETag"] == f'"{response.get_json()["version"]}"'
    missing = client.get("/api/v1/places/nowhere", headers=auth(keys.planner))
    assert missing.status_code == 404 and missing.get_json()["error"] == "not_found"


def test_patch_place_bumps_version_writes_audit_and_shows_at_once(api, any_app):
    """An editor's PATCH with the current version succeeds (200), bumps the version, is seen
    by the next search, and leaves an audit row with the place before and after."""
    client, keys = api
    response = client.patch(
        "/api/v1/places/con-son",
        json={"name_en": "Con Son Pagoda", "version": 1},
        headers=auth(keys.editor),
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["version"] == 2
    found = client.get("/api/v1/places?q=con son pagoda", headers=auth(keys.planner)).get_json()
    assert found["items"][0]["name_en"] == "Con Son Pagoda"
    with any_app.extensions["tourplanner.storage.db"].session() as session:
        rows = session.scalars(select(AuditRow).where(AuditRow.place_id == "con-son")).all()
    assert [r.action for r in rows] == ["update"]
    assert rows[0].before["name_en"] == "Con Son Relic Site"
    assert rows[0].after["name_en"] == "Con Son Pagoda" and rows[0].after["version"] == 2
    audit = client.get("/api/v1/places/con-son/audit", headers=auth(keys.editor)).get_json()
    assert audit[0]["before"]["version"] == 1


def test_edit_with_stale_version_is_409(api):
    """Two edits of version 1: the first wins, the second (body version or If-Match) gets 409."""
    client, keys = api
    first = client.patch(
        "/api/v1/places/yen-tu", json={"value": 33, "version": 1}, headers=auth(keys.editor)
    )
    assert first.status_code == 200
    stale = client.patch(
        "/api/v1/places/yen-tu", json={"value": 50, "version": 1}, headers=auth(keys.editor)
    )
    assert stale.status_code == 409 and stale.get_json()["error"] == "conflict"
    stale_etag = client.patch(
        "/api/v1/places/yen-tu",
        json={"value": 50},
        headers={**auth(keys.editor), "If-Match": '"1"'},
    )
    assert stale_etag.status_code == 409
    fresh = client.patch(
        "/api/v1/places/yen-tu",
        json={"value": 50},
        headers={**auth(keys.editor), "If-Match": '"2"'},
    )
    assert fresh.status_code == 200 and fresh.get_json()["value"] == 50


def test_edit_reports_each_bad_field(api):
    """Bad values are a 400 with one reason per field (parse_place's checks); no version is 400."""
    client, keys = api
    response = client.patch(
        "/api/v1/places/con-son",
        json={"lat": 95, "categories": ["spaceport"], "version": 1},
        headers=auth(keys.editor),
    )
    assert response.status_code == 400
    assert set(response.get_json()["fields"]) == {"lat", "categories"}
    unversioned = client.patch(
        "/api/v1/places/con-son", json={"value": 3}, headers=auth(keys.editor)
    )
    assert unversioned.status_code == 400 and "version" in unversioned.get_json()["fields"]


def test_put_replaces_the_record(api):
    """PUT takes the whole record: fields left out fall back to their defaults."""
    client, keys = api
    record = client.get("/api/v1/places/kiep-bac", headers=auth(keys.editor)).get_json()
    record["aliases"] = []
    record["name_vi"] = "Đền Kiếp Bạc"
    response = client.put("/api/v1/places/kiep-bac", json=record, headers=auth(keys.editor))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["name_vi"] == "Đền Kiếp Bạc"
    assert response.get_json()["aliases"] == []


def test_create_place_201_then_duplicate_409(api):
    """An editor adds a place (201, version 1, audited); the same id again is 409."""
    client, keys = api
    record = {
        "id": "bach-dang-relic",
        "kind": "attraction",
        "name_vi": "Di tích Bạch Đằng Giang",
        "name_en": "Bach Dang Relic Site",
        "province": "Quảng Ninh",
        "lat": 20.93,
        "lon": 106.79,
        "categories": ["heritage"],
        "visit_minutes": 90,
        "value": 70,
    }
    created = client.post("/api/v1/places", json=record, headers=auth(keys.editor))
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["version"] == 1
    assert created.headers["Location"].endswith("/api/v1/places/bach-dang-relic")
    again = client.post("/api/v1/places", json=record, headers=auth(keys.editor))
    assert again.status_code == 409
    audit = client.get("/api/v1/places/bach-dang-relic/audit", headers=auth(keys.editor))
    assert [(a["action"], a["before"]) for a in audit.get_json()] == [("create", None)]


def test_delete_retires_the_place(api):
    """DELETE retires: gone from search, still readable by id (old itineraries name it)."""
    client, keys = api
    response = client.delete("/api/v1/places/vinh-nghiem", headers=auth(keys.editor))
    assert response.status_code == 200 and response.get_json()["retired"] is True
    found = client.get("/api/v1/places?q=vinh nghiem", headers=auth(keys.planner)).get_json()
    assert found["total"] == 0
    kept = client.get("/api/v1/places/vinh-nghiem", headers=auth(keys.planner))
    assert kept.status_code == 200 and kept.get_json()["retired"] is True
    audit = client.get("/api/v1/places/vinh-nghiem/audit", headers=auth(keys.editor)).get_json()
    assert audit[-1]["action"] == "retire" and audit[-1]["after"]["retired"] is True


def test_provinces_lists_current_and_former(api):
    """Provinces include the former ones with the province they merged into."""
    client, keys = api
    body = client.get("/api/v1/provinces", headers=auth(keys.planner)).get_json()
    former = {p["name_vi"]: p["merged_into"] for p in body if p["status"] == "former"}
    assert former.get("Hải Dương") == "hai-phong"
