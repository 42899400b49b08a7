"""Security, systematically (issue 9): injection into every output, CSRF on every form post,
cookies and headers on every kind of response, API keys and roles for every operation,
unguessable permalinks, and agency privacy.

One poisoned world is built once for the module: an editor writes script, markup,
``javascript:`` URLs and template syntax into every text field of a place through the API
(PATCH and POST) and a third place arrives by ``tourplanner catalogue load``; a tour is planned
through them, and an agency plans a batch whose names carry the same payloads. Every page,
export and JSON answer that shows those texts is then read back and inspected.
"""

from __future__ import annotations

import base64
import hmac
import inspect
import io
import json
import re
import zlib
from collections import Counter
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree

import pytest
from icalendar import Calendar
from sqlalchemy import inspect as sql_inspect
from sqlalchemy import select
from sqlalchemy import text

from tests.batch.conftest import sign_in
from tests.conftest import CATALOGUE_FILES
from tests.conftest import make_app
from tests.web.conftest import csrf_token
from tourplanner import create_app
from tourplanner.api import keys as api_keys
from tourplanner.api.keys import revoke_key
from tourplanner.config import Config
from tourplanner.jobs.runner import create_job
from tourplanner.services.batch import service as batch_service
from tourplanner.services.itineraries import load_itinerary
from tourplanner.services.itineraries import save_itinerary
from tourplanner.storage.agencies import AuditRow
from tourplanner.testing.keys import Keys
from tourplanner.testing.keys import auth
from tourplanner.testing.keys import make_keys

ROOT = Path(__file__).resolve().parents[2]

# --- the payloads ------------------------------------------------------------------------------

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
JS_URL = "javascript:alert(1)"
TEMPLATE = "{{7*7}}"
#: what an editor could type into any text field
PAYLOADS = (SCRIPT, IMG, JS_URL, TEMPLATE)
#: calendar property injection: a line break followed by a property of the attacker's choice
CRLF = "\r\nATTENDEE:mailto:evil@example.com"
LINE_BREAKS = ("\u2028ATTENDEE:mailto:evil@example.com", "\x0bATTENDEE:mailto:evil@example.com")


def poison(tag: str) -> str:
    """Return a text carrying every payload, labelled *tag* so it can be found again."""
    return f"{tag} {SCRIPT} {IMG} {JS_URL} {TEMPLATE}"


DATE = "2027-03-06"  # lunar 1/29: the planted festival is on the trip's day


# --- inspecting outputs ------------------------------------------------------------------------


class _Page(HTMLParser):
    """Every tag with its attributes, and the text as a browser would show it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str]]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {k: v or "" for k, v in attrs}))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


_URL_ATTRS = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "background"}


def assert_inert_html(html: str, where: str, *, shows: bool = True) -> int:
    """Check that no payload became markup in *html*; with *shows*, that each is shown as text.

    :return: the number of payloads checked (for the counts in the report).
    """
    assert SCRIPT not in html, f"{where}: raw <script> payload"
    assert IMG not in html and "<img src=x" not in html, f"{where}: raw <img> payload"
    assert not re.search(r"(href|src|action)\s*=\s*[\"']?\s*javascript:", html, re.I), where
    page = _Page()
    page.feed(html)
    page.close()
    for tag, attrs in page.tags:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"{where}: <{tag}> has event handler attributes {handlers}"
        for name, value in attrs.items():
            if name in _URL_ATTRS:
                squeezed = re.sub(r"[\s\x00-\x1f]", "", value).lower()
                assert not squeezed.startswith(("javascript:", "vbscript:", "data:text")), (
                    f"{where}: <{tag} {name}={value!r}>"
                )
        if tag == "script":
            assert attrs.get("src", "").startswith("/static/"), f"{where}: inline <script>"
        assert tag not in ("iframe", "object", "embed", "base", "foreignobject"), (
            f"{where}: unexpected <{tag}>"
        )
        assert not (tag == "img" and attrs.get("src") == "x"), f"{where}: planted <img>"
        if tag == "meta" and attrs.get("http-equiv", "").lower() == "refresh":
            assert "url=" not in attrs.get("content", "").lower(), f"{where}: meta redirect"
    if shows:
        shown = "".join(page.text) + " ".join(v for _, a in page.tags for v in a.values())
        for payload in PAYLOADS:
            assert payload in shown, f"{where}: {payload!r} is not shown as text"
    return len(PAYLOADS)


def assert_json(response, where: str, *, mimetypes=("application/json",)) -> object:
    """Check that *response* is JSON with a JSON content type; return the parsed body."""
    assert response.status_code == 200, (where, response.status_code)
    assert response.mimetype in mimetypes, (where, response.mimetype)
    return json.loads(response.get_data(as_text=True))


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def assert_carries_payloads(body, where: str) -> int:
    """JSON keeps the texts exactly as typed (escaping is the page's job, not the data's)."""
    joined = "\n".join(_strings(body))
    for payload in PAYLOADS:
        assert payload in joined, f"{where}: {payload!r} was lost or altered"
    return len(PAYLOADS)


def _pdf_string(raw: bytes) -> bytes:
    """Undo the escapes of a PDF literal string."""
    out = bytearray()
    i = 0
    simple = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
    while i < len(raw):
        byte = raw[i : i + 1]
        if byte != b"\\":
            out += byte
            i += 1
            continue
        nxt = raw[i + 1 : i + 2]
        octal = re.match(rb"[0-7]{1,3}", raw[i + 1 : i + 4])
        if octal:
            out.append(int(octal.group(0), 8) & 0xFF)
            i += 1 + len(octal.group(0))
        else:
            out += simple.get(nxt, nxt)
            i += 2
    return bytes(out)


def pdf_text(data: bytes) -> str:
    """Extract the text of an fpdf2 PDF (2-byte codes mapped through each font's ToUnicode)."""
    objects = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj(.*?)endobj", data, re.S)}

    def stream(body: bytes) -> bytes:
        raw = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S).group(1)
        return zlib.decompress(raw) if b"/FlateDecode" in body else raw

    fonts: dict[bytes, dict[int, str]] = {}
    for name, ref in re.findall(rb"/(F\d+) (\d+) 0 R", data):
        unicode_ref = re.search(rb"/ToUnicode (\d+) 0 R", objects[int(ref)])
        cmap: dict[int, str] = {}
        body = stream(objects[int(unicode_ref.group(1))])
        for section in re.findall(rb"beginbfchar(.*?)endbfchar", body, re.S):
            for code, char in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
                cmap[int(code, 16)] = bytes.fromhex(char.decode()).decode("utf-16-be")
        for section in re.findall(rb"beginbfrange(.*?)endbfrange", body, re.S):
            pattern = rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>"
            for lo, hi, start in re.findall(pattern, section):
                first = int(start, 16)
                for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    cmap[code] = chr(first + offset)
        fonts[name] = cmap
    lines: list[str] = []
    token = re.compile(rb"/(F\d+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\)|(ET)", re.S)
    for body in objects.values():
        if b"stream" not in body or b"/Length" not in body:
            continue
        try:
            content = stream(body)
        except zlib.error:
            continue
        if b"Tj" not in content and b"TJ" not in content:
            continue
        font: dict[int, str] = {}
        current = ""
        for match in token.finditer(content):
            if match.group(1):
                font = fonts.get(match.group(1), {})
            elif match.group(3):
                lines.append(current)
                current = ""
            else:
                codes = _pdf_string(match.group(2))
                current += "".join(
                    font.get(int.from_bytes(codes[i : i + 2], "big"), "\ufffd")
                    for i in range(0, len(codes) - 1, 2)
                )
    return "\n".join(lines)


