"""Each user's open actions before ToR deadlines, soonest first."""

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from dief import clock
from meetings.deadlines import Deadline, meeting_calendar
from meetings.enums import DeadlineKey
from meetings.queries import is_chair_in_office, meetings_for_user

SECRETARIAT_ACTIONS = {
    DeadlineKey.INVITATION: _("Send the invitation to all eligible States"),
    DeadlineKey.DRAFT_AGENDA: _("Distribute the draft agenda to all eligible States"),
}
CHAIR_APPROVAL = _("Approve the draft agenda")
REPLY_ACTION = _("Respond to a presentation that involves your State")
NOTICE_WINDOW = _("Notify the States your presentation involves")


@dataclass(frozen=True)
class DueItem:
    meeting: object
    deadline: Deadline
    action: str
    overdue: bool
    obligation: bool
    url: str = ""


def due_items_for_user(user, now: datetime.datetime | None = None) -> list[DueItem]:
    """The open actions of ``user``, soonest deadline first, for meetings that have not ended.

    Secretariat: send the invitation (rule 9), distribute the draft agenda (rule 10). Chair in
    office: approve a draft agenda that waits for it (rule 10). Delegates: respond to each
    presentation that involves their State and has no reply yet (rule 12, an obligation), and,
    if their State presents, notify involved States until T-30 (rule 12, if they wish).
    Takes a user with a verified session and the current aware instant; returns
    :class:`DueItem` objects. Only meetings from :func:`meetings_for_user` are considered.
    """
    from agendas.models import Agenda
    from presentations.models import InvolvedState, Presentation, Reply

    now = now or clock.now()
    today = clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)
    meetings = list(meetings_for_user(user).filter(end_date__gte=today).select_related("tor_version", "invitation"))
    ids = [m.pk for m in meetings]
    is_chair = is_chair_in_office(user)
    agendas = {a.meeting_id: a for a in Agenda.objects.filter(meeting_id__in=ids).prefetch_related("items")}
    to_reply, presenting = {}, set()
    if user.role == Role.DELEGATE and user.state_id:
        replied = set(
            Reply.objects.filter(state_id=user.state_id, presentation__meeting_id__in=ids).values_list(
                "presentation_id", flat=True
            )
        )
        for involved in InvolvedState.objects.filter(
            state_id=user.state_id, presentation__meeting_id__in=ids, presentation__status="registered"
        ).select_related("presentation"):
            if involved.presentation_id not in replied:
                to_reply.setdefault(involved.presentation.meeting_id, []).append(involved.presentation)
        presenting = set(
            Presentation.objects.filter(
                presenting_state_id=user.state_id, meeting_id__in=ids, status="registered"
            ).values_list("meeting_id", flat=True)
        )
    items = []
    for meeting in meetings:
        agenda = agendas.get(meeting.pk)
        for deadline in meeting_calendar(meeting):
            key, passed = deadline.key, deadline.has_passed(now)
            if user.role == Role.SECRETARIAT and key in SECRETARIAT_ACTIONS:
                done = (
                    meeting.invitation.is_sent
                    if key == DeadlineKey.INVITATION
                    else bool(agenda and agenda.is_distributed)
                )
                if not done:
                    page = "meetings:invitation" if key == DeadlineKey.INVITATION else "meetings:agenda"
                    items.append(
                        DueItem(
                            meeting, deadline, SECRETARIAT_ACTIONS[key], passed, True, reverse(page, args=[meeting.pk])
                        )
                    )
            if (
                is_chair
                and key == DeadlineKey.DRAFT_AGENDA
                and agenda
                and agenda.status == "draft"
                and agenda.items.all()
            ):
                items.append(
                    DueItem(
                        meeting, deadline, CHAIR_APPROVAL, passed, True, reverse("meetings:agenda", args=[meeting.pk])
                    )
                )
            if key == DeadlineKey.INVOLVED_STATE_RESPONSE:
                for presentation in to_reply.get(meeting.pk, []):
                    items.append(
                        DueItem(
                            meeting,
                            deadline,
                            REPLY_ACTION,
                            passed,
                            True,
                            reverse("presentations:detail", args=[presentation.pk]),
                        )
                    )
            if key == DeadlineKey.INVOLVED_STATE_NOTICE and meeting.pk in presenting and not passed:
                items.append(
                    DueItem(
                        meeting,
                        deadline,
                        NOTICE_WINDOW,
                        False,
                        False,
                        reverse("presentations:list") + f"?meeting={meeting.pk}",
                    )
                )
    return sorted(items, key=lambda i: (i.deadline.due_at, i.meeting.pk))


STACK_OFFSETS = (35, 13, 57, 79)


@dataclass(frozen=True)
class TimelineMark:
    x: float
    y: int
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
    marks, same_day = [], {}
    for n, d in enumerate(deadlines, start=1):
        k = same_day[d.due_date] = same_day.get(d.due_date, -1) + 1
        # Deadlines on the same day stack above and below the axis instead of hiding each other.
        marks.append(TimelineMark(x(d.due_date), STACK_OFFSETS[min(k, len(STACK_OFFSETS) - 1)], d, str(d.label), n))
    return {
        "width": width,
        "marks": marks,
        "start_x": x(last),
        "today_x": x(today) if first <= today <= last else None,
        "axis_from": margin,
        "axis_to": width - margin,
    }
