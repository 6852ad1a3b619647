"""What is due, the meeting timeline and the authenticated .ics download."""

import datetime

from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from dief import clock
from dief.pagination import paginate
from meetings.queries import meetings_for_user

from .services import (
    DUE_PAGE_SIZE,
    DUE_TIMELINES,
    due_items_for_user,
    open_proposals_for_user,
    silence_deadlines_for_user,
    timeline,
    upcoming_meetings_for_user,
)


def due_list(request):
    """The user's open actions a page at a time (``?page=``), soonest deadline first, and the
    timelines of the soonest upcoming meetings. The meetings are read once; only the shown
    items' links are built."""
    now = clock.now()
    meetings = upcoming_meetings_for_user(request.user)
    proposals = open_proposals_for_user(request.user, meetings)
    items = due_items_for_user(request.user, now, meetings=meetings, proposals=proposals)
    page = paginate(request, items, per_page=DUE_PAGE_SIZE)
    shown = meetings[:DUE_TIMELINES]
    silences = silence_deadlines_for_user(request.user, shown, proposals)
    timelines = [(m, timeline(m, now, extra=silences.get(m.pk, ()))) for m in shown]
    context = {
        "items": page.object_list,
        "page_obj": page,
        "timelines": timelines,
        "more_meetings": len(meetings) - len(shown),
        "now": now,
    }
    return render(request, "due/due_list.html", context)


def deadline_uid(item) -> str:
    """The iCalendar UID of an open action (RFC 5545): unique per meeting, deadline and what
    the action is about (one per involved presentation), and the same at every download."""
    subject = f"-{item.subject}" if item.subject else ""
    return f"dief-deadline-{item.meeting.pk}-{item.deadline.key}{subject}@dief"


def calendar_ics(request):
    """The user's meetings and open deadlines as iCalendar (authenticated: meeting dates are
    confidential, ToR rule 14; there is no open feed)."""
    now = clock.now()
    cal = Calendar()
    cal.add("prodid", "-//DIEF//dief//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", _("DIEF meetings and deadlines"))
    for meeting in meetings_for_user(request.user):
        event = Event()
        event.add("uid", f"dief-meeting-{meeting.pk}@dief")
        event.add("dtstamp", now)
        event.add("summary", meeting.title)
        event.add("dtstart", meeting.start_date)
        event.add("dtend", meeting.end_date + datetime.timedelta(days=1))
        event.add("location", meeting.venue)
        cal.add_component(event)
    for item in due_items_for_user(request.user, now):
        d = item.deadline
        event = Event()
        event.add("uid", deadline_uid(item))
        event.add("dtstamp", now)
        event.add(
            "summary",
            _("%(action)s (ToR rule %(rule)s) — %(meeting)s")
            % {"action": item.action, "rule": d.rule, "meeting": item.meeting.title},
        )
        event.add("dtstart", d.due_date)
        event.add("dtend", d.due_date + datetime.timedelta(days=1))
        event.add(
            "description",
            _("Ends at %(when)s (%(tz)s).")
            % {"when": d.due_at_procedural.strftime("%Y-%m-%d %H:%M"), "tz": d.time_zone}
            + " "
            + _("Your time: %(when)s (%(tz)s). ToR rule %(rule)s.")
            % {
                "when": d.due_at_in(request.user.time_zone).strftime("%Y-%m-%d %H:%M"),
                "tz": request.user.time_zone,
                "rule": d.rule,
            },
        )
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dief.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