def ical_lines(body: bytes) -> list[str]:
    """The unfolded content lines of an iCalendar file, split however a lenient reader would."""
    unfolded = re.sub(r"\r?\n[ \t]", "", body.decode("utf-8"))
    return unfolded.splitlines()  # also splits on \v, \x85, U+2028 ...


# --- the poisoned world ------------------------------------------------------------------------


@dataclass
class World:
    """The module's app after the poisoning, and what was made in it."""

    app: object
    keys: Keys
    itinerary_id: str
    batch_id: str
    replanned_id: str
    workspace: object  # a test client signed in as agency A (the batch's owner)


def _record(path: Path, place_id: str) -> dict:
    return next(r for r in json.loads(path.read_text(encoding="utf-8")) if r["id"] == place_id)


def _poisoned_record(base: dict, tag: str) -> dict:
    """*base* with every editor-typed text replaced by payloads (and name line breaks)."""
    record = dict(base)
    record.update(
        name_vi=f"Đền {poison(tag + '-vi')}",
        name_en=f"Temple {poison(tag + '-en')}",
        aliases=[poison(tag + "-alias")],
        tags=[SCRIPT.lower(), JS_URL],
        description_vi=poison(tag + "-desc-vi"),
        description_en=poison(tag + "-desc-en"),
        sources={"coords": JS_URL, "hours": poison(tag + "-src"), SCRIPT: IMG},
        uncertain=["hours", SCRIPT],
    )
    if record.get("kind", "attraction") == "attraction":
        record.update(
            access={"needs": ["hike"], "note_vi": poison("note-vi"), "note_en": poison("note-en")},
            festivals=[
                {
                    "name_vi": poison(tag + "-fest-vi"),
                    "name_en": poison(tag + "-fest-en"),
                    "lunar_month": 1,
                    "lunar_day": 29,
                    "duration_days": 3,
                }
            ],
            ticket={"adult_vnd": 20000, "year": 2025, "note": poison(tag + "-ticket")},
        )
    else:
        record["lodging"] = {**record["lodging"], "note": poison(tag + "-lodging")}
    return record


@pytest.fixture(scope="module")
def world(tmp_path_factory) -> World:
    """Poison the catalogue three ways, plan a tour and a batch through it."""
    tmp = tmp_path_factory.mktemp("security")
    app = make_app(f"sqlite:///{tmp / 'world.sqlite3'}")
    keys = make_keys(app)
    client = app.test_client()
    attractions, hubs = CATALOGUE_FILES[1], CATALOGUE_FILES[2]

    # 1. an editor rewrites every text field of Côn Sơn through PATCH
    edit = _poisoned_record(_record(attractions, "con-son"), "patch")
    edit = {k: v for k, v in edit.items() if k != "id"} | {"version": 1}
    response = client.patch("/api/v1/places/con-son", json=edit, headers=auth(keys.editor))
    assert response.status_code == 200, response.get_json()
    # 2. and creates a new place through POST
    new = _poisoned_record(_record(attractions, "kiep-bac"), "post")
    new |= {"id": "poison-temple", "kind": "attraction"}
    response = client.post("/api/v1/places", json=new, headers=auth(keys.editor))
    assert response.status_code == 201, response.get_json()
    # 3. a hub arrives through `tourplanner catalogue load FILE`
    hub = _poisoned_record(_record(hubs, "hub-ha-noi"), "file") | {"id": "hub-poison"}
    path = tmp / "hubs.json"
    path.write_text(json.dumps([hub], ensure_ascii=False), encoding="utf-8")
    result = app.test_cli_runner().invoke(args=["catalogue", "load", str(path)])
    assert result.exit_code == 0, result.output

    # a tour from the poisoned hub through both poisoned attractions
    tour = {
        "start": "hub-poison",
        "start_date": DATE,
        "days": 1,
        "must_visit": ["con-son", "poison-temple"],
        "time_limit_s": 0.5,
    }
    response = client.post("/api/v1/plans", json=tour, headers=auth(keys.planner))
    assert response.status_code == 201, response.get_json()
    itinerary_id = response.get_json()["id"]

    # agency A plans a batch whose batch and product names carry the payloads
    workspace = app.test_client()
    sign_in(app, workspace, agency="Poison Tours")
    products = [
        {"name": poison("product"), **tour},
        {"name": poison("bad-row"), **tour, "must_visit": [SCRIPT, IMG]},
    ]
    upload = workspace.post(
        "/agency/batches",
        data={
            "csrf_token": csrf_token(workspace, "/agency/"),
            "file": (io.BytesIO(json.dumps(products).encode()), "products.json"),
            "name": poison("batch"),
        },
        content_type="multipart/form-data",
    )
    assert upload.status_code == 302, upload.get_data(as_text=True)
    batch_id = upload.headers["Location"].rsplit("/", 1)[1]
    database = app.extensions["tourplanner.storage.db"]
    batch_service.wait_for_batch(database, batch_id, timeout=60)
    replan = workspace.post(
        f"/agency/batches/{batch_id}/replan",
        data={"csrf_token": csrf_token(workspace, f"/agency/batches/{batch_id}"), "scenario": ""},
    )
    assert replan.status_code == 302, replan.get_data(as_text=True)
    replanned_id = replan.headers["Location"].rsplit("/", 1)[1]
    batch_service.wait_for_batch(database, replanned_id, timeout=60)
    yield World(app, keys, itinerary_id, batch_id, replanned_id, workspace)
    database.dispose()


# --- injection: every output -------------------------------------------------------------------

CATALOGUE_PAGES = [
    "/catalogue/",
    "/catalogue/?lang=en",
    "/catalogue/?q=temple",
    "/catalogue/con-son",
    "/catalogue/con-son?lang=en",
    "/catalogue/poison-temple",
    "/catalogue/hub-poison?lang=en",
]


@pytest.mark.parametrize("path", CATALOGUE_PAGES)
def test_catalogue_pages_show_planted_text_inert(world, path):
    """Every catalogue page shows what the editor typed as text; none of it becomes markup."""
    response = world.app.test_client().get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_inert_html(html, path)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_form_lists_poisoned_hub_inert(world):
    """The trip form's start list shows the file-loaded hub's name as text."""
    html = world.app.test_client().get("/?lang=en").get_data(as_text=True)
    assert "Temple file-en" in html  # an <option value="..."> of the start list
    assert_inert_html(html, "/")


