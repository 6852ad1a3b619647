"""What is due: each user's own open actions, the timeline picture, the .ics download."""

import datetime

import pytest
import time_machine
from django.urls import reverse
from icalendar import Calendar

from dief.testing import login_verified, meeting_factory
from due.services import timeline
from meetings.enums import InvitationStatus
from meetings.models import Invitation, Meeting

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
    assert [(i.deadline.key, i.obligation) for i in items] == [
        ("involved_state_notice", False),
        ("expert_proposal", False),  # ToR rule 8: the presenting State may propose experts until T-30
    ]
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
    from meetings.services import record_chair_consultation

    record_chair_consultation(by=chair, meeting=meeting)
    login_verified(client, chair)
    assert client.get(reverse("due:list")).context["items"] == []
    agenda.add_item(by=secretariat, meeting=meeting, title="Opening")
    assert [i.action for i in client.get(reverse("due:list")).context["items"]] == ["Approve the draft agenda"]
    agenda.approve(by=chair, meeting=meeting, seen=agenda.current_edition(meeting))
    assert client.get(reverse("due:list")).context["items"] == []


def test_outsider_has_nothing_due_and_no_timeline(client, meeting, outsider):
    login_verified(client, outsider)
    response = client.get(reverse("due:list"))
    assert response.context["items"] == [] and response.context["timelines"] == []
    assert meeting.title not in response.content.decode()


def test_timeline_is_an_accessible_svg_without_javascript(client, meeting, delegate_party):
    login_verified(client, delegate_party)
    page = client.get(reverse("due:list")).content.decode()
    assert '<svg viewBox="0 0 640 156"' in page and 'role="img"' in page and "<title id=" in page
    assert "<desc id=" in page and "Invitation to all eligible States: 2099-01-29, upcoming." in page
    assert "Today: 2099-01-01. The meeting starts on 2099-03-20." in page
    assert "<script" not in page


def marks_by_key(tl):
    return {m.deadline.key: m for m in tl.marks}


def test_timeline_is_drawn_to_scale_from_the_dates(meeting):
    tl = timeline(meeting)
    marks = marks_by_key(tl)
    invitation, agenda, response = marks["invitation"], marks["draft_agenda"], marks["involved_state_response"]
    # T-50, T-30, T-15: 20 days then 15 days apart, so the gaps are in the ratio 20:15.
    assert (agenda.x - invitation.x) / (response.x - agenda.x) == pytest.approx(20 / 15, rel=0.02)
    per_day = (response.x - invitation.x) / 35
    assert tl.start_x - response.x == pytest.approx(15 * per_day, rel=0.02)
    # Month ticks carry the dates of the axis, labelled on the first of each month.
    labelled = [t for t in tl.ticks if t.labelled]
    assert [t.date for t in labelled] == [datetime.date(2099, m, 1) for m in (1, 2, 3)]
    assert all(a.x < b.x for a, b in zip(tl.ticks, tl.ticks[1:], strict=False))


def test_timeline_positions_differ_with_today_and_the_meeting(meeting, secretariat, president):
    later = meeting_factory(start_date=datetime.date(2099, 9, 1), created_by=secretariat, convened_by=president)
    near, far = timeline(meeting), timeline(later)
    assert near.today_x is not None and near.today_x < marks_by_key(near)["invitation"].x
    assert far.today_x is None and far.today_before_axis
    assert marks_by_key(near)["invitation"].x != marks_by_key(far)["invitation"].x
    with time_machine.travel(datetime.datetime(2099, 2, 20, 9, 0, tzinfo=datetime.UTC), tick=False):
        moved = timeline(meeting)
    assert marks_by_key(moved)["draft_agenda"].x < moved.today_x < marks_by_key(moved)["involved_state_response"].x


