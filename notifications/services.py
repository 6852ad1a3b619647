"""Queueing and sending notifications through the outbox (design.md, Notifications)."""

import datetime
import logging
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
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
    rows = [
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
    ]
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    # One send task per transaction is enough, however many events it queued.
    pending = transaction.get_connection().run_on_commit
    if not any(callback is _enqueue_send for _savepoints, callback, _robust in pending):
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
    ctx = dict(notification.context)
    ctx.update(
        recipient=user,
        meeting=notification.meeting,
        site_url=settings.SITE_URL.rstrip("/"),
        recipient_time_zone=user.time_zone,
    )
    if notification.meeting is not None:
        ctx["meeting_url"] = ctx["site_url"] + reverse("meetings:detail", args=[notification.meeting.pk])
    if notification.meeting is not None and notification.kind in ("agenda_distributed", "agenda_revised"):
        ctx["meeting_url"] = ctx["site_url"] + reverse("meetings:agenda", args=[notification.meeting.pk])
    if ctx.get("presentation_id"):
        ctx["presentation_url"] = ctx["site_url"] + reverse("presentations:detail", args=[ctx["presentation_id"]])
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


def send_pending(limit: int = 200) -> int:
    """Send up to ``limit`` unsent notifications, each at most once; returns how many were sent.

    A notice whose recipient is no longer entitled at this moment (:mod:`notifications.registry`)
    is marked withheld and never sent.

    Rows are claimed with ``select_for_update(skip_locked=True)``, so two workers never send
    the same row; a row is marked sent in the same transaction that sent it.
    """
    sent = 0
    ids = list(
        Notification.objects.filter(sent_at__isnull=True, withheld_at__isnull=True, attempts__lt=MAX_ATTEMPTS)
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        with transaction.atomic():
            row = (
                Notification.objects.select_for_update(skip_locked=True, of=("self",))
                .select_related("recipient__state", "meeting")
                .filter(pk=pk, sent_at__isnull=True, withheld_at__isnull=True)
                .first()
            )
            if row is None:
                continue
            # Entitlement is decided again now, not only when the notice was queued.
            reason = withheld_because(row)
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
                log.warning("notification %s not sent: %r", row.pk, exc)
                continue
            row.sent_at = clock.now()
            row.attempts += 1
            row.save(update_fields=["sent_at", "attempts"])
            sent += 1
    return sent
