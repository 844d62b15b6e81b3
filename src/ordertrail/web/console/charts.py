"""Charts drawn on the server as SVG: no script, no CDN, readable by a screen reader (each
chart is an image whose label lists its figures)."""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

ROW = 26
LABEL_WIDTH = 170
#: A generous width of one character at the labels' 13 px: a long label ("delivered reported
#: missing") widens its column rather than being cut at the chart's left edge.
CHAR_WIDTH = 7.5
BAR_WIDTH = 300
NUMBER_WIDTH = 60


def bars(title: str, items: Sequence[tuple[str, int]], colour: str = "#1f5fa8") -> Markup:
    """A horizontal bar chart of `items` (label, count), longest bar = largest count."""
    if not items:
        return Markup('<p class="empty">{}: nothing to show</p>').format(title)
    largest = max(count for _, count in items) or 1
    height = ROW * len(items) + 8
    longest = max(len(label) for label, _ in items)
    label_width = max(LABEL_WIDTH, round(longest * CHAR_WIDTH) + 16)
    width = label_width + BAR_WIDTH + NUMBER_WIDTH
    summary = "; ".join(f"{label.replace('_', ' ')}: {count}" for label, count in items)
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-label="{escape(title)}: {escape(summary)}" '
        f'xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for row, (label, count) in enumerate(items):
        y = row * ROW + 4
        length = round(BAR_WIDTH * count / largest) if count else 0
        parts += [
            f'<text x="{label_width - 8}" y="{y + 17}" text-anchor="end" '
            f'font-size="13" fill="#1b1b1b">{escape(label.replace("_", " "))}</text>',
            f'<rect x="{label_width}" y="{y + 3}" width="{max(length, 2)}" height="{ROW - 8}" '
            f'rx="3" fill="{escape(colour)}"/>',
            f'<text x="{label_width + max(length, 2) + 6}" y="{y + 17}" font-size="13" '
            f'fill="#1b1b1b">{count}</text>',
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
