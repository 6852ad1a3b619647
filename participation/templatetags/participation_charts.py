"""The bars of a participation chart, written in Python (same markup as the template wrote).

A chart has a bar per meeting or region, and the template language spent more on them than
on the rest of the page."""

from functools import lru_cache

from django import template
from django.utils.html import conditional_escape, escape
from django.utils.safestring import mark_safe
from django.utils.text import Truncator
from django.utils.translation import get_language

from dief.links import path_to

register = template.Library()


@register.simple_tag
def chart_description(chart):
    """Each bar's label and value, for the chart's ``<desc>``."""
    return mark_safe("".join(f" {escape(b.label)}: {escape(b.text)}." for b in chart.bars))  # noqa: S308 - escaped


@lru_cache(maxsize=4096)
def _short_label(label: str, language: str | None) -> str:
    """A bar's label cut at 30 characters and escaped, as ``Truncator`` cuts it in ``language``
    (a pure function of the two: the same meetings' and regions' labels come back on every page)."""
    return escape(Truncator(label).chars(30))


@register.simple_tag
def chart_bars(chart):
    """Each bar as an SVG group: its label (cut at 30 characters), its bar and its value."""
    offset, label_x, value_x = chart.text_y_offset, chart.label_width, chart.label_width + 4
    language = get_language()
    return mark_safe(  # noqa: S308 - numbers and escaped text only
        "".join(
            f"<g>\n"
            f'    <text x="0" y="{b.y + offset}" font-size="13" fill="#222">'
            f"{_short_label(b.label, language)}</text>\n"
            f'    <rect x="{label_x}" y="{b.y}" width="{b.width}" height="{chart.bar_height}" fill="#1f5f8b"></rect>\n'
            f'    <text x="{value_x}" y="{b.y + offset}" dx="{b.width}" font-size="13" fill="#222">'
            f"{escape(b.text)}</text>\n"
            f"  </g>"
            for b in chart.bars
        )
    )


@register.simple_tag
def bar_chart_figure(chart, id, title, desc):
    """The whole chart (the markup the chart template wrote): an SVG with
    its title and description (each bar's label and value), its bars, and a caption."""
    id, title, desc = conditional_escape(id), conditional_escape(title), conditional_escape(desc)
    return mark_safe(  # noqa: S308 - numbers and escaped text only
        '<figure class="chart">\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-labelledby="{id}-title {id}-desc" '
        f'width="{chart.width}" height="{chart.height}" viewBox="0 0 {chart.width} {chart.height}" id="{id}">\n'
        f'  <title id="{id}-title">{title}</title>\n'
        f'  <desc id="{id}-desc">{desc}{chart_description(chart)}</desc>\n'
        f"  {chart_bars(chart)}\n"
        "</svg>\n"
        f"<figcaption>{title}</figcaption>\n"
        "</figure>\n"
    )


@register.simple_tag
def trend_rows(rows):
    """One ``<tr>`` per meeting of the overview's table (the markup the template wrote): its
    label linked to its page, its delegations, those with an enforcement officer (and their
    share) and the States that presented, each already a number, a share or "hidden"."""
    return mark_safe(  # noqa: S308 - escaped text, fixed markup and paths of whole-number ids
        "".join(
            f'<tr><th scope="row"><a href="{path_to("participation:meeting", f.meeting.pk)}">'
            f"{conditional_escape(label)}</a></th><td>{conditional_escape(delegations)}</td>"
            f"<td>{conditional_escape(with_officer)} ({conditional_escape(share)})</td>"
            f"<td>{conditional_escape(presenting)}</td></tr>"
            for f, label, delegations, with_officer, share, presenting in rows
        )
    )
