"""Queueing and sending notifications through the outbox (design.md, Notifications)."""

import contextlib
import contextvars
import datetime
import json
import logging
import time
from dataclasses import dataclass
from typing import NamedTuple
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import connections, router, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from dief import clock

from .models import Notification
from .registry import CONTEXT_PROVIDERS, withheld_because

log = logging.getLogger(__name__)
MAX_ATTEMPTS = 8

#: Labels of the deadline keys named in a notification's context (``deadline_key``), filled by
#: ``meetings`` at start-up (its AppConfig.ready): notifications sits below meetings and does
#: not import it.
DEADLINE_LABELS: dict = {}

#: While :func:`collecting` is active, :func:`queue` gathers rows here instead of inserting them.
_collector: contextvars.ContextVar[list | None] = contextvars.ContextVar("outbox_collector", default=None)


@contextlib.contextmanager
def collecting():
    """Gather the rows that :func:`queue` writes inside the block and insert them in one
    statement when the block ends without an error (the sweep's batches use it). The caller may
    drop rows queued by a step that failed with :func:`forget_since`."""
    rows: list[_Row] = []
    token = _collector.set(rows)
    try:
        yield rows
    finally:
        _collector.reset(token)
    if rows:
        _insert(rows)


class _Row(NamedTuple):
    """One outbox row as :func:`queue` collects it: plain values, no model instance."""

    event: str
    recipient_id: int
    kind: str
    meeting_id: int | None
    subject_id: int | None
    recipient_role: str
    recipient_state_id: int | None
    context: str  # JSON


def _insert(rows: list[_Row]) -> None:
    """Insert ``rows`` into the outbox, skipping those already there (one row per event,
    recipient and kind). On PostgreSQL one ``INSERT ... SELECT FROM unnest(...)`` statement,
    several times cheaper than the ORM's per-value preparation for the sweep's thousands of
    rows; elsewhere ``bulk_create``."""
    connection = connections[router.db_for_write(Notification)]
    if connection.vendor != "postgresql":
        Notification.objects.bulk_create(
            [
                Notification(
                    event=r.event,
                    recipient_id=r.recipient_id,
                    kind=r.kind,
                    meeting_id=r.meeting_id,
                    subject_id=r.subject_id,
                    recipient_role=r.recipient_role,
                    recipient_state_id=r.recipient_state_id,
                    context=json.loads(r.context),
                )
                for r in rows
            ],
            ignore_conflicts=True,
            batch_size=1000,
        )
        return
    column = {f.name: connection.ops.quote_name(f.column) for f in Notification._meta.concrete_fields}
    names = ("event", "recipient", "kind", "meeting", "subject_id", "recipient_role", "recipient_state", "context")
    types = ("text", "bigint", "text", "bigint", "bigint", "text", "bigint", "text")
    values = list(zip(*rows, strict=True))
    sql = (
        f"INSERT INTO {connection.ops.quote_name(Notification._meta.db_table)} "
        f"({', '.join(column[n] for n in names)}, {column['address']}, {column['created_at']}, "
        f"{column['attempts']}, {column['last_error']}) "
        f"SELECT c0, c1, c2, c3, c4, c5, c6, c7::jsonb, '', %s, 0, '' "
        f"FROM unnest({', '.join(f'%s::{t}[]' for t in types)}) AS r(c0, c1, c2, c3, c4, c5, c6, c7) "
        "ON CONFLICT DO NOTHING"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 5000):
            cursor.execute(sql, [clock.now(), *(list(v[start : start + 5000]) for v in values)])


def forget_since(mark: int) -> None:
    """Drop the rows collected after ``mark`` (``len()`` of the collector before a step)."""
    rows = _collector.get()
    if rows is not None:
        del rows[mark:]


def collected() -> int:
    """How many rows the active collector holds (0 without one)."""
    rows = _collector.get()
    return len(rows) if rows is not None else 0


