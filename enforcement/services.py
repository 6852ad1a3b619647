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
from notifications.services import collected, collecting, forget_since, queue

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


class _HandlerFailed(Exception):
    """A handler failed on the fast path: the batch is rolled back and done again carefully."""

    def __init__(self, row_pk: int, error: str):
        super().__init__(error)
        self.row_pk, self.error = row_pk, error


def sweep(now: datetime.datetime | None = None, batch: int = 500) -> int:
    """Apply every transition due at ``now`` (aware UTC; default the clock); returns how many.

    With nothing due it runs one indexed query, whatever the number of meetings. Due rows are
    taken in batches: locked (``skip_locked``, so a second sweep takes other rows), claimed
    together by one conditional update, handled, and their notifications inserted in one
    statement; what a batch shares (the Secretariat list, the latest due reminder of each
    deadline) is read once. If a handler fails, the batch is rolled back and done again with a
    savepoint around each handler, so the failing transition waits for the next sweep and the
    others go through.
    """
    now = now or clock.now()
    applied = 0
    tried: set[int] = set()  # a transition that failed waits for the next sweep, not the next batch
    careful: dict[int, str] = {}  # rows whose handler failed on the fast path, with the error
    while True:
        try:
            with transaction.atomic(), registry.batch(), collecting():
                rows = list(
                    ScheduledTransition.objects.select_for_update(skip_locked=True, of=("self",))
                    .filter(applied_at__isnull=True, due_at__lte=now, attempts__lt=MAX_ATTEMPTS)
                    .exclude(pk__in=tried)
                    .select_related("meeting", "meeting__tor_version", *sorted(registry.SWEEP_RELATED))
                    .order_by("due_at", "pk")[:batch]
                )
                done = _apply_batch(rows, now, careful=careful)
        except _HandlerFailed as failure:
            careful[failure.row_pk] = failure.error
            continue
        applied += done
        tried.update(row.pk for row in rows)
        careful = {}
        if len(rows) < batch:
            break
    for step in registry.SWEEP_STEPS:
        try:
            applied += step(now) or 0
        except Exception:  # one app's step must not stop the others; it runs again next sweep
            log.exception("sweep step %s failed", getattr(step, "__name__", step))
    return applied


def _apply_batch(rows: list[ScheduledTransition], now: datetime.datetime, *, careful: dict[int, str]) -> int:
    """Handle the locked ``rows``; ``careful`` (empty on the fast path) maps the rows whose handler
    already failed in this sweep to their error: they are not called again.

    The claim: ``select_for_update`` returned the rows unapplied and locked by this transaction
    (PostgreSQL re-checks ``applied_at IS NULL`` on a row another sweep changed meanwhile, and
    skips a row another sweep holds); on a database without row locks (SQLite) the transaction
    itself is exclusive. One conditional update marks them applied before any handler runs; it
    must touch every row, or the batch is rolled back. Outcomes are then written with one
    update per distinct outcome (most rows of a batch share theirs).
    """
    if not rows:
        return 0
    ids = [row.pk for row in rows]
    if ScheduledTransition.objects.filter(pk__in=ids, applied_at__isnull=True).update(applied_at=now) != len(ids):
        raise RuntimeError("a locked transition was applied by another sweep; the batch is rolled back")
    _remember_latest_due_reminders(rows, now)
    done: dict[str, list[int]] = {}
    failed = []
    for row in rows:
        handler = registry.TRANSITIONS.get(row.action)
        if not careful:
            try:
                outcome = handler(row, now) if handler else "no handler registered"
            except Exception as exc:
                log.exception("transition %s failed; its batch is done again step by step", row.dedupe_key)
                raise _HandlerFailed(row.pk, f"error: {exc!r}"[:200]) from exc
        else:
            error = careful.get(row.pk)
            if error is None:
                mark = collected()
                try:
                    with transaction.atomic():
                        outcome = handler(row, now) if handler else "no handler registered"
                except Exception as exc:  # a broken handler must not block the other transitions
                    log.exception("transition %s failed", row.dedupe_key)
                    forget_since(mark)
                    error = f"error: {exc!r}"[:200]
            if error is not None:
                row.applied_at, row.attempts, row.outcome = None, row.attempts + 1, error
                failed.append(row)
                continue
        row.applied_at, row.outcome = now, str(outcome or "")[:200]
        done.setdefault(row.outcome, []).append(row.pk)
    for outcome, pks in done.items():
        ScheduledTransition.objects.filter(pk__in=pks).update(outcome=outcome)
    if failed:
        ScheduledTransition.objects.bulk_update(failed, ["applied_at", "attempts", "outcome"], batch_size=500)
    return sum(len(pks) for pks in done.values())


def _remember_latest_due_reminders(rows: list[ScheduledTransition], now: datetime.datetime) -> None:
    """Read once for the batch the latest due reminder of each deadline (its instant and days
    before), so that :func:`_later_due_reminder` asks no query per row."""
    meeting_ids = {row.meeting_id for row in rows if row.action == REMINDER}
    if not meeting_ids:
        return
    found: dict[tuple, tuple] = {}
    for meeting_id, deadline_key, subject_id, due_at, params in (
        ScheduledTransition.objects.filter(meeting_id__in=meeting_ids, action=REMINDER, due_at__lte=now)
        .order_by("due_at")
        .values_list("meeting_id", "deadline_key", "subject_id", "due_at", "params")
    ):
        found[(meeting_id, deadline_key, subject_id)] = (due_at, params)
    latest = {key: ScheduledTransition(due_at=due_at, params=params) for key, (due_at, params) in found.items()}
    registry.memo("latest due reminders", lambda: latest)


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
    """The active Secretariat staff and the Chair in office (ToR rules 4, 5); read once per
    sweep batch."""
    return registry.memo("secretariat and chair", _secretariat_and_chair)


def _secretariat_and_chair():
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
    latest = registry.memo("latest due reminders", lambda: None)
    if latest is not None and row.action == REMINDER:
        candidate = latest.get((row.meeting_id, row.deadline_key, row.subject_id))
        return candidate if candidate is not None and candidate.due_at > row.due_at else None
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
    # one statement, no savepoint: a flag already there (one per deadline instant) is kept as it is
    DeadlineFlag.objects.bulk_create(
        [DeadlineFlag(meeting=meeting, deadline_key=deadline.key, due_at=deadline.due_at, flagged_at=now)],
        ignore_conflicts=True,
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
