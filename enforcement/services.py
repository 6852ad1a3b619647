"""The sweep: applies every ToR deadline transition once, when it is due.

The database is the source of truth. Each transition is a :class:`ScheduledTransition` row
with an indexed ``due_at``; :func:`sweep` claims due rows under a row lock
(``select_for_update(skip_locked=True)``) *and* a conditional update, so two sweeps at once
(two beats, two workers) never apply one twice, and a wiped broker loses nothing.
"""

import datetime
import logging

from django.db import transaction

from accounts.enums import Role
from accounts.models import User
from dief import clock
from meetings.deadlines import meeting_calendar, meeting_deadline, passed_at, reminder_at, reminder_days
from meetings.queries import current_chair_appointment
from notifications.enums import NotificationKind
from notifications.registry import entitlement
from notifications.services import queue

from . import registry
from .models import DeadlineFlag, ScheduledTransition, SweepRun

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 5
REMINDER = "reminder"
DEADLINE_PASSED = "deadline_passed"


def _planned(meeting) -> dict[str, dict]:
    """Every meeting-relative transition of ``meeting``, keyed by dedupe key."""
    planned = {}
    for deadline in meeting_calendar(meeting):
        for days in reminder_days(deadline.key):
            key = f"m{meeting.pk}:{REMINDER}:{deadline.key}:{days}:{deadline.due_date.isoformat()}"
            planned[key] = dict(
                action=REMINDER,
                deadline_key=deadline.key,
                params={"days_before": days},
                due_at=reminder_at(deadline, days),
            )
        key = f"m{meeting.pk}:{DEADLINE_PASSED}:{deadline.key}:{deadline.due_date.isoformat()}"
        planned[key] = dict(action=DEADLINE_PASSED, deadline_key=deadline.key, params={}, due_at=passed_at(deadline))
    for provider in registry.SCHEDULE_PROVIDERS:
        for key, fields in provider(meeting).items():
            planned[key] = fields
    return planned


@transaction.atomic
def schedule_meeting(meeting, now: datetime.datetime | None = None) -> int:
    """(Re)compute the transitions that follow from ``meeting``'s dates; returns how many were added.

    Pending meeting-relative rows that no longer match the dates are dropped; applied rows
    stay as history (done stays done). Reminders whose instant has already passed when they
    are scheduled are not created (no stale "14 days left" mail on a short-notice meeting).
    Flags of deadlines that moved are cleared.
    """
    now = now or clock.now()
    planned = _planned(meeting)
    meeting.scheduled_transitions.filter(applied_at__isnull=True, meeting_relative=True).exclude(
        dedupe_key__in=list(planned)
    ).delete()
    existing = set(
        ScheduledTransition.objects.filter(dedupe_key__in=list(planned)).values_list("dedupe_key", flat=True)
    )
    rows = [
        ScheduledTransition(meeting=meeting, dedupe_key=key, meeting_relative=True, **fields)
        for key, fields in planned.items()
        if key not in existing and not (fields["action"] == REMINDER and fields["due_at"] <= now)
    ]
    ScheduledTransition.objects.bulk_create(rows, ignore_conflicts=True)
    current = {d.key: d.due_at for d in meeting_calendar(meeting)}
    for flag in meeting.deadline_flags.filter(cleared_at__isnull=True):
        if current.get(flag.deadline_key) != flag.due_at:
            flag.cleared_at = now
            flag.save(update_fields=["cleared_at"])
    return len(rows)


def schedule(
    meeting,
    *,
    action: str,
    due_at: datetime.datetime,
    dedupe_key: str,
    deadline_key: str = "",
    subject_id: int | None = None,
    params: dict | None = None,
) -> None:
    """Schedule one transition that does not follow the meeting's dates (e.g. the end of a
    silence procedure, ToR rule 8). Scheduling the same ``dedupe_key`` twice is a no-op."""
    ScheduledTransition.objects.bulk_create(
        [
            ScheduledTransition(
                meeting=meeting,
                action=action,
                due_at=due_at,
                dedupe_key=dedupe_key,
                deadline_key=deadline_key,
                subject_id=subject_id,
                params=params or {},
                meeting_relative=False,
            )
        ],
        ignore_conflicts=True,
    )


def sweep(now: datetime.datetime | None = None, batch: int = 100) -> int:
    """Apply every transition due at ``now`` (aware UTC; default the clock); returns how many.

    With nothing due it runs one indexed query, whatever the number of meetings.
    """
    now = now or clock.now()
    applied = 0
    tried: set[int] = set()  # a transition that failed waits for the next sweep, not the next batch
    while True:
        with transaction.atomic():
            rows = list(
                ScheduledTransition.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(applied_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS)
                .exclude(pk__in=tried)
                .select_related("meeting", "meeting__tor_version")
                .order_by("due_at", "pk")[:batch]
            )
            for row in rows:
                tried.add(row.pk)
                applied += _apply(row, now)
        if len(rows) < batch:
            return applied


def _apply(row: ScheduledTransition, now: datetime.datetime) -> int:
    # The conditional update is the claim: on a database without row locks, or if another
    # sweep got here first, it updates nothing and the transition is left alone.
    if not ScheduledTransition.objects.filter(pk=row.pk, applied_at__isnull=True).update(applied_at=now):
        return 0
    handler = registry.TRANSITIONS.get(row.action)
    try:
        with transaction.atomic():
            outcome = handler(row, now) if handler else "no handler registered"
    except Exception as exc:  # a broken handler must not block the other transitions
        log.exception("transition %s failed", row.dedupe_key)
        ScheduledTransition.objects.filter(pk=row.pk).update(
            applied_at=None, attempts=row.attempts + 1, outcome=f"error: {exc!r}"[:200]
        )
        return 0
    ScheduledTransition.objects.filter(pk=row.pk).update(outcome=str(outcome or "")[:200])
    return 1


