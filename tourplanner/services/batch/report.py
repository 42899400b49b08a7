"""Figures of a batch: the summary table, its CSV/JSON exports, the linkage report across
provinces and links, and the comparison of a batch with its re-plan under a scenario.

Everything here is computed from the saved itineraries (the contract JSON), so a report is the
same whichever process planned the products.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections import defaultdict
from dataclasses import dataclass
from dataclasses import field
from datetime import datetime
from typing import Any

from tourplanner.services.batch.service import DONE
from tourplanner.services.batch.service import BatchView
from tourplanner.services.batch.service import ItemView
from tourplanner.text import spreadsheet_safe

SUMMARY_COLUMNS = (
    "row",
    "name",
    "status",
    "value",
    "cost_per_person_vnd",
    "km",
    "drive_minutes",
    "provinces",
    "groups",
    "group_days",
    "itinerary_id",
    "problem",
)


def group_days(itinerary: dict[str, Any]) -> list[dict[str, Any]]:
    """Each group's days of *itinerary*: ``[{"group": 1, "days": [{"date", "places"}]}]``."""
    by_group: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for day in itinerary["days"]:
        places = [s["name_vi"] for s in day["stops"] if s["kind"] == "attraction"]
        by_group[int(day.get("group", 0))].append({"date": day["date"], "places": places})
    return [{"group": g + 1, "days": days} for g, days in sorted(by_group.items())]


def _group_days_text(groups: list[dict[str, Any]]) -> str:
    parts = []
    for g in groups:
        days = "; ".join(f"{d['date'][5:]} {', '.join(d['places']) or '—'}" for d in g["days"])
        parts.append(f"G{g['group']}: {days}")
    return " | ".join(parts)


def _problem(item: ItemView) -> str:
    if item.errors:
        return "; ".join(f"{e['field']}: {e['reason']}" for e in item.errors)
    if item.error:
        return str(item.error.get("message", item.error.get("error", "")))
    return ""


def summary_rows(view: BatchView) -> list[dict[str, Any]]:
    """One row per product with the figures agencies compare (blank until planned)."""
    rows = []
    for item in view.items:
        row: dict[str, Any] = dict.fromkeys(SUMMARY_COLUMNS, "")
        row.update(row=item.row, name=item.name, status=item.status, problem=_problem(item))
        row["groups"] = item.request.get("groups", "") if item.status != "invalid" else ""
        it = item.itinerary
        if it is not None:
            summary = it["summary"]
            groups = group_days(it)
            row.update(
                value=summary["value"],
                cost_per_person_vnd=summary["cost_vnd"],
                km=summary["km"],
                drive_minutes=summary.get("drive_minutes", 0),
                provinces=summary["provinces"],
                groups=len(groups),
                group_days=groups,
                itinerary_id=item.itinerary_id,
            )
        rows.append(row)
    return rows


def batch_json(view: BatchView) -> dict[str, Any]:
    """The batch as JSON: identity, counts and the summary rows."""
    return {
        "id": view.id,
        "name": view.name,
        "scenario": view.scenario,
        "base_id": view.base_id,
        "created_at": view.created_at,
        "finished": view.finished,
        "counts": view.counts,
        "products": [
            {**row, "progress": item.progress, "errors": item.errors}
            for row, item in zip(summary_rows(view), view.items, strict=True)
        ],
    }


def _cell(value: Any) -> Any:
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return spreadsheet_safe(_group_days_text(value))
    if isinstance(value, list):
        return spreadsheet_safe("|".join(str(v) for v in value))
    return spreadsheet_safe(value)


