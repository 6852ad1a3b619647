"""The sweep applies every ToR deadline transition once, at the right instant."""

import datetime
import threading
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dief.testing import UserFactory, appoint_chair, meeting_factory
from enforcement import tasks
from enforcement.models import DeadlineFlag, ScheduledTransition
from enforcement.services import schedule_meeting, sweep
from meetings import services as meeting_services
from meetings.enums import DeadlineKey
from notifications.enums import NotificationKind
from notifications.models import Notification

ZURICH = ZoneInfo("Europe/Zurich")
UTC = datetime.UTC


def at(*args):
    return datetime.datetime(*args, tzinfo=ZURICH)


@pytest.fixture
def chair_2025(party):
    user = UserFactory(username="chair25", state=party, email="chair@example.org")
    appoint_chair(user, appointed_on=datetime.date(2024, 1, 1), term_ends_on=datetime.date(2027, 12, 31))
    return user


def make_meeting(secretariat, president, start, title="Walked meeting"):
    with time_machine.travel(datetime.datetime(2024, 9, 1, tzinfo=UTC), tick=False):
        return meeting_factory(start_date=start, created_by=secretariat, convened_by=president, title=title)


def reminders_sent(kind=NotificationKind.REMINDER):
    return list(Notification.objects.filter(kind=kind).values_list("event", "recipient__username"))


def test_reminders_go_at_nine_in_geneva_14_7_and_2_days_before(secretariat, president, party, chair_2025):
    meeting = make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    # Invitation due 29 January 2025: reminders 15, 22 and 27 January, 09:00 Geneva.
    for day in (15, 22, 27):
        with time_machine.travel(at(2025, 1, day, 8, 59, 59), tick=False):
            before = len(reminders_sent())
            sweep()
            assert len(reminders_sent()) == before
        with time_machine.travel(at(2025, 1, day, 9, 0, 0), tick=False):
            sweep()
            sent = [e for e, u in reminders_sent() if u == "secretariat"]
            assert any(f"reminder:invitation:{29 - day}:2025-01-29" in e for e in sent), day
    assert meeting.pk


def test_no_reminder_to_whoever_has_already_acted(secretariat, president, party, chair_2025):
    meeting = make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    with time_machine.travel(at(2025, 1, 10, 12, 0), tick=False):
        meeting_services.record_chair_consultation(by=secretariat, meeting=meeting)
        meeting_services.send_invitation(by=secretariat, meeting=meeting)
    with time_machine.travel(at(2025, 1, 30, 12, 0), tick=False):
        sweep()
    assert not [e for e, _ in reminders_sent() if ":invitation:" in e]
    assert not DeadlineFlag.objects.filter(deadline_key=DeadlineKey.INVITATION).exists()


def test_missed_invitation_is_flagged_and_escalated_to_secretariat_and_chair(
    secretariat, president, party, chair_2025, delegate_party
):
    meeting = make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    with time_machine.travel(at(2025, 1, 29, 23, 59, 59), tick=False):
        sweep()
        assert not DeadlineFlag.objects.exists()
    with time_machine.travel(at(2025, 1, 30, 0, 0, 0), tick=False):
        sweep()
    flag = DeadlineFlag.objects.get(deadline_key=DeadlineKey.INVITATION)
    assert flag.meeting == meeting and flag.flagged_at == at(2025, 1, 30)
    escalated = {u for _, u in reminders_sent(NotificationKind.DEADLINE_MISSED) if _.endswith(":invitation:2025-01-29")}
    assert escalated == {"secretariat", "chair25"}


