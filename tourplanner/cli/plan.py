"""``tourplanner plan`` and ``tourplanner show``: plan a tour on the terminal, print it again."""

from __future__ import annotations

import json
import sys
import threading
import time

import click
from flask import current_app
from flask.cli import with_appcontext

from tourplanner.catalogue.service import get_catalogue
from tourplanner.cli.common import fail
from tourplanner.errors import TourplannerError
from tourplanner.i18n import Translator
from tourplanner.i18n import translator
from tourplanner.planning import plan
from tourplanner.planning.itinerary import Itinerary
from tourplanner.planning.notices import dropped_texts
from tourplanner.planning.notices import stop_note
from tourplanner.planning.notices import warning_texts
from tourplanner.planning.request import parse_tour_request
from tourplanner.services.itineraries import load_itinerary
from tourplanner.services.itineraries import save_itinerary
from tourplanner.services.travel_model import get_travel_model


class Progress:
    """Shows the solve's progress on stderr once it has run for more than a second."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.started = time.perf_counter()
        self.best: float | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._tick, daemon=True)

    def __enter__(self) -> Progress:
        if self.enabled:
            self._thread.start()
        return self

    def __exit__(self, *_exc) -> None:
        self._done.set()
        if self.enabled and self._thread.is_alive():
            self._thread.join()

    def on_progress(self, progress) -> None:
        """Remember the best objective the solver has reported."""
        self.best = progress.prize

    def _tick(self) -> None:
        shown = False
        while not self._done.wait(0.5):
            elapsed = time.perf_counter() - self.started
            if elapsed < 1.0:
                continue
            best = f", best value so far {self.best:.0f}" if self.best is not None else ""
            click.echo(f"\rsolving… {elapsed:4.1f} s{best}   ", err=True, nl=False)
            shown = True
        if shown:
            click.echo(
                f"\rsolved in {time.perf_counter() - self.started:.1f} s" + " " * 30, err=True
            )


def _hm(minutes: int) -> str:
    return f"{minutes // 60} h {minutes % 60:02d}" if minutes >= 60 else f"{minutes} min"


def _services(leg, t: Translator) -> str:
    """A leg's services in words: "limousine Hà Nội – Hạ Long 250.000 ₫/người, taxi 5 km"."""
    parts = []
    for s in leg.services:
        kind = t(f"service.{s['kind']}")
        name = t.name(s)
        piece = name if name and s["kind"] not in ("taxi", "hired_vehicle") else kind
        if s["kind"] in ("taxi", "hired_vehicle", "walk"):
            piece += f" {t.number(s['km'])} km"
        if s["fare_unknown"]:
            piece += f" ({t('it.fare_unknown')})"
        elif s["fare_per_person_vnd"]:
            piece += f" {t.money(s['fare_per_person_vnd'])}/{t('lodging.person')}"
        parts.append(piece)
    return ", ".join(parts)


def render_text(itinerary: Itinerary, lang: str) -> str:
    """Return a readable day-by-day plan (a table per day) in *lang* only."""
    t = translator(lang)
    lines = []
    if itinerary.id:
        lines.append(t("cli.itinerary", id=itinerary.id))
    multi_group = any(d.group for d in itinerary.days)
    for day in itinerary.days:
        number = sum(1 for d in itinerary.days if d.group == day.group and d.date <= day.date)
        group = f" · {t('it.group')} {day.group + 1}" if multi_group else ""
        lines.append("")
        lines.append(f"{t('it.day')} {number} — {t.date(day.date)}{group}")
        for stop, leg in day.rows():
            if leg and leg.minutes:
                how = (
                    _services(leg, t)
                    if leg.services
                    else ", ".join(t(f"mode.{m}") for m in leg.modes)
                )
                via = f" · {', '.join(leg.via)}" if leg.via else ""
                wait = (
                    f" (+{t('unit.minutes', n=leg.wait_minutes)} {t('it.wait')})"
                    if leg.wait_minutes
                    else ""
                )
                lines.append(f"   ↓ {_hm(leg.minutes)}{wait}, {t.number(leg.km)} km: {how}{via}")
            span = (
                f"{stop.arrive[11:]}–{stop.depart[11:]}"
                if stop.arrive != stop.depart
                else f"{stop.arrive[11:]}      "
            )
            cost = f"  {t.money(stop.cost_vnd)}" if stop.cost_vnd else ""
            if stop.ticket_unknown:
                cost += f"  ({t('it.ticket_unknown')})"
            where = f" ({stop.province})" if stop.kind in ("attraction", "overnight") else ""
            note = stop_note(stop, lang)
            note = f" — {note}" if stop.kind == "meal" and note else ""
            lines.append(f"  {span}  {t.name(stop)}{where}{cost}{note}")
            if stop.includes:
                lines.append(f"               {t('it.includes')}: {', '.join(stop.includes)}")
            if stop.lodging:
                info = stop.lodging
                kind = t(f"lodging.{info['type']}")
                tier = t(f"tier.{info['tier']}")
                example = f", {info['example']}" if info.get("example") else ""
                unit = ""
                if info.get("unit_vnd"):
                    per = t(f"lodging.{info['per']}")
                    unit = f", {t.money(info['unit_vnd'])}/{per} × {info['count']}"
                lines.append(f"               {kind} {tier}{example}{unit}")
    s = itinerary
    lines.append("")
    c = s.costs
    lines.append(
        f"{t('cli.total')}: {t('it.value').lower()} {t.number(s.value)} · {t.number(s.km)} km · "
        f"{_hm(s.travel_minutes)} · {t.money(c.per_person_vnd)}/{t('lodging.person')} "
        f"({t('it.tickets').lower()} {t.money(c.per_person(c.tickets_vnd))}, "
        f"{t('it.transport').lower()} {t.money(c.per_person(c.transport_vnd))}, "
        f"{t('it.lodging').lower()} {t.money(c.per_person(c.lodging_vnd))}, "
        f"{t('it.meals').lower()} {t.money(c.per_person(c.meals_vnd))} "
        f"{t('it.per_person')})"
    )
    lines.append(f"{t('it.provinces')}: " + ", ".join(s.provinces))
    vehicle = s.extra.get("vehicle")
    if vehicle:
        lines.append(
            f"{t('it.vehicle')}: {vehicle['count']} × {t.name(vehicle)} "
            f"({t.money(vehicle['vnd_per_km'])}/km, {t('it.day_minimum')} "
            f"{t.money(vehicle['day_minimum_vnd'])})"
        )
    for place_id, reason in dropped_texts(s, lang):
        lines.append(f"{t('cli.dropped')}: {place_id} — {reason}")
    for warning in warning_texts(s, lang):
        lines.append(f"! {warning}")
    return "\n".join(lines)


