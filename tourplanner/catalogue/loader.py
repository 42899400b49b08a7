"""Load catalogue files into the database, all or nothing; export the catalogue as JSON/CSV.

Files are JSON lists (the data-file shape) or CSV tables (the export shape: lists joined by
``|``, nested values as JSON in their cell). Every bad row of every file is reported with its
file, row, field and reason, and then nothing is written.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from sqlalchemy.orm import Session

from tourplanner.catalogue.catalogue import Catalogue
from tourplanner.catalogue.models import Place
from tourplanner.catalogue.models import Province
from tourplanner.catalogue.records import RowError
from tourplanner.catalogue.records import field_label
from tourplanner.catalogue.records import parse_place
from tourplanner.catalogue.records import parse_province
from tourplanner.catalogue.records import place_to_record
from tourplanner.catalogue.records import province_index
from tourplanner.catalogue.records import shown
from tourplanner.catalogue.repository import CatalogueRepository
from tourplanner.errors import Reason
from tourplanner.errors import TourplannerError
from tourplanner.i18n import N_
from tourplanner.text import FORMULA_START
from tourplanner.text import spreadsheet_safe

log = logging.getLogger(__name__)

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
DEFAULT_FILES = ("provinces.json", "attractions.json", "hubs.json")
#: the largest catalogue file accepted, in bytes
MAX_FILE_BYTES = 20 * 1024 * 1024
CSV_COLUMNS = (
    "id",
    "kind",
    "name_vi",
    "name_en",
    "aliases",
    "province",
    "former_province",
    "lat",
    "lon",
    "categories",
    "tags",
    "visit_minutes",
    "min_visit_minutes",
    "opening_hours",
    "closed_dates",
    "ticket_vnd",
    "ticket",
    "value",
    "unesco",
    "heritage_rank",
    "festivals",
    "access",
    "hub_type",
    "lodging",
    "description_vi",
    "description_en",
    "sources",
    "uncertain",
    "retired",
    "value_basis",
    "part_of",
    "product",
    "lodging_tiers",
    "cruise",
)
PROVINCE_COLUMNS = ("id", "name_vi", "name_en", "status", "merged_into", "aliases", "sources")
#: keys a record may hold besides its columns (the API's place JSON adds ``version``)
_IGNORED_KEYS = {"version"}
_LIST_COLUMNS = {"aliases", "categories", "tags", "closed_dates", "uncertain"}
_JSON_COLUMNS = {
    "opening_hours",
    "ticket",
    "festivals",
    "access",
    "lodging",
    "sources",
    "value_basis",
    "product",
    "lodging_tiers",
    "cruise",
}
#: the deepest nesting a catalogue record needs is 3 (opening_hours[0].days[0])
MAX_DEPTH = 8
#: the longest integer literal read from JSON (longer ones are read as a float: out of range)
_MAX_INT_DIGITS = 30


class CatalogueImportError(TourplannerError):
    """A catalogue file has bad rows; ``errors`` lists every one. Nothing was loaded."""

    code = "invalid_catalogue_file"
    http_status = 400
    exit_code = 2

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(f"{len(errors)} problem(s) in the catalogue files; nothing was loaded")

    def to_dict(self) -> dict[str, object]:
        body = super().to_dict()
        body["rows"] = [
            {"file": e.file, "row": e.row, "field": e.field, "reason": e.reason}
            for e in self.errors
        ]
        return body


@dataclass(frozen=True, slots=True)
class LoadReport:
    """What a load changed."""

    provinces: int
    places: int
    provinces_changed: int
    places_changed: int


def _kind_from_name(path: Path) -> str | None:
    name = path.name.lower()
    if name.startswith("province"):
        return "province"
    if name.startswith("attraction"):
        return "attraction"
    if name.startswith(("hub", "gateway")):
        return "hub"
    return None


class _Duplicates(dict):
    """A JSON object that named some key more than once (``duplicates`` lists them)."""

    duplicates: list[str]


def _object(pairs: list[tuple[str, object]]) -> dict:
    record = dict(pairs)
    if len(record) < len(pairs):
        seen: set[str] = set()
        dup = _Duplicates(record)
        dup.duplicates = [k for k, _ in pairs if k in seen or seen.add(k)]
        return dup
    return record


def _int_literal(digits: str) -> int | float:
    """An integer from JSON; a very long one is read as a float (every field rejects it)."""
    return int(digits) if len(digits) <= _MAX_INT_DIGITS else float(digits)


def _structure_errors(name: str, row: int, value: object, where: str, depth: int = 0):
    """Duplicate keys and too deep nesting inside one record (recursion stops at MAX_DEPTH)."""
    if depth > MAX_DEPTH:
        yield RowError(
            name, row, where or "row", Reason.of(N_("reason.nested_too_deep"), levels=MAX_DEPTH)
        )
        return
    if isinstance(value, dict):
        for key in getattr(value, "duplicates", ()):
            field = f"{where}.{field_label(key)}" if where else field_label(key)
            yield RowError(name, row, field, Reason.of(N_("reason.duplicate_key")))
        for key, item in value.items():
            field = f"{where}.{field_label(key)}" if where else field_label(key)
            yield from _structure_errors(name, row, item, field, depth + 1)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from _structure_errors(name, row, item, f"{where}[{i}]", depth + 1)


def _looks_utf16(raw: bytes) -> bool:
    """Tell whether *raw* is a catalogue saved as UTF-16 (with or without its BOM)."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = raw[:4096].decode("utf-16", errors="ignore")
        except UnicodeError:
            return False
        return text.lstrip()[:1] in ("[", "{") or "id" in text.split("\n", 1)[0]
    head = raw[:64]
    halves = head[0::2], head[1::2]
    return len(head) >= 4 and any(h.count(0) >= 0.75 * len(h) for h in halves)