def test_timeline_marks_show_done_missed_and_upcoming_by_shape_and_text(client, meeting, secretariat):
    with time_machine.travel(datetime.datetime(2099, 2, 1, 9, 0, tzinfo=datetime.UTC), tick=False):
        marks = marks_by_key(timeline(meeting))
        assert (marks["invitation"].status, marks["invitation"].shape) == ("missed", "missed")
        assert (marks["draft_agenda"].status, marks["draft_agenda"].shape) == ("upcoming", "upcoming")
        Invitation.objects.filter(meeting=meeting).update(
            status=InvitationStatus.SENT, sent_at=datetime.datetime(2099, 1, 20, 9, 0, tzinfo=datetime.UTC)
        )
        meeting.refresh_from_db()
        marks = marks_by_key(timeline(Meeting.objects.get(pk=meeting.pk)))
        assert (marks["invitation"].status, marks["invitation"].shape) == ("met", "done")
        assert marks["invitation"].path.startswith("M") and marks["invitation"].path != marks["draft_agenda"].path
        login_verified(client, secretariat)
        page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    # The meeting page shows the same picture, with a text legend naming each state.
    assert '<svg viewBox="0 0 640 156"' in page and 'class="mark done"' in page and 'class="mark upcoming"' in page
    assert '<strong class="status-met">met</strong>' in page and "● done" in page and "○ upcoming" in page


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


def test_the_chair_and_the_president_see_what_they_record_themselves(client, chair, president, secretariat):
    from meetings import services as meeting_services
    from meetings.services import record_chair_consultation

    drafted = meeting_services.convene_meeting(
        by=secretariat,
        title="Awaiting",
        start_date=datetime.date(2099, 6, 1),
        end_date=datetime.date(2099, 6, 1),
        venue="Geneva",
        host_session="preparatory",
        host_session_name="Preparatory",
        procedural_time_zone="Europe/Zurich",
    )
    login_verified(client, president)
    assert [str(i.action) for i in client.get(reverse("due:list")).context["items"]] == [
        "Record your decision to convene the meeting (ToR rule 3)"
    ]
    meeting_services.record_convening_decision(by=president, meeting=drafted)
    assert client.get(reverse("due:list")).context["items"] == []
    login_verified(client, chair)
    actions = [str(i.action) for i in client.get(reverse("due:list")).context["items"]]
    assert actions == ["Record your consultation on the draft invitation (ToR rule 9)"]
    record_chair_consultation(by=chair, meeting=drafted)
    assert client.get(reverse("due:list")).context["items"] == []


def _valid_calendar(content: bytes) -> list:
    """Parse with icalendar's own RFC 5545 parser and check what the RFC requires; returns the VEVENTs."""
    cal = Calendar.from_ical(content)
    assert cal.name == "VCALENDAR" and "PRODID" in cal and cal["VERSION"] == "2.0"
    for component in cal.walk():
        assert component.errors == [], (component.name, component.errors)
    events = list(cal.walk("VEVENT"))
    for event in events:
        for required in ("DTSTAMP", "UID", "DTSTART"):
            assert required in event, (required, event.get("SUMMARY"))
        assert event.decoded("DTEND") > event.decoded("DTSTART")
    uids = [str(e["UID"]) for e in events]
    assert len(uids) == len(set(uids)), uids
    return events


def test_two_reply_deadlines_of_one_meeting_get_distinct_uids_that_are_stable_across_downloads(
    client, meeting, delegate_party, other_party, delegate_other_party
):
    from presentations import services

    for title in ("First case", "Second case"):
        presentation = services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title=title, summary="S"
        )
        services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    login_verified(client, delegate_other_party)
    first = _valid_calendar(client.get(reverse("due:ics")).content)
    replies = [e for e in first if "involved_state_response" in str(e["UID"])]
    assert len(replies) == 2
    with time_machine.travel(NOW + datetime.timedelta(minutes=20), tick=False):
        second = _valid_calendar(client.get(reverse("due:ics")).content)
    assert sorted(str(e["UID"]) for e in first) == sorted(str(e["UID"]) for e in second)


@pytest.mark.parametrize("who", ["secretariat", "chair", "delegate_party"])
def test_every_users_calendar_is_valid_rfc_5545_with_unique_uids(client, meeting, secretariat, chair, who, request):
    login_verified(client, request.getfixturevalue(who))
    events = _valid_calendar(client.get(reverse("due:ics")).content)
    assert events


def _involve(meeting, presenting, involved_state, n):
    """``n`` presentations by ``presenting``'s State at ``meeting``, each involving ``involved_state``
    (not yet replied to): ``n`` open actions for that State's delegates (ToR rule 12)."""
    from presentations.models import InvolvedState, Presentation

    presentations = Presentation.objects.bulk_create(
        Presentation(
            meeting=meeting,
            presenting_state=presenting.state,
            registered_by=presenting,
            registered_at=NOW,
            kind="case",
            title=f"Case {i}",
            summary="s",
        )
        for i in range(n)
    )
    InvolvedState.objects.bulk_create(
        InvolvedState(presentation=p, state=involved_state, notified_at=NOW) for p in presentations
    )