def test_suggest_json_is_json_with_texts_intact(world):
    """Search-as-you-type answers JSON (nosniff) that carries the names exactly as typed."""
    response = world.app.test_client().get("/api/suggest?q=temple&kind=attraction")
    body = assert_json(response, "/api/suggest")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert {"con-son", "poison-temple"} <= {item["id"] for item in body}
    assert_carries_payloads(body, "/api/suggest")


@pytest.mark.parametrize("page", ["", "/print"])
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_itinerary_pages_show_planted_text_inert(world, page, lang):
    """The itinerary and its printable page (timeline, map, warnings) keep every payload inert."""
    path = f"/i/{world.itinerary_id}{page}?lang={lang}"
    response = world.app.test_client().get(path)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert_inert_html(html, path)
    assert html.count("&lt;script&gt;alert(1)&lt;/script&gt;") >= 2  # the stops and the map


def test_route_map_svg_is_well_formed_and_inert(world):
    """The server-drawn SVG (the page's fallback image, and the printable page's map) parses
    as XML and holds only drawing elements, names as text."""
    client = world.app.test_client()
    svg = client.get(f"/i/{world.itinerary_id}/map.svg?lang=en").get_data(as_text=True)
    printable = client.get(f"/i/{world.itinerary_id}/print?lang=en").get_data(as_text=True)
    assert re.search(r"<svg class=\"route-map\".*?</svg>", printable, re.S).group(0) == svg
    root = ElementTree.fromstring(svg)
    drawing = {"svg", "title", "rect", "line", "polyline", "path", "g", "circle", "text"}
    names = {el.tag.rsplit("}", 1)[-1] for el in root.iter()}
    assert names <= drawing, names - drawing
    for element in root.iter():
        assert not [a for a in element.attrib if a.lower().startswith("on")]
    labels = " ".join(t for el in root.iter() for t in (el.text or "",))
    assert SCRIPT in labels and TEMPLATE in labels and IMG in labels


