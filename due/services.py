"""Each user's open actions before ToR deadlines, soonest first."""

import datetime
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from dief import clock
from meetings.deadlines import Deadline, deadline_status, meeting_calendar
from meetings.enums import DeadlineKey, DeadlineStatus
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
    #: What, besides the meeting and the deadline, the action is about ("presentation-12"):
    #: two actions before the same deadline of one meeting differ by it (calendar UIDs).
    subject: str = ""


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
                        meeting,
                        deadline,
                        CHAIR_APPROVAL,
                        passed,
                        True,
                        reverse("meetings:agenda", args=[meeting.pk]),
                        "chair-approval",
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
                            f"presentation-{presentation.pk}",
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


#: How each deadline status is drawn: a shape (so the picture needs no colour) and a CSS class.
STATUS_SHAPES = {
    DeadlineStatus.MET: "done",
    DeadlineStatus.DONE_LATE: "done",
    DeadlineStatus.MISSED: "missed",
    DeadlineStatus.UPCOMING: "upcoming",
    DeadlineStatus.CLOSED: "closed",
}
SHAPE_LABELS = {
    "done": _("● done"),
    "missed": _("◆ missed"),
    "upcoming": _("○ upcoming"),
    "closed": _("□ closed (not an obligation)"),
}
#: The picture, in SVG user units: marks stack upwards from the axis so none hides another.
WIDTH, HEIGHT, MARGIN, AXIS_Y = 640, 156, 24, 110
LEVELS = (90, 66, 42)
MARK_GAP = 22
#: Days shown before the first deadline and after the meeting starts.
LEAD_DAYS, TAIL_DAYS = 5, 3
#: Today is drawn to scale if at most this many days before the first deadline, else at the left edge.
MAX_EXTENSION_DAYS = 120


@dataclass(frozen=True)
class TimelineMark:
    x: float
    y: int
    deadline: Deadline
    label: str
    number: int
    status: str
    status_label: str
    shape: str

    @property
    def path(self) -> str:
        """SVG path of the mark's shape around (x, y): circle (done, upcoming), diamond (missed),
        square (closed)."""
        x, y = self.x, self.y
        if self.shape == "missed":
            return f"M{x} {y - 13}L{x + 13} {y}L{x} {y + 13}L{x - 13} {y}Z"
        if self.shape == "closed":
            return f"M{x - 9} {y - 9}h18v18h-18Z"
        return f"M{x - 10} {y}a10 10 0 1 0 20 0a10 10 0 1 0 -20 0Z"


@dataclass(frozen=True)
class TimelineTick:
    x: float
    date: datetime.date
    labelled: bool


@dataclass(frozen=True)
class Timeline:
    """A meeting's ToR deadlines drawn to scale (SVG user units; ``x`` grows with the date)."""

    meeting: object
    width: int
    height: int
    axis_y: int
    axis_from: float
    axis_to: float
    first_day: datetime.date
    last_day: datetime.date
    today: datetime.date
    today_x: float | None
    today_before_axis: bool
    start_x: float
    marks: list
    ticks: list
    shapes: list


def deadline_statuses(meeting, deadlines, now: datetime.datetime) -> dict[str, str]:
    """The :class:`DeadlineStatus` of each of ``meeting``'s ``deadlines`` at the aware instant ``now``,
    by deadline key: done (on time or late), missed or upcoming for the duties the enforcement
    engine tracks (ToR rules 9, 10); upcoming or closed for the others."""
    from enforcement.registry import DUTIES

    done = {key: duty.done_at(meeting) for key, duty in DUTIES.items() if duty.escalate}
    return {d.key: deadline_status(d, done.get(d.key), now) for d in deadlines}


def timeline(meeting, now: datetime.datetime | None = None) -> Timeline:
    """The picture of ``meeting``'s ToR deadlines (rules 8, 9, 10, 12) at the aware instant ``now``.

    The axis runs from a few days before the first deadline to just after the meeting's start,
    widened to take in today when today is at most ``MAX_EXTENSION_DAYS`` earlier (or later);
    dates are days in the procedural time zone. Each deadline is drawn with the shape of its
    status; marks closer than ``MARK_GAP`` stack upwards. Returns a :class:`Timeline`.
    """
    now = now or clock.now()
    deadlines = meeting_calendar(meeting)
    statuses = deadline_statuses(meeting, deadlines, now)
    today = now.astimezone(ZoneInfo(meeting.procedural_time_zone)).date()
    first = min(d.due_date for d in deadlines) - datetime.timedelta(days=LEAD_DAYS)
    last = max(meeting.start_date, meeting.end_date) + datetime.timedelta(days=TAIL_DAYS)
    if first - datetime.timedelta(days=MAX_EXTENSION_DAYS) <= today < first:
        first = today - datetime.timedelta(days=2)
    if last < today:
        last = today + datetime.timedelta(days=2)
    span = (last - first).days
    axis_from, axis_to = MARGIN, WIDTH - MARGIN

    def x(day: datetime.date) -> float:
        return round(axis_from + (axis_to - axis_from) * (day - first).days / span, 1)

    marks, placed = [], []
    for number, d in sorted(enumerate(deadlines, start=1), key=lambda nd: (nd[1].due_date, nd[0])):
        mx = x(d.due_date)
        level = next(
            (k for k in range(len(LEVELS)) if all(abs(mx - px) >= MARK_GAP for px, pk in placed if pk == k)),
            len(LEVELS) - 1,
        )
        placed.append((mx, level))
        status = statuses[d.key]
        marks.append(
            TimelineMark(
                mx,
                LEVELS[level],
                d,
                str(d.label),
                number,
                status,
                str(DeadlineStatus(status).label),
                STATUS_SHAPES[status],
            )
        )
    marks.sort(key=lambda m: m.number)
    ticks, day = [], first
    while day <= last:
        if day.day == 1 or day.weekday() == 0:
            ticks.append(TimelineTick(x(day), day, day.day == 1))
        day += datetime.timedelta(days=1)
    used = {m.shape for m in marks}
    return Timeline(
        meeting=meeting,
        width=WIDTH,
        height=HEIGHT,
        axis_y=AXIS_Y,
        axis_from=axis_from,
        axis_to=axis_to,
        first_day=first,
        last_day=last,
        today=today,
        today_x=x(today) if first <= today <= last else None,
        today_before_axis=today < first,
        start_x=x(meeting.start_date),
        marks=marks,
        ticks=ticks,
        shapes=[(shape, SHAPE_LABELS[shape]) for shape in SHAPE_LABELS if shape in used],
    )
