"""Helpers for the web tests: CSRF tokens and waiting for background solves."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path: str = "/") -> str:
    """Fetch *path* and return the CSRF token of its form."""
    html = client.get(path).get_data(as_text=True)
    match = TOKEN.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1)


def wait_for_job(app, client, location: str) -> str:
    """Wait for the job a redirect points at; return where the job page sends the browser."""
    job_id = urlsplit(location).path.rsplit("/", 1)[1]
    app.extensions["tourplanner.jobs.runner"].wait(job_id, timeout=60)
    response = client.get(f"/jobs/{job_id}")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.headers["Location"]


@pytest.fixture
def planned(app, client):
    """A 2-day itinerary from Hà Nội with Hạ Long Bay as a must-see, planned through the form."""
    token = csrf_token(client)
    response = client.post(
        "/",
        data={
            "csrf_token": token,
            "start": "hub-ha-noi",
            "start_date": "2027-03-06",
            "days": "2",
            "pace": "normal",
            "must_visit": ["Vịnh Hạ Long"],
            "group_size": "2",
            "language": "vi",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    location = wait_for_job(app, client, response.headers["Location"])
    assert location.startswith("/i/"), location
    return location
