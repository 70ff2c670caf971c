"""Small server-rendered SVG charts: a line chart, a horizontal bar chart and a sparkline.

No JavaScript, no inline ``style`` attributes (the CSP forbids them): sizes come from the
``viewBox`` and the page's CSS (``.chart``), colours from SVG presentation attributes. Each chart is
an image with a title and a description for screen readers; pages put the same numbers in a
``<table>`` next to it. The output is well-formed XML whatever the labels contain.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH = 360
HEIGHT = 180
MARGIN_LEFT = 44
MARGIN_RIGHT = 10
MARGIN_TOP = 12
MARGIN_BOTTOM = 26
LINE = "#0f766e"
FILL = "#ccfbf1"
GRID = "#d9e2ec"
INK = "#52606d"
FONT = 'font-family="system-ui, sans-serif" font-size="11"'

ValueFormat = Callable[[int], str]


def nice_ceiling(value: int) -> int:
    """The smallest of 1, 2, 5 × 10ⁿ at or above ``value`` (at least 1): a round top for the axis."""
    if value <= 1:
        return 1
    power: int = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * power:
            return step * power
    return 10 * power  # pragma: no cover


def _text(value: object) -> str:
    return str(escape(str(value)))


def _open(chart_id: str, title: str, description: str, width: int, height: int, css_class: str) -> list[str]:
    return [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="{_text(css_class)}" viewBox="0 0 {width} {height}" '
        f'role="img" aria-labelledby="{_text(chart_id)}-title {_text(chart_id)}-desc" '
        'preserveAspectRatio="xMidYMid meet">',
        f'<title id="{_text(chart_id)}-title">{_text(title)}</title>',
        f'<desc id="{_text(chart_id)}-desc">{_text(description)}</desc>',
    ]


def _empty(parts: list[str], message: str, width: int, height: int) -> SafeString:
    parts.append(
        f'<text x="{width / 2:.0f}" y="{height / 2:.0f}" text-anchor="middle" fill="{INK}" {FONT}>'
        f"{_text(message)}</text>"
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text above is escaped)


def line_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    empty_message: str = "",
    value_format: ValueFormat = str,
) -> SafeString:
    """A line over an area, with the top and zero of the axis and the first, middle and last labels."""
    parts = _open(chart_id, title, description, WIDTH, HEIGHT, "chart chart-line")
    if not values:
        return _empty(parts, empty_message, WIDTH, HEIGHT)
    top = nice_ceiling(max(max(values), 0))
    plot_width = WIDTH - MARGIN_LEFT - MARGIN_RIGHT
    plot_height = HEIGHT - MARGIN_TOP - MARGIN_BOTTOM
    bottom = MARGIN_TOP + plot_height

    def x(index: int) -> float:
        return MARGIN_LEFT + (plot_width * index / (len(values) - 1) if len(values) > 1 else plot_width / 2)

    def y(value: int) -> float:
        return bottom - plot_height * max(value, 0) / top

    for fraction in (0, 0.5, 1) if top >= 2 else (0, 1):
        level = bottom - plot_height * fraction
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{level:.1f}" x2="{WIDTH - MARGIN_RIGHT}" y2="{level:.1f}" '
            f'stroke="{GRID}" stroke-width="1"/>'
        )
        parts.append(
            f'<text x="{MARGIN_LEFT - 4}" y="{level + 4:.1f}" text-anchor="end" fill="{INK}" {FONT}>'
            f"{_text(value_format(round(top * fraction)))}</text>"
        )
    points = " ".join(f"{x(index):.1f},{y(value):.1f}" for index, value in enumerate(values))
    area = f"{x(0):.1f},{bottom:.1f} {points} {x(len(values) - 1):.1f},{bottom:.1f}"
    parts.append(f'<polygon points="{area}" fill="{FILL}" stroke="none"/>')
    parts.append(
        f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2" '
        'stroke-linejoin="round" stroke-linecap="round"/>'
    )
    if len(values) <= 31:
        for index, value in enumerate(values):
            parts.append(f'<circle cx="{x(index):.1f}" cy="{y(value):.1f}" r="2.5" fill="{LINE}"/>')
    shown = sorted({0, (len(labels) - 1) // 2, len(labels) - 1}) if labels else []
    for index in shown:
        anchor = (
            "start" if index == 0 and len(labels) > 1 else "end" if index == len(labels) - 1 and index else "middle"
        )
        parts.append(
            f'<text x="{x(index):.1f}" y="{HEIGHT - 8}" text-anchor="{anchor}" fill="{INK}" {FONT}>'
            f"{_text(labels[index])}</text>"
        )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308


def bar_chart(
    labels: Sequence[str],
    values: Sequence[int],
    *,
    chart_id: str,
    title: str,
    description: str = "",
    empty_message: str = "",
    value_format: ValueFormat = str,
) -> SafeString:
    """Horizontal bars, one per label, the label above its bar and the value at its end."""
    row_height = 34
    height = max(row_height * len(values) + 8, 40)
    parts = _open(chart_id, title, description, WIDTH, height, "chart chart-bars")
    if not values:
        return _empty(parts, empty_message, WIDTH, height)
    top = max(max(values), 1)
    usable = WIDTH - 70
    for index, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 4 + index * row_height
        length = max(usable * max(value, 0) / top, 2 if value else 0)
        parts.append(f'<text x="0" y="{y + 11}" fill="{INK}" {FONT}>{_text(label)}</text>')
        parts.append(f'<rect x="0" y="{y + 15}" width="{length:.1f}" height="12" rx="3" fill="{LINE}"/>')
        parts.append(f'<text x="{length + 6:.1f}" y="{y + 25}" fill="{INK}" {FONT}>{_text(value_format(value))}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308


def sparkline(values: Sequence[int], *, chart_id: str, title: str, description: str = "") -> SafeString:
    """A small line without axes, for a glance (its numbers are in a table next to it)."""
    width, height = 120, 32
    parts = _open(chart_id, title, description, width, height, "chart sparkline")
    if not values:
        parts.append("</svg>")
        return mark_safe("".join(parts))  # noqa: S308
    top = max(max(values), 1)
    step = (width - 4) / (len(values) - 1) if len(values) > 1 else 0
    points = " ".join(
        f"{2 + index * step:.1f},{height - 2 - (height - 4) * max(value, 0) / top:.1f}"
        for index, value in enumerate(values)
    )
    parts.append(f'<polyline points="{points}" fill="none" stroke="{LINE}" stroke-width="2" stroke-linejoin="round"/>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
