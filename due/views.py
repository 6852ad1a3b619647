"""What is due, the meeting timeline and the authenticated .ics download."""

import datetime

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from dief import clock
from meetings.queries import meetings_for_user

from .services import due_items_for_user, timeline


def due_list(request):
    now = clock.now()
    items = due_items_for_user(request.user, now)
    today = clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)
    upcoming = (
        meetings_for_user(request.user)
        .filter(end_date__gte=today)
        .select_related("tor_version", "invitation", "agenda")
    )
    timelines = [(m, timeline(m, now)) for m in upcoming]
    return render(request, "due/due_list.html", {"items": items, "timelines": timelines, "now": now})


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
            % {"when": d.due_at_procedural.strftime("%Y-%m-%d %H:%M"), "tz": d.time_zone},
        )
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dief.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
