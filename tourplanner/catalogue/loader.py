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
from tourplanner.catalogue.records import parse_place
from tourplanner.catalogue.records import parse_province
from tourplanner.catalogue.records import place_to_record
from tourplanner.catalogue.records import province_index
from tourplanner.catalogue.repository import CatalogueRepository
from tourplanner.errors import TourplannerError

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
)
_LIST_COLUMNS = {"aliases", "categories", "tags", "closed_dates", "uncertain"}
_JSON_COLUMNS = {"opening_hours", "ticket", "festivals", "access", "lodging", "sources"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


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


def read_records(
    path: Path, stream: IO[bytes] | None = None
) -> tuple[list[object], list[RowError]]:
    """Read the records of one JSON or CSV file; unreadable files become one error at row 0."""
    name = path.name
    try:
        raw = stream.read(MAX_FILE_BYTES + 1) if stream else path.read_bytes()
    except OSError as exc:
        return [], [RowError(name, 0, "file", f"cannot be read: {exc.strerror or exc}")]
    if len(raw) > MAX_FILE_BYTES:
        return [], [RowError(name, 0, "file", f"is larger than {MAX_FILE_BYTES // 2**20} MiB")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return [], [RowError(name, 0, "file", f"is not UTF-8 (byte {exc.start})")]
    if path.suffix.lower() == ".csv":
        return _read_csv(name, text)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [RowError(name, 0, "file", f"is not valid JSON: {exc.msg} at line {exc.lineno}")]
    if not isinstance(data, list):
        return [], [RowError(name, 0, "file", "must hold a JSON list of objects")]
    return data, []


def _read_csv(name: str, text: str) -> tuple[list[object], list[RowError]]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames or "id" not in reader.fieldnames:
        return [], [RowError(name, 0, "file", "a CSV file needs a header row with an id column")]
    records: list[object] = []
    errors: list[RowError] = []
    for number, row in enumerate(reader, start=1):
        record: dict[str, object] = {}
        for key, cell in row.items():
            if key is None:
                errors.append(RowError(name, number, "row", "has more cells than the header"))
                continue
            cell = (cell or "").strip()
            if cell.startswith("'") and cell[1:2] in _FORMULA_START:
                cell = cell[1:]  # undo the export's formula guard
            if key in _JSON_COLUMNS and cell:
                try:
                    record[key] = json.loads(cell)
                except json.JSONDecodeError:
                    errors.append(RowError(name, number, key, "is not valid JSON"))
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
    place_inputs: list[tuple[Path, int, object]] = []
    errors: list[RowError] = []
    for path in paths:
        records, read_errors = read_records(path)
        errors.extend(read_errors)
        kind = _kind_from_name(path)
        for number, record in enumerate(records, start=1):
            if kind == "province":
                province, row_errors = parse_province(record, file=path.name, row=number)
                errors.extend(row_errors)
                if province:
                    provinces.append(province)
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
                    f"duplicate id {pid!r} (also {first_file} row {first_row})",
                )
            )
            continue
        if isinstance(pid, str):
            seen[pid] = (path.name, number)
        if place:
            places.append(place)
    for province in provinces:
        if province.merged_into and province.merged_into not in by_id:
            errors.append(
                RowError(
                    "provinces", 0, "merged_into", f"unknown province {province.merged_into!r}"
                )
            )
    return provinces, places, errors


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


def _guard(cell: str) -> str:
    """Keep spreadsheets from running a cell as a formula."""
    return "'" + cell if cell.startswith(_FORMULA_START) else cell


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
            row[key] = _guard(cell) if key not in ("lat", "lon") else cell
        writer.writerow(row)
    return out.getvalue()


def _ordered(catalogue: Catalogue) -> list[Place]:
    kinds = {"attraction": 0, "hub": 1, "gateway": 2}
    return sorted(catalogue.places.values(), key=lambda p: (kinds.get(p.kind, 3), p.id))
