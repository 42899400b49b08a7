"""Every citation in the embedded data files resolves to the source registry (sources.json).

A citation is ``K`` (unverified: the compiler's own knowledge), a key of
``tourplanner/data/sources.json`` (``ref:S12``, ``src:...``, the network's ``N1``...) or a URL that
the registry also lists. A citation string holds one or more citations separated by spaces (or
``;``); text in parentheses is a comment, but any URL inside it must be registered too.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "tourplanner" / "data"
REGISTRY = json.loads((DATA / "sources.json").read_text(encoding="utf-8"))
_URL = re.compile(r"https?://[^\s;)]+")
_COMMENT = re.compile(r"\([^()]*\)")


def _norm(url: str) -> str:
    """A URL without scheme, leading ``www.``/``m.``, trailing punctuation or slash."""
    url = re.sub(r"^https?://", "", url.strip().rstrip(".,;"))
    return re.sub(r"^(www\.|m\.)", "", url).rstrip("/")


REGISTERED_URLS = {
    _norm(e["url"]) for e in REGISTRY.values() if isinstance(e, dict) and e.get("url")
}


def _load(name: str):
    return json.loads((DATA / name).read_text(encoding="utf-8"))


def _citations() -> list[tuple[str, str]]:
    """(where, citation string) for every citation in every data file."""
    found: list[tuple[str, str]] = []
    for name in ("provinces.json", "attractions.json", "hubs.json"):
        for record in _load(name):
            for fact, citation in (record.get("sources") or {}).items():
                found.append((f"{name}[{record['id']}].sources.{fact}", citation))
    network = _load("network.json")
    for section in ("nodes", "links"):
        for item in network[section]:
            found.append((f"network.json {section}[{item['id']}].source", item.get("source", "")))
    if network.get("taxi"):
        found.append(("network.json taxi.source", network["taxi"].get("source", "")))
    for key in network.get("sources", {}):
        found.append((f"network.json sources key {key}", key))
    for vehicle in _load("vehicles.json"):
        found.append((f"vehicles.json[{vehicle['id']}].source", vehicle.get("source", "")))
    meals = _load("meals.json")
    for meal, tiers in meals.items():
        if isinstance(tiers, dict):
            for tier, item in tiers.items():
                if isinstance(item, dict) and "source" in item:
                    found.append((f"meals.json {meal}.{tier}.source", item["source"] or "K"))
    return found


def _problems(citation: str) -> list[str]:
    """Why *citation* does not resolve (empty when it does)."""
    problems = []
    if not citation.strip():
        return ["is empty"]
    for url in _URL.findall(citation):
        if _norm(url) not in REGISTERED_URLS:
            problems.append(f"URL {url} is not in sources.json")
    bare = citation
    while _COMMENT.search(bare):
        bare = _COMMENT.sub(" ", bare)
    if "(" in bare or ")" in bare:
        problems.append("has an unbalanced parenthesis")
    tokens = [t for t in re.split(r"[\s;]+", bare) if t]
    if not tokens:
        problems.append("holds only a comment")
    for token in tokens:
        if token == "K" or token in REGISTRY or _URL.fullmatch(token):
            continue
        problems.append(f"{token!r} is neither K, a registry key nor a URL")
    return problems


def test_every_registry_entry_names_its_source():
    """Each entry has a URL, a title and a publisher; the year is a whole number or null."""
    bad = {}
    for key, entry in REGISTRY.items():
        if not isinstance(entry, dict):
            bad[key] = "is not an object"
            continue
        missing = [f for f in ("url", "title", "publisher") if not str(entry.get(f) or "").strip()]
        if missing:
            bad[key] = f"lacks {', '.join(missing)}"
        elif not re.fullmatch(r"https?://\S+", entry["url"]):
            bad[key] = f"url {entry['url']!r} is not a URL"
        elif entry.get("year") is not None and not isinstance(entry["year"], int):
            bad[key] = f"year {entry['year']!r} is not a whole number"
        elif not isinstance(entry.get("note", ""), str):
            bad[key] = "note is not text"
    assert bad == {}


def test_registry_keys_are_short_ids():
    """Keys are ``ref:Sn`` (region_facts.md), ``src:...`` or the network's own ``Nn``."""
    bad = [
        k for k in REGISTRY if not re.fullmatch(r"ref:S\d+[a-z]?|src:[a-z0-9][a-z0-9.-]*|N\d+", k)
    ]
    assert bad == []


def test_every_citation_resolves_to_the_registry():
    """Every citation in every data file is K, a registry key or a registered URL."""
    bad = {}
    for where, citation in _citations():
        problems = _problems(citation)
        if problems:
            bad[where] = f"{citation!r}: " + "; ".join(problems)
    assert bad == {}


@pytest.mark.parametrize(
    ("citation", "ok"),
    [
        ("K", True),
        ("ref:S18", True),
        ("ref:S18 K", True),
        ("ref:S87; ref:S88", True),
        ("K (~700 m from the cave, not measured)", True),
        ("ref:S9999", False),
        ("see the board's notice", False),
        ("https://example.invalid/not-registered", False),
        ("K (per https://example.invalid/not-registered)", False),
        ("", False),
    ],
)
def test_citation_rules(citation, ok):
    """The rules themselves: unknown keys, free text and unregistered URLs are refused."""
    assert (not _problems(citation)) == ok
