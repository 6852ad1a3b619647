"""The meeting page's one written-out read (meetings.queries.meeting_page_or_404) against the
ORM's answers: the same meeting, relations, Chair on the first day and open deadline flags, the
same 404s, and fewer queries on the page."""

import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.security import DeniedAccess
from dief.testing import UserFactory, appoint_chair, login_verified, meeting_factory
from enforcement.models import DeadlineFlag
from meetings import queries
from meetings.models import ChairAppointment, Meeting, MeetingGroupObjectPermission

RELATED = ("agenda", "convened_by", "convening_recorded_by")


def _orm(user, pk):
    return queries.meeting_for_user_or_404(user, pk, practical_details=True, related=RELATED)


def _same(read, orm):
    fields = [f.attname for f in Meeting._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(orm, f) for f in fields]
    tor_fields = [f.attname for f in type(orm.tor_version)._meta.concrete_fields]
    assert [getattr(read.tor_version, f) for f in tor_fields] == [getattr(orm.tor_version, f) for f in tor_fields]
    inv_fields = [f.attname for f in type(orm.invitation)._meta.concrete_fields]
    assert [getattr(read.invitation, f) for f in inv_fields] == [getattr(orm.invitation, f) for f in inv_fields]
    assert getattr(read, "agenda", None) == getattr(orm, "agenda", None)
    for name in ("convened_by", "convening_recorded_by"):
        mine, theirs = getattr(read, name), getattr(orm, name)
        assert (mine and (mine.pk, mine.get_full_name(), mine.username)) == (
            theirs and (theirs.pk, theirs.get_full_name(), theirs.username)
        )
    assert queries.chair_in_office_on_start(read) == ChairAppointment.objects.in_office_on(orm.start_date).exists()
    assert [f.pk for f in queries.open_flags(read)] == [
        f.pk for f in orm.deadline_flags.filter(cleared_at__isnull=True).order_by("due_at", "pk")
    ]


@pytest.fixture
def flagged(meeting):
    now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
    for key, days, cleared in (("invitation", 3, None), ("draft_agenda", 1, None), ("invitation", 9, now)):
        DeadlineFlag.objects.create(
            meeting=meeting,
            deadline_key=key,
            due_at=now - datetime.timedelta(days=days),
            flagged_at=now,
            cleared_at=cleared,
        )
    return meeting


def test_the_page_read_gives_the_orms_meeting_relations_chair_and_flags(
    flagged, secretariat, president, delegate_party, chair
):
    for user in (secretariat, president, delegate_party, chair):
        user.is_verified = lambda: True
        _same(queries.meeting_page_or_404(user, flagged.pk), _orm(user, flagged.pk))
    assert len(queries.open_flags(queries.meeting_page_or_404(secretariat, flagged.pk))) == 2


def test_the_page_read_knows_a_meeting_without_chair_convening_or_flags(secretariat):
    secretariat.is_verified = lambda: True
    meeting = meeting_factory(start_date=datetime.date(2099, 5, 1), created_by=secretariat, convened_by=None)
    read = queries.meeting_page_or_404(secretariat, meeting.pk)
    _same(read, _orm(secretariat, meeting.pk))
    assert read.convened_by is None and not queries.chair_in_office_on_start(read)
    assert queries.open_flags(read) == []


def test_the_page_read_names_who_recorded_a_decision_on_paper(meeting, secretariat, president):
    secretariat.is_verified = lambda: True
    president.first_name, president.last_name = "Ana", "Ruiz"
    president.save()
    Meeting.objects.filter(pk=meeting.pk).update(convening_recorded_by=secretariat, convening_on_paper=True)
    read = queries.meeting_page_or_404(secretariat, meeting.pk)
    _same(read, _orm(secretariat, meeting.pk))
    assert read.convened_by.get_full_name() == "Ana Ruiz" and read.convening_recorded_by.pk == secretariat.pk