def _decode(name: str, raw: bytes) -> tuple[str | None, RowError | None]:
    """The text of a catalogue file (UTF-8, with or without a BOM), or why it is not one."""
    if _looks_utf16(raw):
        return None, RowError(name, 0, "file", Reason.of(N_("reason.utf16")))
    if b"\x00" in raw:
        line = raw[: raw.index(b"\x00")].count(b"\n") + 1
        return None, RowError(name, 0, "file", Reason.of(N_("reason.nul_byte"), line=line))
    try:
        return raw.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        if line > 1:
            reason = Reason.of(N_("reason.not_utf8_line"), byte=exc.start, line=line)
        else:
            reason = Reason.of(N_("reason.not_utf8"), byte=exc.start)
        return None, RowError(name, 0, "file", reason)


def read_records(
    path: Path, stream: IO[bytes] | None = None
) -> tuple[list[object], list[RowError]]:
    """Read the records of one JSON or CSV file; unreadable files become one error at row 0."""
    name = path.name
    try:
        raw = stream.read(MAX_FILE_BYTES + 1) if stream else path.read_bytes()
    except OSError as exc:
        return [], [
            RowError(
                name, 0, "file", Reason.of(N_("reason.unreadable"), detail=str(exc.strerror or exc))
            )
        ]
    if len(raw) > MAX_FILE_BYTES:
        return [], [
            RowError(
                name, 0, "file", Reason.of(N_("reason.file_too_large"), mib=MAX_FILE_BYTES // 2**20)
            )
        ]
    text, problem = _decode(name, raw)
    if problem or text is None:
        return [], [problem] if problem else []
    if path.suffix.lower() == ".csv":
        return _read_csv(name, text)
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_int=_int_literal)
    except json.JSONDecodeError as exc:
        return [], [
            RowError(
                name,
                0,
                "file",
                Reason.of(N_("reason.json_error_at"), detail=exc.msg, line=exc.lineno),
            )
        ]
    except RecursionError:
        return [], [RowError(name, 0, "file", Reason.of(N_("reason.json_too_deep")))]
    if not isinstance(data, list):
        return [], [RowError(name, 0, "file", Reason.of(N_("reason.json_list_of_objects")))]
    errors = [
        error
        for number, record in enumerate(data, start=1)
        for error in _structure_errors(name, number, record, "")
    ]
    return data, errors


#: a CSV row cut short (the file was truncated, or a row lost its cells)
_SHORT = object()


