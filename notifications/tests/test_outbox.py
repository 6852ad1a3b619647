"""The outbox sends each (event, recipient, kind) once, never loses one, never leaks content."""

import threading

import pytest
from django.core import mail
from django.db import connection, transaction
from django.utils import translation

from notifications import services
from notifications.enums import NotificationKind
from notifications.models import Notification


def queue_invitation(meeting, users):
    return services.queue(f"meeting:{meeting.pk}:invitation", users, NotificationKind.INVITATION, meeting=meeting)


def test_a_row_is_sent_once_even_when_queued_and_sent_twice(meeting, delegate_party):
    queue_invitation(meeting, [delegate_party])
    queue_invitation(meeting, [delegate_party])
    assert services.send_pending() == 1
    assert services.send_pending() == 0
    assert len(mail.outbox) == 1
    assert Notification.objects.get().sent_at is not None


def test_rows_of_a_rolled_back_transaction_are_never_sent(meeting, delegate_party, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        try:
            with transaction.atomic():
                queue_invitation(meeting, [delegate_party])
                raise RuntimeError("the change failed")
        except RuntimeError:
            pass
    assert callbacks == []
    assert not Notification.objects.exists()
    services.send_pending()
    assert mail.outbox == []


def test_email_is_in_the_recipients_language_whatever_is_active(meeting, delegate_party, delegate_other_party):
    delegate_party.language = "es"
    delegate_party.save()
    queue_invitation(meeting, [delegate_party, delegate_other_party])
    translation.deactivate_all()
    services.send_pending()
    by_to = {m.to[0]: m for m in mail.outbox}
    assert by_to[delegate_party.email].subject != by_to[delegate_other_party.email].subject
    assert translation.get_language() is None


def test_a_failed_send_is_kept_and_retried(meeting, delegate_party, monkeypatch):
    queue_invitation(meeting, [delegate_party])
    original = services.render

    def broken(notification):
        raise ConnectionError("smtp down")

    monkeypatch.setattr(services, "render", broken)
    assert services.send_pending() == 0
    row = Notification.objects.get()
    assert row.sent_at is None and row.attempts == 1 and "smtp down" in row.last_error
    monkeypatch.setattr(services, "render", original)
    assert services.send_pending() == 1


def test_email_carries_no_confidential_content(meeting, delegate_party):
    meeting.invitation.additional_text = "Case of diverted rifles via Port X"
    meeting.invitation.save()
    queue_invitation(meeting, [delegate_party])
    services.send_pending()
    body = mail.outbox[0].body
    assert "Port X" not in body and meeting.venue not in body
    assert f"/meetings/{meeting.pk}/" in body


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_send_each_row_once(secretariat, president, party, delegate_party, delegate_other_party):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    import datetime

    from dief.testing import UserFactory, meeting_factory

    meeting = meeting_factory(start_date=datetime.date(2099, 5, 5), created_by=secretariat, convened_by=president)
    users = [UserFactory(username=f"d{i}", state=party) for i in range(30)]
    Notification.objects.bulk_create(
        Notification(event="e", recipient=u, kind=NotificationKind.INVITATION, meeting=meeting) for u in users
    )
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        barrier.wait()
        try:
            counts.append(services.send_pending())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(counts) == 30
    assert len(mail.outbox) == 30
    assert len({m.to[0] for m in mail.outbox}) == 30


def test_one_send_task_drains_an_outbox_larger_than_a_batch(meeting, party):
    from dief.testing import UserFactory
    from notifications.tasks import send_pending_notifications

    delegates = [UserFactory(username=f"d{i}", state=party) for i in range(230)]
    queue_invitation(meeting, delegates)
    mail.outbox = []
    send_pending_notifications()
    assert len(mail.outbox) == 230
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert services.drain(seconds=5) == 0  # nothing left; each email went once
    assert len(mail.outbox) == 230


def test_rows_collected_for_one_statement_are_the_rows_queue_writes_and_keep_existing_ones(
    meeting, secretariat, delegate_party
):
    context = {"deadline_key": "invitation", "days_before": 14}
    services.queue("kept", [delegate_party], NotificationKind.REMINDER, meeting=meeting, context={"old": True})
    services.queue("direct", [secretariat, delegate_party], NotificationKind.REMINDER, meeting=meeting, context=context)
    with transaction.atomic(), services.collecting():
        for event in ("kept", "collected", "collected"):  # a duplicate, as after a retried step
            services.queue(
                event, [secretariat, delegate_party], NotificationKind.REMINDER, meeting=meeting, context=context
            )
        mark = services.collected()
        services.queue("dropped", [secretariat], NotificationKind.REMINDER, meeting=meeting)
        services.forget_since(mark)
    fields = ("recipient_id", "kind", "meeting_id", "subject_id", "recipient_role", "recipient_state_id", "context")

    def rows(event):
        return sorted(Notification.objects.filter(event=event).values_list(*fields))

    assert rows("collected") == rows("direct") and len(rows("collected")) == 2
    assert Notification.objects.get(event="kept", recipient=delegate_party).context == {"old": True}
    assert Notification.objects.filter(event="kept").count() == 2
    assert not Notification.objects.filter(event="dropped").exists()
    assert not Notification.objects.filter(event="collected", created_at__isnull=True).exists()
