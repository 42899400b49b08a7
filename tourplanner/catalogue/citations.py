"""Citations of the embedded data as readers see them: title, publisher, year and a link.

A citation string holds one or more citations separated by spaces or ``;``: ``K`` (the
compiler's own knowledge, unverified), a key of ``tourplanner/data/sources.json``
(``ref:S12``, ``src:...``), or a URL. Text in parentheses is a comment that belongs to the
citation before it. :func:`resolve` turns a string into :class:`Citation` objects;
``tests/catalogue/test_sources.py`` checks that every citation of the data resolves.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

REGISTRY_PATH = Path(__file__).resolve().parents[1] / "data" / "sources.json"
_TOKEN = re.compile(r"\([^()]*\)|[^\s;()]+")


@dataclass(frozen=True, slots=True)
class Citation:
    """One cited source (``unverified``: the compiler's knowledge, no source)."""

    key: str
    title: str = ""
    publisher: str = ""
    year: int | None = None
    url: str = ""
    comment: str = ""
    unverified: bool = False

    def label(self) -> str:
        """``Title — Publisher, 2025`` (what is known of it)."""
        parts = [p for p in (self.title, self.publisher) if p]
        text = " — ".join(parts) if parts else (self.url or self.key)
        return f"{text}, {self.year}" if self.year else text


@lru_cache(maxsize=1)
def registry() -> dict[str, dict]:
    """The source registry: citation key -> {url, title, publisher, year, note}."""
    data = json.loads(REGISTRY_PATH.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, dict)}


@lru_cache(maxsize=1)
def _by_url() -> dict[str, str]:
    return {_norm(v["url"]): k for k, v in registry().items() if v.get("url")}


def _norm(url: str) -> str:
    url = re.sub(r"^https?://", "", url.strip().rstrip(".,;"))
    return re.sub(r"^(www\.|m\.)", "", url).rstrip("/")


def resolve(text: str | None) -> list[Citation]:
    """The citations of a citation string, in order (unknown keys are kept as bare keys)."""
    out: list[Citation] = []
    for token in _TOKEN.findall(text or ""):
        if token.startswith("("):
            comment = token[1:-1].strip()
            if out:
                last = out[-1]
                joined = f"{last.comment}; {comment}" if last.comment else comment
                out[-1] = Citation(last.key, last.title, last.publisher, last.year, last.url,
                                   joined, last.unverified)  # fmt: skip
            continue
        if token == "K":
            out.append(Citation("K", unverified=True))
            continue
        key = token
        if token.startswith("http"):
            key = _by_url().get(_norm(token), token)
        entry = registry().get(key)
        if entry is None:
            out.append(Citation(key, url=token if token.startswith("http") else ""))
            continue
        out.append(
            Citation(
                key,
                title=str(entry.get("title") or ""),
                publisher=str(entry.get("publisher") or ""),
                year=entry.get("year"),
                url=str(entry.get("url") or ""),
            )
        )
    return out
