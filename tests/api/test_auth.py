"""Keys, roles, rate limits, body limits and CSRF of the API."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import make_app
from tourplanner.api.keys import hash_token
from tourplanner.storage.agencies import ApiKeyRow
from tourplanner.testing.keys import auth
from tourplanner.testing.keys import make_keys


def test_missing_or_unknown_key_is_401(client, keys):
    """No key, a malformed key and a well-formed unknown key are all 401 with WWW-Authenticate."""
    unknown = "tp_00000000_" + "A" * 43
    for headers in ({}, {"Authorization": "Bearer nonsense"}, {"X-API-Key": unknown}):
        response = client.get("/api/v1/places", headers=headers)
        assert response.status_code == 401
        assert response.get_json()["error"] == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_x_api_key_header_is_accepted(client, keys):
    """The key may come as X-API-Key instead of a bearer token."""
    assert client.get("/api/v1/provinces", headers={"X-API-Key": keys.planner}).status_code == 200


def test_keys_are_stored_hashed(app, keys):
    """The database holds the SHA-256 of the token and its prefix, never the token."""
    with app.extensions["tourplanner.storage.db"].session() as session:
        rows = session.scalars(select(ApiKeyRow)).all()
    assert hash_token(keys.planner) in {r.key_hash for r in rows}
    assert all(keys.planner not in (r.key_hash, r.prefix) for r in rows)


def test_planner_key_cannot_edit_catalogue(client, keys):
    """A planner key reads the catalogue but every write is 403."""
    headers = auth(keys.planner)
    assert client.get("/api/v1/places/con-son", headers=headers).status_code == 200
    writes = [
        client.post("/api/v1/places", json={"id": "x"}, headers=headers),
        client.patch("/api/v1/places/con-son", json={"version": 1}, headers=headers),
        client.put("/api/v1/places/con-son", json={"version": 1}, headers=headers),
        client.delete("/api/v1/places/con-son", headers=headers),
        client.get("/api/v1/places/con-son/audit", headers=headers),
    ]
    assert [r.status_code for r in writes] == [403] * 5
    assert writes[0].get_json()["error"] == "forbidden"


def test_admin_key_may_edit(client, keys):
    """The admin role includes the editor's rights."""
    response = client.patch(
        "/api/v1/places/con-son", json={"value": 12, "version": 1}, headers=auth(keys.admin)
    )
    assert response.status_code == 200


def test_revoked_key_stops_working(app, client, keys):
    """After `tourplanner key revoke PREFIX` the key is refused with 401."""
    assert client.get("/api/v1/provinces", headers=auth(keys.editor)).status_code == 200
    prefix = keys.editor.split("_")[1]
    result = app.test_cli_runner().invoke(args=["key", "revoke", prefix])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/provinces", headers=auth(keys.editor)).status_code == 401


def test_cli_creates_agency_and_key_printed_once(app, client):
    """`agency create` then `key create --role editor` prints a working token on stdout."""
    runner = app.test_cli_runner()
    assert runner.invoke(args=["agency", "create", "Hạ Long Tours"]).exit_code == 0
    result = runner.invoke(args=["key", "create", "Hạ Long Tours", "--role", "editor"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("tp_")
    assert client.get("/api/v1/provinces", headers=auth(token)).status_code == 200
    listing = runner.invoke(args=["agency", "list"]).output
    assert "Hạ Long Tours" in listing and token not in listing
    assert runner.invoke(args=["key", "create", "Nobody"]).exit_code == 2
    assert runner.invoke(args=["agency", "create", "Hạ Long Tours"]).exit_code == 2


@pytest.fixture
def limited_app(sqlite_url):
    """An app whose keys may make 3 requests per minute."""
    app = make_app(sqlite_url)
    app.config["API_RATE_LIMIT"] = 3
    yield app
    app.extensions["tourplanner.storage.db"].dispose()


def test_rate_limit_is_429_with_retry_after(limited_app):
    """The 4th request in a window is 429 with Retry-After; other keys are not affected."""
    keys = make_keys(limited_app)
    client = limited_app.test_client()
    statuses = [client.get("/api/v1/provinces", headers=auth(keys.planner)) for _ in range(4)]
    assert [r.status_code for r in statuses] == [200, 200, 200, 429]
    assert statuses[2].headers["X-RateLimit-Remaining"] == "0"
    limited = statuses[3]
    assert limited.get_json()["error"] == "rate_limited"
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert client.get("/api/v1/provinces", headers=auth(keys.editor)).status_code == 200


def test_rate_limit_window_resets(app, keys):
    """A new window starts counting from zero again."""
    from tourplanner.api.ratelimit import count_request

    with app.extensions["tourplanner.storage.db"].session() as session:
        key_id = session.scalars(select(ApiKeyRow.id)).first()
        assert count_request(session, key_id, 1, 60, now=6000.0).allowed
        assert not count_request(session, key_id, 1, 60, now=6001.0).allowed
        fresh = count_request(session, key_id, 1, 60, now=6060.0)
    assert fresh.allowed and fresh.remaining == 0


def test_large_body_is_413_json(client, keys):
    """A body over the API's limit (256 KiB) is 413 in the JSON error shape."""
    body = '{"start": "' + "x" * (300 * 1024) + '"}'
    response = client.post(
        "/api/v1/plans", data=body, content_type="application/json", headers=auth(keys.planner)
    )
    assert response.status_code == 413
    assert response.get_json()["error"] == "request_entity_too_large"


def test_api_is_exempt_from_csrf(client, keys):
    """The web forms need a CSRF token; the API (key auth) does not."""
    response = client.patch(
        "/api/v1/places/con-son", json={"value": 11, "version": 1}, headers=auth(keys.editor)
    )
    assert response.status_code == 200


def test_unknown_api_route_and_method_are_json(client, keys):
    """An unknown path is a JSON 404 and a wrong method a JSON 405."""
    assert (
        client.get("/api/v1/nowhere", headers=auth(keys.planner)).get_json()["error"] == "not_found"
    )
    response = client.put("/api/v1/provinces", headers=auth(keys.planner))
    assert response.status_code == 405 and response.is_json
