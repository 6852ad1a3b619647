"""The delegations page's written-out reads against the ORM's answers: its meeting
(meetings.queries.meeting_fields_or_404: the same columns, the same 404s) and one row per
registered State with its enforcement officers counted."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import ParticipantRole
from accounts.security import DeniedAccess, object_for_user_or_404
from dief.testing import UserFactory, login_verified
from meetings import queries
from meetings.models import MeetingGroupObjectPermission
from presentations import services
from presentations.delegation_views import PAGE_MEETING_FIELDS, registration_rows, registration_rows_orm
from states.models import State

EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Zurich"))
SHOWN = ("id", "title", "end_date", "procedural_time_zone")


def test_the_delegation_rows_are_the_orms(meeting, party, other_party, signatory_state, delegate_party, secretariat):
    assert registration_rows(meeting.pk) == registration_rows_orm(meeting.pk) == []
    officer = UserFactory(username="officer", state=party, participant_role=ParticipantRole.ENFORCEMENT)
    other_officer = UserFactory(username="officer2", state=party, participant_role=ParticipantRole.ENFORCEMENT)
    policy = UserFactory(username="policy", state=other_party, participant_role=ParticipantRole.POLICY)
    signatory = UserFactory(username="sig", state=signatory_state, participant_role=ParticipantRole.ENFORCEMENT)
    State.objects.filter(pk=other_party.pk).update(region="")
    with time_machine.travel(EARLY, tick=False):
        services.register_delegation(
            by=delegate_party, meeting=meeting, members=[delegate_party, officer, other_officer]
        )
        services.register_delegation(by=policy, meeting=meeting, members=[policy])
        services.register_delegation(by=signatory, meeting=meeting, members=[signatory])
    rows = registration_rows(meeting.pk)
    assert sorted(rows) == sorted(registration_rows_orm(meeting.pk))
    assert {row[3] for row in rows} & {0} and max(row[3] for row in rows) >= 2
    assert registration_rows(meeting.pk + 1000) == []


def test_the_delegations_meeting_read_is_the_orms(meeting, secretariat, president, delegate_party, chair):
    for user in (secretariat, president, delegate_party, chair):
        user.is_verified = lambda: True
        read = queries.meeting_fields_or_404(user, meeting.pk, PAGE_MEETING_FIELDS)
        orm = object_for_user_or_404(queries.meetings_for_user(user).only(*PAGE_MEETING_FIELDS), pk=meeting.pk)
        assert [getattr(read, f) for f in SHOWN] == [getattr(orm, f) for f in SHOWN]
        assert read.get_deferred_fields() == orm.get_deferred_fields()


def test_the_delegations_meeting_read_refuses_what_the_orm_refuses(meeting, delegate_party, outsider, secretariat):
    for user in (delegate_party, outsider, secretariat):
        user.is_verified = lambda: True
    MeetingGroupObjectPermission.objects.filter(content_object=meeting, group=delegate_party.state.group).delete()
    with pytest.raises(DeniedAccess):
        queries.meeting_fields_or_404(delegate_party, meeting.pk, PAGE_MEETING_FIELDS)
    with pytest.raises(Http404):
        queries.meeting_fields_or_404(outsider, meeting.pk, PAGE_MEETING_FIELDS)
    with pytest.raises(Http404):
        queries.meeting_fields_or_404(secretariat, meeting.pk + 1000, PAGE_MEETING_FIELDS)


def test_the_delegations_page_reads_its_meeting_and_registrations_without_the_orm(meeting, delegate_party, client):
    url = reverse("meetings:delegations", args=[meeting.pk])
    with time_machine.travel(EARLY, tick=False):
        services.register_delegation(by=delegate_party, meeting=meeting, members=[delegate_party])
        login_verified(client, delegate_party)
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
    sqls = [q["sql"] for q in captured.captured_queries]
    assert not any(s.startswith('SELECT "meetings_meeting"') or s.startswith('SELECT "states_state"') for s in sqls)
    assert "Registered." in page


def test_the_delegate_rows_are_the_orms(meeting, party, other_party, delegate_party):
    from accounts.enums import Role
    from meetings.models import DelegationRegistration
    from presentations.delegation_views import delegate_rows, delegate_rows_orm

    UserFactory(username="b", last_name="Bravo <b>", state=party, role=Role.DELEGATE)
    UserFactory(username="a", last_name="Alpha", first_name="", state=party, role=Role.DELEGATE)
    UserFactory(username="gone", last_name="Gone", state=party, role=Role.DELEGATE, is_active=False)
    UserFactory(username="other", last_name="Other", state=other_party, role=Role.DELEGATE)
    UserFactory(username="expert", last_name="Expert", state=party, role=Role.EXPERT)
    assert delegate_rows(party.pk, None) == delegate_rows_orm(party.pk, None)
    assert [row[3] for row in delegate_rows(party.pk, None)] == [
        row[3] for row in sorted(delegate_rows_orm(party.pk, None), key=lambda row: row[2])
    ]
    assert {row[3] for row in delegate_rows(party.pk, None)} == {"a", "b", delegate_party.username}
    assert not any(row[-1] for row in delegate_rows(party.pk, None))
    with time_machine.travel(EARLY, tick=False):
        services.register_delegation(by=delegate_party, meeting=meeting, members=[delegate_party])
    own = DelegationRegistration.objects.get(meeting=meeting, state=party).pk
    rows = delegate_rows(party.pk, own)
    assert rows == delegate_rows_orm(party.pk, own)
    assert [row[3] for row in rows if row[-1]] == [delegate_party.username]
    assert all(isinstance(row[-1], bool) for row in rows)
    assert delegate_rows(party.pk, own + 1000) == delegate_rows_orm(party.pk, own + 1000)
    assert delegate_rows(other_party.pk + 1000, own) == []
