"""The agency pages through the Flask test client: upload, batch, report, compare, variants."""

from __future__ import annotations

import io
import re

import pytest

from tests.batch.conftest import SMALL_CSV
from tests.web.conftest import csrf_token
from tourplanner.i18n import translator
from tourplanner.services.batch import service

#: labels of the batch, report and index pages in each language; none of one language's
#: labels may show on the other language's pages
BATCH_LABELS = {
    "vi": ("Lô sản phẩm", "Trạng thái", "Đã xong", "Dòng sai", "Bảng giá", "Đăng xuất"),
    "en": ("Batches", "Status", "Planned", "Bad row", "Price sheet", "Sign out"),
}
REPORT_LABELS = {
    "vi": ("Báo cáo liên kết", "Luồng liên tỉnh", "Chi tiêu", "Số chặng"),
    "en": ("Linkage report", "Cross-province flows", "Spend", "Legs"),
}
INDEX_LABELS = {
    "vi": ("Các lô gần đây", "Ngày tạo", "Kịch bản mạng lưới", "Lập kế hoạch cho lô"),
    "en": ("Recent batches", "Created", "Network scenario", "Plan the batch"),
}
OTHER = {"vi": "en", "en": "vi"}


def _upload(app, client, text=SMALL_CSV, filename="products.csv"):
    token = csrf_token(client, "/agency/")
    return client.post(
        "/agency/batches",
        data={"csrf_token": token, "file": (io.BytesIO(text.encode()), filename), "name": "Spring"},
        content_type="multipart/form-data",
    )


def test_agency_upload_runs_batch_and_shows_summary(app, client):
    """Uploading the CSV redirects to the batch page, which shows figures and bad-row reasons."""
    response = _upload(app, client)
    assert response.status_code == 302
    batch_id = response.headers["Location"].rsplit("/", 1)[1]
    service.wait_for_batch(app.extensions["tourplanner.storage.db"], batch_id, timeout=60)
    html = client.get(f"/agency/batches/{batch_id}").get_data(as_text=True)
    assert "Spring" in html and "2N1Đ Hạ Long from Hà Nội" in html
    # the bad row's reason in the page's language (stored with its key, rendered on reading)
    assert "<code>start_date</code>" in html and "không phải là ngày" in html
    assert "is not a date" not in html
    assert "Dòng 3 · <code>start_date</code>" in html
    english = client.get(f"/agency/batches/{batch_id}?lang=en").get_data(as_text=True)
    assert "Row 3 · <code>start_date</code>" in english and "is not a date" in english
    assert html.count('class="group-days"') >= 4  # 1 + 2 groups + 1
    assert 'src="/static/js/agency.js"' in html and "<script>" not in html
    csv_response = client.get(f"/agency/batches/{batch_id}.csv")
    assert (
        csv_response.mimetype == "text/csv" and csv_response.get_data(as_text=True).count("\n") == 5
    )
    body = client.get(f"/agency/batches/{batch_id}.json").get_json()
    assert body["finished"] and body["counts"]["done"] == 3
    export = client.get(f"/agency/batches/{batch_id}/export.json").get_json()
    assert len(export["itineraries"]) == 3


def test_agency_upload_unreadable_file_rerenders_with_message(client):
    """A file without a name column is refused with a message (in the page's language) and
    status 400."""
    response = _upload(None, client, "start\nHà Nội\n")
    assert response.status_code == 400
    assert "cột &#39;name&#39;" in response.get_data(as_text=True)


def test_agency_report_page_has_svg_charts_and_csv(app, client):
    """The linkage page draws its charts as inline SVG; its CSV has the sections."""
    batch_id = _upload(app, client).headers["Location"].rsplit("/", 1)[1]
    service.wait_for_batch(app.extensions["tourplanner.storage.db"], batch_id, timeout=60)
    html = client.get(f"/agency/batches/{batch_id}/report").get_data(as_text=True)
    assert html.count("<svg") == 4 and 'class="chart-bar"' in html
    assert "Quảng Ninh" in html and 'id="flows"' in html
    text = client.get(f"/agency/batches/{batch_id}/report.csv").get_data(as_text=True)
    assert text.startswith("section,key,tours")
    assert client.get(f"/agency/batches/{batch_id}/report.json").get_json()["tours"] == 3


