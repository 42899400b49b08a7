"""The catalogue browse page, /healthz and the error pages."""

from __future__ import annotations

import pytest


def test_healthz_reports_database_and_counts(client):
    """/healthz answers 200 with the catalogue size."""
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok", "attractions": 6, "hubs": 2}


def test_catalogue_lists_places(client):
    """The list shows the page's language's names, most valuable attraction first (the English
    page adds the Vietnamese name, the Vietnamese page stays Vietnamese)."""
    html = client.get("/catalogue/").get_data(as_text=True)
    assert html.index("Vịnh Hạ Long") < html.index("Bảo tàng Quảng Ninh")
    assert "Ha Long Bay" not in html
    assert "9 kết quả" in html
    html = client.get("/catalogue/?lang=en").get_data(as_text=True)
    assert html.index("Ha Long Bay") < html.index("Quang Ninh Museum")
    assert "9 results" in html


@pytest.mark.parametrize(
    ("query", "present", "absent"),
    [
        ("?q=hai+duong", ["Khu di tích Côn Sơn", "Đền Kiếp Bạc"], ["Vịnh Hạ Long"]),
        ("?province=bac-giang", ["Chùa Vĩnh Nghiêm"], ["Đền Kiếp Bạc"]),
        ("?category=museum", ["Bảo tàng Quảng Ninh"], ["Chùa Vĩnh Nghiêm"]),
        ("?kind=gateway", ["Sân bay quốc tế Nội Bài"], ["Vịnh Hạ Long"]),
        ("?q=yen+tu&province=Qu%E1%BA%A3ng+Ninh", ["Yên Tử"], ["Côn Sơn"]),
    ],
    ids=["former-province-query", "former-province-filter", "category", "kind", "combined"],
)
def test_catalogue_filters(client, query, present, absent):
    """Search and filters narrow the list."""
    html = client.get(f"/catalogue/{query}").get_data(as_text=True)
    for text in present:
        assert text in html
    for text in absent:
        assert text not in html


def test_catalogue_unknown_filter_values_do_not_fail(client):
    """An unknown province or kind gives an empty or unfiltered list, never an error."""
    assert client.get("/catalogue/?province=Atlantis").status_code == 200
    assert client.get("/catalogue/?kind=spaceport").status_code == 200


def test_place_detail_shows_facts_and_sources(client):
    """The detail page shows hours, festivals, former province and flags unverified facts."""
    html = client.get("/catalogue/con-son").get_data(as_text=True)
    assert "Hải Dương" in html
    assert "Lễ hội mùa xuân Côn Sơn" in html
    assert "10/1 âm lịch" in html
    assert "chưa kiểm chứng" in html


def test_unknown_place_is_a_404_page(client):
    """An unknown id gets the 404 page in HTML, and JSON for a JSON client."""
    response = client.get("/catalogue/atlantis")
    assert response.status_code == 404
    assert "Không tìm thấy" in response.get_data(as_text=True)
    response = client.get("/catalogue/atlantis", headers={"Accept": "application/json"})
    assert response.status_code == 404
    assert response.get_json() == {
        "error": "not_found",
        "message": "No place has the id 'atlantis'.",
    }


def test_catalogue_escapes_catalogue_text(app, tmp_path):
    """A script tag planted in a name is shown as text, never run."""
    import json

    from tests.conftest import CATALOGUE_FILES
    from tourplanner.catalogue.loader import load_files

    evil = json.loads(CATALOGUE_FILES[1].read_text(encoding="utf-8"))[:1]
    evil[0]["name_en"] = "<script>alert(1)</script>"
    path = tmp_path / "attractions.json"
    path.write_text(json.dumps(evil), encoding="utf-8")
    with app.extensions["tourplanner.storage.db"].session() as session:
        load_files(session, [path])
    html = app.test_client().get("/catalogue/?lang=en").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_security_headers_on_every_page(client):
    """Pages forbid inline script and framing, and cookies are HttpOnly and SameSite."""
    response = client.get("/?lang=en")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    html = response.get_data(as_text=True)
    assert "<script>" not in html and "onclick" not in html


def test_place_page_shows_sources_as_readable_links(client):
    """Sources read as title, publisher and year with a link, never as bare codes; facts
    from the compiler's knowledge say so."""
    html = client.get("/catalogue/yen-tu?lang=en").get_data(as_text=True)
    assert "ref:S30" not in html
    assert 'href="http' in html
    assert "the compiler's knowledge, no source yet" in html  # a catalogue message, not data


def test_place_page_says_weekdays_and_services_in_words(client):
    """Opening days and the services that reach a place are words, not codes."""
    html = client.get("/catalogue/quang-ninh-museum?lang=en").get_data(as_text=True)
    assert "Tuesday–Sunday" in html
    assert "tue, wed" not in html
    html = client.get("/catalogue/yen-tu?lang=en").get_data(as_text=True)
    assert "Every day" in html or "every day" in html
    assert "(cable car)" in html and "cable_car" not in html
    assert "Fare: ₫70,000" in html
    vi = client.get("/catalogue/yen-tu?lang=vi").get_data(as_text=True)
    assert "hằng ngày" in vi and "cáp treo" in vi
