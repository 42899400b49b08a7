"""Fuzzing the catalogue importer: no broken CSV/JSON file crashes `catalogue load`.

Every file either loads (exit 0) or is refused with one ``file, row N, field: reason`` line
per problem and exit 2, never a traceback; a refused file leaves every table byte for byte
as it was (a hash of every row of every table, before and after). Explicit nasty files
(encodings, BOMs, missing and extra columns, formulas, 10 MB fields, NUL bytes, truncation,
deep nesting, huge numbers, NaN, duplicate keys, empty files, binary garbage) run on SQLite
and PostgreSQL; hypothesis mutates valid files (byte flips, truncation, dropped columns,
nasty values, re-encoding). The JSON API's place editing parses records the same way: the
broken ones get a 400 naming the field, never a 500. The CSV export keeps spreadsheets from
running editor-typed formulas and still loads back unchanged.

:data:`STATS` counts the files tried by kind; to print it::

    python -c "import pytest; pytest.main(['-q', 'tests/hardening/test_fuzz_importer.py']); \
    from tests.hardening.test_fuzz_importer import STATS; print(sorted(STATS.items()))"
"""

from __future__ import annotations

import contextlib
import copy
import csv
import gzip
import hashlib
import io
import json
import random
import re
from collections import Counter
from dataclasses import dataclass
from dataclasses import field
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from sqlalchemy import MetaData
from sqlalchemy import select

from tests.conftest import CATALOGUE_FILES
from tests.conftest import make_app
from tourplanner.catalogue.loader import CSV_COLUMNS
from tourplanner.catalogue.loader import MAX_FILE_BYTES
from tourplanner.testing.keys import auth
from tourplanner.testing.keys import make_keys
from tourplanner.text import nfc

PROVINCES = json.loads(CATALOGUE_FILES[0].read_text(encoding="utf-8"))
ATTRACTIONS = json.loads(CATALOGUE_FILES[1].read_text(encoding="utf-8"))
HUBS = json.loads(CATALOGUE_FILES[2].read_text(encoding="utf-8"))
REPORT_LINE = re.compile(r"^(?P<file>[^,\n]+), row (?P<row>\d+), (?P<field>[^:\n]+): (?P<why>.+)$")
#: a spreadsheet runs a cell that starts with one of these
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
#: files tried, by database, test and kind (see the module docstring)
STATS: Counter[str] = Counter()
FUZZ_SETTINGS = {
    "derandomize": True,
    "database": None,
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}


# --- helpers ---------------------------------------------------------------------------


@pytest.fixture
def seeded(database_url):
    """The app with the tiny test catalogue, on SQLite and on PostgreSQL."""
    app = make_app(database_url)
    app.config["API_RATE_LIMIT"] = 10**6  # the API part sends more than 120 requests
    yield app
    app.extensions["tourplanner.storage.db"].dispose()


_REFLECTED: dict[object, MetaData] = {}


def fingerprint(app, skip: tuple[str, ...] = ()) -> tuple[dict[str, int], str]:
    """Row counts and a SHA-256 of every row of every table (in primary-key order)."""
    engine = app.extensions["tourplanner.storage.db"].engine
    meta = _REFLECTED.get(engine)
    if meta is None:
        meta = _REFLECTED[engine] = MetaData()
        meta.reflect(engine)
    counts: dict[str, int] = {}
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if table.name in skip:
                continue
            order = list(table.primary_key.columns) or list(table.columns)
            rows = conn.execute(select(table).order_by(*order)).all()
            counts[table.name] = len(rows)
            digest.update(table.name.encode())
            for row in rows:
                digest.update(repr(tuple(row)).encode())
    return counts, digest.hexdigest()


def load(app, *paths: Path):
    """Run ``tourplanner catalogue load PATHS`` and return click's result."""
    return app.test_cli_runner().invoke(args=["catalogue", "load", *map(str, paths)])


def refusal(result, names: set[str]) -> list[tuple[str, int, str]]:
    """Check *result* is a clean refusal; return its (file, row, field) lines.

    Exit 2, no traceback, nothing on stdout, one ``file, row N, field: reason`` line per
    problem naming one of *names* (or the stored places, ``database``), then the summary.
    """
    assert result.exit_code == 2, result.output[-2000:]
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    count = len(lines) - 1
    assert lines[-1] == f"Error: {count} problem(s) in the catalogue files; nothing was loaded"
    assert count >= 1
    found = []
    for line in lines[:-1]:
        match = REPORT_LINE.match(line)
        assert match, f"not a report line: {line[:200]!r}"
        assert match["file"] in names | {"database"}, line
        assert len(line) < 600, f"report line too long: {line[:200]}..."
        found.append((match["file"], int(match["row"]), match["field"]))
    return found