def test_agency_replan_and_compare_pages(app, client):
    """Re-planning under a scenario makes a new batch whose compare page shows feasibility."""
    batch_id = _upload(app, client).headers["Location"].rsplit("/", 1)[1]
    database = app.extensions["tourplanner.storage.db"]
    service.wait_for_batch(database, batch_id, timeout=60)
    token = csrf_token(client, f"/agency/batches/{batch_id}")
    response = client.post(
        f"/agency/batches/{batch_id}/replan",
        data={"csrf_token": token, "scenario": "with-lai-xuan"},
    )
    assert response.status_code == 302
    other_id = response.headers["Location"].rsplit("/", 1)[1]
    service.wait_for_batch(database, other_id, timeout=60)
    html = client.get(f"/agency/batches/{other_id}/compare").get_data(as_text=True)
    assert "with-lai-xuan" in html and re.search(r'id="feasible">3 → \d', html)
    assert (
        client.get(f"/agency/batches/{other_id}/compare.json").get_json()["feasible"]["base"] == 3
    )
    assert client.get(f"/agency/batches/{batch_id}/compare").status_code == 404
    assert client.get("/agency/batches/nope").status_code == 404


def test_agency_variants_page_and_json(client):
    """Four variants side by side with differences to the first; the JSON matches."""
    query = "start=Hà Nội&start_date=2027-03-06&days=2&must_visit=Vịnh Hạ Long&time_limit_s=0.3"
    body = client.get(f"/agency/variants.json?{query}").get_json()
    keys = [v["key"] for v in body["variants"]]
    assert keys == ["max_value", "min_driving", "min_cost", "most_provinces"]
    done = [v for v in body["variants"] if v["status"] == "done"]
    assert done[0]["differences"]["value"] == 0
    mins = {v["key"]: v["figures"] for v in done}
    assert mins["min_driving"]["drive_minutes"] <= mins["max_value"]["drive_minutes"]
    assert len(mins["most_provinces"]["provinces"]) >= len(mins["max_value"]["provinces"])
    html = client.get(f"/agency/variants?{query}").get_data(as_text=True)
    assert 'id="variant-min_cost"' in html
    bad = client.get("/agency/variants?start=Nowhere&start_date=2027-03-06&days=2")
    assert bad.status_code == 400 and "<code>start</code>" in bad.get_data(as_text=True)
    assert client.get("/agency/variants").status_code == 200


def test_variants_that_cannot_be_planned_say_why_in_the_page_language(client):
    """An evening too short for Hạ Long: every variant fails, with why and what to relax in the
    asked language only."""
    query = (
        "start=hub-ha-noi&end=ha-long-bay&start_date=2027-03-06&days=1"
        "&day_start=19:00&day_end=23:00&time_limit_s=0.3"
    )
    vi = client.get(f"/agency/variants.json?{query}&lang=vi").get_json()["variants"]
    assert {v["status"] for v in vi} == {"failed"}
    assert all("thêm một ngày hoặc khởi hành sớm hơn" in v["error"] for v in vi), vi
    en = client.get(f"/agency/variants.json?{query}&lang=en").get_json()["variants"]
    assert all(v["error"].endswith("Try: add a day or start earlier.") for v in en), en


def test_workspace_needs_sign_in(app):
    """Without a key every workspace page sends the browser to the sign-in form."""
    anonymous = app.test_client()
    for path in ("/agency/", "/agency/variants", "/agency/batches/whatever/report"):
        response = anonymous.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/agency/login?next=")
    page = anonymous.get("/agency/login").get_data(as_text=True)
    assert 'type="password"' in page


def test_sign_in_with_a_bad_key_is_refused(app):
    """An unknown key gets the form again with a message and 401."""
    anonymous = app.test_client()
    response = anonymous.post(
        "/agency/login",
        data={
            "csrf_token": csrf_token(anonymous, "/agency/login"),
            "token": "tp_00000000_" + "x" * 43,
        },
    )
    assert response.status_code == 401
    assert "Khóa không hợp lệ hoặc đã bị thu hồi." in response.get_data(as_text=True)
    english = anonymous.post(
        "/agency/login?lang=en",
        data={
            "csrf_token": csrf_token(anonymous, "/agency/login?lang=en"),
            "token": "tp_00000000_" + "x" * 43,
        },
    )
    page = english.get_data(as_text=True)
    assert english.status_code == 401
    assert "Unknown or revoked key." in page and "Khóa không hợp lệ" not in page


