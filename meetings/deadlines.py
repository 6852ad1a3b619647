"""Every ToR deadline of dief is computed here, and only here.

"At least N days in advance of a meeting" means on or before the calendar day
``start_date - N days``; the deadline instant is the **end of that day** in the meeting's
procedural time zone (rules.md, Time). Days are calendar days: no shift for weekends or
holidays. Daylight saving changes come from the IANA database shipped by ``tzdata``: the
date arithmetic is done on calendar dates, never by subtracting hours from a UTC instant.
"""

import datetime
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.utils.translation import gettext_lazy as _

from dief import clock

from .enums import DeadlineKey, DeadlineStatus

#: (key, ToR rule, ToRVersion field with the number of days before the meeting, obligation)
#: An obligation is something one party must do by the deadline (met / missed / done late);
#: the others are cut-offs for what States may do (upcoming / closed).
DEADLINE_SPECS = (
    (DeadlineKey.INVITATION, "9", "invitation_days", True),
    (DeadlineKey.EXPERT_PROPOSAL, "8", "expert_proposal_days", False),
    (DeadlineKey.DRAFT_AGENDA, "10", "draft_agenda_days", True),
    (DeadlineKey.INVOLVED_STATE_NOTICE, "12", "involved_state_notice_days", False),
    (DeadlineKey.EXPERT_OBJECTION_RESOLUTION, "8", "expert_objection_resolution_days", False),
    (DeadlineKey.INVOLVED_STATE_RESPONSE, "12", "involved_state_response_days", False),
)

WHO_ACTS = {
    DeadlineKey.INVITATION: _("Secretariat, in consultation with the Chair"),
    DeadlineKey.EXPERT_PROPOSAL: _("States proposing a non-state expert"),
    DeadlineKey.DRAFT_AGENDA: _("Secretariat, in consultation with the Chair"),
    DeadlineKey.INVOLVED_STATE_NOTICE: _("presenting States"),
    DeadlineKey.EXPERT_OBJECTION_RESOLUTION: _("proposing and objecting States"),
    DeadlineKey.INVOLVED_STATE_RESPONSE: _("involved States"),
    DeadlineKey.SILENCE_PROCEDURE: _("States Parties wishing to object"),
}


@dataclass(frozen=True)
class Deadline:
    """One ToR deadline of one meeting.

    ``due_date`` is the calendar day in the procedural time zone; ``due_at`` is the last
    instant of that day, an aware datetime in UTC.
    """

    key: str
    rule: str
    days_before: int
    due_date: datetime.date
    due_at: datetime.datetime
    time_zone: str
    obligation: bool

    @property
    def label(self):
        return DeadlineKey(self.key).label

    @property
    def who_acts(self):
        return WHO_ACTS[DeadlineKey(self.key)]

    @property
    def due_at_procedural(self) -> datetime.datetime:
        """``due_at`` in the procedural time zone."""
        return self.due_at.astimezone(ZoneInfo(self.time_zone))

    def due_at_in(self, time_zone: str) -> datetime.datetime:
        """``due_at`` in the IANA ``time_zone`` given (e.g. a viewer's own)."""
        return self.due_at.astimezone(ZoneInfo(time_zone))

    def is_met_by(self, instant: datetime.datetime) -> bool:
        """True if something done at the aware ``instant`` is on time for this deadline."""
        return instant <= self.due_at

    def has_passed(self, now: datetime.datetime | None = None) -> bool:
        return (now or clock.now()) > self.due_at

    def as_json(self) -> dict:
        return {
            "key": str(self.key),
            "rule": self.rule,
            "label": str(self.label),
            "days_before": self.days_before,
            "due_date": self.due_date.isoformat(),
            "due_at": self.due_at_procedural.isoformat(timespec="seconds"),
            "due_at_utc": self.due_at.isoformat(timespec="seconds"),
            "time_zone": self.time_zone,
        }