def _read_csv(name: str, text: str) -> tuple[list[object], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), restval=_SHORT)
    try:
        header = reader.fieldnames
    except csv.Error as exc:
        return [], [
            RowError(name, 0, "file", Reason.of(N_("reason.bad_csv_header"), detail=str(exc)))
        ]
    if not header or "id" not in header:
        return [], [RowError(name, 0, "file", Reason.of(N_("reason.csv_needs_id")))]
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        return [], [
            RowError(name, 0, field_label(c), Reason.of(N_("reason.column_twice"))) for c in twice
        ]
    records: list[object] = []
    errors: list[RowError] = []
    rows = enumerate(reader, start=1)
    while True:
        try:
            number, row = next(rows)
        except StopIteration:
            break
        except csv.Error as exc:
            detail: str | Reason = str(exc)
            if "field larger than field limit" in detail:
                detail = Reason.of(N_("reason.cell_too_long"), max=csv.field_size_limit())
            errors.append(
                RowError(
                    name, len(records) + 1, "row", Reason.of(N_("reason.unreadable"), detail=detail)
                )
            )
            break
        record: dict[str, object] = {}
        if _SHORT in row.values():
            have = sum(v is not _SHORT for v in row.values())
            errors.append(
                RowError(
                    name,
                    number,
                    "row",
                    Reason.of(N_("reason.row_cut_short"), have=have, header=len(header)),
                )
            )
        for key, cell in row.items():
            if key is None:
                errors.append(
                    RowError(name, number, "row", Reason.of(N_("reason.more_cells_than_header")))
                )
                continue
            if cell is _SHORT:
                continue
            cell = (cell or "").strip()
            if cell.startswith("'") and cell[1:2] in FORMULA_START:
                cell = cell[1:]  # undo the export's formula guard
            if key in _JSON_COLUMNS and cell:
                try:
                    record[key] = json.loads(cell)
                except json.JSONDecodeError:
                    errors.append(
                        RowError(name, number, key, Reason.of(N_("reason.cell_not_json")))
                    )
            elif key in _LIST_COLUMNS:
                record[key] = [v for v in cell.split("|") if v]
            else:
                record[key] = cell or None
        records.append(record)
    return records, errors


def check_files(
    paths: list[Path], known_provinces: list[Province]
) -> tuple[list[Province], list[Place], list[RowError]]:
    """Read and check *paths*; return the provinces, the places and every error found."""
    provinces: list[Province] = []
    province_rows: list[tuple[str, int]] = []
    place_inputs: list[tuple[Path, int, object]] = []
    errors: list[RowError] = []
    for path in paths:
        records, read_errors = read_records(path)
        errors.extend(read_errors)
        kind = _kind_from_name(path)
        errors.extend(_unknown_keys(path, records, kind))
        for number, record in enumerate(records, start=1):
            if kind == "province":
                province, row_errors = parse_province(record, file=path.name, row=number)
                errors.extend(row_errors)
                if province:
                    provinces.append(province)
                    province_rows.append((path.name, number))
            else:
                place_inputs.append((path, number, record))
    by_id = {p.id: p for p in known_provinces} | {p.id: p for p in provinces}
    index = province_index(list(by_id.values()))
    places: list[Place] = []
    seen: dict[str, tuple[str, int]] = {}
    for path, number, record in place_inputs:
        default_kind = _kind_from_name(path)
        place, row_errors = parse_place(
            record,
            index,
            file=path.name,
            row=number,
            default_kind=default_kind if default_kind == "attraction" else None,
        )
        errors.extend(row_errors)
        pid = record.get("id") if isinstance(record, dict) else None
        if isinstance(pid, str) and pid in seen:
            first_file, first_row = seen[pid]
            errors.append(
                RowError(
                    path.name,
                    number,
                    "id",
                    Reason.of(
                        N_("reason.duplicate_id"), id=shown(pid), file=first_file, row=first_row
                    ),
                )
            )
            continue
        if isinstance(pid, str):
            seen[pid] = (path.name, number)
        if place:
            places.append(place)
    errors.extend(_province_errors(provinces, province_rows, by_id))
    return provinces, places, errors