def queue(
    event: str, recipients, kind: str, *, meeting=None, subject_id: int | None = None, context: dict | None = None
) -> int:
    """Write one outbox row per recipient for ``event`` and ``kind``; existing rows are kept.

    Call inside the transaction that makes the change; the rows commit or roll back with it,
    and a send task is enqueued only after commit. ``meeting`` and ``subject_id`` name what
    the notice concerns; each row records the recipient's role and State at this moment.
    ``context`` must hold only non-confidential, JSON-serialisable values. Returns the
    number of recipients given.
    """
    recipients = list(recipients)
    collector = _collector.get()
    if collector is not None:
        meeting_id = meeting.pk if meeting is not None else None
        context_json = json.dumps(context or {})
        collector.extend(
            _Row(event, r.pk, str(kind), meeting_id, subject_id, r.role, r.state_id, context_json) for r in recipients
        )
    else:
        Notification.objects.bulk_create(
            [
                Notification(
                    event=event,
                    recipient=r,
                    kind=kind,
                    meeting=meeting,
                    subject_id=subject_id,
                    recipient_role=r.role,
                    recipient_state_id=r.state_id,
                    context=context or {},
                )
                for r in recipients
            ],
            ignore_conflicts=True,
        )
    # One send task per transaction is enough, however many events it queued.
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _enqueue_send for _savepoints, callback, _robust in pending):
        transaction.on_commit(_enqueue_send)
    return len(recipients)


def queue_to_addresses(event: str, addresses, kind: str, *, meeting=None, context: dict | None = None) -> int:
    """Like :func:`queue`, for people without an account: ``addresses`` is an iterable of
    ``(email address, State)`` pairs (a State's national point of contact, ToR rule 9). The
    email is rendered in the default language and the meeting's procedural time zone, and
    carries no confidential content. Returns the number of addresses given."""
    rows = [
        Notification(event=event, address=email, address_state=state, kind=kind, meeting=meeting, context=context or {})
        for email, state in addresses
        if email
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    pending = transaction.get_connection().run_on_commit
    if rows and not any(callback is _enqueue_send for _savepoints, callback, _robust in pending):
        transaction.on_commit(_enqueue_send)
    return len(rows)


def _enqueue_send():
    from .tasks import send_pending_notifications

    try:
        send_pending_notifications.delay()
    except Exception:  # the broker is down: the periodic sweep sends the rows later
        log.warning("could not enqueue send_pending_notifications; the periodic task will send them", exc_info=True)


def render(notification: Notification) -> EmailMultiAlternatives:
    """Render ``notification`` in its recipient's language and time zone."""
    user = notification.recipient
    if user is None:  # a national point of contact: no account, default language, procedural zone
        procedural = (
            notification.meeting.procedural_time_zone
            if notification.meeting is not None
            else settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE
        )
        user = _Addressee(email=notification.address, time_zone=procedural, language=settings.LANGUAGE_CODE)
    ctx = dict(notification.context)
    ctx.update(
        recipient=user,
        meeting=notification.meeting,
        site_url=settings.SITE_URL.rstrip("/"),
        recipient_time_zone=user.time_zone,
        point_of_contact=notification.recipient is None,
    )
    if notification.meeting is not None:
        ctx["meeting_url"] = ctx["site_url"] + reverse("meetings:detail", args=[notification.meeting.pk])
    if notification.meeting is not None and notification.kind in ("agenda_distributed", "agenda_revised"):
        ctx["meeting_url"] = ctx["site_url"] + reverse("meetings:agenda", args=[notification.meeting.pk])
    if ctx.get("presentation_id"):
        ctx["presentation_url"] = ctx["site_url"] + reverse("presentations:detail", args=[ctx["presentation_id"]])
    if ctx.get("path"):
        ctx["url"] = ctx["site_url"] + ctx["path"]
    if ctx.get("due_at"):
        due_at = datetime.datetime.fromisoformat(ctx["due_at"])
        procedural = ctx.get("procedural_time_zone") or settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE
        ctx["due_at_recipient"] = due_at.astimezone(ZoneInfo(user.time_zone))
        ctx["due_at_procedural"] = due_at.astimezone(ZoneInfo(procedural))
        ctx["procedural_time_zone"] = procedural
    with translation.override(user.language or settings.LANGUAGE_CODE), timezone.override(ZoneInfo(user.time_zone)):
        if ctx.get("deadline_key"):
            ctx["deadline_label"] = str(DEADLINE_LABELS[ctx["deadline_key"]])
        for provider in CONTEXT_PROVIDERS:
            provider(notification, ctx)
        subject = " ".join(render_to_string(f"emails/{notification.kind}_subject.txt", ctx).split())
        body = render_to_string(f"emails/{notification.kind}_body.txt", ctx)
    return EmailMultiAlternatives(
        subject=subject, body=body, to=[user.email], headers={"Auto-Submitted": "auto-generated"}
    )


@dataclass(frozen=True)
class _Addressee:
    """A recipient without an account (a State's national point of contact, ToR rule 9)."""

    email: str
    time_zone: str
    language: str
    username: str = ""

    def get_full_name(self) -> str:
        return ""


def _address_withheld_because(notification) -> str:
    """Why a notice to an address (no account) may not go now: its State is no longer eligible
    (ToR rule 6), or only invitations go to addresses. "" if it may."""
    if str(notification.kind) != "invitation":
        return "only invitations go to a national point of contact"
    state = notification.address_state
    if state is not None and not state.is_eligible(clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)):
        return "the State of this point of contact is no longer eligible"
    return ""


