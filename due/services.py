"""Each user's open actions before ToR deadlines, soonest first."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from dief import clock
from meetings.deadlines import Deadline, meeting_calendar
from meetings.duties import DONE_AT
from meetings.enums import DeadlineKey
from meetings.queries import is_chair_in_office, meetings_for_user

# What a delegate of an eligible State may still do before each cut-off (rules 8, 12).
DELEGATE_WINDOWS = {
    DeadlineKey.EXPERT_PROPOSAL: _("Propose a non-state expert for a presentation"),
    DeadlineKey.INVOLVED_STATE_NOTICE: _("Notify the States a presentation involves"),
}
SECRETARIAT_ACTIONS = {
    DeadlineKey.INVITATION: _("Send the invitation to all eligible States"),
    DeadlineKey.DRAFT_AGENDA: _("Distribute the draft agenda to all eligible States"),
}
CHAIR_ACTIONS = {
    DeadlineKey.INVITATION: _("Be consulted on the invitation"),
    DeadlineKey.DRAFT_AGENDA: _("Be consulted on and approve the draft agenda"),
}


@dataclass(frozen=True)
class DueItem:
    meeting: object
    deadline: Deadline
    action: str
    overdue: bool
    obligation: bool


def due_items_for_user(user, now: datetime.datetime | None = None) -> list[DueItem]:
    """The open actions of ``user``, soonest deadline first, for meetings that have not ended.

    Takes a user with a verified session and the current aware instant; returns
    :class:`DueItem` objects. Only meetings from :func:`meetings_for_user` are considered.
    """
    now = now or clock.now()
    today = clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)
    meetings = meetings_for_user(user).filter(end_date__gte=today).select_related("tor_version", "invitation")
    is_chair = is_chair_in_office(user)
    items = []
    for meeting in meetings:
        for deadline in meeting_calendar(meeting):
            key = deadline.key
            if user.role == Role.SECRETARIAT and key in SECRETARIAT_ACTIONS:
                if DONE_AT[key](meeting) is None:
                    items.append(DueItem(meeting, deadline, SECRETARIAT_ACTIONS[key], deadline.has_passed(now), True))
            elif is_chair and key in CHAIR_ACTIONS:
                if DONE_AT[key](meeting) is None:
                    items.append(DueItem(meeting, deadline, CHAIR_ACTIONS[key], deadline.has_passed(now), True))
            elif user.role == Role.DELEGATE and key in DELEGATE_WINDOWS and not deadline.has_passed(now):
                items.append(DueItem(meeting, deadline, DELEGATE_WINDOWS[key], False, False))
    return sorted(items, key=lambda i: (i.deadline.due_at, i.meeting.pk))


@dataclass(frozen=True)
class TimelineMark:
    x: float
    deadline: Deadline | None
    label: str
    number: int


def timeline(meeting, now: datetime.datetime | None = None, width: int = 640) -> dict:
    """Positions (in SVG user units) of a meeting's deadlines, today and the meeting itself
    on a horizontal axis from the earliest deadline to the start of the meeting."""
    now = now or clock.now()
    deadlines = meeting_calendar(meeting)
    first = min(d.due_date for d in deadlines) - datetime.timedelta(days=3)
    last = meeting.start_date
    span = max((last - first).days, 1)
    margin = 20

    def x(day):
        return round(margin + (width - 2 * margin) * min(max((day - first).days, 0), span) / span, 1)

    today = now.astimezone(deadlines[0].due_at_procedural.tzinfo).date()
    marks = [TimelineMark(x(d.due_date), d, str(d.label), n) for n, d in enumerate(deadlines, start=1)]
    return {
        "width": width,
        "marks": marks,
        "start_x": x(last),
        "today_x": x(today) if first <= today <= last else None,
        "axis_from": margin,
        "axis_to": width - margin,
    }