def test_agencies_see_only_their_own_batches(app, client):
    """Another agency neither lists nor opens a batch; a revoked key is signed out."""
    from tests.batch.conftest import sign_in
    from tourplanner.api.keys import revoke_key

    batch_id = _upload(app, client).headers["Location"].rsplit("/", 1)[1]
    assert batch_id in client.get("/agency/").get_data(as_text=True)
    rival = app.test_client()
    prefix = sign_in(app, rival, agency="Cát Bà Tours")
    assert batch_id not in rival.get("/agency/").get_data(as_text=True)
    assert rival.get(f"/agency/batches/{batch_id}").status_code == 404
    assert rival.get(f"/agency/batches/{batch_id}/report.json").status_code == 404
    with app.extensions["tourplanner.storage.db"].session() as session:
        revoke_key(session, prefix)
    assert rival.get("/agency/").status_code == 302


def _planned_batch(app, client) -> tuple[str, dict]:
    """Upload the small batch, wait for it; return its id and its JSON."""
    batch_id = _upload(app, client).headers["Location"].rsplit("/", 1)[1]
    service.wait_for_batch(app.extensions["tourplanner.storage.db"], batch_id, timeout=60)
    return batch_id, client.get(f"/agency/batches/{batch_id}.json").get_json()


def _page(client, path: str) -> str:
    return client.get(path).get_data(as_text=True).replace("&#39;", "'")


def _first_province_spend(client, batch_id: str) -> int:
    """The spend of the report's first province (the chart and the table show it)."""
    return client.get(f"/agency/batches/{batch_id}/report.json").get_json()["provinces"][0][
        "spend_vnd"
    ]


def _assert_one_language(html: str, labels: dict[str, tuple[str, ...]], lang: str) -> None:
    for text in labels[lang]:
        assert text in html, text
    for text in labels[OTHER[lang]]:
        assert text not in html, text


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_agency_pages_speak_one_language(app, client, lang):
    """In *lang* the batch, linkage report and index pages show that language's labels,
    statuses, money and dates, and none of the other language's."""
    batch_id, body = _planned_batch(app, client)
    html = _page(client, f"/agency/batches/{batch_id}?lang={lang}")
    _assert_one_language(html, BATCH_LABELS, lang)
    assert 'class="status-done"' in html and 'class="status-invalid"' in html  # raw, for CSS
    t = translator(lang)
    slots = {k: "{" + k + "}" for k in ("done", "running", "queued", "failed", "invalid")}
    assert f'data-counts="{t("agency.batch.counts", **slots)}"' in html  # agency.js fills it
    costs = [p["cost_per_person_vnd"] for p in body["products"] if p["status"] == "done"]
    assert costs and all(t.money(cost) in html for cost in costs)
    saturday = {"vi": "06/03: ", "en": "6 Mar: "}
    assert saturday[lang] in html and saturday[OTHER[lang]] not in html
    report = _page(client, f"/agency/batches/{batch_id}/report?lang={lang}")
    _assert_one_language(report, REPORT_LABELS, lang)
    assert (
        t("agency.chart.spend") in report
        and t.money(_first_province_spend(client, batch_id)) in report
    )
    index = _page(client, f"/agency/?lang={lang}")
    _assert_one_language(index, INDEX_LABELS, lang)
    assert 'hreflang="en"' in index and 'hreflang="vi"' in index


def test_agency_money_is_written_the_vietnamese_way(app, client):
    """Vietnamese pages group thousands with dots and put the dong sign after the amount
    (``1.200.000 ₫``); English ones put it first with commas (``₫1,200,000``)."""
    batch_id, _ = _planned_batch(app, client)
    vi = _page(client, f"/agency/batches/{batch_id}?lang=vi")
    en = _page(client, f"/agency/batches/{batch_id}?lang=en")
    assert re.search(r"\d{1,3}(\.\d{3})+\u00a0₫", vi) and not re.search(r"₫\d", vi)
    assert re.search(r"₫\d{1,3}(,\d{3})+", en) and not re.search(r"\d\u00a0₫", en)


def test_agency_language_is_remembered_and_the_switch_keeps_the_request(app, client):
    """?lang=en is kept in a cookie for the next workspace pages; the language links of the
    variants page keep its request."""
    assert "Sign out" in _page(client, "/agency/?lang=en")
    assert "Sign out" in _page(client, "/agency/variants")
    html = _page(client, "/agency/variants?lang=vi")
    assert "Đăng xuất" in html and "Sign out" not in html
    query = "start=hub-ha-noi&start_date=2027-03-06&days=1&time_limit_s=0.2"
    html = _page(client, f"/agency/variants?{query}")
    assert 'href="?start=hub-ha-noi&amp;start_date=2027-03-06&amp;days=1' in html
    assert "time_limit_s=0.2&amp;lang=en" in html
