"""ToR deadlines: end of day in the procedural time zone, DST, weekends, server time zone."""

import datetime
import json
import os
import time
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command

from meetings.deadlines import end_of_day, silence_procedure_ends_at, tor_calendar
from meetings.enums import DeadlineKey
from meetings.models import ToRVersion

ZURICH = ZoneInfo("Europe/Zurich")
UTC = datetime.UTC
pytestmark = pytest.mark.django_db


def version():
    return ToRVersion.objects.get(name="CSP10 (2024)")


def calendar(start, tz="Europe/Zurich"):
    return {d.key: d for d in tor_calendar(start, tz, version())}


def test_invitation_deadline_is_the_end_of_t_minus_50_in_geneva():
    invitation = calendar(datetime.date(2025, 3, 20))[DeadlineKey.INVITATION]
    assert invitation.due_date == datetime.date(2025, 1, 29)
    assert invitation.due_at_procedural.replace(microsecond=0) == datetime.datetime(
        2025, 1, 29, 23, 59, 59, tzinfo=ZURICH
    )
    assert invitation.due_at.tzinfo == UTC
    assert invitation.rule == "9"


def test_a_second_before_the_end_of_day_is_on_time_and_a_second_after_is_late():
    invitation = calendar(datetime.date(2025, 3, 20))[DeadlineKey.INVITATION]
    last_second = datetime.datetime(2025, 1, 29, 23, 59, 59, tzinfo=ZURICH)
    next_day = datetime.datetime(2025, 1, 30, 0, 0, 0, tzinfo=ZURICH)
    assert invitation.is_met_by(last_second)
    assert not invitation.is_met_by(next_day)
    assert not invitation.is_met_by(last_second + datetime.timedelta(seconds=1))
    # Early morning in Geneva on the due day is still that day, although UTC says otherwise.
    assert invitation.is_met_by(datetime.datetime(2025, 1, 29, 22, 30, tzinfo=UTC))
    assert not invitation.is_met_by(datetime.datetime(2025, 1, 29, 23, 0, tzinfo=UTC))


def test_deadline_after_spring_dst_change_is_at_plus_two_hours():
    # 2025-03-30 Europe/Zurich moves to +02:00. A meeting on 2025-04-19: T-15 is 2025-04-04 (+02:00).
    response = calendar(datetime.date(2025, 4, 19))[DeadlineKey.INVOLVED_STATE_RESPONSE]
    assert response.due_date == datetime.date(2025, 4, 4)
    assert response.due_at_procedural.utcoffset() == datetime.timedelta(hours=2)
    assert response.due_at == datetime.datetime(2025, 4, 4, 21, 59, 59, 999999, tzinfo=UTC)


def test_deadline_before_spring_dst_change_is_at_plus_one_hour():
    # Meeting 2025-04-13: T-15 is 2025-03-29, the last day at +01:00.
    response = calendar(datetime.date(2025, 4, 13))[DeadlineKey.INVOLVED_STATE_RESPONSE]
    assert response.due_date == datetime.date(2025, 3, 29)
    assert response.due_at == datetime.datetime(2025, 3, 29, 22, 59, 59, 999999, tzinfo=UTC)


def test_deadlines_on_either_side_of_the_autumn_dst_change():
    # 2025-10-26 Europe/Zurich goes back to +01:00 (a 25-hour day).
    before = calendar(datetime.date(2025, 11, 9))[DeadlineKey.INVOLVED_STATE_RESPONSE]  # T-15 = 25 Oct
    on = calendar(datetime.date(2025, 11, 10))[DeadlineKey.INVOLVED_STATE_RESPONSE]  # T-15 = 26 Oct
    assert before.due_date == datetime.date(2025, 10, 25)
    assert before.due_at == datetime.datetime(2025, 10, 25, 21, 59, 59, 999999, tzinfo=UTC)
    assert on.due_date == datetime.date(2025, 10, 26)
    assert on.due_at == datetime.datetime(2025, 10, 26, 22, 59, 59, 999999, tzinfo=UTC)
    # The 25-hour day: from one deadline to the next is 25 hours, not 24.
    assert on.due_at - before.due_at == datetime.timedelta(hours=25)


