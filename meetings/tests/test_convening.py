"""Convening and moving meetings: the rule 3 cap under concurrency, the rule 9 reason."""

import datetime
import threading

import pytest
import time_machine
from django.db import connection

from dief.errors import RuleViolation
from dief.testing import UserFactory, meeting_factory, tor_version
from meetings import services
from meetings.models import Meeting, ToRVersion

UTC = datetime.UTC
D = datetime.date


def convene(by, president, *, start, convened_on, title="DIEF meeting", reason=""):
    return services.convene_meeting(
        by=by,
        title=title,
        start_date=start,
        end_date=start,
        venue="Geneva",
        host_session="preparatory",
        host_session_name="Preparatory meeting",
        procedural_time_zone="Europe/Zurich",
        convened_by=president,
        convened_on=convened_on,
        consulted_chair=True,
        short_notice_reason=reason,
    )


def _both_at_once(calls):
    barrier = threading.Barrier(len(calls))
    outcomes = []

    def run(call):
        try:
            barrier.wait()
            call()
            outcomes.append("created")
        except RuleViolation as exc:
            outcomes.append(f"refused: rule {exc.rule}")
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return sorted(outcomes)


@pytest.mark.django_db(transaction=True)
def test_two_officers_at_once_cannot_both_convene_the_third_meeting_of_a_year_across_tor_versions(president):
    if connection.vendor == "sqlite":
        pytest.skip("row and advisory locks need PostgreSQL; CI runs this on PostgreSQL")
    tor_version()
    officers = [UserFactory(username=f"officer{i}", role="secretariat", participant_role="") for i in range(2)]
    # One decision before the CSP10 amendment (in force 2024-08-23), one after: two versions.
    assert ToRVersion.in_force_on(D(2024, 8, 20)) != ToRVersion.in_force_on(D(2024, 8, 26))
    with time_machine.travel(datetime.datetime(2024, 9, 1, 9, tzinfo=UTC), tick=False):
        for round_ in range(6):  # repeated: an interleaving that lets both through must show
            year = 2025 + round_
            meeting_factory(start_date=D(year, 2, 10), created_by=officers[0], convened_by=president)
            outcomes = _both_at_once(
                [
                    lambda y=year: convene(officers[0], president, start=D(y, 6, 10), convened_on=D(2024, 8, 20)),
                    lambda y=year: convene(officers[1], president, start=D(y, 9, 10), convened_on=D(2024, 8, 26)),
                ]
            )
            assert outcomes == ["created", "refused: rule 3"], (year, outcomes)
            assert Meeting.objects.filter(start_date__year=year).count() == 2


@pytest.mark.django_db(transaction=True)
def test_moving_a_meeting_into_a_year_while_another_is_convened_there_keeps_the_cap(president):
    if connection.vendor == "sqlite":
        pytest.skip("row and advisory locks need PostgreSQL; CI runs this on PostgreSQL")
    tor_version()
    officers = [UserFactory(username=f"officer{i}", role="secretariat", participant_role="") for i in range(2)]
    with time_machine.travel(datetime.datetime(2024, 9, 1, 9, tzinfo=UTC), tick=False):
        for round_ in range(4):
            year = 2031 + round_
            meeting_factory(start_date=D(year, 2, 10), created_by=officers[0], convened_by=president)
            elsewhere = meeting_factory(
                start_date=D(year + 20, 2, 10), created_by=officers[0], convened_by=president, title=f"m{year}"
            )
            outcomes = _both_at_once(
                [
                    lambda y=year: convene(officers[0], president, start=D(y, 6, 10), convened_on=D(2024, 8, 20)),
                    lambda y=year, m=elsewhere: services.change_meeting_dates(
                        by=officers[1], meeting=m, start_date=D(y, 9, 10), end_date=D(y, 9, 10)
                    ),
                ]
            )
            assert outcomes == ["created", "refused: rule 3"], (year, outcomes)
            assert Meeting.objects.filter(start_date__year=year).count() == 2


NOW = datetime.datetime(2026, 12, 1, 9, tzinfo=UTC)


@pytest.fixture
def far_meeting(secretariat, president):
    with time_machine.travel(NOW, tick=False):
        return meeting_factory(start_date=D(2027, 6, 10), created_by=secretariat, convened_by=president)


@pytest.mark.parametrize("invitation_sent", [False, True])
@pytest.mark.django_db
def test_moving_a_meeting_short_of_notice_needs_a_reason_for_that_change(far_meeting, secretariat, invitation_sent):
    if invitation_sent:
        far_meeting.invitation.status = "sent"
        far_meeting.invitation.sent_at = NOW
        far_meeting.invitation.save()
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(RuleViolation, match="ToR rule 9"):
            services.change_meeting_dates(
                by=secretariat, meeting=far_meeting, start_date=D(2027, 1, 10), end_date=D(2027, 1, 10)
            )
        far_meeting.refresh_from_db()
        assert far_meeting.start_date == D(2027, 6, 10)
        services.change_meeting_dates(
            by=secretariat,
            meeting=far_meeting,
            start_date=D(2027, 1, 10),
            end_date=D(2027, 1, 10),
            short_notice_reason="Venue only free then",
        )
    far_meeting.refresh_from_db()
    assert far_meeting.start_date == D(2027, 1, 10) and far_meeting.short_notice_reason == "Venue only free then"


@pytest.mark.django_db
def test_an_old_reason_does_not_cover_a_new_short_notice_change(secretariat, president):
    with time_machine.travel(NOW, tick=False):
        meeting = convene(secretariat, president, start=D(2027, 1, 5), convened_on=D(2026, 11, 30), reason="Urgent")
        with pytest.raises(RuleViolation, match="ToR rule 9"):
            services.change_meeting_dates(
                by=secretariat, meeting=meeting, start_date=D(2027, 1, 12), end_date=D(2027, 1, 12)
            )
        # Moving it far enough needs no reason.
        services.change_meeting_dates(by=secretariat, meeting=meeting, start_date=D(2027, 6, 1), end_date=D(2027, 6, 1))


@pytest.mark.django_db
def test_convening_short_of_notice_without_a_reason_is_refused(secretariat, president):
    with time_machine.travel(NOW, tick=False):
        with pytest.raises(RuleViolation, match="ToR rule 9"):
            convene(secretariat, president, start=D(2027, 1, 5), convened_on=D(2026, 11, 30))
    assert not Meeting.objects.exists()


@pytest.mark.django_db
def test_the_change_dates_form_asks_for_the_reason_and_changes_nothing_without_it(client, far_meeting, secretariat):
    from django.urls import reverse

    from dief.testing import login_verified

    url = reverse("meetings:change_dates", args=[far_meeting.pk])
    with time_machine.travel(NOW, tick=False):
        login_verified(client, secretariat)
        response = client.post(url, {"start_date": "2027-01-10", "end_date": "2027-01-10"}, follow=True)
        assert "ToR rule 9" in response.content.decode()
        far_meeting.refresh_from_db()
        assert far_meeting.start_date == D(2027, 6, 10)
        client.post(url, {"start_date": "2027-01-10", "end_date": "2027-01-10", "short_notice_reason": "Late venue"})
    far_meeting.refresh_from_db()
    assert far_meeting.start_date == D(2027, 1, 10)