def send_pending(limit: int = 200) -> int:
    """Send up to ``limit`` unsent notifications, each at most once; returns how many were sent.

    A notice whose recipient is no longer entitled at this moment (:mod:`notifications.registry`)
    is marked withheld and never sent.

    Each row is claimed in its own transaction with ``select_for_update(skip_locked=True)``
    (the oldest unclaimed first), so several workers share the outbox without ever sending a
    row twice; a row is marked sent in the same transaction that sent it.
    """
    return _send(limit)[0]


def drain(seconds: float) -> int:
    """Send until the outbox holds nothing sendable or ``seconds`` have passed; returns how many
    were sent. The send task runs it, so one task empties a large invitation's outbox."""
    started = time.monotonic()
    sent = 0
    while time.monotonic() - started < seconds:
        batch_sent, handled = _send(100)
        sent += batch_sent
        if not handled:
            break
    return sent


def _send(limit: int) -> tuple[int, int]:
    """Send up to ``limit`` rows; returns (sent, handled: sent, withheld or failed)."""
    sent = handled = 0
    failed: list[int] = []  # a row that failed now waits for a later run, not for this loop
    for _ in range(limit):
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient__state", "meeting__tor_version", "address_state")
                .filter(sent_at__isnull=True, withheld_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
                .exclude(pk__in=failed)
                .order_by("created_at", "pk")
                .first()
            )
            if row is None:
                break
            handled += 1
            # Entitlement is decided again now, not only when the notice was queued.
            reason = _address_withheld_because(row) if row.recipient_id is None else withheld_because(row)
            if reason:
                row.withheld_at = clock.now()
                row.last_error = f"withheld: {reason}"[:2000]
                row.save(update_fields=["withheld_at", "last_error"])
                continue
            try:
                render(row).send()
            except Exception as exc:  # SMTP or template failure: keep the row for a later try
                row.attempts += 1
                row.last_error = repr(exc)[:2000]
                row.save(update_fields=["attempts", "last_error"])
                failed.append(row.pk)
                log.warning("notification %s not sent: %r", row.pk, exc)
                continue
            row.sent_at = clock.now()
            row.attempts += 1
            row.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent, handled