def _unknown_keys(path: Path, records: list[object], kind: str | None) -> list[RowError]:
    """Columns (CSV) or keys (JSON) that are no catalogue field: a typo would lose data."""
    known = set(PROVINCE_COLUMNS if kind == "province" else CSV_COLUMNS) | _IGNORED_KEYS
    found = [
        (number, key)
        for number, record in enumerate(records, start=1)
        if isinstance(record, dict)
        for key in record
        if key is not None and key not in known  # None: extra cells, reported by the reader
    ]
    if path.suffix.lower() == ".csv":
        unknown = sorted({key for _, key in found})
        return [
            RowError(path.name, 0, field_label(key), Reason.of(N_("reason.not_a_catalogue_column")))
            for key in unknown
        ]
    return [
        RowError(path.name, n, field_label(key), Reason.of(N_("reason.not_a_catalogue_field")))
        for n, key in found
    ]


def _province_errors(
    provinces: list[Province], rows: list[tuple[str, int]], by_id: dict[str, Province]
) -> list[RowError]:
    """A province listed twice, or merged into a province that is unknown or not current."""
    errors = []
    seen: dict[str, tuple[str, int]] = {}
    for province, (file, row) in zip(provinces, rows, strict=True):
        if province.id in seen:
            first_file, first_row = seen[province.id]
            errors.append(
                RowError(
                    file,
                    row,
                    "id",
                    Reason.of(
                        N_("reason.duplicate_id"),
                        id=repr(province.id),
                        file=first_file,
                        row=first_row,
                    ),
                )
            )
        seen.setdefault(province.id, (file, row))
        target = by_id.get(province.merged_into) if province.merged_into else None
        if province.merged_into and target is None:
            errors.append(
                RowError(
                    file,
                    row,
                    "merged_into",
                    Reason.of(N_("reason.unknown_province"), value=repr(province.merged_into)),
                )
            )
        elif target is not None and (target.status != "current" or target.id == province.id):
            errors.append(
                RowError(
                    file,
                    row,
                    "merged_into",
                    Reason.of(N_("reason.not_a_current_province"), id=repr(target.id)),
                )
            )
    return errors


def load_files(session: Session, paths: list[Path] | None = None) -> LoadReport:
    """Load catalogue files into the database in one transaction, or nothing at all.

    :param paths: files to load; the embedded catalogue when ``None``.
    :raise CatalogueImportError: listing every bad row; the database is left as it was.
    """
    paths = paths or [DATA_DIR / name for name in DEFAULT_FILES]
    repo = CatalogueRepository(session)
    provinces, places, errors = check_files(paths, repo.provinces())
    if errors:
        session.rollback()
        raise CatalogueImportError(errors)
    try:
        provinces_changed = repo.save_provinces(provinces)
        places_changed = repo.save_places(places)
        # A province that became former (or merged elsewhere) must not orphan stored places.
        stored_errors = repo.stored_place_errors() if provinces_changed else []
        if stored_errors:
            session.rollback()
            raise CatalogueImportError(stored_errors)
        session.commit()
    except Exception:
        session.rollback()
        raise
    log.info("catalogue loaded: %d places (%d changed)", len(places), places_changed)
    return LoadReport(len(provinces), len(places), provinces_changed, places_changed)


def export_json(catalogue: Catalogue) -> str:
    """Return the whole catalogue (places, retired ones included) as a JSON list."""
    records = [place_to_record(p) for p in _ordered(catalogue)]
    return json.dumps(records, ensure_ascii=False, indent=2) + "\n"


def export_csv(catalogue: Catalogue) -> str:
    """Return the whole catalogue as CSV (one row a place; the importer reads it back)."""
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for place in _ordered(catalogue):
        record = place_to_record(place)
        row = {}
        for key in CSV_COLUMNS:
            value = record.get(key)
            if key in _JSON_COLUMNS:
                cell = "" if value is None else json.dumps(value, ensure_ascii=False)
            elif key in _LIST_COLUMNS:
                cell = "|".join(value or [])
            elif isinstance(value, bool):
                cell = "true" if value else "false"
            else:
                cell = "" if value is None else str(value)
            row[key] = spreadsheet_safe(cell) if key not in ("lat", "lon") else cell
        writer.writerow(row)
    return out.getvalue()


def _ordered(catalogue: Catalogue) -> list[Place]:
    kinds = {"attraction": 0, "hub": 1, "gateway": 2}
    return sorted(catalogue.places.values(), key=lambda p: (kinds.get(p.kind, 3), p.id))