def batch_csv(view: BatchView) -> str:
    """The summary table as CSV (lists as ``a|b``, group days as ``G1: 03-06 A, B | G2: ...``)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(SUMMARY_COLUMNS)
    for row in summary_rows(view):
        writer.writerow([_cell(row[c]) for c in SUMMARY_COLUMNS])
    return out.getvalue()


def summary_text(view: BatchView, rows: list[dict[str, Any]] | None = None) -> str:
    """The summary as an aligned text table for the terminal."""
    rows = rows if rows is not None else summary_rows(view)
    header = f"{'row':>3}  {'status':8} {'value':>7} {'₫/person':>11} {'km':>7} {'drive':>6}  name / provinces"
    lines = [
        f"batch {view.id} · {view.name}" + (f" · {view.scenario}" if view.scenario else ""),
        header,
    ]
    for r in rows:
        figures = (
            f"{r['value']:>7} {r['cost_per_person_vnd']:>11,} {r['km']:>7} {r['drive_minutes']:>6}"
            if r["status"] == DONE
            else f"{'':>7} {'':>11} {'':>7} {'':>6}"
        )
        lines.append(f"{r['row']:>3}  {r['status']:8} {figures}  {r['name']}")
        if r["provinces"]:
            lines.append(f"{'':>48}{', '.join(r['provinces'])}")
        if r["groups"] and isinstance(r["group_days"], list) and len(r["group_days"]) > 1:
            for g in r["group_days"]:
                lines.append(f"{'':>48}{_group_days_text([g])}")
        if r["problem"]:
            lines.append(f"{'':>48}! {r['problem']}")
    counts = view.counts
    lines.append(
        f"{counts['done']} planned, {counts['failed']} failed, {counts['invalid']} bad rows"
    )
    return "\n".join(lines)


# --- the linkage report -------------------------------------------------------------------


def _minutes(start: str, end: str) -> int:
    if not start or not end:
        return 0
    return max(
        0, int((datetime.fromisoformat(end) - datetime.fromisoformat(start)).total_seconds() // 60)
    )


@dataclass
class ProvinceFigures:
    """Time and spend of the batch's tours in one province."""

    province: str
    tours: int = 0
    visits: int = 0
    visit_minutes: int = 0
    nights: int = 0
    spend_vnd: int = 0


@dataclass
class Linkage:
    """What a set of tours does across provinces and on which named links."""

    tours: int
    provinces: list[ProvinceFigures]
    #: (from province, to province) -> legs, travel minutes, tours using it
    flows: list[dict[str, Any]]
    #: named links (bridges, ferries, expressways) -> legs and tours that use them
    links: list[dict[str, Any]]
    modes: dict[str, int] = field(default_factory=dict)
    multi_province_tours: int = 0

    def to_dict(self) -> dict[str, Any]:
        """Return the report as JSON."""
        return {
            "tours": self.tours,
            "multi_province_tours": self.multi_province_tours,
            "provinces": [vars(p) for p in self.provinces],
            "flows": self.flows,
            "links": self.links,
            "modes": self.modes,
        }


def linkage(itineraries: list[dict[str, Any]]) -> Linkage:
    """Compute the linkage report of *itineraries* (contract JSON of the batch's tours).

    Per province: tours touching it, attraction visits and their minutes, nights spent and
    spend (tickets and lodging paid there). Flows: legs crossing from one province to another
    with their minutes. Links: the named crossings in the legs' ``via``.
    """
    provinces: dict[str, ProvinceFigures] = {}
    flows: dict[tuple[str, str], dict[str, Any]] = {}
    links: dict[str, dict[str, Any]] = {}
    modes: Counter[str] = Counter()
    multi = 0
    for index, it in enumerate(itineraries):
        touched: set[str] = set()
        for day in it["days"]:
            where = {s["id"]: s["province"] for s in day["stops"]}
            for stop in day["stops"]:
                figures = provinces.setdefault(stop["province"], ProvinceFigures(stop["province"]))
                touched.add(stop["province"])
                figures.spend_vnd += int(stop.get("cost_vnd") or 0)
                if stop["kind"] == "attraction":
                    figures.visits += 1
                    figures.visit_minutes += _minutes(stop["arrive"], stop["depart"])
                elif stop["kind"] == "overnight":
                    figures.nights += 1
            for leg in day["legs"]:
                modes.update(leg["modes"])
                a, b = where.get(leg["from"]), where.get(leg["to"])
                if a and b and a != b:
                    flow = flows.setdefault(
                        (a, b), {"from": a, "to": b, "legs": 0, "minutes": 0, "tours": set()}
                    )
                    flow["legs"] += 1
                    flow["minutes"] += int(leg["minutes"])
                    flow["tours"].add(index)
                for name in leg.get("via", ()):
                    link = links.setdefault(
                        name, {"name": name, "legs": 0, "tours": set(), "modes": set()}
                    )
                    link["legs"] += 1
                    link["tours"].add(index)
                    link["modes"].update(leg["modes"])
        for name in touched:
            provinces[name].tours += 1
        multi += len(touched) > 1
    flow_rows = sorted(
        ({**f, "tours": len(f["tours"])} for f in flows.values()),
        key=lambda f: (-f["legs"], f["from"], f["to"]),
    )
    link_rows = sorted(
        ({**v, "tours": len(v["tours"]), "modes": sorted(v["modes"])} for v in links.values()),
        key=lambda v: (-v["tours"], -v["legs"], v["name"]),
    )
    return Linkage(
        tours=len(itineraries),
        provinces=sorted(provinces.values(), key=lambda p: (-p.visit_minutes, p.province)),
        flows=flow_rows,
        links=link_rows,
        modes=dict(sorted(modes.items())),
        multi_province_tours=multi,
    )


