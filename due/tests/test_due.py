"""What is due: each user's own open actions, the timeline picture, the .ics download."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from dief.testing import login_verified, meeting_factory

NOW = datetime.datetime(2099, 1, 1, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def test_secretariat_sees_its_open_actions_soonest_first(client, secretariat, meeting, president):
    later = meeting_factory(
        start_date=datetime.date(2099, 9, 1), created_by=secretariat, convened_by=president, title="Later"
    )
    login_verified(client, secretariat)
    response = client.get(reverse("due:list"))
    items = response.context["items"]
    assert [i.deadline.key for i in items][:2] == ["invitation", "draft_agenda"]
    assert [i.deadline.due_at for i in items] == sorted(i.deadline.due_at for i in items)
    assert {i.meeting.pk for i in items} == {meeting.pk, later.pk}
    assert "Send the invitation" in response.content.decode()


def test_sent_invitation_is_no_longer_due(client, secretariat, meeting, chair):
    from meetings import services

    services.record_chair_consultation(by=secretariat, meeting=meeting)
    services.send_invitation(by=secretariat, meeting=meeting)
    login_verified(client, secretariat)
    keys = [i.deadline.key for i in client.get(reverse("due:list")).context["items"]]
    assert "invitation" not in keys and "draft_agenda" in keys


def test_delegates_see_their_replies_due_and_their_notice_window(
    client, meeting, delegate_party, other_party, delegate_other_party
):
    from presentations import services

    login_verified(client, delegate_party)
    assert client.get(reverse("due:list")).context["items"] == []
    presentation = services.register_presentation(
        by=delegate_party, meeting=meeting, kind="case", title="T", summary="S"
    )
    items = client.get(reverse("due:list")).context["items"]
    assert [(i.deadline.key, i.obligation) for i in items] == [("involved_state_notice", False)]
    services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    login_verified(client, delegate_other_party)
    items = client.get(reverse("due:list")).context["items"]
    assert [(i.deadline.key, i.obligation, i.url) for i in items] == [
        ("involved_state_response", True, reverse("presentations:detail", args=[presentation.pk]))
    ]
    services.submit_reply(by=delegate_other_party, presentation=presentation, text="Our reply")
    assert client.get(reverse("due:list")).context["items"] == []


def test_the_chair_sees_a_draft_agenda_waiting_for_approval(client, meeting, chair, secretariat):
    from agendas import services as agenda

    login_verified(client, chair)
    assert client.get(reverse("due:list")).context["items"] == []
    agenda.add_item(by=secretariat, meeting=meeting, title="Opening")
    assert [i.action for i in client.get(reverse("due:list")).context["items"]] == ["Approve the draft agenda"]
    agenda.approve(by=chair, meeting=meeting)
    assert client.get(reverse("due:list")).context["items"] == []


def test_outsider_has_nothing_due_and_no_timeline(client, meeting, outsider):
    login_verified(client, outsider)
    response = client.get(reverse("due:list"))
    assert response.context["items"] == [] and response.context["timelines"] == []
    assert meeting.title not in response.content.decode()


def test_timeline_is_an_accessible_svg_without_javascript(client, meeting, delegate_party):
    login_verified(client, delegate_party)
    page = client.get(reverse("due:list")).content.decode()
    assert '<svg viewBox="0 0 640 110"' in page and 'role="img"' in page and "<title id=" in page
    assert "<desc id=" in page and "Invitation to all eligible States: 2099-01-29" in page
    assert "<script" not in page


def test_ics_download_holds_own_meetings_and_deadlines(client, secretariat, meeting):
    login_verified(client, secretariat)
    response = client.get(reverse("due:ics"))
    assert response["Content-Type"].startswith("text/calendar")
    assert "no-store" in response["Cache-Control"]
    cal = Calendar.from_ical(response.content)
    events = {str(e["uid"]): e for e in cal.walk("VEVENT")}
    assert f"dief-meeting-{meeting.pk}@dief" in events
    assert events[f"dief-meeting-{meeting.pk}@dief"].decoded("dtstart") == datetime.date(2099, 3, 20)
    assert f"dief-deadline-{meeting.pk}-invitation@dief" in events


def test_ics_download_needs_a_verified_login_and_leaks_nothing_to_outsiders(client, meeting, outsider):
    response = client.get(reverse("due:ics"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))
    login_verified(client, outsider)
    cal = Calendar.from_ical(client.get(reverse("due:ics")).content)
    assert list(cal.walk("VEVENT")) == []


def test_due_page_query_count_does_not_grow_with_meetings(
    client, secretariat, president, delegate_party, django_assert_max_num_queries
):
    login_verified(client, delegate_party)
    meeting_factory(start_date=datetime.date(2099, 5, 1), created_by=secretariat, convened_by=president)
    with django_assert_max_num_queries(30) as few:
        client.get(reverse("due:list"))
    for year in range(2100, 2110):
        meeting_factory(start_date=datetime.date(year, 5, 1), created_by=secretariat, convened_by=president)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("due:list"))
