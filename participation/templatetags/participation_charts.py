"""The bars of a participation chart, written in Python (same markup as the template wrote).

A chart has a bar per meeting or region, and the template language spent more on them than
on the rest of the page."""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator

register = template.Library()


@register.simple_tag
def chart_description(chart):
    """Each bar's label and value, for the chart's ``<desc>``."""
    return mark_safe("".join(f" {escape(b.label)}: {escape(b.text)}." for b in chart.bars))  # noqa: S308 - escaped


@register.simple_tag
def chart_bars(chart):
    """Each bar as an SVG group: its label (cut at 30 characters), its bar and its value."""
    offset, label_x, value_x = chart.text_y_offset, chart.label_width, chart.label_width + 4
    return mark_safe(  # noqa: S308 - numbers and escaped text only
        "".join(
            f"<g>\n"
            f'    <text x="0" y="{b.y + offset}" font-size="13" fill="#222">'
            f"{escape(Truncator(b.label).chars(30))}</text>\n"
            f'    <rect x="{label_x}" y="{b.y}" width="{b.width}" height="{chart.bar_height}" fill="#1f5f8b"></rect>\n'
            f'    <text x="{value_x}" y="{b.y + offset}" dx="{b.width}" font-size="13" fill="#222">'
            f"{escape(b.text)}</text>\n"
            f"  </g>"
            for b in chart.bars
        )
    )