def batch_linkage(view: BatchView) -> Linkage:
    """The linkage report of the planned products of *view*."""
    return linkage([i.itinerary for i in view.items if i.itinerary is not None])


def linkage_csv(report: Linkage) -> str:
    """The linkage report as one CSV with a ``section`` column (province, flow, link, mode)."""
    out = io.StringIO()
    rows: list[list[Any]] = [
        ["section", "key", "tours", "legs_or_visits", "minutes", "nights", "spend_vnd"]
    ]
    for p in report.provinces:
        rows.append(
            ["province", p.province, p.tours, p.visits, p.visit_minutes, p.nights, p.spend_vnd]
        )
    for f in report.flows:
        rows.append(
            ["flow", f"{f['from']} → {f['to']}", f["tours"], f["legs"], f["minutes"], "", ""]
        )
    for link in report.links:
        rows.append(["link", link["name"], link["tours"], link["legs"], "", "", ""])
    for mode, legs in report.modes.items():
        rows.append(["mode", mode, "", legs, "", "", ""])
    csv.writer(out, lineterminator="\n").writerows(
        [[spreadsheet_safe(cell) for cell in row] for row in rows]
    )
    return out.getvalue()


# --- scenario comparison ------------------------------------------------------------------


def compare(base: BatchView, other: BatchView) -> dict[str, Any]:
    """Compare batch *base* with *other*, its re-plan under a scenario, product by product.

    :return: ``{"base", "other", "scenario", "feasible": {"base", "other", "kept", "lost",
        "gained"}, "value": {"base", "other", "change"}, "products": [...]}``.
    """
    theirs = {i.row: i for i in other.items}
    products = []
    kept = lost = gained = 0
    base_total = other_total = 0.0
    for item in base.items:
        if item.status == "invalid":
            continue
        twin = theirs.get(item.row)
        a = item.itinerary["summary"]["value"] if item.itinerary else None
        b = twin.itinerary["summary"]["value"] if twin is not None and twin.itinerary else None
        if a is not None and b is not None:
            kept += 1
            base_total += a
            other_total += b
        elif a is not None:
            lost += 1
        elif b is not None:
            gained += 1
        products.append(
            {
                "row": item.row,
                "name": item.name,
                "base_status": item.status,
                "other_status": twin.status if twin is not None else "missing",
                "base_value": a,
                "other_value": b,
                "change": round(b - a, 2) if a is not None and b is not None else None,
                "base_drive_minutes": item.itinerary["summary"].get("drive_minutes")
                if item.itinerary
                else None,
                "other_drive_minutes": twin.itinerary["summary"].get("drive_minutes")
                if twin is not None and twin.itinerary
                else None,
            }
        )
    return {
        "base": base.id,
        "other": other.id,
        "scenario": other.scenario,
        "feasible": {
            "base": sum(1 for i in base.items if i.status == DONE),
            "other": sum(1 for i in other.items if i.status == DONE),
            "kept": kept,
            "lost": lost,
            "gained": gained,
        },
        "value": {
            "base": round(base_total, 2),
            "other": round(other_total, 2),
            "change": round(other_total - base_total, 2),
        },
        "products": products,
    }


def compare_csv(comparison: dict[str, Any]) -> str:
    """The product rows of a comparison as CSV."""
    out = io.StringIO()
    columns = list(comparison["products"][0]) if comparison["products"] else ["row"]
    writer = csv.DictWriter(out, columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(
        {key: spreadsheet_safe(value) for key, value in row.items()}
        for row in comparison["products"]
    )
    return out.getvalue()