def test_the_page_read_sees_a_chair_in_office_on_the_first_day_only(meeting, secretariat, party):
    secretariat.is_verified = lambda: True
    chair = UserFactory(username="later_chair", state=party)
    appoint_chair(
        chair, appointed_on=meeting.start_date + datetime.timedelta(days=1), term_ends_on=datetime.date(2099, 12, 31)
    )
    assert not queries.chair_in_office_on_start(queries.meeting_page_or_404(secretariat, meeting.pk))
    ChairAppointment.objects.filter(chair=chair).update(appointed_on=meeting.start_date)
    assert queries.chair_in_office_on_start(queries.meeting_page_or_404(secretariat, meeting.pk))


def test_the_page_read_refuses_what_the_orm_refuses(meeting, delegate_party, outsider, secretariat):
    for user in (delegate_party, outsider, secretariat):
        user.is_verified = lambda: True
    MeetingGroupObjectPermission.objects.filter(content_object=meeting, group=delegate_party.state.group).delete()
    with pytest.raises(DeniedAccess):
        queries.meeting_page_or_404(delegate_party, meeting.pk)
    with pytest.raises(DeniedAccess):
        queries.meeting_page_or_404(outsider, meeting.pk)
    with pytest.raises(Http404):
        queries.meeting_page_or_404(secretariat, meeting.pk + 1000)


@pytest.mark.parametrize("name", ["meetings:detail", "meetings:calendar"])
def test_the_meeting_pages_read_the_meeting_chair_and_flags_in_one_query(flagged, secretariat, client, name):
    login_verified(client, secretariat)
    url = reverse(name, args=[flagged.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url).content.decode()
    meeting_reads = [q["sql"] for q in captured.captured_queries if "meetings_meeting" in q["sql"]]
    assert len(meeting_reads) == 1
    assert not any(
        "enforcement_deadlineflag" in q["sql"] for q in captured.captured_queries if q["sql"] not in meeting_reads
    )
    if name == "meetings:detail":
        assert page.count("Deadline passed unmet") == 2


def _orm_list(user):
    meetings = (
        queries.meetings_for_user(user)
        .select_related("invitation")
        .only("title", "start_date", "end_date", "venue", "invitation__status", "invitation__sent_late")
    )
    return queries.in_list_order(meetings)


def _row(meeting):
    invitation = getattr(meeting, "invitation", None)
    return (
        meeting.pk,
        meeting.title,
        meeting.start_date,
        meeting.end_date,
        meeting.venue,
        invitation and (invitation.pk, invitation.is_sent, invitation.sent_late),
    )


def test_the_list_read_gives_the_orms_meetings_in_the_one_order(
    meeting, secretariat, president, delegate_party, delegate_other_party, chair
):
    from meetings.models import Invitation

    starts = [
        datetime.date(2020, 5, 1),
        datetime.date(2020, 5, 1),
        datetime.date(2099, 1, 2),
        datetime.date(2030, 7, 7),
    ]
    made = [
        meeting_factory(start_date=start, created_by=secretariat, convened_by=president, title=f"M{n}")
        for n, start in enumerate(starts)
    ]
    Invitation.objects.filter(meeting=made[0]).update(status="sent", sent_late=True)
    Invitation.objects.filter(meeting=made[2]).delete()  # a row without invitation still lists
    MeetingGroupObjectPermission.objects.filter(content_object=made[3], group=delegate_other_party.state.group).delete()
    for user in (secretariat, president, delegate_party, delegate_other_party, chair):
        user.is_verified = lambda: True
        rows = queries.meeting_list_rows(user)
        assert isinstance(rows, queries.MeetingList)
        expected = [_row(m) for m in _orm_list(user)]
        assert [_row(m) for m in rows[0:100]] == expected
        assert [_row(m) for m in rows[1:3]] == expected[1:3]
        assert rows.count() == len(expected)
    assert made[3].pk not in [m.pk for m in queries.meeting_list_rows(delegate_other_party)[0:100]]


def test_the_list_of_someone_outside_the_forum_is_the_orms_empty_queryset(meeting, outsider):
    outsider.is_verified = lambda: True
    rows = queries.meeting_list_rows(outsider)
    assert not isinstance(rows, queries.MeetingList) and list(rows) == []
