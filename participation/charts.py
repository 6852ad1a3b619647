"""Server-rendered SVG charts: geometry only; the templates draw it with a title, a
description and a table carrying the same numbers (accessible without the picture)."""

from dataclasses import dataclass

WIDTH = 640
BAR_HEIGHT = 22
GAP = 8
LABEL_WIDTH = 220
VALUE_WIDTH = 60


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    text: str  # the value as shown
    y: int
    width: float


@dataclass(frozen=True)
class BarChart:
    bars: list
    height: int
    label_width: int = LABEL_WIDTH
    value_x: float = 0

    @property
    def text_y_offset(self) -> int:
        return BAR_HEIGHT // 2 + 5

    @property
    def bar_height(self) -> int:
        return BAR_HEIGHT

    @property
    def width(self) -> int:
        return WIDTH


def bar_chart(items, *, maximum: float | None = None, fmt=str, hidden: str = "") -> BarChart:
    """Horizontal bars for ``items`` (pairs of label and number); ``maximum`` fixes the scale
    (e.g. 1 for shares), else the largest value. A value of None is a hidden small count
    (ToR rules 7, 14): no bar, and ``hidden`` as its text."""
    items = list(items)
    top = maximum if maximum is not None else max([v for _l, v in items if v is not None] or [0])
    span = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    bars = [
        Bar(
            label=str(label),
            value=value or 0,
            text=hidden if value is None else fmt(value),
            y=i * (BAR_HEIGHT + GAP),
            width=round(span * value / top, 1) if top and value is not None else 0,
        )
        for i, (label, value) in enumerate(items)
    ]
    return BarChart(bars=bars, height=max(len(bars) * (BAR_HEIGHT + GAP), BAR_HEIGHT))


def percent(value: float) -> str:
    return f"{round(value * 100)} %"