def _split(values: tuple[str, ...]) -> list[str]:
    return [v.strip() for value in values for v in value.split(",") if v.strip()]


@click.command("plan")
@click.option("--start", required=True, help="where day 1 begins: an id or a place name")
@click.option("--end", help="where the last day ends (default: the start)")
@click.option("--date", "start_date", required=True, help="first day, YYYY-MM-DD")
@click.option("--days", required=True, help="number of days (1-14)")
@click.option("--day-start", help="HH:MM (default 08:00)")
@click.option("--day-end", help="HH:MM (default 18:30)")
@click.option("--pace", type=click.Choice(["relaxed", "normal", "packed"]), default="normal")
@click.option("--interests", multiple=True, help="categories or tags, comma separated or repeated")
@click.option("--must", "must_visit", multiple=True, help="a place that must be visited (repeat)")
@click.option("--exclude", multiple=True, help="a place to leave out (repeat)")
@click.option(
    "--province", "provinces", multiple=True, help="a province the tour must touch (repeat)"
)
@click.option("--min-provinces", help="at least this many distinct provinces")
@click.option("--group-size", help="people per group (default 2)")
@click.option("--groups", help="groups on the same dates (default 1)")
@click.option("--budget", "budget_vnd", help="VND per person: tickets, transport, lodging")
@click.option("--max-drive", "max_drive", help="maximum driving minutes per day")
@click.option("--time-limit", help="seconds of search (default grows with the days)")
@click.option(
    "--lodging",
    type=click.Choice(["budget", "standard", "comfort", "luxury"]),
    default="standard",
    help="lodging tier: budget (1–2★), standard (3★), comfort (4★), luxury (5★)",
)
@click.option(
    "--transport",
    type=click.Choice(["auto", "public", "private"]),
    default="auto",
    help="auto: public services for 1–4 people where a day allows, else a hired vehicle",
)
@click.option(
    "--lang",
    "language",
    type=click.Choice(["vi", "en"]),
    help="language of the plan (default vi) and of the error messages (default en)",
)
@click.option(
    "--seed", default=0, type=click.IntRange(min=0), help="random seed of the search (0 or more)"
)
@click.option("--json", "as_json", is_flag=True, help="print the itinerary JSON (the contract)")
@with_appcontext
def plan_command(as_json: bool, seed: int, **options) -> None:
    """Plan a multi-day tour and save it; print it as tables, or JSON with --json.

    Exit codes: 0 planned, 2 bad input (the message names the field), 3 nothing feasible.
    """
    data = {
        "start": options["start"],
        "end": options["end"],
        "start_date": options["start_date"],
        "days": options["days"],
        "day_start": options["day_start"],
        "day_end": options["day_end"],
        "pace": options["pace"],
        "interests": _split(options["interests"]),
        "must_visit": list(options["must_visit"]),
        "exclude": list(options["exclude"]),
        "provinces": list(options["provinces"]),
        "min_provinces": options["min_provinces"],
        "group_size": options["group_size"],
        "groups": options["groups"],
        "budget_vnd": options["budget_vnd"],
        "max_drive_minutes_per_day": options["max_drive"],
        "language": options["language"] or "vi",
        "time_limit_s": options["time_limit"],
        "lodging": options["lodging"],
        "transport": options["transport"],
    }
    try:
        request = parse_tour_request(
            {k: v for k, v in data.items() if v not in (None, [])}, get_catalogue()
        )
        with Progress(enabled=sys.stderr.isatty()) as progress:
            itinerary = plan(
                request,
                get_catalogue(),
                get_travel_model(),
                on_progress=progress.on_progress,
                seed=seed,
            )
        with current_app.extensions["tourplanner.storage.db"].session() as session:
            itinerary = save_itinerary(session, itinerary)
    except TourplannerError as exc:
        # errors in the language asked for; without --lang English, as the API's
        fail(exc, as_json=as_json, lang=options["language"])
    if as_json:
        click.echo(json.dumps(itinerary.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(itinerary, request.language))


@click.command("show")
@click.argument("itinerary_id")
@click.option("--lang", "language", type=click.Choice(["vi", "en"]))
@click.option("--json", "as_json", is_flag=True)
@with_appcontext
def show_command(itinerary_id: str, language: str | None, as_json: bool) -> None:
    """Print a saved itinerary again (its id was printed by `plan`)."""
    try:
        with current_app.extensions["tourplanner.storage.db"].session() as session:
            itinerary = load_itinerary(session, itinerary_id)
    except TourplannerError as exc:
        fail(exc, as_json=as_json, lang=language)
    if as_json:
        click.echo(json.dumps(itinerary.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(render_text(itinerary, language or itinerary.request.get("language", "vi")))