def test_what_is_due_comes_a_page_at_a_time_with_the_same_queries_for_10_and_1000_items(
    client, meeting, delegate_party, other_party, delegate_other_party
):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from due.services import DUE_PAGE_SIZE

    delegate_other_party.language = "en"
    delegate_other_party.save()
    login_verified(client, delegate_other_party)
    _involve(meeting, delegate_party, other_party, 10)
    client.get(reverse("due:list"))
    with CaptureQueriesContext(connection) as ten:
        first = client.get(reverse("due:list"))
    assert len(first.context["items"]) == 10 and first.context["page_obj"].paginator.num_pages == 1
    _involve(meeting, delegate_party, other_party, 990)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("due:list"))
    assert len(ten.captured_queries) == len(many.captured_queries)
    page = response.context["page_obj"]
    assert (page.paginator.count, len(response.context["items"])) == (1000, DUE_PAGE_SIZE)
    body = response.content.decode()
    assert len(re.findall(r'<a href="/presentations/\d+/">Respond', body)) == DUE_PAGE_SIZE
    assert 'href="?page=2" rel="next"' in body and "Page 1 of 40 (1000 in all)" in body
    last = client.get(reverse("due:list") + "?page=40")
    assert len(last.context["items"]) == DUE_PAGE_SIZE and 'rel="prev"' in last.content.decode()
    shown = [i.url for p in (1, 2) for i in client.get(reverse("due:list") + f"?page={p}").context["items"]]
    assert len(set(shown)) == 2 * DUE_PAGE_SIZE  # the pages follow each other without repeating an item


def test_what_is_due_draws_the_soonest_timelines_and_points_to_the_others(client, secretariat, president):
    from due.services import DUE_TIMELINES

    meetings = [
        meeting_factory(
            start_date=datetime.date(2099 + i // 2, 3 + 6 * (i % 2), 20),
            created_by=secretariat,
            convened_by=president,
            title=f"Meeting {i}",
        )
        for i in range(DUE_TIMELINES + 2)
    ]
    login_verified(client, secretariat)
    response = client.get(reverse("due:list"))
    assert [m.pk for m, _tl in response.context["timelines"]] == [m.pk for m in meetings[:DUE_TIMELINES]]
    assert "2 more meetings are coming up: each one's page shows its timeline." in response.content.decode()


def test_the_ics_holds_every_open_deadline_with_the_same_queries_for_10_and_1000(
    client, meeting, delegate_party, other_party, delegate_other_party
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login_verified(client, delegate_other_party)
    _involve(meeting, delegate_party, other_party, 10)
    client.get(reverse("due:ics"))
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("due:ics"))
    _involve(meeting, delegate_party, other_party, 990)
    with CaptureQueriesContext(connection) as many:
        first = _valid_calendar(client.get(reverse("due:ics")).content)
    assert len(ten.captured_queries) == len(many.captured_queries)
    replies = [e for e in first if "involved_state_response-presentation" in str(e["UID"])]
    assert len(replies) == 1000
    with time_machine.travel(NOW + datetime.timedelta(minutes=5), tick=False):
        second = _valid_calendar(client.get(reverse("due:ics")).content)
    # The same events again, each stamped with the time of its download (RFC 5545 DTSTAMP).
    assert {str(e["UID"]) for e in first} == {str(e["UID"]) for e in second}
    assert {e.decoded("DTSTAMP") for e in second} == {NOW + datetime.timedelta(minutes=5)}


def test_timeline_ticks_fall_on_every_monday_and_first_of_month_once_each(meeting):
    tl = timeline(meeting, NOW)
    days = [tick.date for tick in tl.ticks]
    expected, day = [], tl.first_day
    while day <= tl.last_day:
        if day.day == 1 or day.weekday() == 0:
            expected.append(day)
        day += datetime.timedelta(days=1)
    assert days == expected and len(days) > 4
    assert [tick.labelled for tick in tl.ticks] == [d.day == 1 for d in days]
