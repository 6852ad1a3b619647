"""``{% due_rows items %}``: the rows of the table of open actions on "What is due".

Written here rather than in the template: a page has 25 rows of links, rules and dates in two
time zones, and the template language spent more on them than on the rest of the page. The
markup is what the template wrote.
"""

from functools import lru_cache
from zoneinfo import ZoneInfo

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language, gettext

from dief.links import path_to

register = template.Library()


@lru_cache(maxsize=4096)
def when_text(instant, time_zone: str, language: str) -> str:
    """``instant`` (aware) in ``time_zone`` as the active language's DATETIME_FORMAT, escaped.

    A pure function of its arguments (``language`` is the active one, passed so that it is in
    the key), so its answers are kept per process: the rows of a page, and the pages of many
    users, share a few deadlines."""
    return escape(date_format(instant.astimezone(ZoneInfo(time_zone)), "DATETIME_FORMAT"))


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
    active_zone, language = get_current_timezone_name(), get_language()
    rows = []
    for item in items:
        d = item.deadline
        action = escape(item.action)
        head = f'<a href="{escape(item.url)}">{action}</a>' if item.url else action
        badge = overdue if item.overdue else ("" if item.obligation else if_you_wish)
        meeting_url = path_to("meetings:detail", item.meeting.pk)
        rows.append(
            f'<tr class="{"status-missed" if item.overdue else ""}">'
            f'<th scope="row">{head}{badge}</th>'
            f'<td><a href="{meeting_url}">{escape(item.meeting.title)}</a></td>'
            f"<td>{rule % {'rule': escape(d.rule)}}</td>"
            f"<td>{when_text(d.due_at, d.time_zone, language)} ({escape(d.time_zone)})</td>"
            f"<td>{when_text(d.due_at, active_zone, language)} ({user_zone})</td>"
            "</tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - escaped text, fixed markup and reversed URLs only
