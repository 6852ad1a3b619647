"""``{% due_rows items %}``: the rows of the table of open actions on "What is due".

Written here rather than in the template: a page has 25 rows of links, rules and dates in two
time zones, and the template language spent more on them than on the rest of the page. The
markup is what the template wrote.
"""

from django import template
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import localtime
from django.utils.translation import gettext

register = template.Library()


@register.simple_tag(takes_context=True)
def due_rows(context, items):
    """One ``<tr>`` per :class:`due.services.DueItem` in ``items``: the action (linked, with an
    "overdue" or "if you wish" badge), the meeting, the ToR rule, and the deadline in the
    procedural time zone and in the viewer's (the active time zone, named by the profile)."""
    rule = gettext("ToR rule %(rule)s")
    overdue, if_you_wish = escape(gettext("overdue")), escape(gettext("if you wish"))
    overdue = f' <span class="badge missed">{overdue}</span>'
    if_you_wish = f' <span class="badge upcoming">{if_you_wish}</span>'
    user_zone = escape(context["user"].time_zone)
    rows = []
    for item in items:
        d = item.deadline
        action = escape(item.action)
        head = f'<a href="{escape(item.url)}">{action}</a>' if item.url else action
        badge = overdue if item.overdue else ("" if item.obligation else if_you_wish)
        meeting_url = reverse("meetings:detail", args=[item.meeting.pk])
        rows.append(
            f'<tr class="{"status-missed" if item.overdue else ""}">'
            f'<th scope="row">{head}{badge}</th>'
            f'<td><a href="{meeting_url}">{escape(item.meeting.title)}</a></td>'
            f"<td>{rule % {'rule': escape(d.rule)}}</td>"
            f"<td>{escape(date_format(d.due_at_procedural, 'DATETIME_FORMAT'))} ({escape(d.time_zone)})</td>"
            f"<td>{escape(date_format(localtime(d.due_at), 'DATETIME_FORMAT'))} ({user_zone})</td>"
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - escaped text, fixed markup and reversed URLs only