@pytest.mark.parametrize(
    ("suffix", "mimetypes"),
    [(".json", ("application/json",)), (".geojson", ("application/geo+json", "application/json"))],
)
def test_itinerary_json_exports_are_valid_json(world, suffix, mimetypes):
    """The JSON and GeoJSON exports parse, say they are JSON, and carry the names exactly."""
    response = world.app.test_client().get(f"/i/{world.itinerary_id}{suffix}")
    body = assert_json(response, suffix, mimetypes=mimetypes)
    assert_carries_payloads(body, suffix)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_ics_keeps_names_inside_text_properties(world, lang):
    """Line breaks in a name (CRLF, U+2028, VT) cannot start a property of their own: every
    event has exactly the properties the exporter writes, and no line reads as ATTENDEE."""
    response = world.app.test_client().get(f"/i/{world.itinerary_id}.ics?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "text/calendar"
    body = response.get_data()
    assert not [line for line in ical_lines(body) if line.upper().startswith("ATTENDEE")]
    calendar = Calendar.from_ical(body)
    events = list(calendar.walk("VEVENT"))
    assert events
    allowed = {"SUMMARY", "DTSTART", "DTEND", "DTSTAMP", "UID", "LOCATION", "GEO", "DESCRIPTION"}
    for event in events:
        assert set(event.keys()) <= allowed, set(event.keys()) - allowed
    summaries = " ".join(str(e["SUMMARY"]) for e in events)
    for payload in PAYLOADS:
        assert payload in summaries


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_pdf_prints_names_literally(world, lang):
    """The PDF shows each payload as plain text and holds no link, script or launch action."""
    response = world.app.test_client().get(f"/i/{world.itinerary_id}.pdf?lang={lang}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    data = response.get_data()
    printed = pdf_text(data)
    for payload in PAYLOADS:
        assert payload in printed, payload
    streams = [data] + [
        zlib.decompress(s)
        for s in re.findall(rb"/FlateDecode.*?stream\r?\n(.*?)\r?\nendstream", data, re.S)
    ]
    for chunk in streams:
        for action in (b"/JavaScript", b"/JS", b"/URI", b"/Launch", b"/Annots", b"/AA"):
            assert action not in chunk, action
        # fpdf2 opens at the first page: a destination array, never an action dictionary
        assert not re.search(rb"/OpenAction\s*<<", chunk)


def _workspace_pages(world: World) -> list[str]:
    base, other = world.batch_id, world.replanned_id
    return [
        "/agency/",
        f"/agency/batches/{base}",
        f"/agency/batches/{base}/report",
        f"/agency/batches/{other}",
        f"/agency/batches/{other}/compare",
        f"/agency/batches/{other}/report",
    ]


def test_workspace_pages_show_planted_text_inert(world):
    """Batch list, batch page (product names, stops, bad-row reasons), linkage report and
    scenario comparison keep every payload inert."""
    for path in _workspace_pages(world):
        response = world.workspace.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        # the linkage report shows provinces and links, not product names
        assert_inert_html(html, path, shows="/report" not in path)
    batch = world.workspace.get(f"/agency/batches/{world.batch_id}").get_data(as_text=True)
    assert "bad-row" in batch and "product" in batch


def test_workspace_json_exports_are_valid_json(world):
    """Every JSON answer of the workspace parses and keeps the names exactly."""
    base, other = world.batch_id, world.replanned_id
    for path in (
        f"/agency/batches/{base}.json",
        f"/agency/batches/{base}/export.json",
        f"/agency/batches/{base}/report.json",
        f"/agency/batches/{other}/compare.json",
    ):
        body = assert_json(world.workspace.get(path), path)
        if "report" not in path:
            assert_carries_payloads(body, path)


def test_variants_page_echoes_bad_names_inert(world):
    """Unknown must-see names typed into the variants form come back escaped in the errors."""
    query = f"start=hub-poison&start_date={DATE}&days=1&must_visit={SCRIPT}|{IMG}"
    response = world.workspace.get("/agency/variants", query_string=query)
    assert response.status_code == 400
    assert_inert_html(response.get_data(as_text=True), "/agency/variants", shows=False)
    assert "&lt;script&gt;" in response.get_data(as_text=True)


def test_error_pages_echo_planted_text_inert(world):
    """Pages that quote what was asked for or what went wrong (404s, a failed job's message,
    the form's field errors) escape it."""
    client = world.app.test_client()
    for path in (f"/catalogue/{SCRIPT}", f"/i/{IMG}", f"/jobs/{SCRIPT}"):
        response = client.get(path, headers={"Accept": "text/html"})
        assert response.status_code == 404
        assert_inert_html(response.get_data(as_text=True), path, shows=False)
    with world.app.extensions["tourplanner.storage.db"].session() as session:
        from tourplanner.storage.tables import JobRow

        job_id = create_job(session, "plan", {"request": {}})
        row = session.get(JobRow, job_id)
        row.status, row.error = "failed", {"error": "no_feasible_tour", "message": poison("job")}
        session.commit()
    response = client.get(f"/jobs/{job_id}")
    assert response.status_code == 422
    assert_inert_html(response.get_data(as_text=True), "/jobs/<failed>")
    response = client.post(
        "/",
        data={
            "csrf_token": csrf_token(client),
            "start": SCRIPT,
            "start_date": DATE,
            "days": "1",
            "must_visit": [IMG, TEMPLATE],
        },
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert_inert_html(html, "POST /", shows=False)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_api_answers_planted_text_as_json(world):
    """The API reads the poisoned place back as JSON, texts intact, with nosniff."""
    client = world.app.test_client()
    for path in ("/api/v1/places/con-son", "/api/v1/places?q=temple"):
        response = client.get(path, headers=auth(world.keys.planner))
        body = assert_json(response, path)
        assert_carries_payloads(body, path)
        assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_nothing_bypasses_autoescaping():
    """Only the route map of the printable page and of the tour programme is marked safe in
    templates (the itinerary page shows it as an image), and only the SVG chart builder makes
    Markup in code; both escape every text they draw (checked above)."""
    safe = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "templates").rglob("*.html")
        if "|safe" in p.read_text(encoding="utf-8").replace(" ", "")
        or "autoescape false" in p.read_text(encoding="utf-8")
    )
    assert safe == ["templates/planner/print.html", "templates/programme/programme.html"]
    for path in safe:
        uses = re.findall(r"\{\{\s*(\w+)\s*\|\s*safe", (ROOT / path).read_text(encoding="utf-8"))
        assert uses == ["svg"], (path, uses)
    markup = sorted(
        str(p.relative_to(ROOT))
        for p in (ROOT / "tourplanner").rglob("*.py")
        if re.search(r"\bMarkup\(", p.read_text(encoding="utf-8"))
    )
    assert markup == ["tourplanner/services/batch/svg.py"]


def test_static_scripts_never_parse_data_as_html():
    """The browser scripts build nodes with textContent: no innerHTML of data, no eval."""
    for path in sorted((ROOT / "static" / "js").glob("*.js")):
        source = path.read_text(encoding="utf-8")
        for match in re.finditer(r"\.(innerHTML|outerHTML)\s*=\s*([^;]*);", source):
            assert match.group(2).strip() in ('""', "''"), (path.name, match.group(0))
        for sink in ("insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in source, (path.name, sink)


#: characters that end a line for some reader: RFC 5545's CRLF, and what str.splitlines takes
BREAKERS = ["\r\n", "\n", "\r", "\u2028", "\u2029", "\x85", "\x0b", "\x0c", "\x1c", "\x1e"]


@pytest.mark.parametrize("breaker", BREAKERS, ids=[f"U+{ord(b[-1]):04X}" for b in BREAKERS])
def test_ics_export_cannot_be_split_by_a_line_break_in_a_name(world, breaker):
    """Whatever line break a saved name holds (older data, another importer), the calendar
    keeps it inside SUMMARY/LOCATION: no reader sees an ATTENDEE property."""
    from tourplanner.exports.ical import to_ical
    from tourplanner.planning.itinerary import Itinerary

    with world.app.app_context():
        database = world.app.extensions["tourplanner.storage.db"]
        with database.session() as session:
            body = load_itinerary(session, world.itinerary_id).to_dict()
    for day in body["days"]:
        for stop in day["stops"]:
            stop["name_vi"] = stop["name_en"] = f"Hạ Long{CRLF.replace(chr(13) + chr(10), breaker)}"
            stop["province"] = f"Quảng Ninh{breaker}X-EVIL:1"
    for lang in ("vi", "en"):
        data = to_ical(Itinerary.from_dict(body), lang=lang)
        lines = ical_lines(data)
        assert not [line for line in lines if line.upper().startswith(("ATTENDEE", "X-EVIL"))]
        events = list(Calendar.from_ical(data).walk("VEVENT"))
        assert events and all("ATTENDEE" not in event for event in events)
        assert "ATTENDEE:mailto:evil@example.com" in str(events[0]["SUMMARY"])


@pytest.mark.parametrize(
    "html",
    [
        f"<p>{SCRIPT}</p>",
        f"<a title=x{IMG}</a>",
        '<a href=" JaVaScRiPt:alert(1)">x</a>',
        '<p onclick="alert(1)">x</p>',
        "<script>alert(1)</script>",
        '<form action="javascript:alert(1)"></form>',
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",  # escaped but not all payloads shown
    ],
    ids=["script", "img", "href", "handler", "inline", "action", "missing"],
)
def test_html_inspector_catches_injections(html):
    """The page inspector used above fails on each kind of injection (it can fail)."""
    with pytest.raises(AssertionError):
        assert_inert_html(html, "sample")


# --- CSRF on every form post -------------------------------------------------------------------

UNSAFE = ("POST", "PUT", "PATCH", "DELETE")


def _fill(rule, values: dict[str, str]) -> str:
    """The URL of *rule* with its arguments taken from *values* (else a dummy)."""
    path = rule.rule
    for name in rule.arguments:
        path = re.sub(rf"<(?:\w+:)?{name}>", values.get(name, "x"), path)
    return path


def test_every_form_post_requires_a_csrf_token(world):
    """Enumerate the app's routes: every state-changing route outside the key-authenticated API
    refuses a post without a CSRF token, and one with a forged token, with 400; so a new form
    cannot be added without CSRF. With the token the same post reaches its view."""
    app = world.app
    values = {"batch_id": world.replanned_id, "itinerary_id": world.itinerary_id}
    checked = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted(set(rule.methods) & set(UNSAFE)):
            client = app.test_client()
            sign_in(app, client, agency=f"Form Tours {len(checked)}")
            path = _fill(rule, values)
            missing = client.open(path, method=method, data={"next": "/agency/"})
            forged = client.open(path, method=method, data={"csrf_token": "forged"})
            for response in (missing, forged):
                assert response.status_code == 400, (method, path, response.status_code)
                assert "CSRF" in response.get_data(as_text=True), (method, path)
            # with the token the view answers (inputs chosen so that nothing gets planned)
            token = csrf_token(client, "/agency/login")
            harmless = {"csrf_token": token, "add_must": SCRIPT, "scenario": "no-such-scenario"}
            answered = client.open(path, method=method, data=harmless)
            assert "CSRF" not in answered.get_data(as_text=True), (method, path)
            assert answered.status_code in (302, 400, 401, 404), (
                method,
                path,
                answered.status_code,
            )
            checked.append((method, rule.endpoint))
    assert sorted(checked) == [
        ("POST", "agency.login_submit"),
        ("POST", "agency.logout"),
        ("POST", "agency.replan"),
        ("POST", "agency.upload"),
        ("POST", "planner.replan"),
        ("POST", "planner.submit_form"),
    ]


def test_the_api_is_exempt_from_csrf_because_it_ignores_cookies(world):
    """Every state-changing API route answers 401 without a key, even to a browser holding a
    signed-in workspace session: cookies never authenticate the API, so it needs no CSRF."""
    app = world.app
    browser = app.test_client()
    sign_in(app, browser, agency="Cookie Tours", role="admin")
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted(set(rule.methods) & set(UNSAFE)):
            path = _fill(rule, {"place_id": "con-son"})
            response = browser.open(path, method=method, json={"version": 1})
            assert response.status_code == 401, (method, path, response.status_code)


# --- cookies and headers -----------------------------------------------------------------------


def _set_cookies(client, app) -> list[str]:
    """Every Set-Cookie the app sends: the session (CSRF token, sign-in) and the language."""
    cookies = client.get("/?lang=en").headers.getlist("Set-Cookie")
    with app.extensions["tourplanner.storage.db"].session() as session:
        from tourplanner.api.keys import create_agency
        from tourplanner.api.keys import create_key

        token = create_key(session, create_agency(session, "Cookie Co"), "planner")[1]
    response = client.post(
        "/agency/login", data={"csrf_token": csrf_token(client, "/agency/login"), "token": token}
    )
    assert response.status_code == 302
    cookies += response.headers.getlist("Set-Cookie")
    assert {c.split("=", 1)[0] for c in cookies} == {"session", "lang"}
    return cookies


def test_cookies_are_httponly_and_samesite(app):
    """Session and language cookies are HttpOnly and SameSite; not Secure on plain HTTP."""
    for cookie in _set_cookies(app.test_client(), app):
        assert "; HttpOnly" in cookie, cookie
        assert re.search(r"; SameSite=(Lax|Strict)", cookie), cookie
        assert "; Secure" not in cookie, cookie


@pytest.mark.parametrize("how", ["mapping", "environment"])
def test_cookies_are_secure_behind_https(sqlite_url, how):
    """With HTTPS on (the mapping, or HTTPS=1 in the environment) every cookie is Secure."""
    if how == "mapping":
        config = {"TESTING": True, "DATABASE_URL": sqlite_url, "AUTO_SEED": False, "HTTPS": True}
    else:
        config = Config.from_env({"HTTPS": "1", "DATABASE_URL": sqlite_url, "AUTO_SEED": "0"})
        config.TESTING = True
    app = create_app(config)
    try:
        for cookie in _set_cookies(app.test_client(), app):
            assert "; Secure" in cookie and "; HttpOnly" in cookie, cookie
            assert re.search(r"; SameSite=(Lax|Strict)", cookie), cookie
    finally:
        app.extensions["tourplanner.storage.db"].dispose()


def assert_security_headers(response, where: str) -> None:
    """The headers every response carries, whatever its kind."""
    headers = response.headers
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("script-src") == ["'self'"], (where, csp)
    assert directives.get("object-src") == ["'none'"], (where, csp)
    assert directives.get("frame-ancestors") == ["'none'"], (where, csp)
    assert directives.get("base-uri") == ["'self'"], (where, csp)
    assert "unsafe-inline" not in csp.split("style-src")[0] and "unsafe-eval" not in csp, where
    assert headers.get("X-Content-Type-Options") == "nosniff", where
    assert headers.get("X-Frame-Options") == "DENY", where
    # share links are capabilities: never send them to another site in a Referer
    assert headers.get("Referrer-Policy") in ("same-origin", "no-referrer", "strict-origin"), where


def test_security_headers_on_every_kind_of_response(world):
    """Pages, error pages, redirects, JSON API answers and errors, exports, static files,
    HEAD and OPTIONS all carry the security headers."""
    client = world.app.test_client()
    key = auth(world.keys.planner)
    it = world.itinerary_id
    requests = [
        ("GET", "/", {}, 200),
        ("GET", "/catalogue/con-son", {}, 200),
        ("GET", f"/i/{it}", {}, 200),
        ("GET", f"/i/{it}/print", {}, 200),
        ("GET", "/nowhere", {}, 404),
        ("GET", "/nowhere", {"Accept": "application/json"}, 404),
        ("GET", "/agency/", {}, 302),
        ("GET", "/agency/login", {}, 200),
        ("POST", "/", {}, 400),  # CSRF refusal
        ("DELETE", "/", {}, 405),
        ("GET", "/api/suggest?q=ha", {}, 200),
        ("GET", "/api/suggest?kind=ship", {}, 400),
        ("GET", "/healthz", {}, 200),
        ("GET", "/api/v1/provinces", key, 200),
        ("GET", "/api/v1/provinces", {}, 401),
        ("GET", "/api/v1/places/nowhere", key, 404),
        ("GET", "/api/v1/openapi.json", {}, 200),
        ("GET", "/api/v1/docs", {}, 200),
        ("GET", f"/i/{it}.json", {}, 200),
        ("GET", f"/i/{it}.geojson", {}, 200),
        ("GET", f"/i/{it}.ics", {}, 200),
        ("GET", f"/i/{it}.pdf", {}, 200),
        ("GET", f"/agency/batches/{world.batch_id}.csv", {}, 302),
        ("GET", "/static/css/app.css", {}, 200),
        ("GET", "/static/js/form.js", {}, 200),
        ("GET", "/static/fonts/DejaVuSans.ttf", {}, 200),
        ("GET", "/static/nothing.js", {}, 404),
        ("HEAD", "/", {}, 200),
        ("OPTIONS", "/", {}, 200),
    ]
    for method, path, headers, status in requests:
        response = client.open(path, method=method, headers=headers)
        response.close()  # static files are streamed
        assert response.status_code == status, (method, path, response.status_code)
        assert_security_headers(response, f"{method} {path}")
    for path in (f"/agency/batches/{world.batch_id}.csv", f"/agency/batches/{world.batch_id}"):
        response = world.workspace.get(path)
        assert response.status_code == 200
        assert_security_headers(response, path)


def test_security_headers_on_500_pages(sqlite_url):
    """An unexpected error, as a page and as JSON, is a 500 with the same headers."""
    app = make_app(sqlite_url, seed=False)

    def boom():
        raise RuntimeError("boom")

    app.add_url_rule("/boom", "boom", boom)
    app.add_url_rule("/api/boom", "api_boom", boom)
    client = app.test_client()
    try:
        for path in ("/boom", "/api/boom"):
            response = client.get(path)
            assert response.status_code == 500
            assert "boom" not in response.get_data(as_text=True)  # no traceback, no message
            assert_security_headers(response, path)
        assert client.get("/api/boom").is_json
    finally:
        app.extensions["tourplanner.storage.db"].dispose()


# --- API keys ----------------------------------------------------------------------------------


def _every_stored_value(app) -> str:
    """Every value of every column of every table, as one text."""
    database = app.extensions["tourplanner.storage.db"]
    with database.session() as session:
        tables = sql_inspect(session.get_bind()).get_table_names()
        assert {"api_keys", "audit_log", "agencies", "jobs"} <= set(tables)
        values = [
            repr(value)
            for table in tables
            for row in session.execute(text(f'SELECT * FROM "{table}"'))
            for value in row
        ]
    return "\n".join(values)


def test_no_key_is_stored_in_plain_text(database_url):
    """After keys were made, used for edits and plans and used to sign in, no column of any
    table holds a token or its secret part (only the SHA-256 and the public prefix)."""
    app = make_app(database_url)
    try:
        keys = make_keys(app)
        client = app.test_client()
        patch = {"name_en": "Con Son", "version": 1}
        assert (
            client.patch(
                "/api/v1/places/con-son", json=patch, headers=auth(keys.editor)
            ).status_code
            == 200
        )
        assert client.post("/api/v1/plans", json={}, headers=auth(keys.planner)).status_code == 400
        browser = app.test_client()
        response = browser.post(
            "/agency/login",
            data={"csrf_token": csrf_token(browser, "/agency/login"), "token": keys.admin},
        )
        assert response.status_code == 302
        stored = _every_stored_value(app)
        tokens = [keys.planner, keys.editor, keys.other, keys.admin]
        for token in tokens:
            secret = token.split("_", 2)[2]
            assert token not in stored and secret not in stored
            assert secret[:12] not in stored
            assert api_keys.hash_token(token) in stored
        # the signed (but readable) session cookie names the key row, never the token
        cookie = browser.get_cookie("session").value
        session_data = app.session_interface.get_signing_serializer(app).loads(cookie)
        assert keys.admin not in json.dumps(session_data)
        assert keys.admin.split("_", 2)[2] not in cookie
    finally:
        app.extensions["tourplanner.storage.db"].dispose()


def test_keys_are_compared_in_constant_time(app, monkeypatch):
    """The stored hash is compared with hmac.compare_digest on every path that checks a key
    (API and workspace sign-in), and nowhere with ``==``."""
    keys = make_keys(app)
    calls: list[tuple[str, str]] = []
    real = hmac.compare_digest

    def recording(a, b):
        calls.append((a, b))
        return real(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    prefix = keys.editor.split("_")[1]
    wrong = f"tp_{prefix}_" + "A" * 43  # a real key's prefix, a wrong secret
    client = app.test_client()
    assert client.get("/api/v1/provinces", headers=auth(keys.editor)).status_code == 200
    assert client.get("/api/v1/provinces", headers=auth(wrong)).status_code == 401
    browser = app.test_client()
    response = browser.post(
        "/agency/login", data={"csrf_token": csrf_token(browser, "/agency/login"), "token": wrong}
    )
    assert response.status_code == 401
    assert (api_keys.hash_token(keys.editor),) * 2 in calls
    assert sum(1 for _, b in calls if b == api_keys.hash_token(wrong)) == 2
    source = inspect.getsource(api_keys)
    assert not re.search(r"key_hash\s*[!=]=|[!=]=\s*\w*\.?key_hash", source)
    assert "ApiKeyRow.key_hash ==" not in source  # rows are found by prefix, never by secret


#: the role each API operation needs (admin ⊃ editor ⊃ planner); keys are managed only on the
#: command line (`tourplanner key create/revoke`), so no operation may touch keys or agencies
ROLE_OF = {
    ("post", "/plans"): "planner",
    ("get", "/jobs/{job_id}"): "planner",
    ("get", "/itineraries/{itinerary_id}"): "planner",
    ("get", "/places"): "planner",
    ("post", "/places"): "editor",
    ("get", "/places/{place_id}"): "planner",
    ("put", "/places/{place_id}"): "editor",
    ("patch", "/places/{place_id}"): "editor",
    ("delete", "/places/{place_id}"): "editor",
    ("get", "/places/{place_id}/audit"): "editor",
    ("get", "/provinces"): "planner",
    ("get", "/itineraries/{itinerary_id}/quote"): "planner",
    ("get", "/itineraries/{itinerary_id}/quote.xlsx"): "planner",
    ("post", "/batches"): "planner",
    ("get", "/batches/{batch_id}"): "planner",
    ("get", "/batches/{batch_id}/items"): "planner",
    ("get", "/batches/{batch_id}/summary.csv"): "planner",
    ("get", "/batches/{batch_id}/prices.xlsx"): "planner",
    ("post", "/batches/{batch_id}/replan"): "planner",
}
RANK = {"planner": 0, "editor": 1, "admin": 2}
#: a body each write accepts as far as the role check, and which then changes nothing
BODIES = {
    ("post", "/plans"): {},
    ("post", "/places"): {},
    ("put", "/places/{place_id}"): {"version": 1},
    ("patch", "/places/{place_id}"): {"version": 1},
}


def _operations(client) -> list[tuple[str, str]]:
    spec = client.get("/api/v1/openapi.json").get_json()
    return sorted(
        (method, path.removeprefix("/api/v1"))
        for path, item in spec["paths"].items()
        for method in item
        if method != "parameters"
    )


def test_every_api_operation_enforces_keys_and_roles(app):
    """Every OpenAPI operation × every kind of caller: no key, a malformed key, a revoked key
    → 401; a role below the operation's → 403; the role or above → past the check. Nothing
    the refused calls sent changed the catalogue or the audit log."""
    keys = make_keys(app)
    client = app.test_client()
    assert set(_operations(client)) == set(ROLE_OF), "classify the new operation in ROLE_OF"
    assert not [p for _, p in ROLE_OF if "key" in p or "agenc" in p]
    with app.extensions["tourplanner.storage.db"].session() as session:
        from tourplanner.api.keys import create_key
        from tourplanner.api.keys import find_agency

        revoked_row, revoked = create_key(session, find_agency(session, "Agency A"), "admin")
        revoke_key(session, revoked_row.prefix)
        job_id = create_job(session, "plan", {"request": {}})
    callers = {
        "none": ({}, None),
        "malformed": ({"Authorization": "Bearer tp_nonsense"}, None),
        "revoked": (auth(revoked), None),
        "planner": (auth(keys.planner), "planner"),
        "other-agency planner": (auth(keys.other), "planner"),
        "editor": (auth(keys.editor), "editor"),
        "admin": (auth(keys.admin), "admin"),
    }
    before = client.get("/api/v1/places/con-son", headers=auth(keys.admin)).get_json()
    outcomes = Counter()
    for method, path in _operations(client):
        url = "/api/v1" + path.format(
            place_id="con-son", job_id=job_id, itinerary_id="none", batch_id="none"
        )
        for name, (headers, role) in callers.items():
            extra = {"If-Match": '"999"'} if method == "delete" else {}
            response = client.open(
                url, method=method.upper(), json=BODIES.get((method, path)), headers=headers | extra
            )
            status = response.status_code
            where = (method, path, name, status, response.get_json())
            if role is None:
                assert status == 401 and "WWW-Authenticate" in response.headers, where
                outcomes["401"] += 1
            elif RANK[role] < RANK[ROLE_OF[(method, path)]]:
                assert status == 403 and response.get_json()["error"] == "forbidden", where
                outcomes["403"] += 1
            else:
                assert status not in (401, 403) and status < 500, where
                outcomes["allowed"] += 1
    assert outcomes == {"401": 57, "403": 10, "allowed": 66}
    after = client.get("/api/v1/places/con-son", headers=auth(keys.admin)).get_json()
    assert after == before
    with app.extensions["tourplanner.storage.db"].session() as session:
        assert session.scalars(select(AuditRow)).all() == []


def test_every_body_is_capped(app):
    """Each API operation that reads a body answers an oversized one with a JSON 413 (and
    changes nothing); the web forms answer a body over 2 MiB with 413 too."""
    keys = make_keys(app)
    client = app.test_client()
    big = json.dumps({"version": 1, "description_en": "x" * (300 * 1024)})
    spec = client.get("/api/v1/openapi.json").get_json()
    with_body = [
        (method, path)
        for path, item in spec["paths"].items()
        for method, op in item.items()
        if isinstance(op, dict) and "requestBody" in op
    ]
    assert len(with_body) == 6
    for method, path in with_body:
        url = path.format(place_id="con-son", batch_id="none")
        response = client.open(
            url,
            method=method.upper(),
            data=big,
            content_type="application/json",
            headers=auth(keys.admin),
        )
        assert response.status_code == 413, (method, path, response.status_code)
        assert response.get_json()["error"] == "request_entity_too_large"
    place = client.get("/api/v1/places/con-son", headers=auth(keys.admin)).get_json()
    assert place["version"] == 1 and "x" * 100 not in place["description_en"]
    huge = "x" * (3 * 1024 * 1024)
    browser = app.test_client()
    sign_in(app, browser)
    for path in ("/", "/agency/batches", "/agency/login"):
        token = csrf_token(browser, "/agency/login")
        response = browser.post(path, data={"csrf_token": token, "start": huge})
        assert response.status_code == 413, (path, response.status_code)


def test_rate_limit_refuses_writes_too(sqlite_url):
    """Past the limit a write is 429 with Retry-After, and is not carried out."""
    app = make_app(sqlite_url)
    app.config["API_RATE_LIMIT"] = 2
    try:
        keys = make_keys(app)
        client = app.test_client()
        for _ in range(2):
            assert client.get("/api/v1/provinces", headers=auth(keys.editor)).status_code == 200
        response = client.patch(
            "/api/v1/places/con-son",
            json={"name_en": "Changed", "version": 1},
            headers=auth(keys.editor),
        )
        assert response.status_code == 429
        assert int(response.headers["Retry-After"]) >= 1
        with app.extensions["tourplanner.storage.db"].session() as session:
            assert session.scalars(select(AuditRow)).all() == []
        fresh = client.get("/api/v1/places/con-son", headers=auth(keys.admin)).get_json()
        assert fresh["name_en"] != "Changed" and fresh["version"] == 1
    finally:
        app.extensions["tourplanner.storage.db"].dispose()


def _audit_rows(app) -> list[tuple]:
    with app.extensions["tourplanner.storage.db"].session() as session:
        rows = session.scalars(select(AuditRow).order_by(AuditRow.id)).all()
        return [(r.id, r.at, r.key_id, r.place_id, r.action, r.before, r.after) for r in rows]


def test_audit_trail_cannot_be_changed_through_the_api(app):
    """Every method on every audit path (and the paths one might guess) with editor and admin
    keys is 404 or 405, never 2xx, and the rows stay as they were."""
    keys = make_keys(app)
    client = app.test_client()
    response = client.patch(
        "/api/v1/places/con-son",
        json={"name_en": "Audited", "version": 1},
        headers=auth(keys.editor),
    )
    assert response.status_code == 200
    rows = _audit_rows(app)
    assert len(rows) == 1
    row_id = rows[0][0]
    spec_paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert all(
        set(item) <= {"get", "parameters"} for path, item in spec_paths.items() if "audit" in path
    )
    paths = [
        "/api/v1/places/con-son/audit",
        f"/api/v1/places/con-son/audit/{row_id}",
        "/api/v1/audit",
        f"/api/v1/audit/{row_id}",
        "/api/v1/audit_log",
        f"/api/v1/audit_log/{row_id}",
    ]
    tried = 0
    for path in paths:
        for method in ("GET", *UNSAFE):
            if method == "GET" and path.endswith("/con-son/audit"):
                continue  # reading is allowed
            for key in (keys.editor, keys.admin):
                body = {"action": "forged", "after": None, "version": 1}
                response = client.open(path, method=method, json=body, headers=auth(key))
                assert response.status_code in (404, 405), (method, path, response.status_code)
                tried += 1
    assert tried == 58
    assert _audit_rows(app) == rows
    listed = client.get("/api/v1/places/con-son/audit", headers=auth(keys.editor)).get_json()
    assert [r["id"] for r in listed] == [row_id] and listed[0]["action"] == "update"


# --- permalinks --------------------------------------------------------------------------------


def _token_bytes(token: str) -> bytes:
    return base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))


def assert_random_tokens(tokens: list[str], what: str) -> None:
    """At least 96 bits each, all different, and no shared 8-character start (a counter or a
    clock in the id would share one)."""
    assert len(set(tokens)) == len(tokens), f"{what}: a collision"
    assert all(len(_token_bytes(t)) >= 12 for t in tokens), f"{what}: fewer than 96 bits"
    assert len({t[:8] for t in tokens}) == len(tokens), f"{what}: ids share a prefix"
    if len(tokens) >= 10:  # 40 random ids come out sorted once in 40! runs
        assert sorted(tokens) != tokens, f"{what}: ids made in order sort in order"


def _neighbours(token: str) -> list[str]:
    """Ids a guesser would try next to a known one."""
    last = "B" if token[-1] != "B" else "C"
    out = [token[:-1] + last, token[:-1], token[:8], token + "A", token.swapcase()]
    return [t for t in out if t != token]


def _world_itinerary(world: World):
    with world.app.extensions["tourplanner.storage.db"].session() as session:
        return load_itinerary(session, world.itinerary_id)


def test_itinerary_and_job_ids_are_unguessable(world, database_url):
    """Ids of saved itineraries and of jobs are 96-bit random tokens; a neighbouring,
    truncated, extended or re-cased id is a 404 on every page, export and API route."""
    from tourplanner.services.itineraries import new_id

    app = make_app(database_url)
    try:
        keys = make_keys(app)
        itinerary = _world_itinerary(world)
        database = app.extensions["tourplanner.storage.db"]
        with database.session() as session:
            saved = [save_itinerary(session, itinerary).id for _ in range(40)]
            jobs = [create_job(session, "plan", {"request": {}}) for _ in range(40)]
        assert_random_tokens(saved, "itinerary ids")
        assert_random_tokens(jobs, "job ids")
        # every one of the 96 bits varies: over 2000 ids each bit is set about half the time
        counts = [0] * 96
        for token in (new_id() for _ in range(2000)):
            value = int.from_bytes(_token_bytes(token), "big")
            for bit in range(96):
                counts[bit] += value >> bit & 1
        assert all(800 < c < 1200 for c in counts), (min(counts), max(counts))
        client = app.test_client()
        key = auth(keys.planner)
        good, job = saved[0], jobs[0]
        assert client.get(f"/i/{good}").status_code == 200
        assert client.get(f"/jobs/{job}.json").status_code == 200
        for guess in _neighbours(good):
            for path in ("", ".json", ".ics", ".pdf", ".geojson", "/print"):
                assert client.get(f"/i/{guess}{path}").status_code == 404, (guess, path)
            assert client.get(f"/api/v1/itineraries/{guess}", headers=key).status_code == 404
        for guess in _neighbours(job):
            for path in (f"/jobs/{guess}", f"/jobs/{guess}.json"):
                assert client.get(path).status_code == 404, path
            assert client.get(f"/api/v1/jobs/{guess}", headers=key).status_code == 404
    finally:
        app.extensions["tourplanner.storage.db"].dispose()


def test_batch_ids_are_unguessable(world):
    """Batch ids are 96-bit tokens too; a neighbouring id is a 404 even to the owner."""
    assert_random_tokens([world.batch_id, world.replanned_id], "batch ids")
    for guess in _neighbours(world.batch_id):
        assert world.workspace.get(f"/agency/batches/{guess}").status_code == 404


# --- agency privacy ----------------------------------------------------------------------------


def test_other_agency_gets_404_on_every_batch_route(world):
    """Agency B, signed in, gets the very 404 an unknown id gets on every workspace route of
    agency A's batch (pages, exports, report, comparison, re-plan), never a 403."""
    app = world.app
    rival = app.test_client()
    sign_in(app, rival, agency="Rival Tours")
    assert world.batch_id not in rival.get("/agency/").get_data(as_text=True)
    token = csrf_token(rival, "/agency/")
    real, fake = world.replanned_id, "Z" * len(world.replanned_id)
    routes = 0
    for rule in app.url_map.iter_rules():
        if "batch_id" not in rule.arguments or not rule.rule.startswith("/agency/"):
            continue  # the API's batch routes: test_other_agency_gets_404_on_every_api_batch_route
        for method in sorted(set(rule.methods) & {"GET", "POST"}):
            data = {"csrf_token": token, "scenario": ""} if method == "POST" else None
            if method == "GET":
                assert world.workspace.get(_fill(rule, {"batch_id": real})).status_code == 200
            theirs = rival.open(_fill(rule, {"batch_id": real}), method=method, data=data)
            unknown = rival.open(_fill(rule, {"batch_id": fake}), method=method, data=data)
            assert theirs.status_code == unknown.status_code == 404, (rule.rule, method)
            assert theirs.get_data(as_text=True).replace(real, fake) == unknown.get_data(
                as_text=True
            )
            routes += 1
    assert routes == 12


def test_other_agency_gets_404_on_every_api_batch_route(world):
    """Agency B's key gets the very 404 an unknown id gets on every API route of agency A's
    batch (progress, items, exports, re-plan); a key of agency A reads it."""
    from tourplanner.api.keys import create_key
    from tourplanner.storage.agencies import AgencyRow
    from tourplanner.storage.batches import BatchRow

    app = world.app
    with app.extensions["tourplanner.storage.db"].session() as session:
        owner = session.get(AgencyRow, session.get(BatchRow, world.batch_id).agency_id)
        _, owner_token = create_key(session, owner, "planner")
    client = app.test_client()
    real, fake = world.batch_id, "Z" * len(world.batch_id)
    routes = 0
    for rule in app.url_map.iter_rules():
        if "batch_id" not in rule.arguments or not rule.rule.startswith("/api/v1/"):
            continue
        for method in sorted(set(rule.methods) & {"GET", "POST"}):
            body = {"scenario": None} if method == "POST" else None
            if method == "GET":
                mine = client.get(_fill(rule, {"batch_id": real}), headers=auth(owner_token))
                assert mine.status_code == 200, (rule.rule, mine.get_json())
            theirs = client.open(_fill(rule, {"batch_id": real}), method=method, json=body,
                                 headers=auth(world.keys.other))  # fmt: skip
            unknown = client.open(_fill(rule, {"batch_id": fake}), method=method, json=body,
                                  headers=auth(world.keys.other))  # fmt: skip
            assert theirs.status_code == unknown.status_code == 404, (rule.rule, method)
            assert theirs.get_json()["message"].replace(real, fake) == unknown.get_json()["message"]
            routes += 1
    assert routes == 5


def test_private_api_results_are_404_to_other_agencies_on_every_api_route(world):
    """An itinerary agency A planned privately through the API is 404 to agency B's key on
    every API route that takes an itinerary or job id, and readable with A's own keys."""
    client = world.app.test_client()
    it = world.itinerary_id
    assert (
        client.get(f"/api/v1/itineraries/{it}", headers=auth(world.keys.editor)).status_code == 200
    )
    for key in (world.keys.other, world.keys.admin):  # both of agency B
        response = client.get(f"/api/v1/itineraries/{it}", headers=auth(key))
        assert response.status_code == 404 and response.get_json()["error"] == "not_found"


def test_batch_products_are_404_to_other_agencies_through_the_api(world):
    """A product of agency A's batch (its itinerary and its job) is 404 to agency B's key, and
    readable with a key of agency A."""
    from tourplanner.api.keys import create_key
    from tourplanner.storage.agencies import AgencyRow
    from tourplanner.storage.batches import BatchItemRow
    from tourplanner.storage.batches import BatchRow

    database = world.app.extensions["tourplanner.storage.db"]
    with database.session() as session:
        item = session.scalars(
            select(BatchItemRow).where(
                BatchItemRow.batch_id == world.batch_id, BatchItemRow.itinerary_id.is_not(None)
            )
        ).first()
        itinerary_id, job_id = item.itinerary_id, item.job_id
        owner = session.get(AgencyRow, session.get(BatchRow, world.batch_id).agency_id)
        _, owner_token = create_key(session, owner, "planner")
    client = world.app.test_client()
    rival = auth(world.keys.other)
    assert client.get(f"/api/v1/itineraries/{itinerary_id}", headers=rival).status_code == 404
    assert client.get(f"/api/v1/jobs/{job_id}", headers=rival).status_code == 404
    mine = auth(owner_token)
    assert client.get(f"/api/v1/itineraries/{itinerary_id}", headers=mine).status_code == 200
    assert client.get(f"/api/v1/jobs/{job_id}", headers=mine).status_code == 200