@lru_cache(maxsize=4096)
def start_of_day(day: datetime.date, time_zone: str) -> datetime.datetime:
    """The first instant of calendar ``day`` in ``time_zone``, as aware UTC.

    Usually local midnight; where the clocks jump forward over midnight (America/Santiago,
    Asia/Beirut...) the day begins at the jump, the first instant whose local date is ``day``;
    where midnight happens twice, at the first one. Raises ``zoneinfo.ZoneInfoNotFoundError``
    for an unknown zone name. A pure function of its arguments (the IANA data does not change
    while the process runs), so its answers are kept per process: a page of meetings asks the
    same few days many times.
    """
    zone = ZoneInfo(time_zone)
    midnight = datetime.datetime.combine(day, datetime.time(0), tzinfo=zone)
    candidates = [midnight.replace(fold=fold).astimezone(datetime.UTC) for fold in (0, 1)]
    real = [c for c in candidates if c.astimezone(zone).replace(tzinfo=None) == midnight.replace(tzinfo=None)]
    if real:
        return min(real)
    # Midnight does not exist that day: search the jump, to the second (IANA transitions fall
    # on whole seconds), between an instant still on the day before and one already on ``day``.
    before = min(candidates) - datetime.timedelta(days=1)
    after = max(candidates) + datetime.timedelta(days=1)
    while before.astimezone(zone).date() >= day:
        before -= datetime.timedelta(days=1)
    while after.astimezone(zone).date() < day:
        after += datetime.timedelta(days=1)
    lo, hi = int(before.timestamp()), int(after.timestamp())
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if datetime.datetime.fromtimestamp(mid, zone).date() >= day:
            hi = mid
        else:
            lo = mid
    return datetime.datetime.fromtimestamp(hi, datetime.UTC)


def end_of_day(day: datetime.date, time_zone: str) -> datetime.datetime:
    """The last instant of calendar ``day`` in ``time_zone``, as aware UTC: one microsecond
    before the next local day starts (:func:`start_of_day` of ``day + 1``).

    Not "23:59:59.999999 local": where the clocks go back at midnight (America/Santiago on
    2026-04-04) that wall time happens twice and the day ends at its second occurrence.
    Raises ``zoneinfo.ZoneInfoNotFoundError`` for an unknown zone name.
    """
    return start_of_day(day + datetime.timedelta(days=1), time_zone) - datetime.timedelta(microseconds=1)


def days_before(start_date: datetime.date, days: int, time_zone: str) -> tuple[datetime.date, datetime.datetime]:
    """The day ``days`` calendar days before ``start_date`` and the end of it (aware UTC)."""
    due_date = start_date - datetime.timedelta(days=days)
    return due_date, end_of_day(due_date, time_zone)


def tor_calendar(start_date: datetime.date, time_zone: str, tor_version) -> list[Deadline]:
    """All deadlines of ToR rules 8, 9, 10 and 12 for a meeting starting on ``start_date``.

    Takes the meeting's start date (a calendar date at the venue), the procedural time zone
    (IANA name) and a :class:`meetings.models.ToRVersion`; returns the deadlines sorted by
    instant, earliest first.
    """
    return list(_calendar(start_date, time_zone, tuple(getattr(tor_version, spec[2]) for spec in DEADLINE_SPECS)))


@lru_cache(maxsize=4096)
def _calendar(start_date: datetime.date, time_zone: str, days: tuple[int, ...]) -> tuple[Deadline, ...]:
    """The deadlines of :func:`tor_calendar`, given the days of each of ``DEADLINE_SPECS`` in
    order. A pure function of its arguments (a :class:`Deadline` cannot be changed), so its
    answers are kept per process: a page of meetings asks for the same calendars many times."""
    deadlines = []
    for (key, rule, _field, obligation), n in zip(DEADLINE_SPECS, days, strict=True):
        due_date, due_at = days_before(start_date, n, time_zone)
        deadlines.append(Deadline(key, rule, n, due_date, due_at, time_zone, obligation))
    return tuple(sorted(deadlines, key=lambda d: (d.due_at, d.key)))


def meeting_calendar(meeting) -> list[Deadline]:
    """The ToR calendar of a :class:`meetings.models.Meeting` (see :func:`tor_calendar`)."""
    return tor_calendar(meeting.start_date, meeting.procedural_time_zone, meeting.tor_version)


def meeting_deadline(meeting, key: str) -> Deadline:
    """One deadline of a meeting by its :class:`DeadlineKey` (the entry of :func:`meeting_calendar`
    with that key, from the calendar kept per process). Raises ``KeyError`` for a key that is not
    a ToR calendar deadline."""
    tor_version = meeting.tor_version
    days = tuple(getattr(tor_version, spec[2]) for spec in DEADLINE_SPECS)
    for deadline in _calendar(meeting.start_date, meeting.procedural_time_zone, days):
        if deadline.key == key:
            return deadline
    raise KeyError(key)