def test_frozen_clock_walk_applies_every_transition_at_its_instant_across_both_dst_changes(
    secretariat, president, party, chair_2025, monkeypatch
):
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    try:
        # Autumn: meeting 10 Nov 2025, T-15 = 26 Oct, the 25-hour day. Spring: meeting 19 Apr 2025,
        # T-15 = 4 Apr (after the 30 March change), T-50 = 28 Feb (before it).
        autumn = make_meeting(secretariat, president, datetime.date(2025, 11, 10), "Autumn")
        spring = make_meeting(secretariat, president, datetime.date(2025, 4, 19), "Spring")
        rows = list(ScheduledTransition.objects.filter(meeting__in=[autumn, spring]).order_by("due_at"))
        assert len(rows) == 2 * 6 * 4
        for instant in sorted({r.due_at for r in rows}):
            at_instant = ScheduledTransition.objects.filter(due_at=instant)
            with time_machine.travel(instant - datetime.timedelta(seconds=1), tick=False):
                sweep()
                assert not at_instant.filter(applied_at__isnull=False).exists(), instant
            with time_machine.travel(instant, tick=False):
                sweep()
                assert set(at_instant.values_list("applied_at", flat=True)) == {instant}, instant
        assert not ScheduledTransition.objects.filter(applied_at__isnull=True).exists()
        passed = {r.dedupe_key: r.due_at for r in rows if r.action == "deadline_passed"}
        assert passed[f"m{autumn.pk}:deadline_passed:involved_state_response:2025-10-26"] == datetime.datetime(
            2025, 10, 26, 23, 0, tzinfo=UTC
        )
        assert passed[f"m{spring.pk}:deadline_passed:involved_state_response:2025-04-04"] == datetime.datetime(
            2025, 4, 4, 22, 0, tzinfo=UTC
        )
        assert passed[f"m{spring.pk}:deadline_passed:invitation:2025-02-28"] == datetime.datetime(
            2025, 2, 28, 23, 0, tzinfo=UTC
        )
        reminder = next(
            r for r in rows if r.dedupe_key == f"m{autumn.pk}:reminder:involved_state_response:2:2025-10-26"
        )
        assert reminder.due_at == datetime.datetime(2025, 10, 24, 7, 0, tzinfo=UTC)  # 09:00 CEST
    finally:
        monkeypatch.undo()
        time.tzset()


def test_sweep_with_nothing_due_runs_constant_queries(secretariat, president, django_assert_num_queries):
    from meetings.models import Meeting, ToRVersion

    version = ToRVersion.objects.get(name="CSP10 (2024)")

    def add_meetings(n, offset):
        meetings = Meeting.objects.bulk_create(
            Meeting(
                title=f"M{offset + i}",
                start_date=datetime.date(2090, 1, 1) + datetime.timedelta(days=offset + i),
                end_date=datetime.date(2090, 1, 1) + datetime.timedelta(days=offset + i),
                venue="Geneva",
                host_session="csp",
                host_session_name="CSP",
                tor_version=version,
                convened_by=president,
                convened_on=datetime.date(2089, 1, 1),
                created_by=secretariat,
            )
            for i in range(n)
        )
        rows = []
        for m in meetings:
            rows.extend(
                ScheduledTransition(
                    meeting=m,
                    action="reminder",
                    deadline_key="invitation",
                    params={"days_before": 2},
                    due_at=datetime.datetime(2089, 12, 1, tzinfo=UTC) + datetime.timedelta(days=offset),
                    dedupe_key=f"bench:{m.pk}:{k}",
                )
                for k in range(4)
            )
        ScheduledTransition.objects.bulk_create(rows)

    add_meetings(10, 0)
    # savepoint, select, release (inside the test transaction), and one query per other app's
    # sweep step with nothing due (the classification lifts of the exchange platform)
    with django_assert_num_queries(4) as ten:
        assert sweep() == 0
    add_meetings(990, 10)
    assert Meeting.objects.count() == 1000
    with django_assert_num_queries(len(ten.captured_queries)):
        assert sweep() == 0


