"""``{% load meeting_rows %}``: the rows of the list of meetings, and one day in the interface
language (``{{ day|day }}``).

Written here rather than in the template: a page has 25 rows of links, dates and words, and
the template language spent more on them than on the rest of the page. The markup is what the
template wrote.
"""

import datetime
from functools import lru_cache

from django import template
from django.utils.formats import date_format
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext

from dief.links import path_to

register = template.Library()


@lru_cache(maxsize=4096)
def _day(value: datetime.date, language: str | None, fmt: str) -> str:
    return date_format(value, fmt)


@lru_cache(maxsize=4096)
def _instant(text: str, zone: str, language: str | None, fmt: str, value: datetime.datetime) -> str:
    return date_format(value, fmt)


def instant(value: datetime.datetime, fmt: str) -> str:
    """``date_format(value, fmt)`` for an aware datetime, formatted once per process for each
    wall time, offset, zone, language and format: a pure function of them (``value`` is written
    in its own zone; two instants equal in UTC but in different zones are different keys)."""
    return _instant(value.isoformat(), str(value.tzinfo), get_language(), fmt, value)


@register.filter
def day(value, fmt: str = "DATE_FORMAT") -> str:
    """``value|date:fmt`` for a date (not a datetime: no time zone), formatted once per process
    for each day, language and format (a pure function of the three)."""
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        return date_format(value, fmt) if value else ""
    return _day(value, get_language(), fmt)


@register.simple_tag
def meeting_rows(meetings):
    """One ``<tr>`` per meeting of ``meetings``: its title linked to its page, its dates, its
    venue and whether its invitation is sent (and late) (ToR rule 9)."""
    sent, late, not_sent = escape(gettext("sent")), escape(gettext("late")), escape(gettext("not sent yet"))
    rows = []
    for meeting in meetings:
        dates = day(meeting.start_date)
        if meeting.end_date != meeting.start_date:
            dates = f"{dates} – {day(meeting.end_date)}"
        invitation = getattr(meeting, "invitation", None)
        if invitation is not None and invitation.is_sent:
            status = f"{sent} ({late})" if invitation.sent_late else sent
        else:
            status = not_sent
        rows.append(
            "  <tr>\n"
            f'    <td><a href="{path_to("meetings:detail", meeting.pk)}">{escape(meeting.title)}</a></td>\n'
            f"    <td>{escape(dates)}</td>\n"
            f"    <td>{escape(meeting.venue)}</td>\n"
            f"    <td>{status}</td>\n"
            "  </tr>"
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - escaped text, fixed markup and paths of whole-number ids


@register.simple_tag
def state_items(states):
    """One ``<li>`` per ``(State, with enforcement officers)`` of ``states``: the State's name in
    the interface language, and whether its delegation includes an enforcement officer (ToR
    rule 7)."""
    officers = " · " + escape(gettext("with enforcement officers"))
    return mark_safe(  # noqa: S308 - escaped names and fixed text
        "".join(f"<li>{escape(str(state))}{officers if with_officers else ''}</li>" for state, with_officers in states)
    )


@register.simple_tag
def calendar_rows(rows):
    """One ``<tr>`` per row of a meeting's ToR calendar (``meetings.views._calendar_rows``): the
    deadline, who acts, what is still open, its ToR rule, the days before the meeting, its day,
    its end in the procedural time zone and in the viewer's (each as it is, with its offset
    from UTC), and its status."""
    rule = gettext("ToR rule %(rule)s")
    out = []
    for row in rows:
        d = row["deadline"]
        summary = f'<br><small class="duty-summary">{escape(row["summary"])}</small>' if row["summary"] else ""
        status = escape(row["status"])
        procedural, viewer = row["procedural"], row["viewer"]
        out.append(
            f'  <tr class="status-{status}" data-key="{escape(d.key)}">\n'
            f'    <th scope="row">{escape(d.label)}<br><small>{escape(d.who_acts)}</small>{summary}</th>\n'
            f"    <td>{escape(rule % {'rule': d.rule})}</td>\n"
            f"    <td>{d.days_before}</td>\n"
            f'    <td><time datetime="{d.due_date.isoformat()}">{escape(day(d.due_date, "l"))} '
            f"{escape(day(d.due_date))}</time></td>\n"
            f"    <td>{escape(instant(procedural, 'DATETIME_FORMAT'))} "
            f"<small>(UTC{instant(procedural, 'O')})</small></td>\n"
            f"    <td>{escape(instant(viewer, 'DATETIME_FORMAT'))} "
            f"<small>(UTC{instant(viewer, 'O')})</small></td>\n"
            f'    <td><span class="badge {status}">{escape(row["status_label"])}</span></td>\n'
            "  </tr>"
        )
    return mark_safe("\n".join(out))  # noqa: S308 - escaped text, numbers and fixed markup