def silence_procedure_ends_at(distributed_at: datetime.datetime, time_zone: str, tor_version) -> datetime.datetime:
    """ToR rule 8: the end of the fifth calendar day after the day of distribution.

    Takes the aware distribution instant, the procedural time zone and the ToR version;
    returns the aware UTC instant at which the silence procedure ends.
    """
    day = distributed_at.astimezone(ZoneInfo(time_zone)).date()
    return end_of_day(day + datetime.timedelta(days=tor_version.silence_procedure_days), time_zone)


def silence_procedure_deadline(meeting, distributed_at: datetime.datetime) -> Deadline:
    """ToR rule 8: the end of the silence procedure on a proposal distributed at the aware
    ``distributed_at`` for ``meeting``, as a :class:`Deadline` (key ``silence_procedure``), so
    pages, "What is due", the timeline and the calendar show it like the others.

    Its instant is :func:`silence_procedure_ends_at` in the meeting's procedural time zone;
    it is never cut short by T-20 (a proposal distributed late still gets its full days).
    """
    time_zone = meeting.procedural_time_zone
    due_at = silence_procedure_ends_at(distributed_at, time_zone, meeting.tor_version)
    due_date = due_at.astimezone(ZoneInfo(time_zone)).date()
    return Deadline(
        DeadlineKey.SILENCE_PROCEDURE,
        "8",
        (meeting.start_date - due_date).days,
        due_date,
        due_at,
        time_zone,
        False,
    )


def deadline_status(deadline: Deadline, done_at: datetime.datetime | None, now: datetime.datetime) -> str:
    """The :class:`DeadlineStatus` of ``deadline`` given when it was acted on (or None) and now."""
    if not deadline.obligation:
        return DeadlineStatus.CLOSED if now > deadline.due_at else DeadlineStatus.UPCOMING
    if done_at is not None:
        return DeadlineStatus.MET if deadline.is_met_by(done_at) else DeadlineStatus.DONE_LATE
    return DeadlineStatus.MISSED if now > deadline.due_at else DeadlineStatus.UPCOMING


#: Reminders go out at this local hour (procedural time zone) on the day N days before the due date.
REMINDER_HOUR = 9


def reminder_days(key: str) -> tuple[int, ...]:
    """Days before deadline ``key`` at which reminders go out (settings ``DIEF_REMINDER_DAYS``:
    a mapping of deadline key to days, with a ``default``; 14, 7 and 2 unless configured)."""
    from django.conf import settings

    configured = getattr(settings, "DIEF_REMINDER_DAYS", {}) or {}
    days = configured.get(str(key), configured.get("default", (14, 7, 2)))
    return tuple(sorted({int(d) for d in days if int(d) > 0}, reverse=True))


def reminder_at(deadline: Deadline, days: int) -> datetime.datetime:
    """The instant (aware UTC) of the reminder ``days`` calendar days before ``deadline``:
    ``REMINDER_HOUR`` o'clock in the procedural time zone on that day."""
    day = deadline.due_date - datetime.timedelta(days=days)
    local = datetime.datetime.combine(day, datetime.time(REMINDER_HOUR), tzinfo=ZoneInfo(deadline.time_zone))
    return local.astimezone(datetime.UTC)


def passed_at(deadline: Deadline) -> datetime.datetime:
    """The first instant after ``deadline``: when it counts as passed (aware UTC)."""
    return deadline.due_at + datetime.timedelta(microseconds=1)


def decision_period_ends_at(last_day: datetime.date, time_zone: str) -> datetime.datetime:
    """ToR rule 22: a decision period the Chair opens on a briefing outline ends at the end of
    its ``last_day`` (a calendar date) in the meeting's procedural ``time_zone`` (IANA name).

    Returns the aware UTC instant; raises ``zoneinfo.ZoneInfoNotFoundError`` for an unknown zone.
    """
    return end_of_day(last_day, time_zone)
#: ToR rule 15 sets no period for objecting to a lifted classification; the platform gives
#: the participants as long as the rule 8 silence procedure gives States Parties.
LIFT_OBJECTION_DAYS = 5


def lift_objections_close_at(proposed_at: datetime.datetime, time_zone: str) -> datetime.datetime:
    """ToR rule 15: participants may object to lifting a classification until the end of the
    fifth calendar day after the day of the provider's proposal, in ``time_zone``. Takes and
    returns aware instants (UTC)."""
    day = proposed_at.astimezone(ZoneInfo(time_zone)).date()
    return end_of_day(day + datetime.timedelta(days=LIFT_OBJECTION_DAYS), time_zone)
