"""``{% load presentation_rows %}``: the rows of the list of presentations.

Written here rather than in the template: a page has 25 rows of links, names and markings, and
the template language spent more on them than on the page's query. The markup is what the
template wrote.
"""

from django import template
from django.utils.html import escape
from django.utils.safestring import mark_safe

from dief.confidentiality import Classification
from dief.links import path_to
from states.names import state_name

from ..enums import PresentationKind

register = template.Library()


@register.simple_tag
def presentation_rows(rows):
    """One ``<tr>`` per :class:`presentations.queries.ListRow` of ``rows``: the title linked to
    the presentation's page and its kind, the meeting, the presenting State in the interface
    language, the numbers of involved States and replies, and the marking (ToR rule 15)."""
    kinds = {value: escape(label) for value, label in PresentationKind.choices}
    markings = {}
    out = []
    for row in rows:
        kind = kinds.get(row.kind)
        if kind is None:
            kind = escape(row.kind)
        marking = markings.get(row.classification)
        if marking is None:
            marking = markings[row.classification] = escape(Classification.short(row.classification))
        out.append(
            f'\n  <tr><td><a href="{path_to("presentations:detail", row.pk)}">{escape(row.title)}</a>'
            f"<br><small>{kind}</small></td>\n"
            f"    <td>{escape(row.meeting_title)}</td><td>{escape(state_name(row.state))}</td>"
            f"<td>{row.n_involved}</td><td>{row.n_replies}</td><td>{marking}</td></tr>\n  "
        )
    return mark_safe("".join(out))  # noqa: S308 - escaped text, whole numbers and fixed markup
