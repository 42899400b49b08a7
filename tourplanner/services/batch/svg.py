"""Static SVG bar charts drawn on the server (no chart library, no script: CSP-friendly)."""

from __future__ import annotations

from collections.abc import Callable
from collections.abc import Sequence

from markupsafe import Markup
from markupsafe import escape

ROW_HEIGHT = 22
LABEL_WIDTH = 230
BAR_WIDTH = 360
VALUE_WIDTH = 90


def _plain(value: float, unit: str) -> str:
    shown = f"{value:,.0f}" if abs(value) >= 10 else f"{value:,.1f}"
    return f"{shown} {unit}" if unit else shown


def bar_chart(
    rows: Sequence[tuple[str, float]],
    *,
    title: str,
    unit: str = "",
    shown: Callable[[float], str] | None = None,
) -> Markup:
    """A horizontal bar chart of (label, value) rows, as accessible inline SVG markup.

    :param shown: writes a value with its unit the page's way (``1.200.000 ₫``, ``95 min``);
        without it, a value is written with English separators followed by *unit*.
    """
    rows = list(rows)
    top = max((v for _, v in rows), default=0) or 1
    height = ROW_HEIGHT * max(len(rows), 1) + 8
    width = LABEL_WIDTH + BAR_WIDTH + VALUE_WIDTH
    parts = [
        f'<svg class="chart" role="img" viewBox="0 0 {width} {height}" width="{width}" '
        f'height="{height}" xmlns="http://www.w3.org/2000/svg"><title>{escape(title)}</title>'
    ]
    if not rows:
        parts.append(f'<text x="4" y="16" class="chart-empty">{escape("—")}</text>')
    for i, (label, value) in enumerate(rows):
        y = 4 + i * ROW_HEIGHT
        length = max(1.0, BAR_WIDTH * value / top) if value > 0 else 0
        text = shown(value) if shown is not None else _plain(value, unit)
        parts.append(
            f'<g><text x="{LABEL_WIDTH - 6}" y="{y + 15}" text-anchor="end" class="chart-label">'
            f"{escape(label)}</text>"
            f'<rect x="{LABEL_WIDTH}" y="{y + 3}" width="{length:.1f}" height="{ROW_HEIGHT - 6}" '
            f'class="chart-bar"><title>{escape(label)}: {escape(text)}</title></rect>'
            f'<text x="{LABEL_WIDTH + length + 4:.1f}" y="{y + 15}" class="chart-value">'
            f"{escape(text)}</text></g>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))