def test_weekend_deadline_is_not_shifted():
    # Meeting on Thursday 2025-03-20: T-30 is Tuesday; a meeting on Monday 2025-03-24: T-30 is Saturday.
    agenda = calendar(datetime.date(2025, 3, 24))[DeadlineKey.DRAFT_AGENDA]
    assert agenda.due_date == datetime.date(2025, 2, 22)
    assert agenda.due_date.weekday() == 5  # Saturday, and stays so


def test_every_deadline_of_rules_8_9_10_12_is_in_the_calendar():
    deadlines = tor_calendar(datetime.date(2025, 3, 20), "Europe/Zurich", version())
    assert {(d.key, d.rule, d.days_before) for d in deadlines} == {
        ("invitation", "9", 50),
        ("expert_proposal", "8", 30),
        ("draft_agenda", "10", 30),
        ("involved_state_notice", "12", 30),
        ("expert_objection_resolution", "8", 20),
        ("involved_state_response", "12", 15),
    }
    assert [d.due_at for d in deadlines] == sorted(d.due_at for d in deadlines)


def test_server_time_zone_does_not_move_deadlines(monkeypatch):
    expected = calendar(datetime.date(2025, 3, 20))[DeadlineKey.INVITATION].due_at
    monkeypatch.setenv("TZ", "America/Chicago")
    time.tzset()
    try:
        assert time.localtime().tm_zone in ("CST", "CDT")
        assert calendar(datetime.date(2025, 3, 20))[DeadlineKey.INVITATION].due_at == expected
        assert end_of_day(datetime.date(2025, 1, 29), "Europe/Zurich") == expected
    finally:
        monkeypatch.undo()
        time.tzset()
    assert os.environ.get("TZ") != "America/Chicago"


def test_another_procedural_time_zone_moves_the_instant_not_the_day():
    ny = calendar(datetime.date(2025, 3, 20), "America/New_York")[DeadlineKey.INVITATION]
    assert ny.due_date == datetime.date(2025, 1, 29)
    assert ny.due_at == datetime.datetime(2025, 1, 30, 4, 59, 59, 999999, tzinfo=UTC)


def test_silence_procedure_ends_at_the_end_of_the_fifth_day_after_distribution():
    distributed = datetime.datetime(2025, 3, 27, 23, 30, tzinfo=UTC)  # 28 March, 00:30 in Geneva
    ends = silence_procedure_ends_at(distributed, "Europe/Zurich", version())
    # 28 March + 5 days = 2 April, after the spring change: +02:00.
    assert ends == datetime.datetime(2025, 4, 2, 21, 59, 59, 999999, tzinfo=UTC)


def test_tor_calendar_command_prints_json(capsys):
    call_command("tor_calendar", "2025-03-20", "--json")
    rows = json.loads(capsys.readouterr().out)
    by_key = {r["key"]: r for r in rows}
    assert by_key["invitation"] == {
        **by_key["invitation"],
        "rule": "9",
        "days_before": 50,
        "due_date": "2025-01-29",
        "due_at": "2025-01-29T23:59:59+01:00",
    }
    assert by_key["involved_state_response"]["due_at"] == "2025-03-05T23:59:59+01:00"
    assert set(by_key) == {
        "invitation",
        "expert_proposal",
        "draft_agenda",
        "involved_state_notice",
        "expert_objection_resolution",
        "involved_state_response",
    }


def test_tor_calendar_command_takes_a_time_zone(capsys):
    call_command("tor_calendar", "2025-04-19", "--tz", "Europe/Zurich", "--json")
    rows = {r["key"]: r for r in json.loads(capsys.readouterr().out)}
    assert rows["involved_state_response"]["due_at"] == "2025-04-04T23:59:59+02:00"


def test_tor_calendar_command_refuses_geneva_as_a_zone_name():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="Europe/Zurich"):
        call_command("tor_calendar", "2025-03-20", "--tz", "Europe/Geneva")


def test_tor_calendar_command_prints_a_readable_table(capsys):
    call_command("tor_calendar", "2025-03-20")
    out = capsys.readouterr().out
    assert "ToR rule  9" in out and "2025-01-29" in out
