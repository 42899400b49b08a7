"""The tour programme: the HTML page, the PDF (read back with pdftotext) and the CLI."""

from __future__ import annotations

import re
import shutil
import struct
import subprocess
import zlib

import pytest

from tests.batch.conftest import sign_in
from tourplanner.api.keys import find_agency

PDFTOTEXT = shutil.which("pdftotext")
needs_pdftotext = pytest.mark.skipif(
    PDFTOTEXT is None, reason="pdftotext missing (apt-get install poppler-utils; CI installs it)"
)
#: words of the planner's internals that a customer must never read
INTERNAL = re.compile(
    r"cable_car|hired_vehicle|motorbike_taxi|ticket:|lodging:|fare:|meal:|transport:|hub-"
    r"|\b(road|expressway|walk|boat|ferry|rail|air)(, (road|expressway|walk|boat|ferry))+"
)
#: in the Vietnamese text, no English word of the planner either
INTERNAL_VI = re.compile(r"\b(private|public|road|expressway|walk|person|room)\b")
SECTIONS_VI = (
    "CHƯƠNG TRÌNH TOUR",
    "Mã tour",
    "Khởi hành: Thứ Bảy, 06/03/2027",
    "NGÀY 1 |",
    "NGÀY 2 |",
    "Bữa ăn: trưa, tối",
    "Nghỉ đêm",
    "Giá bao gồm",
    "Giá không bao gồm",
    "Giá tour theo số khách",
    "Chính sách trẻ em",
    "Lưu ý",
    "Bản đồ hành trình",
)


def pdf_text(data: bytes, tmp_path) -> str:
    """The text of a PDF, as pdftotext reads it."""
    path = tmp_path / "programme.pdf"
    path.write_bytes(data)
    return subprocess.run(
        [PDFTOTEXT, "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def tiny_png() -> bytes:
    """A 1×1 PNG (an agency logo)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\x14\x50\x7a"))
        + chunk(b"IEND", b"")
    )


def agency_terms(app, name: str = "Hạ Long Travel") -> None:
    """Give the signed-in agency its quote terms, contact and logo."""
    with app.extensions["tourplanner.storage.db"].session() as session:
        row = find_agency(session, name)
        row.guide_vnd_per_day, row.markup_pct, row.vat_pct = 800_000, 15.0, 8.0
        row.contact = "12 Hạ Long, Bãi Cháy · 0203 123 456"
        row.logo_png = tiny_png()
        session.commit()


@needs_pdftotext
def test_programme_pdf_holds_the_vietnamese_sections_and_prices(app, client, planned, tmp_path):
    """The PDF (Vietnamese by default) has every section of an agency programme, the price
    table by group size in 1.200.000 ₫, the agency's name and contact, and no internal code."""
    sign_in(app, client)
    agency_terms(app)
    response = client.get(f"{planned}/programme.pdf?sizes=2,20")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    for section in SECTIONS_VI:
        assert section in text, section
    assert "Hạ Long Travel" in text and "0203 123 456" in text
    assert re.search(r"2 khách\s+xe khách, taxi, phà\s+\d{1,3}(\.\d{3})+ ₫", text), text
    assert re.search(r"20 khách\s+Xe 29 chỗ\s+\d{1,3}(\.\d{3})+ ₫", text), text
    assert "Thuế VAT 8%" in text and "Hướng dẫn viên" in text
    assert "Phụ thu phòng đơn" in text
    assert INTERNAL.search(text) is None, INTERNAL.search(text)
    assert INTERNAL_VI.search(text) is None, INTERNAL_VI.search(text)


@needs_pdftotext
def test_programme_pdf_in_english_without_agency(app, planned, tmp_path):
    """``?lang=en`` writes it in English; without an agency signed in there is no markup or
    VAT and the guide is said not to be priced."""
    client = app.test_client()
    response = client.get(f"{planned}/programme.pdf?lang=en&sizes=4")
    text = pdf_text(response.data, tmp_path)
    assert "TOUR PROGRAMME" in text and "The price includes" in text
    assert "4 guests" in text and "A guide (not priced)" in text and "VAT" in text
    assert INTERNAL.search(text) is None, INTERNAL.search(text)


def test_programme_page_shows_the_sections_map_and_logo(app, client, planned):
    """The HTML programme has the same sections, the SVG route map and the logo inline."""
    sign_in(app, client)
    agency_terms(app)
    response = client.get(f"{planned}/programme?sizes=2,10,20")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    for section in ("Giá bao gồm", "Giá không bao gồm", "Giá tour theo số khách", "Lưu ý"):
        assert section in html
    assert "<svg" in html and 'src="data:image/png;base64,' in html
    assert "Xe 16 chỗ" in html and "Xe 29 chỗ" in html
    assert "<script" not in html and " style=" not in html.split("<svg", 1)[0]


def test_programme_bad_sizes_is_400_and_unknown_itinerary_404(app, planned):
    """A bad ``sizes`` is a 400 naming it; an unknown id is 404."""
    client = app.test_client()
    bad = client.get(f"{planned}/programme?sizes=2,0", headers={"Accept": "application/json"})
    assert bad.status_code == 400 and "sizes" in bad.get_json()["fields"]
    assert client.get("/i/nope/programme.pdf").status_code == 404


@needs_pdftotext
def test_programme_cli_writes_the_pdf(app, planned, tmp_path):
    """``tourplanner programme ID --lang vi --out FILE.pdf`` writes the programme."""
    out = tmp_path / "tour.pdf"
    itinerary_id = planned.rsplit("/", 1)[1]
    result = app.test_cli_runner().invoke(
        args=["programme", itinerary_id, "--lang", "vi", "--out", str(out), "--sizes", "2,20"]
    )
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes(), tmp_path)
    assert "Giá tour theo số khách" in text and "Xe 29 chỗ" in text
    missing = app.test_cli_runner().invoke(args=["programme", "nope", "--out", str(out)])
    assert missing.exit_code == 2


@needs_pdftotext
def test_itinerary_pdf_names_services_in_words(app, planned, tmp_path):
    """The plain itinerary PDF says how each leg travels in words, not in mode codes."""
    response = app.test_client().get(f"{planned}.pdf")
    text = pdf_text(response.data, tmp_path)
    assert "cáp treo" in text or "taxi" in text or "xe riêng" in text
    assert INTERNAL.search(text) is None, INTERNAL.search(text)
