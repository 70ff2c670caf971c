"""Server-rendered SVG for the customer-intelligence pages: the RFM grid and the cohort heat grid.

Same rules as :mod:`etalase.insights.charts`: no JavaScript, no ``style`` attributes (CSP), sizes
from the ``viewBox`` and the page's CSS, colours as presentation attributes, every text escaped,
a title and a description for screen readers, and the same numbers in a table on the page.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.utils.safestring import SafeString, mark_safe

from etalase.customers.enums import RfmSegment
from etalase.insights.charts import FONT, GRID, INK, LINE, WIDTH, _open, _text
from etalase.insights.customers.scoring import CohortRow
from etalase.insights.customers.selectors import RfmCell

Format = Callable[[int], str]

SEGMENT_COLOURS: dict[str, str] = {
    RfmSegment.CHAMPIONS: "#0f766e",
    RfmSegment.LOYAL: "#14b8a6",
    RfmSegment.POTENTIAL: "#5eead4",
    RfmSegment.NEW: "#bae6fd",
    RfmSegment.AT_RISK: "#fdba74",
    RfmSegment.CANT_LOSE: "#c2410c",
    RfmSegment.HIBERNATING: "#cbd5e1",
    RfmSegment.LOST: "#94a3b8",
}
SEGMENT_INK: dict[str, str] = {RfmSegment.CHAMPIONS: "#ffffff", RfmSegment.CANT_LOSE: "#ffffff"}
"""Text colour on the darker cells (black elsewhere): contrast at least 4.5:1."""


def rfm_grid_svg(
    cells: Sequence[RfmCell],
    *,
    chart_id: str,
    title: str,
    description: str,
    segment_labels: dict[str, str],
    recency_label: str,
    fm_label: str,
    cell_title: Callable[[RfmCell], str],
    count_format: Format = str,
    money_format: Format = str,
) -> SafeString:
    """5 × 5 cells, recency 5 at the top, FM 1 on the left; each filled with its segment's colour,
    showing its customers and its money (each cell's full sentence in its own ``<title>``)."""
    left, top, bottom = 24, 4, 30
    size_w = (WIDTH - left) / 5
    size_h = 50
    height = top + 5 * size_h + bottom
    parts = _open(chart_id, title, description, WIDTH, height, "chart chart-rfm")
    for cell in cells:
        column, row = cell.fm - 1, 5 - cell.recency
        x, y = left + column * size_w, top + row * size_h
        ink = SEGMENT_INK.get(cell.segment, "#1f2933")
        parts.append("<g>")
        parts.append(f"<title>{_text(cell_title(cell))}</title>")
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{y + 1:.1f}" width="{size_w - 2:.1f}" height="{size_h - 2}" rx="4" '
            f'fill="{SEGMENT_COLOURS[cell.segment]}" data-segment="{_text(cell.segment)}"/>'
        )
        parts.append(
            f'<text x="{x + size_w / 2:.1f}" y="{y + 22}" text-anchor="middle" fill="{ink}" '
            f'font-family="system-ui, sans-serif" font-size="15" font-weight="700">'
            f"{_text(count_format(cell.customers))}</text>"
        )
        parts.append(
            f'<text x="{x + size_w / 2:.1f}" y="{y + 38}" text-anchor="middle" fill="{ink}" {FONT}>'
            f"{_text(money_format(cell.money_minor))}</text>"
        )
        parts.append("</g>")
    for recency in range(5, 0, -1):
        middle = top + (5 - recency) * size_h + size_h / 2 + 4
        parts.append(f'<text x="{left - 6}" y="{middle:.1f}" text-anchor="end" fill="{INK}" {FONT}>{recency}</text>')
    for fm in range(1, 6):
        x = left + (fm - 0.5) * size_w
        parts.append(
            f'<text x="{x:.1f}" y="{top + 5 * size_h + 13}" text-anchor="middle" fill="{INK}" {FONT}>{fm}</text>'
        )
    parts.append(
        f'<text x="{left}" y="{height - 3}" fill="{INK}" {FONT}>{_text(recency_label)} ↑ · {_text(fm_label)} →</text>'
    )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308  (every piece of text above is escaped)


def cohort_heat_svg(
    rows: Sequence[CohortRow],
    *,
    chart_id: str,
    title: str,
    description: str,
    month_label: Callable[[CohortRow], str],
    empty_message: str,
) -> SafeString:
    """One row per cohort (oldest on top), one column per month since the first order; the darker a
    cell, the more of the cohort ordered again that month."""
    label_width, header = 58, 16
    columns = max((len(row.customers) for row in rows), default=1)
    cell_w = (WIDTH - label_width) / max(columns, 1)
    cell_h = 20
    height = header + cell_h * max(len(rows), 1) + 4
    parts = _open(chart_id, title, description, WIDTH, height, "chart chart-cohorts")
    if not any(row.size for row in rows):
        parts.append(
            f'<text x="{WIDTH / 2:.0f}" y="{height / 2 + 4:.0f}" text-anchor="middle" fill="{INK}" {FONT}>'
            f"{_text(empty_message)}</text></svg>"
        )
        return mark_safe("".join(parts))  # noqa: S308
    for column in range(columns):
        x = label_width + (column + 0.5) * cell_w
        parts.append(f'<text x="{x:.1f}" y="11" text-anchor="middle" fill="{INK}" {FONT}>{column}</text>')
    for index, row in enumerate(rows):
        y = header + index * cell_h
        parts.append(
            f'<text x="{label_width - 4}" y="{y + 14}" text-anchor="end" fill="{INK}" {FONT}>'
            f"{_text(month_label(row))}</text>"
        )
        for column, percent in enumerate(row.percents):
            x = label_width + column * cell_w
            if percent is None:
                parts.append(
                    f'<rect x="{x + 0.5:.1f}" y="{y + 0.5}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" '
                    f'fill="none" stroke="{GRID}"/>'
                )
                continue
            # At most 0.7 opaque: the dark figures keep a 4.5:1 contrast on the darkest cell.
            opacity = 0.06 + 0.64 * percent / 100 if percent else 0.0
            parts.append(
                f'<rect x="{x + 0.5:.1f}" y="{y + 0.5}" width="{cell_w - 1:.1f}" height="{cell_h - 1}" '
                f'fill="{LINE}" fill-opacity="{opacity:.2f}" stroke="{GRID}"/>'
            )
            parts.append(
                f'<text x="{x + cell_w / 2:.1f}" y="{y + 14}" text-anchor="middle" fill="#1f2933" '
                f'font-family="system-ui, sans-serif" font-size="8">{percent}</text>'
            )
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308