def test_a_retried_sweep_task_does_nothing_more(
    secretariat, president, party, chair_2025, django_capture_on_commit_callbacks
):
    make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    with time_machine.travel(at(2025, 1, 15, 9, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            first = tasks.sweep.apply().get()
            again = tasks.sweep.apply().get()
    assert first["applied"] >= 1 and first["sent"] >= 1
    assert again == {"applied": 0, "sent": 0}
    assert len([m for m in mail.outbox if m.to == [secretariat.email]]) == 1


def test_spanish_recipient_in_bogota_gets_spanish_email_with_both_times(
    secretariat, president, party, chair_2025, django_capture_on_commit_callbacks
):
    from django.utils import translation

    secretariat.language = "es"
    secretariat.time_zone = "America/Bogota"
    secretariat.save()
    make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    translation.deactivate_all()
    with time_machine.travel(at(2025, 1, 27, 9, 0), tick=False):
        with django_capture_on_commit_callbacks(execute=True):
            tasks.sweep.apply()
    message = next(m for m in mail.outbox if m.to == [secretariat.email])
    assert "Recordatorio" in message.subject or "recordatorio" in message.subject
    # 29 January 2025 23:59 in Geneva is 17:59 in Bogotá; both labelled with their zone.
    assert "Europe/Zurich" in message.body and "23:59" in message.body
    assert "America/Bogota" in message.body and "17:59" in message.body
    assert "enero" in message.body


def test_moving_a_meeting_moves_pending_reminders_and_flags_but_keeps_what_is_done(
    secretariat, president, party, chair_2025
):
    meeting = make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    with time_machine.travel(at(2025, 1, 30, 0, 0), tick=False):
        sweep()
        assert DeadlineFlag.objects.filter(cleared_at__isnull=True).count() == 1
        applied = set(ScheduledTransition.objects.filter(applied_at__isnull=False).values_list("dedupe_key", flat=True))
        meeting_services.change_meeting_dates(
            by=secretariat, meeting=meeting, start_date=datetime.date(2025, 5, 22), end_date=datetime.date(2025, 5, 22)
        )
        # Applied transitions stay as they were; the flag of the moved deadline is cleared.
        still = set(ScheduledTransition.objects.filter(applied_at__isnull=False).values_list("dedupe_key", flat=True))
        assert still == applied
        assert DeadlineFlag.objects.filter(cleared_at__isnull=True).count() == 0
        pending = ScheduledTransition.objects.filter(
            applied_at__isnull=True, action="deadline_passed", deadline_key="invitation"
        )
        assert pending.get().dedupe_key.endswith(":invitation:2025-04-02")  # new T-50
        assert not ScheduledTransition.objects.filter(
            applied_at__isnull=True, dedupe_key__contains="2025-01-29"
        ).exists()
    with time_machine.travel(at(2025, 3, 19, 9, 0), tick=False):  # 14 days before the new T-50
        sweep()
    assert any("reminder:invitation:14:2025-04-02" in e for e, _ in reminders_sent())


def test_schedule_meeting_twice_adds_nothing(secretariat, president, party):
    meeting = make_meeting(secretariat, president, datetime.date(2099, 3, 20))
    count = ScheduledTransition.objects.count()
    assert schedule_meeting(meeting) == 0
    assert ScheduledTransition.objects.count() == count


def test_a_failing_transition_is_tried_once_per_sweep(secretariat, president, party, chair_2025, monkeypatch):
    from enforcement import registry

    make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    calls = []

    def broken(row, now):
        calls.append(row.pk)
        raise RuntimeError("boom")

    monkeypatch.setitem(registry.TRANSITIONS, "reminder", broken)
    with time_machine.travel(at(2025, 1, 30, 0, 0), tick=False):
        sweep(batch=2)
    assert len(calls) == len(set(calls)) > 2
    due = ScheduledTransition.objects.filter(action="reminder", due_at__lte=at(2025, 1, 30, 0, 0))
    assert set(due.values_list("attempts", flat=True)) == {1}


def test_a_failing_handler_does_not_block_other_transitions(secretariat, president, party, chair_2025, monkeypatch):
    from enforcement import registry

    make_meeting(secretariat, president, datetime.date(2025, 3, 20))

    def broken(row, now):
        raise RuntimeError("boom")

    monkeypatch.setitem(registry.TRANSITIONS, "deadline_passed", broken)
    with time_machine.travel(at(2025, 1, 30, 0, 0), tick=False):
        sweep()
    failed = ScheduledTransition.objects.get(dedupe_key__contains="deadline_passed:invitation")
    assert failed.applied_at is None and failed.attempts == 1 and "boom" in failed.outcome
    assert ScheduledTransition.objects.filter(action="reminder", applied_at__isnull=False).exists()


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_once_apply_each_transition_once_and_send_each_email_once(secretariat, president, party):
    if connection.vendor == "sqlite":
        pytest.skip("row locks need PostgreSQL; CI runs this on PostgreSQL")
    from notifications.services import send_pending

    for i in range(12):
        UserFactory(username=f"sec{i}", role="secretariat", participant_role="")
    for year in range(2030, 2040):
        with time_machine.travel(datetime.datetime(2024, 9, 1, tzinfo=UTC), tick=False):
            meeting_factory(start_date=datetime.date(year, 3, 20), created_by=secretariat, convened_by=president)
    ScheduledTransition.objects.filter(action="reminder").update(due_at=datetime.datetime(2025, 1, 1, tzinfo=UTC))
    due = ScheduledTransition.objects.filter(action="reminder").count()
    barrier = threading.Barrier(2)
    applied, sent = [], []

    def worker():
        try:
            with time_machine.travel(datetime.datetime(2025, 1, 2, tzinfo=UTC), tick=False):
                barrier.wait()
                applied.append(sweep(batch=7))
                sent.append(send_pending())
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sum(applied) == due
    assert ScheduledTransition.objects.filter(action="reminder", applied_at__isnull=True).count() == 0
    events = list(Notification.objects.values_list("event", "recipient_id"))
    assert len(events) == len(set(events))
    # Emails go out from the sweeps' own after-commit sends and from the explicit ones: once each.
    assert len(events) == len(mail.outbox)
    assert not Notification.objects.filter(sent_at__isnull=True).exists()


def test_after_a_pause_one_sweep_sends_only_the_latest_due_reminder_and_records_the_others_superseded(
    secretariat, president, party, chair_2025
):
    make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    # Beat was down from before the 14-day reminder (15 January) until after the 2-day one (27th).
    with time_machine.travel(at(2025, 1, 28, 10, 0), tick=False):
        sweep()
    sent = [e for e, u in reminders_sent() if u == "secretariat" and ":invitation:" in e]
    assert len(sent) == 1 and sent[0].endswith(":reminder:invitation:2:2025-01-29")
    from notifications.services import send_pending

    send_pending()
    secretariat_mails = [m for m in mail.outbox if m.to == [secretariat.email] and "reminder" in m.subject]
    assert len(secretariat_mails) == 1
    rows = {
        r.params["days_before"]: r
        for r in ScheduledTransition.objects.filter(action="reminder", deadline_key=DeadlineKey.INVITATION)
    }
    assert rows[14].applied_at and rows[14].outcome == "superseded by the 2-day reminder"
    assert rows[7].applied_at and rows[7].outcome == "superseded by the 2-day reminder"
    assert rows[2].outcome.startswith("reminded")


def test_a_pause_shorter_than_the_gap_between_reminders_still_sends_the_one_due(
    secretariat, president, party, chair_2025
):
    make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    with time_machine.travel(at(2025, 1, 20, 10, 0), tick=False):  # 14-day due, 7-day not yet
        sweep()
    sent = [e for e, u in reminders_sent() if u == "secretariat" and ":invitation:" in e]
    assert len(sent) == 1 and ":invitation:14:" in sent[0]


def test_a_failing_handler_leaves_no_notification_and_the_others_still_send(
    secretariat, president, party, chair_2025, monkeypatch
):
    from enforcement import registry
    from notifications.enums import NotificationKind
    from notifications.models import Notification
    from notifications.services import queue

    make_meeting(secretariat, president, datetime.date(2025, 3, 20))
    original = registry.TRANSITIONS["deadline_passed"]

    def queues_then_fails(row, now):
        queue(f"half-done:{row.pk}", [secretariat], NotificationKind.DEADLINE_MISSED, meeting=row.meeting)
        raise RuntimeError("boom after queueing")

    monkeypatch.setitem(registry.TRANSITIONS, "deadline_passed", queues_then_fails)
    with time_machine.travel(at(2025, 2, 5, 10, 0), tick=False):
        applied = sweep()
    assert not Notification.objects.filter(event__startswith="half-done").exists()
    assert Notification.objects.filter(kind=NotificationKind.REMINDER).exists()
    assert applied == ScheduledTransition.objects.filter(applied_at__isnull=False).count() > 0
    monkeypatch.setitem(registry.TRANSITIONS, "deadline_passed", original)


def _queries_of_a_sweep_with_reminders_of(n_meetings, secretariat, president):
    for i in range(n_meetings):
        make_meeting(secretariat, president, datetime.date(2025, 3, 20), title=f"Batch {n_meetings}-{i}")
    with (
        time_machine.travel(at(2025, 1, 15, 9, 0), tick=False),
        CaptureQueriesContext(connection) as queries,
    ):
        applied = sweep()
    assert applied == n_meetings  # the 14-day invitation reminder of each meeting
    ScheduledTransition.objects.all().delete()
    return len(queries.captured_queries)


def test_a_batch_of_due_reminders_costs_the_same_queries_for_2_and_20_meetings(
    secretariat, president, party, chair_2025
):
    assert _queries_of_a_sweep_with_reminders_of(2, secretariat, president) == _queries_of_a_sweep_with_reminders_of(
        20, secretariat, president
    )


def test_other_apps_steps_run_in_the_one_sweep_and_a_failing_one_stops_nothing(db, monkeypatch):
    from enforcement import registry

    seen = []

    def broken(now):
        raise RuntimeError("boom")

    def counted(now):
        seen.append(now)
        return 2

    monkeypatch.setattr(registry, "SWEEP_STEPS", [broken, counted])
    now = at(2030, 1, 1, 0, 0)
    assert sweep(now) == 2 and seen == [now]


def test_there_is_one_periodic_task_the_sweep(settings):
    assert [entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()] == ["enforcement.tasks.sweep"]
