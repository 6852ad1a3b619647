"""What is due, the meeting timeline and the authenticated .ics download."""

import datetime
import heapq
from functools import lru_cache

from django.conf import settings
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from icalendar import Calendar, Event
from icalendar.prop import vDDDTypes

from dief import clock
from dief.pagination import paginate

from .services import (
    DUE_PAGE_SIZE,
    DUE_TIMELINES,
    bilateral_items_for_user,
    calendar_meetings_for_user,
    carried_waiting,
    due_items_for_user,
    due_page_items,
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
    meetings = upcoming_meetings_for_user(request.user, waiting_at=now)
    proposals = open_proposals_for_user(request.user, meetings)
    # The first page (no ``?page=``, or 1) is read with the counts (see ``due_page_items``).
    first = DUE_PAGE_SIZE if request.GET.get("page", "1") == "1" else 0
    items = due_page_items(request.user, now, meetings=meetings, proposals=proposals, first=first)
    page = paginate(request, items, per_page=DUE_PAGE_SIZE)
    shown = meetings[:DUE_TIMELINES]
    silences = silence_deadlines_for_user(request.user, shown, proposals)
    timelines = [(m, timeline(m, now, extra=silences.get(m.pk, ()))) for m in shown]
    bilateral, bilateral_total = bilateral_items_for_user(request.user, now, waiting=carried_waiting(meetings))
    context = {
        "bilateral": bilateral,
        "bilateral_more": bilateral_total - len(bilateral),
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


@lru_cache(maxsize=8192)
def _vevent(uid: str, summary: str, dtstart, dtend, location: str | None, description: str | None) -> tuple:
    """One VEVENT, serialised by icalendar, without its DTSTAMP: ``(b"BEGIN:VEVENT\\r\\n", rest)``.

    A pure function of its arguments, so its answers are kept (per process): everything the
    event says is in the key, and it is only given back to a caller that had all of it."""
    event = Event()
    event.add("uid", uid)
    event.add("summary", summary)
    event.add("dtstart", dtstart)
    event.add("dtend", dtend)
    if location is not None:
        event.add("location", location)
    if description is not None:
        event.add("description", description)
    begin, rest = event.to_ical().split(b"\r\n", 1)
    return begin + b"\r\n", rest


@lru_cache(maxsize=16)
def _calendar_head(name: str) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//DIEF//dief//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", name)
    return cal.to_ical().removesuffix(b"END:VCALENDAR\r\n")


def calendar_ics(request):
    """The user's meetings and open deadlines as iCalendar (authenticated: meeting dates are
    confidential, ToR rule 14; there is no open feed).

    Every meeting ``meetings_for_user`` gives and every open deadline of the upcoming ones: a
    calendar needs them all. The meetings and the open expert proposals are each read once.
    Each event is serialised once per process for the same content (:func:`_vevent`); DTSTAMP
    is the time of the download."""
    user = request.user
    now = clock.now()
    today = clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)
    # The upcoming meetings are read whole (their deadlines need the ToR version, invitation and
    # agenda); the past ones only as the five values their event shows; both in one query.
    upcoming, past = calendar_meetings_for_user(user, today)
    meetings = heapq.merge(
        past,
        ((m.pk, m.title, m.start_date, m.end_date, m.venue) for m in upcoming),
        key=lambda m: (m[2], m[0]),
    )
    proposals = open_proposals_for_user(user, upcoming)
    stamp = b"DTSTAMP:" + vDDDTypes(now).to_ical() + b"\r\n"
    parts = [_calendar_head(str(_("DIEF meetings and deadlines")))]

    def add(*event):
        begin, rest = _vevent(*event)
        parts.extend((begin, stamp, rest))

    day = datetime.timedelta(days=1)
    for pk, title, start_date, end_date, venue in meetings:
        add(f"dief-meeting-{pk}@dief", title, start_date, end_date + day, venue, None)
    summary = _("%(action)s (ToR rule %(rule)s) — %(meeting)s")
    ends = _("Ends at %(when)s (%(tz)s).")
    yours = _("Your time: %(when)s (%(tz)s). ToR rule %(rule)s.")
    zone = user.time_zone
    shown = set()
    for item in due_items_for_user(user, now, meetings=upcoming, proposals=proposals):
        d = item.deadline
        description = (
            ends % {"when": d.due_at_procedural.strftime("%Y-%m-%d %H:%M"), "tz": d.time_zone}
            + " "
            + yours % {"when": d.due_at_in(zone).strftime("%Y-%m-%d %H:%M"), "tz": zone, "rule": d.rule}
        )
        title = summary % {"action": item.action, "rule": d.rule, "meeting": item.meeting.title}
        add(deadline_uid(item), title, d.due_date, d.due_date + day, None, description)
        shown.add((item.meeting.pk, d.key, d.due_at))
    # The end of every silence procedure the user sees still running (ToR rule 8), whether or not
    # it has something to do before it (the proposing State has nothing, yet wants the date).
    by_id = {m.pk: m for m in upcoming}
    for meeting_id, deadlines in silence_deadlines_for_user(user, upcoming, proposals).items():
        meeting = by_id[meeting_id]
        for d in deadlines:
            if (meeting_id, d.key, d.due_at) in shown:
                continue
            shown.add((meeting_id, d.key, d.due_at))
            description = (
                ends % {"when": d.due_at_procedural.strftime("%Y-%m-%d %H:%M"), "tz": d.time_zone}
                + " "
                + yours % {"when": d.due_at_in(zone).strftime("%Y-%m-%d %H:%M"), "tz": zone, "rule": d.rule}
            )
            title = summary % {"action": d.label, "rule": d.rule, "meeting": meeting.title}
            uid = f"dief-deadline-{meeting_id}-{d.key}-{d.due_at:%Y%m%d}@dief"
            add(uid, title, d.due_date, d.due_date + day, None, description)
    parts.append(b"END:VCALENDAR\r\n")
    response = HttpResponse(b"".join(parts), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dief.ics"'
    response["Cache-Control"] = "private, no-store"
    return response