def new_place(**changes) -> dict:
    """A valid attraction that is not in the database yet, with *changes* applied."""
    record = copy.deepcopy(ATTRACTIONS[2])
    record.update(
        id="fuzz-chua-moi", kind="attraction", name_vi="Chùa Mới Thử", name_en="New Test Pagoda"
    )
    record.update(changes)
    return record


def as_json(*records) -> bytes:
    """Records as a catalogue JSON file."""
    return json.dumps(list(records), ensure_ascii=False).encode("utf-8")


def as_csv(*records: dict, columns=CSV_COLUMNS) -> bytes:
    """Records as a catalogue CSV file (the export's shape, without its formula guard)."""
    out = io.StringIO(newline="")
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for record in records:
        row = []
        for key in columns:
            value = record.get(key)
            if isinstance(value, list) and all(isinstance(v, str) for v in value):
                row.append("|".join(value))
            elif isinstance(value, dict | list):
                row.append(json.dumps(value, ensure_ascii=False))
            elif isinstance(value, bool):
                row.append("true" if value else "false")
            else:
                row.append("" if value is None else str(value))
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def raw_lat(text: str, literal: str) -> bytes:
    """JSON *text* with the first ``"lat"`` written as *literal* (which json.dumps refuses)."""
    return re.sub(r'"lat": [-0-9.e]+', f'"lat": {literal}', text, count=1).encode("utf-8")


def nested(depth: int) -> object:
    """A list nested *depth* deep."""
    value: object = 1
    for _ in range(depth):
        value = [value]
    return value


# --- explicit broken files -------------------------------------------------------------


@dataclass
class Case:
    """A broken file and (row, field) pairs its report must name."""

    id: str
    name: str
    content: bytes
    expect: set[tuple[int, str]] = field(default_factory=set)