def still_obliged(notification) -> bool:
    """A reminder goes only to someone who, at the moment of sending, must still act before
    that deadline of that meeting (the deadline's registered duty)."""
    duty = registry.DUTIES.get(notification.context.get("deadline_key", ""))
    if duty is None or notification.meeting is None:
        return False
    who = duty.who(notification.meeting)
    if hasattr(who, "filter"):
        return who.filter(pk=notification.recipient_id).exists()
    return any(u.pk == notification.recipient_id for u in who)


def still_secretariat_or_chair(notification) -> bool:
    """A missed deadline is escalated only to Secretariat staff or the Chair in office at the
    moment of sending (ToR rules 4, 5)."""
    return any(u.pk == notification.recipient_id for u in secretariat_and_chair())


def register_entitlements() -> None:
    entitlement(NotificationKind.REMINDER)(still_obliged)
    entitlement(NotificationKind.DEADLINE_MISSED)(still_secretariat_or_chair)


def secretariat_and_chair():
    """The active Secretariat staff and the Chair in office (ToR rules 4, 5)."""
    users = list(User.objects.filter(is_active=True, role=Role.SECRETARIAT))
    appointment = current_chair_appointment()
    if appointment and appointment.chair.is_active and appointment.chair not in users:
        users.append(appointment.chair)
    return users


def deadline_context(deadline, days_before: int | None = None) -> dict:
    """The non-confidential facts an email about ``deadline`` may carry."""
    return {
        "deadline_key": str(deadline.key),
        "rule": deadline.rule,
        "due_at": deadline.due_at.isoformat(),
        "procedural_time_zone": deadline.time_zone,
        "days_before": days_before,
    }


def _later_due_reminder(row: ScheduledTransition, now: datetime.datetime) -> ScheduledTransition | None:
    """A more recent reminder of the same deadline that is also due at ``now``, if any.

    After a pause of the sweep, several reminders of one deadline are due at once; only the
    most recent goes out, the older ones are recorded as superseded.
    """
    return (
        ScheduledTransition.objects.filter(
            meeting_id=row.meeting_id,
            action=row.action,
            deadline_key=row.deadline_key,
            subject_id=row.subject_id,
            due_at__gt=row.due_at,
            due_at__lte=now,
        )
        .order_by("-due_at")
        .first()
    )


@registry.transition(REMINDER)
def remind(row: ScheduledTransition, now: datetime.datetime) -> str:
    """Remind whoever must act before a deadline, unless it is done, has passed, or a more
    recent reminder of the same deadline is due too (then this one is superseded)."""
    meeting = row.meeting
    deadline = meeting_deadline(meeting, row.deadline_key)
    duty = registry.DUTIES.get(row.deadline_key)
    if duty is None:
        return "nobody must act"
    if deadline.has_passed(now):
        return "deadline already passed"
    if duty.done_at(meeting) is not None:
        return "already done"
    later = _later_due_reminder(row, now)
    if later is not None:
        return f"superseded by the {later.params.get('days_before')}-day reminder"
    recipients = list(duty.who(meeting))
    days = row.params.get("days_before")
    queue(
        f"meeting:{meeting.pk}:reminder:{deadline.key}:{days}:{deadline.due_date.isoformat()}",
        recipients,
        NotificationKind.REMINDER,
        meeting=meeting,
        context=deadline_context(deadline, days),
    )
    return f"reminded {len(recipients)}"


@registry.transition(DEADLINE_PASSED)
def deadline_passed(row: ScheduledTransition, now: datetime.datetime) -> str:
    """Run the hooks of a passed deadline; flag and escalate an unmet obligation (rules 9, 10)."""
    meeting = row.meeting
    deadline = meeting_deadline(meeting, row.deadline_key)
    for hook in registry.ON_DEADLINE_PASSED.get(row.deadline_key, []):
        hook(meeting, deadline, now)
    duty = registry.DUTIES.get(row.deadline_key)
    if duty is None or not duty.escalate or duty.done_at(meeting) is not None:
        return "met or no obligation"
    DeadlineFlag.objects.get_or_create(
        meeting=meeting, deadline_key=deadline.key, due_at=deadline.due_at, defaults={"flagged_at": now}
    )
    recipients = secretariat_and_chair()
    queue(
        f"meeting:{meeting.pk}:missed:{deadline.key}:{deadline.due_date.isoformat()}",
        recipients,
        NotificationKind.DEADLINE_MISSED,
        meeting=meeting,
        context=deadline_context(deadline),
    )
    return f"flagged; escalated to {len(recipients)}"


def record_sweep_run(applied: int, sent: int) -> None:
    """Note that a sweep (beat's task or ``manage.py sweep``) finished now, for the health check."""
    SweepRun.objects.update_or_create(
        name="sweep", defaults={"finished_at": clock.now(), "applied": applied, "sent": sent}
    )


def last_sweep_finished_at() -> datetime.datetime | None:
    """The aware UTC instant the last sweep finished, or None if none ever ran."""
    return SweepRun.objects.filter(name="sweep").values_list("finished_at", flat=True).first()
