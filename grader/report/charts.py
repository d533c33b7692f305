"""Charts as inline SVG text: a histogram, a bar chart of counts, a 100% stacked bar.

Hand-written SVG, no dependency: every label is escaped, every number is
formatted here, and nothing refers to anything outside the SVG element.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence

__all__ = ["SHARE_COLORS", "bar_chart", "histogram", "share_bar", "histogram_bins"]

SHARE_COLORS: dict[str, str] = {
    "full": "#2e7d32",
    "partial": "#f9a825",
    "zero": "#c62828",
    "invalid": "#6a1b9a",
    "error": "#ef6c00",
    "missing": "#9e9e9e",
    "manual": "#1565c0",
}
_BAR = "#3f6fb5"
_AXIS = "#555"
_FONT = "font-family=\"system-ui, -apple-system, 'Segoe UI', sans-serif\" font-size=\"11\""


def _num(x: float) -> str:
    text = f"{x:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def histogram_bins(values: Sequence[float], top: float, count: int = 10) -> list[tuple[float, float, int]]:
    """``count`` equal bins over ``[0, top]`` (the last one closed): ``(low, high, n)``."""
    top = top if top > 0 else max([*values, 1.0])
    width = top / count
    bins = [[i * width, (i + 1) * width, 0] for i in range(count)]
    for v in values:
        index = min(max(int(math.floor(v / width + 1e-9)), 0), count - 1)
        bins[index][2] += 1
    return [(lo, hi, int(n)) for lo, hi, n in bins]


def bar_chart(
    labels: Sequence[str], counts: Sequence[int], *, title: str, x_title: str, width: int = 520, height: int = 210,
    color: str = _BAR,
) -> str:
    """Vertical bars, one per label, with the count above each bar."""
    left, right, top, bottom = 34, 10, 24, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([*counts, 1])
    step = plot_w / max(len(counts), 1)
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>",
        f'<text x="{left}" y="14" {_FONT} font-weight="600" fill="#222">{html.escape(title)}</text>',
    ]
    for tick in _ticks(peak):
        y = top + plot_h - plot_h * tick / peak
        parts.append(f'<line x1="{left}" x2="{width - right}" y1="{y:.1f}" y2="{y:.1f}" stroke="#e3e3e3"/>')
        parts.append(f'<text x="{left - 5}" y="{y + 4:.1f}" {_FONT} text-anchor="end" fill="{_AXIS}">{tick}</text>')
    for i, (label, n) in enumerate(zip(labels, counts, strict=True)):
        h = plot_h * n / peak
        x = left + i * step + step * 0.1
        y = top + plot_h - h
        parts.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{step * 0.8:.1f}" height="{h:.1f}" fill="{color}">'
            f"<title>{html.escape(label)}: {n}</title></rect>"
        )
        if n:
            parts.append(f'<text x="{x + step * 0.4:.1f}" y="{y - 3:.1f}" {_FONT} text-anchor="middle" '
                         f'fill="#222">{n}</text>')
        parts.append(f'<text x="{x + step * 0.4:.1f}" y="{top + plot_h + 14}" {_FONT} text-anchor="middle" '
                     f'fill="{_AXIS}">{html.escape(label)}</text>')
    parts.append(f'<line x1="{left}" x2="{width - right}" y1="{top + plot_h}" y2="{top + plot_h}" stroke="{_AXIS}"/>')
    parts.append(f'<text x="{left + plot_w / 2:.1f}" y="{height - 6}" {_FONT} text-anchor="middle" '
                 f'fill="{_AXIS}">{html.escape(x_title)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def histogram(values: Sequence[float], *, top: float, title: str, x_title: str, bins: int = 10) -> str:
    """A histogram of ``values`` over ``[0, top]`` in ``bins`` equal bins."""
    edges = histogram_bins(values, top, bins)
    labels = [f"{_num(lo)}–{_num(hi)}" for lo, hi, _ in edges]
    return bar_chart(labels, [n for _, _, n in edges], title=title, x_title=x_title, width=640, height=230)


def share_bar(shares: Sequence[tuple[str, int]], *, title: str, width: int = 560) -> str:
    """One horizontal bar split by share, with a legend of counts and percentages (wrapped to fit)."""
    total = sum(n for _, n in shares) or 1
    bar_y, bar_h, line_h = 20, 22, 16
    legend: list[tuple[float, int, str, str]] = []
    lx, row = 0.0, 0
    for name, n in shares:
        label = f"{name} {n} ({100 * n / total:.0f}%)"
        room = 14 + 6.4 * len(label) + 14
        if lx and lx + room > width:
            lx, row = 0.0, row + 1
        legend.append((lx, row, name, label))
        lx += room
    height = bar_y + bar_h + 12 + (row + 1) * line_h
    parts = [
        f'<svg class="chart" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">',
        f"<title>{html.escape(title)}</title>",
        f'<text x="0" y="13" {_FONT} font-weight="600" fill="#222">{html.escape(title)}</text>',
    ]
    x = 0.0
    for name, n in shares:
        w = width * n / total
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="{bar_y}" width="{w:.1f}" height="{bar_h}" '
                         f'fill="{SHARE_COLORS.get(name, _BAR)}"><title>{html.escape(name)}: {n}</title></rect>')
        x += w
    for lx, row, name, label in legend:
        y = bar_y + bar_h + 12 + row * line_h
        parts.append(f'<rect x="{lx:.1f}" y="{y}" width="10" height="10" fill="{SHARE_COLORS.get(name, _BAR)}"/>')
        parts.append(f'<text x="{lx + 14:.1f}" y="{y + 9}" {_FONT} fill="#333">{html.escape(label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _ticks(peak: int) -> list[int]:
    step = max(1, math.ceil(peak / 4))
    return list(range(step, peak + 1, step))