def _explicit_cases() -> list[Case]:
    place = new_place()
    text = as_json(place).decode("utf-8")
    csv_text = as_csv(place).decode("utf-8")
    two = as_csv(place, new_place(id="fuzz-hai")).decode("utf-8")
    no_name = [c for c in CSV_COLUMNS if c != "name_vi"]
    garbage = random.Random(9).randbytes(4096)
    former_hanoi = [
        dict(p, status="former", merged_into="hai-phong") if p["id"] == "ha-noi" else p
        for p in PROVINCES
    ]
    return [
        # encodings and BOMs
        Case("latin-1", "attractions.json", text.encode("latin-1", "replace"), {(0, "file")}),
        Case("cp1258", "attractions.json", text.encode("cp1258", "replace"), {(0, "file")}),
        Case("cp1258-csv", "attractions.csv", csv_text.encode("cp1258", "replace"), {(0, "file")}),
        Case("utf-16-bom", "attractions.json", text.encode("utf-16"), {(0, "file")}),
        Case("utf-16-le", "attractions.json", text.encode("utf-16-le"), {(0, "file")}),
        Case("utf-16-be-csv", "attractions.csv", csv_text.encode("utf-16-be"), {(0, "file")}),
        Case("utf-16-bom-csv", "attractions.csv", csv_text.encode("utf-16"), {(0, "file")}),
        Case(
            "double-bom",
            "attractions.csv",
            b"\xef\xbb\xbf" + csv_text.encode("utf-8-sig"),
            {(0, "file")},
        ),
        Case(
            "bom-mid-json",
            "attractions.json",
            text.replace("[", "[\ufeff", 1).encode(),
            {(0, "file")},
        ),
        # missing, extra and misplaced columns and keys
        Case(
            "no-id-column", "attractions.csv", as_csv(place, columns=CSV_COLUMNS[1:]), {(0, "file")}
        ),
        Case("no-name-column", "attractions.csv", as_csv(place, columns=no_name), {(1, "name_vi")}),
        Case(
            "extra-column",
            "attractions.csv",
            two.replace("retired", "notes", 1).encode(),
            {(0, "notes")},
        ),
        Case(
            "twice-column",
            "attractions.csv",
            two.replace("retired", "lat", 1).encode(),
            {(0, "lat")},
        ),
        Case(
            "more-cells", "attractions.csv", (csv_text.rstrip("\n") + ",x\n").encode(), {(1, "row")}
        ),
        Case("fewer-cells", "attractions.csv", two.rsplit(",", 3)[0].encode(), {(2, "row")}),
        Case("missing-lat", "attractions.json", as_json({**place, "lat": None}), {(1, "lat")}),
        Case(
            "typo-key",
            "attractions.json",
            as_json({k if k != "name_vi" else "nmae_vi": v for k, v in place.items()}),
            {(1, "nmae_vi"), (1, "name_vi")},
        ),
        Case(
            "blank-column", "attractions.csv", two.replace("retired", "", 1).encode(), {(0, "''")}
        ),
        Case(
            "blank-twice",
            "attractions.csv",
            two.replace("retired", " ", 1).replace("uncertain", " ", 1).encode(),
            {(0, "' '")},
        ),
        Case("header-only-no-id", "attractions.csv", b"name_vi,lat\n", {(0, "file")}),
        # formulas in the wrong places (as text they are fine, see the export tests)
        Case("formula-lat", "attractions.csv", as_csv({**place, "lat": "=1+1"}), {(1, "lat")}),
        Case(
            "formula-minutes",
            "attractions.csv",
            as_csv({**place, "visit_minutes": "-1+1"}),
            {(1, "visit_minutes")},
        ),
        Case(
            "formula-province",
            "attractions.csv",
            as_csv({**place, "province": "@SUM(A1)"}),
            {(1, "province")},
        ),
        Case(
            "formula-value",
            "attractions.csv",
            as_csv({**place, "value": "+cmd|' /C calc'!A0"}),
            {(1, "value")},
        ),
        Case(
            "formula-json-cell",
            "attractions.csv",
            as_csv(place).replace(b'"[{""days""', b'"=HYPERLINK(""x"")[{""days""', 1),
            {(1, "opening_hours")},
        ),
        # 10 MB fields and too large files
        Case(
            "10mb-description",
            "attractions.json",
            as_json({**place, "description_en": "x" * 10_000_000}),
            {(1, "description_en")},
        ),
        Case(
            "10mb-cell",
            "attractions.csv",
            as_csv({**place, "description_en": "y" * 10_000_000}),
            {(1, "row")},
        ),
        Case(
            "10mb-key",
            "attractions.json",
            as_json({**place, "k" * 10_000_000: 1}),
            {(1, "k" * 57 + "...")},
        ),
        Case(
            "too-large",
            "attractions.json",
            b"[" + b" " * (MAX_FILE_BYTES + 1) + b"]",
            {(0, "file")},
        ),
        # NUL bytes, control characters, broken Unicode
        Case(
            "nul-byte", "attractions.json", text.replace("Chùa", "Ch\x00ùa").encode(), {(0, "file")}
        ),
        Case(
            "nul-byte-csv",
            "attractions.csv",
            csv_text.replace("Chùa", "Ch\x00ùa").encode(),
            {(0, "file")},
        ),
        Case(
            "nul-escape",
            "attractions.json",
            as_json({**place, "name_vi": "a\x00b"}),
            {(1, "name_vi")},
        ),
        Case(
            "escape-seq",
            "attractions.json",
            as_json({**place, "name_en": "\x1b[31mred"}),
            {(1, "name_en")},
        ),
        Case(
            "newline-name",
            "attractions.json",
            as_json({**place, "name_vi": "a\nb"}),
            {(1, "name_vi")},
        ),
        Case(
            "surrogate",
            "attractions.json",
            text.replace("Chùa Mới", "\\ud800Chùa", 1).encode(),
            {(1, "name_vi")},
        ),
        Case(
            "pipe-alias",
            "attractions.json",
            as_json({**place, "aliases": ["a|b"]}),
            {(1, "aliases[0]")},
        ),
        Case(
            "nul-in-source",
            "attractions.json",
            as_json({**place, "sources": {"lat": "x\x00"}}),
            {(1, "sources.lat")},
        ),
        # truncated files
        Case("cut-json", "attractions.json", as_json(place)[: len(text) // 2], {(0, "file")}),
        Case(
            "cut-csv",
            "attractions.csv",
            two[: len(two) - len(csv_text) // 2].encode(),
            {(2, "row")},
        ),
        Case(
            "cut-csv-quote",
            "attractions.csv",
            csv_text[: csv_text.index('[{""days""') + 6].encode(),
            {(1, "row")},
        ),
        # deep nesting
        Case("deep-file", "attractions.json", b"[" * 100_000 + b"]" * 100_000, {(0, "file")}),
        Case(
            "deep-field",
            "attractions.json",
            as_json({**place, "festivals": nested(50)}),
            {(1, "festivals[0]"), (1, "festivals" + "[0]" * 8)},
        ),
        # huge numbers, NaN, infinities
        Case("lat-1e400", "attractions.json", raw_lat(text, "1e400"), {(1, "lat")}),
        Case(
            "lat-5000-digits",
            "attractions.json",
            raw_lat(text, "2" + "1" * 5000),
            {(1, "lat")},
        ),
        Case(
            "int-2**80",
            "attractions.json",
            as_json({**place, "visit_minutes": 2**80}),
            {(1, "visit_minutes")},
        ),
        Case(
            "ticket-1e30",
            "attractions.json",
            as_json({**place, "ticket": {"adult_vnd": 10**30}}),
            {(1, "ticket.adult_vnd")},
        ),
        Case("lat-nan", "attractions.json", as_json({**place, "lat": float("nan")}), {(1, "lat")}),
        Case(
            "lon-infinity",
            "attractions.json",
            as_json({**place, "lon": float("inf")}),
            {(1, "lon")},
        ),
        Case(
            "value-minus-inf",
            "attractions.json",
            as_json({**place, "value": float("-inf")}),
            {(1, "value")},
        ),
        Case("csv-nan", "attractions.csv", as_csv({**place, "lat": "nan"}), {(1, "lat")}),
        Case("csv-inf", "attractions.csv", as_csv({**place, "lon": "-inf"}), {(1, "lon")}),
        Case(
            "festival-nan",
            "attractions.json",
            as_json({**place, "festivals": [{"name_vi": "Hội", "lunar_month": float("nan")}]}),
            {(1, "festivals[0].lunar_month")},
        ),
        # duplicates
        Case(
            "dup-key",
            "attractions.json",
            text.replace('"id":', '"id": "x", "id":', 1).encode(),
            {(1, "id")},
        ),
        Case(
            "dup-nested-key",
            "attractions.json",
            text.replace('"adult_vnd":', '"adult_vnd": 1, "adult_vnd":', 1).encode(),
            {(1, "ticket.adult_vnd")},
        ),
        Case("dup-id", "attractions.json", as_json(place, place), {(2, "id")}),
        Case("dup-id-csv", "attractions.csv", as_csv(place, place), {(2, "id")}),
        # empty files and binary garbage
        Case("empty-json", "attractions.json", b"", {(0, "file")}),
        Case("empty-csv", "attractions.csv", b"", {(0, "file")}),
        Case("blank-json", "attractions.json", b" \n\t\n", {(0, "file")}),
        Case("object-not-list", "attractions.json", b"{}", {(0, "file")}),
        Case("random-bytes", "attractions.json", garbage, {(0, "file")}),
        Case("random-bytes-csv", "attractions.csv", garbage, {(0, "file")}),
        Case("gzip", "attractions.json", gzip.compress(text.encode(), mtime=0), {(0, "file")}),
        Case("png", "attractions.csv", b"\x89PNG\r\n\x1a\n" + garbage[:200], {(0, "file")}),
        # wrong types
        Case("row-not-object", "attractions.json", b'[1, "x", null, []]', {(1, "row"), (4, "row")}),
        Case("id-number", "attractions.json", as_json({**place, "id": 7}), {(1, "id")}),
        Case(
            "lodging-text", "hubs.json", as_json({**HUBS[0], "lodging": "cheap"}), {(1, "lodging")}
        ),
        Case(
            "needs-number",
            "attractions.json",
            as_json({**place, "access": {"needs": 5}}),
            {(1, "access.needs")},
        ),
        Case(
            "note-list",
            "attractions.json",
            as_json({**place, "access": {"note_vi": ["x"]}}),
            {(1, "access.note_vi")},
        ),
        Case(
            "festival-name-number",
            "attractions.json",
            as_json(
                {
                    **place,
                    "festivals": [
                        {"name_vi": "Hội", "name_en": 5, "lunar_month": 1, "lunar_day": 1}
                    ],
                }
            ),
            {(1, "festivals[0].name_en")},
        ),
        Case(
            "ticket-note-dict",
            "attractions.json",
            as_json({**place, "ticket": {"note": {}}}),
            {(1, "ticket.note")},
        ),
        Case(
            "sources-list",
            "attractions.json",
            as_json({**place, "sources": ["x"]}),
            {(1, "sources")},
        ),
        Case(
            "long-name",
            "attractions.json",
            as_json({**place, "name_vi": "Đ" * 201}),
            {(1, "name_vi")},
        ),
        Case("long-id", "attractions.json", as_json({**place, "id": "a" * 81}), {(1, "id")}),
        # provinces files
        Case(
            "province-sources-text",
            "provinces.json",
            as_json({**PROVINCES[0], "sources": "ab"}),
            {(1, "sources")},
        ),
        Case(
            "province-merged-list",
            "provinces.json",
            as_json({**PROVINCES[7], "merged_into": ["hai-phong"]}),
            {(1, "merged_into")},
        ),
        Case(
            "province-long-name",
            "provinces.json",
            as_json({**PROVINCES[0], "name_en": "H" * 121}),
            {(1, "name_en")},
        ),
        Case(
            "province-into-former",
            "provinces.json",
            as_json({**PROVINCES[7], "merged_into": "bac-giang"}),
            {(1, "merged_into")},
        ),
        Case("province-twice", "provinces.json", as_json(PROVINCES[0], PROVINCES[0]), {(2, "id")}),
        Case(
            "province-orphans-places",
            "provinces.json",
            as_json(*former_hanoi),
            {(0, "hub-ha-noi.province"), (0, "gw-noi-bai.province")},
        ),
    ]


CASES = _explicit_cases()


def test_explicit_broken_files_are_refused_and_change_nothing(seeded, tmp_path):
    """Each nasty file: exit 2, every line ``file, row N, field: reason`` naming the expected
    rows and fields, no traceback, and every table of the database exactly as before."""
    dialect = seeded.extensions["tourplanner.storage.db"].engine.dialect.name
    before = fingerprint(seeded)
    failures = []
    for case in CASES:
        path = tmp_path / case.name
        path.write_bytes(case.content)
        result = load(seeded, path)
        STATS[f"{dialect} explicit file"] += 1
        try:
            found = refusal(result, {case.name})
            named = {(row, field) for _, row, field in found}
            assert case.expect <= named, f"expected {sorted(case.expect)}, got {sorted(named)}"
            if dialect == "sqlite":  # after each file; on PostgreSQL once, after all of them
                assert fingerprint(seeded) == before, "the database changed"
        except AssertionError as exc:
            failures.append(f"{case.id}: {str(exc)[:400]}")
    assert failures == [], "\n".join(failures)
    assert fingerprint(seeded) == before
    assert len(CASES) >= 75
    (tmp_path / "attractions.json").write_bytes(as_json(new_place()))
    assert load(seeded, tmp_path / "attractions.json").exit_code == 0  # the base file is fine


def test_good_files_with_boms_and_formula_text_load(app, tmp_path):
    """A UTF-8 BOM (JSON and CSV), an empty list and a header-only CSV are fine; a formula
    typed as a name is only text: it loads as written."""
    formula = '=HYPERLINK("http://evil.example/","Côn Sơn")'
    place = new_place(name_vi=formula, aliases=["+cmd", "-1+1", "@SUM(A1)"])
    files = {
        "attractions-bom.json": b"\xef\xbb\xbf" + as_json(new_place(id="fuzz-bom-json")),
        "attractions-bom.csv": b"\xef\xbb\xbf" + as_csv(new_place(id="fuzz-bom-csv")),
        "attractions-empty.json": b"[]",
        "attractions-header.csv": as_csv(),
        "attractions-formula.json": as_json(place),
    }
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
        result = load(app, tmp_path / name)
        assert result.exit_code == 0, (name, result.output)
    exported = app.test_cli_runner().invoke(args=["catalogue", "export"])
    records = {r["id"]: r for r in json.loads(exported.output)}
    assert {"fuzz-bom-json", "fuzz-bom-csv"} <= set(records)
    assert records["fuzz-chua-moi"]["name_vi"] == formula
    assert records["fuzz-chua-moi"]["aliases"] == ["+cmd", "-1+1", "@SUM(A1)"]


# --- mutations of valid files ----------------------------------------------------------

NASTY_BYTES = [
    b"\x00",
    b"\xef\xbb\xbf",
    b"\xff\xfe",
    b'"',
    b",",
    b"\n",
    b"\r",
    b"{",
    b"]",
    b"\\",
    b"\xc3",
    b"\xed\xa0\x80",
    b'=HYPERLINK("http://x")',
    b"\xe2\x80\xae",
]
NASTY_VALUES = [
    '=HYPERLINK("http://evil.example","x")',
    "+cmd|' /C calc'!A0",
    "-1+1",
    "@SUM(A1:A9)",
    "",
    None,
    [],
    {},
    True,
    -1,
    10**30,
    1e308,
    float("nan"),
    float("inf"),
    "x" * 5000,
    "\x00",
    "a\nb",
    "\u202etxt",
    "Hà Nội",
    nested(12),
    {"days": ["mon"], "open": "25:00"},
]
MUTATION = st.one_of(
    st.tuples(st.just("flip"), st.integers(0, 2**31), st.integers(1, 255)),
    st.tuples(st.just("truncate"), st.integers(0, 2**31)),
    st.tuples(st.just("insert"), st.integers(0, 2**31), st.sampled_from(NASTY_BYTES)),
    st.tuples(st.just("insert"), st.integers(0, 2**31), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("delete"), st.integers(0, 2**31), st.integers(1, 64)),
    st.tuples(st.just("drop_column"), st.integers(0, 2**31), st.integers(0, 2**31)),
    st.tuples(st.just("drop_header_cell"), st.integers(0, 2**31)),
    st.tuples(st.just("duplicate_row"), st.integers(0, 2**31)),
    st.tuples(
        st.just("set_value"),
        st.integers(0, 2**31),
        st.integers(0, 2**31),
        st.sampled_from(NASTY_VALUES),
    ),
    st.tuples(
        st.just("encode"),
        st.sampled_from(["latin-1", "cp1258", "utf-16", "utf-16-le", "utf-8-sig"]),
    ),
)


def _csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))


def _csv_bytes(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _structured(content: bytes, is_csv: bool, mutation: tuple) -> bytes:
    """Apply a mutation that needs the parsed file; the file unchanged if it does not parse."""
    kind, *args = mutation
    try:
        if is_csv:
            rows = _csv_rows(content)
            header = rows[0]
        else:
            records = json.loads(content.decode("utf-8"))
            objects = [r for r in records if isinstance(r, dict) and r]
    except (ValueError, IndexError, TypeError, csv.Error, RecursionError):
        return content
    if is_csv:
        if kind == "drop_column":
            col = args[0] % len(header)
            return _csv_bytes([r[:col] + r[col + 1 :] for r in rows])
        if kind == "drop_header_cell":
            col = args[0] % len(header)
            return _csv_bytes([header[:col] + header[col + 1 :], *rows[1:]])
        if kind == "duplicate_row" and len(rows) > 1:
            i = 1 + args[0] % (len(rows) - 1)
            return _csv_bytes([*rows[: i + 1], rows[i], *rows[i + 1 :]])
        if kind == "set_value" and len(rows) > 1:
            i, col, value = 1 + args[0] % (len(rows) - 1), args[1] % len(header), args[2]
            cell = value if isinstance(value, str) else json.dumps(value)
            rows[i] = [cell if j == col else c for j, c in enumerate(rows[i])]
            return _csv_bytes(rows)
        return content
    if not objects:
        return content
    record = objects[args[0] % len(objects)]
    if kind in ("drop_column", "set_value"):
        key = sorted(record)[args[1] % len(record)]
        if kind == "drop_column":
            del record[key]
        else:
            record[key] = args[2]
    elif kind == "drop_header_cell":
        key = sorted(record)[args[0] % len(record)]
        for other in objects:
            other.pop(key, None)
    elif kind == "duplicate_row":
        records.append(copy.deepcopy(record))
    return json.dumps(records, ensure_ascii=False).encode("utf-8")


def mutate(content: bytes, is_csv: bool, mutations: list[tuple]) -> bytes:
    """Apply *mutations* in turn to a file's bytes."""
    for mutation in mutations:
        kind, *args = mutation
        size = max(len(content), 1)
        if kind == "flip" and content:
            at = args[0] % size
            content = content[:at] + bytes([content[at] ^ args[1]]) + content[at + 1 :]
        elif kind == "truncate":
            content = content[: args[0] % size]
        elif kind == "insert":
            at = args[0] % (len(content) + 1)
            content = content[:at] + args[1] + content[at:]
        elif kind == "delete":
            at = args[0] % size
            content = content[:at] + content[at + args[1] :]
        elif kind == "encode":
            with contextlib.suppress(UnicodeDecodeError):
                content = content.decode("utf-8").encode(args[0], errors="replace")
        else:
            content = _structured(content, is_csv, mutation)
    return content


def test_mutated_files_load_or_are_refused_cleanly(seeded, tmp_path, database_url):
    """Hypothesis mutates the exported catalogue (JSON and CSV) and the provinces file: each
    file loads (and loading it again changes nothing) or is refused cleanly with the database
    untouched. More examples on SQLite, a subset on PostgreSQL."""
    runner = seeded.test_cli_runner()
    seeds = {
        "places.json": runner.invoke(args=["catalogue", "export"]).output.encode("utf-8"),
        "places.csv": runner.invoke(args=["catalogue", "export", "--format", "csv"]).output.encode(
            "utf-8"
        ),
        "provinces.json": CATALOGUE_FILES[0].read_bytes(),
    }
    for name, content in seeds.items():  # the unmutated files are good and change nothing
        (tmp_path / name).write_bytes(content)
    restore = [tmp_path / "provinces.json", tmp_path / "places.json"]
    assert load(seeded, *restore).exit_code == 0
    baseline = {"now": fingerprint(seeded)}
    dialect = "sqlite" if database_url.startswith("sqlite") else "postgresql"
    examples = 100 if dialect == "sqlite" else 40

    @settings(max_examples=examples, **FUZZ_SETTINGS)
    @given(
        name=st.sampled_from(sorted(seeds)),
        mutations=st.lists(MUTATION, min_size=1, max_size=3),
    )
    def check(name: str, mutations: list[tuple]) -> None:
        content = mutate(seeds[name], name.endswith(".csv"), mutations)
        path = tmp_path / f"fuzz-{name}"
        path.write_bytes(content)
        result = load(seeded, path)
        STATS[f"{dialect} mutated {name}"] += 1
        STATS[f"{dialect} mutated, exit {result.exit_code}"] += 1
        for mutation in mutations:
            STATS[f"{dialect} mutation {mutation[0]}"] += 1
        if result.exit_code == 0:
            assert result.exception is None or isinstance(result.exception, SystemExit)
            again = load(seeded, path)
            assert again.exit_code == 0, again.output
            assert again.output.count("(0 new or changed)") == 2, again.output  # idempotent
            exported = runner.invoke(args=["catalogue", "export"])
            assert exported.exit_code == 0, exported.output  # the catalogue still reads
            assert load(seeded, *restore).exit_code == 0
            baseline["now"] = fingerprint(seeded)
            return
        refusal(result, {path.name})
        assert fingerprint(seeded) == baseline["now"], "a refused file changed the database"

    check()


# --- the same records through the JSON API ---------------------------------------------

#: cases the API refuses as a whole body (non-finite numbers, nesting deeper than 20)
API_BODY_LEVEL = {
    "lat-nan",
    "lon-infinity",
    "value-minus-inf",
    "festival-nan",
    "deep-field",
    "lat-1e400",
}


def test_api_refuses_broken_place_records_without_a_500(seeded):
    """POST and PATCH of the broken records: 400 naming the field, never a 500, nothing
    stored (audit log included)."""
    keys = make_keys(seeded)
    client = seeded.test_client()
    headers = {**auth(keys.editor), "Content-Type": "application/json"}
    before = fingerprint(seeded, skip=("api_rate_windows",))
    place = new_place()
    bodies: list[tuple[str, bytes, str]] = []
    for case in CASES:
        # duplicate keys: a JSON API object keeps the last one, as JSON parsers do
        if case.name != "attractions.json" or case.id.startswith("dup-"):
            continue
        try:
            records = json.loads(case.content)
        except (ValueError, RecursionError):
            continue
        wanted = sorted(f for r, f in case.expect if r == 1)
        if wanted and isinstance(records, list) and isinstance(records[0], dict):
            body = json.dumps(records[0]).encode()
            bodies.append((case.id, body, "body" if case.id in API_BODY_LEVEL else wanted[0]))
    raw = json.dumps(place, ensure_ascii=False)
    bodies += [
        ("nan-literal", raw_lat(raw, "NaN"), "body"),
        ("deep", b"[" * 5000 + b"]" * 5000, "body"),
        ("huge-int", raw_lat(raw, "1" + "0" * 5000), "body"),
        ("not-utf8", raw.encode("cp1258", "replace"), "body"),
        ("truncated", raw.encode()[: len(raw) // 2], "body"),
    ]
    failures = []
    sent = 0
    for case_id, body, wanted in bodies:
        requests = [("POST", "/api/v1/places", body)]
        try:
            record = json.loads(body)
        except (ValueError, RecursionError):
            record = None
        if isinstance(record, dict):  # PATCH con-son with just the fields that differ
            diff = {k: v for k, v in record.items() if k not in place or place[k] != v}
            if re.split(r"[.\[]", wanted)[0] in diff:
                patch = json.dumps({**diff, "version": 1}).encode()
                requests.append(("PATCH", "/api/v1/places/con-son", patch))
        for method, url, data in requests:
            sent += 1
            STATS[
                f"{seeded.extensions['tourplanner.storage.db'].engine.dialect.name} API {method}"
            ] += 1
            response = client.open(url, method=method, data=data, headers=headers)
            payload = response.get_json(silent=True) or {}
            too_large = response.status_code == 413 and len(data) > 256 * 1024
            if not too_large and (response.status_code != 400 or wanted not in payload["fields"]):
                failures.append(f"{case_id} {method}: {response.status_code} {payload}"[:300])
    assert failures == [], "\n".join(failures)
    assert fingerprint(seeded, skip=("api_rate_windows",)) == before
    assert sent >= 45
    created = client.post("/api/v1/places", data=raw.encode(), headers=headers)
    assert created.status_code == 201  # the record all of them broke is itself fine


# --- the CSV export against formula injection ------------------------------------------

TEXT = st.text(
    alphabet=st.characters(
        codec="utf-8", categories=("L", "M", "N", "P", "S", "Zs"), exclude_characters="|"
    ),
    max_size=12,
)
EDITOR_TEXT = st.tuples(
    st.sampled_from(["", "=", "+", "-", "@", "'", "''", "'=", "'+", "=-", "@@", "'-1", "＝"]),
    TEXT,
).map("".join)


def test_csv_export_neutralises_formulas_and_loads_back_unchanged(app, tmp_path):
    """Text an editor typed (names, aliases, descriptions, notes starting with = + - @ or a
    quote): no exported CSV cell starts a formula, and loading the CSV back changes nothing."""
    runner = app.test_cli_runner()

    @settings(max_examples=30, **FUZZ_SETTINGS)
    @given(name=EDITOR_TEXT, alias=EDITOR_TEXT, description=EDITOR_TEXT, note=EDITOR_TEXT)
    def check(name: str, alias: str, description: str, note: str) -> None:
        name = name if nfc(name) else "=" + name  # a name cannot be blank
        record = new_place(
            name_vi=name,
            name_en=name,
            aliases=[alias],
            description_en=description,
            ticket={"adult_vnd": 10000, "note": note},
            access={"needs": [], "note_vi": note, "note_en": ""},
        )
        STATS["sqlite export round trip"] += 1
        (tmp_path / "attractions-edit.json").write_bytes(as_json(record))
        assert load(app, tmp_path / "attractions-edit.json").exit_code == 0
        csv_out = runner.invoke(args=["catalogue", "export", "--format", "csv"]).output
        rows = list(csv.DictReader(io.StringIO(csv_out, newline="")))
        for row in rows:
            for column, cell in row.items():
                if column not in ("lat", "lon"):
                    assert not cell.startswith(FORMULA_START), (column, cell)
        ours = next(r for r in rows if r["id"] == "fuzz-chua-moi")
        assert ours["name_vi"] in (nfc(name), "'" + nfc(name))
        before = runner.invoke(args=["catalogue", "export"]).output
        (tmp_path / "places.csv").write_text(csv_out, encoding="utf-8")
        again = load(app, tmp_path / "places.csv")
        assert again.exit_code == 0, again.output
        assert again.output.count("(0 new or changed)") == 2, again.output
        assert runner.invoke(args=["catalogue", "export"]).output == before
        exported = {r["id"]: r for r in json.loads(before)}["fuzz-chua-moi"]
        assert (exported["name_vi"], exported["aliases"]) == (
            nfc(name),
            [nfc(alias)] if nfc(alias) else [],
        )

    check()
