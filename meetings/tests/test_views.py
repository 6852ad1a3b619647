"""Meeting pages as the Secretariat, the Chair and delegates use them."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from dief.testing import login_verified
from meetings.models import Meeting
from notifications.models import Notification

NOW = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def create_payload(president, **overrides):
    data = {
        "title": "DIEF meeting at CSP13",
        "start_date": "2027-03-18",
        "end_date": "2027-03-18",
        "venue": "CICG, Geneva",
        "host_session": "preparatory",
        "host_session_name": "CSP13 first preparatory meeting",
        "procedural_time_zone": "Europe/Zurich",
        "convened_by": president.pk,
        "convened_on": "2026-11-20",
        "consulted_chair": "on",
        "consulted_secretariat": "on",
        "short_notice_reason": "",
    }
    data.update(overrides)
    return data


def test_secretariat_creates_a_meeting_and_sees_its_calendar(client, secretariat, president, party, chair):
    login_verified(client, secretariat)
    response = client.post(reverse("meetings:create"), create_payload(president))
    meeting = Meeting.objects.get()
    assert response.status_code == 302 and response.url == reverse("meetings:detail", args=[meeting.pk])
    page = client.get(reverse("meetings:calendar", args=[meeting.pk])).content.decode()
    assert "2027-01-27" in page  # T-50 for 18 March 2027
    assert "ToR rule 9" in page and "ToR rule 12" in page
    assert "+0100" in page


def test_short_notice_meeting_needs_a_reason(client, secretariat, president, party, chair):
    login_verified(client, secretariat)
    response = client.post(
        reverse("meetings:create"), create_payload(president, start_date="2027-01-10", end_date="2027-01-10")
    )
    assert response.status_code == 200
    assert "ToR rule 9" in response.content.decode()
    assert not Meeting.objects.exists()
    response = client.post(
        reverse("meetings:create"),
        create_payload(
            president, start_date="2027-01-10", end_date="2027-01-10", short_notice_reason="Venue only free then"
        ),
    )
    assert response.status_code == 302
    assert Meeting.objects.get().short_notice_reason == "Venue only free then"


def test_third_meeting_in_a_year_is_refused_citing_rule_3(client, secretariat, president, party, chair):
    login_verified(client, secretariat)
    for day in ("2027-03-18", "2027-08-20"):
        assert (
            client.post(reverse("meetings:create"), create_payload(president, start_date=day, end_date=day)).status_code
            == 302
        )
    response = client.post(
        reverse("meetings:create"), create_payload(president, start_date="2027-11-02", end_date="2027-11-02")
    )
    assert response.status_code == 200
    assert "ToR rule 3" in response.content.decode()
    assert Meeting.objects.count() == 2


def test_invitation_needs_the_chair_consultation_then_goes_to_every_eligible_delegate(
    client,
    secretariat,
    meeting,
    chair,
    delegate_party,
    delegate_other_party,
    delegate_signatory,
    outsider,
    national_authority,
    django_capture_on_commit_callbacks,
):
    login_verified(client, secretariat)
    client.post(reverse("meetings:invitation_send", args=[meeting.pk]), {"confirm": "on"}, follow=True)
    meeting.invitation.refresh_from_db()
    assert not meeting.invitation.is_sent
    client.post(reverse("meetings:invitation_consult", args=[meeting.pk]), {"note": "Chair agreed by phone"})
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("meetings:invitation_send", args=[meeting.pk]), {"confirm": "on"}, follow=True)
    assert "ToR rule 9" in response.content.decode()
    meeting.invitation.refresh_from_db()
    assert meeting.invitation.is_sent and not meeting.invitation.sent_late
    recipients = sorted(m.to[0] for m in mail.outbox)
    assert recipients == sorted(u.email for u in (chair, delegate_party, delegate_other_party, delegate_signatory))
    french = next(m for m in mail.outbox if m.to == [delegate_other_party.email])
    assert "invitation" in french.subject.lower()
    assert "Geneva" not in french.body  # no venue or other content beyond the meeting's name and date


def test_double_send_sends_each_invitation_once(
    client, secretariat, meeting, chair, delegate_party, django_capture_on_commit_callbacks
):
    login_verified(client, secretariat)
    client.post(reverse("meetings:invitation_consult", args=[meeting.pk]))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("meetings:invitation_send", args=[meeting.pk]), {"confirm": "on"})
        client.post(reverse("meetings:invitation_send", args=[meeting.pk]), {"confirm": "on"})
    assert Notification.objects.filter(recipient=delegate_party).count() == 1
    assert [m.to for m in mail.outbox].count([delegate_party.email]) == 1


def test_invitation_sent_after_t_minus_50_is_recorded_late(
    client, secretariat, president, chair, party, delegate_party
):
    from dief.testing import meeting_factory

    late = meeting_factory(start_date=datetime.date(2027, 1, 15), created_by=secretariat, convened_by=president)
    login_verified(client, secretariat)
    client.post(reverse("meetings:invitation_consult", args=[late.pk]))
    response = client.post(reverse("meetings:invitation_send", args=[late.pk]), {"confirm": "on"}, follow=True)
    late.invitation.refresh_from_db()
    assert late.invitation.is_sent and late.invitation.sent_late
    assert "late" in response.content.decode()
    calendar = client.get(reverse("meetings:calendar", args=[late.pk])).content.decode()
    assert "done late" in calendar


def test_delegate_sees_meeting_list_and_sent_invitation_but_not_the_draft(client, meeting, delegate_party):
    login_verified(client, delegate_party)
    assert meeting.title in client.get(reverse("meetings:list")).content.decode()
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    assert client.get(reverse("meetings:invitation", args=[meeting.pk])).status_code == 404


def test_delegate_cannot_create_meetings_or_send_invitations(client, meeting, delegate_party):
    login_verified(client, delegate_party)
    assert client.get(reverse("meetings:create")).status_code == 403
    assert client.post(reverse("meetings:invitation_send", args=[meeting.pk])).status_code == 403


def test_meeting_list_query_count_does_not_grow_with_meetings(
    client, secretariat, president, delegate_party, django_assert_max_num_queries
):
    from dief.testing import meeting_factory

    login_verified(client, delegate_party)
    meeting_factory(start_date=datetime.date(2099, 1, 10), created_by=secretariat, convened_by=president)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("meetings:list"))
    for i in range(10):
        meeting_factory(start_date=datetime.date(2090 + i, 1, 10), created_by=secretariat, convened_by=president)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("meetings:list"))
    assert response.content.decode().count("/meetings/") >= 11


def test_a_double_submitted_meeting_creates_one_meeting(client, secretariat, president, party, chair):
    login_verified(client, secretariat)
    for _ in range(2):
        client.post(reverse("meetings:create"), create_payload(president))
    assert Meeting.objects.count() == 1


def test_sending_without_the_confirmation_sends_nothing(client, secretariat, meeting, chair, delegate_party):
    login_verified(client, secretariat)
    client.post(reverse("meetings:invitation_consult", args=[meeting.pk]))
    response = client.post(reverse("meetings:invitation_send", args=[meeting.pk]), follow=True)
    assert "Tick the confirmation" in response.content.decode()
    meeting.invitation.refresh_from_db()
    assert not meeting.invitation.is_sent and not Notification.objects.exists()


def test_the_calendar_shows_the_distributed_agenda_as_met(client, secretariat, meeting, chair):
    from agendas import services as agenda

    agenda.add_item(by=secretariat, meeting=meeting, title="Opening")
    agenda.approve(by=chair, meeting=meeting, seen=agenda.current_edition(meeting))
    agenda.distribute(by=secretariat, meeting=meeting, seen=agenda.current_edition(meeting))
    login_verified(client, secretariat)
    rows = {
        r["deadline"].key: r["status"]
        for r in client.get(reverse("meetings:calendar", args=[meeting.pk])).context["calendar"]
    }
    assert rows["draft_agenda"] == "met"


def test_recorded_times_carry_the_viewers_time_zone(client, secretariat, meeting, chair, delegate_other_party):
    from meetings import services

    services.record_chair_consultation(by=secretariat, meeting=meeting)
    services.send_invitation(by=secretariat, meeting=meeting)
    login_verified(client, delegate_other_party)  # time zone Europe/Paris
    page = client.get(reverse("meetings:invitation", args=[meeting.pk])).content.decode()
    assert "(Europe/Paris)" in page


def test_the_meetings_list_shows_one_page_of_meetings_at_a_time(client, secretariat, president, meeting):
    from dief.pagination import PAGE_SIZE

    Meeting.objects.bulk_create(
        Meeting(
            title=f"Listed {i}",
            start_date=meeting.start_date,
            end_date=meeting.end_date,
            venue="Geneva",
            host_session=meeting.host_session,
            host_session_name="S",
            tor_version=meeting.tor_version,
            convened_by=president,
            convened_on=meeting.convened_on,
            created_by=secretariat,
        )
        for i in range(PAGE_SIZE + 5)
    )
    login_verified(client, president)  # the CSP President sees every meeting
    first = client.get(reverse("meetings:list")).content.decode()
    second = client.get(reverse("meetings:list") + "?page=2").content.decode()
    assert first.count("Listed ") + first.count("Test meeting") == PAGE_SIZE
    assert second.count("Listed ") + second.count("Test meeting") == 6
    assert "?page=2" in first and "?page=1" in second


def _many_meetings(meeting, secretariat, president, n):
    Meeting.objects.bulk_create(
        Meeting(
            title=f"Listed {i}",
            start_date=meeting.start_date,
            end_date=meeting.end_date,
            venue="Geneva",
            host_session=meeting.host_session,
            host_session_name="S",
            tor_version=meeting.tor_version,
            convened_by=president,
            convened_on=meeting.convened_on,
            created_by=secretariat,
        )
        for i in range(n)
    )


def test_the_meetings_list_reads_its_page_without_counting_every_meeting(client, secretariat, president, meeting):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dief.pagination import PAGE_SIZE

    _many_meetings(meeting, secretariat, president, 2 * PAGE_SIZE + 5)
    login_verified(client, president)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("meetings:list")).content.decode()
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"].upper()]
    assert [q["sql"] for q in queries.captured_queries if "LIMIT 26" in q["sql"]]  # a page and one row more
    assert "Page 1" in first and "?page=2" in first and 'rel="prev"' not in first
    middle = client.get(reverse("meetings:list") + "?page=2").content.decode()
    assert "?page=1" in middle and "?page=3" in middle
    last = client.get(reverse("meetings:list") + "?page=3").content.decode()
    assert last.count("Listed ") + last.count("Test meeting") == 6 and 'rel="next"' not in last


def test_a_meetings_page_past_the_end_shows_the_last_page_and_a_malformed_one_the_first(
    client, secretariat, president, meeting
):
    from dief.pagination import PAGE_SIZE

    _many_meetings(meeting, secretariat, president, PAGE_SIZE + 5)
    login_verified(client, president)
    past = client.get(reverse("meetings:list") + "?page=99")
    assert past.status_code == 200 and past.context["page_obj"].number == 2
    assert past.content.decode().count("Listed ") + past.content.decode().count("Test meeting") == 6
    for malformed in ("x", "-3", "0", ""):
        page = client.get(reverse("meetings:list") + f"?page={malformed}")
        assert page.status_code == 200 and page.context["page_obj"].number == 1


def test_a_list_of_no_meetings_has_no_page_links(client, delegate_party):
    login_verified(client, delegate_party)
    body = client.get(reverse("meetings:list")).content.decode()
    assert "There are no meetings to show." in body and 'class="pagination"' not in body


def test_the_meetings_list_shows_dates_and_the_invitation_as_the_list_wrote_them(client, secretariat, meeting, chair):
    from django.utils.formats import date_format

    from meetings import services

    services.record_chair_consultation(by=secretariat, meeting=meeting)
    services.send_invitation(by=secretariat, meeting=meeting)
    login_verified(client, secretariat)
    body = client.get(reverse("meetings:list")).content.decode()
    assert f'<a href="/meetings/{meeting.pk}/">{meeting.title}</a>' in body
    assert date_format(meeting.start_date, "DATE_FORMAT") in body
    assert "<td>sent</td>" in body or "<td>sent (late)</td>" in body
    fr = client.get(reverse("meetings:list"), HTTP_ACCEPT_LANGUAGE="fr")
    assert fr.status_code == 200
