"""The agenda page's one written-out read (meetings.queries.agenda_page_meeting_or_404) against
the ORM's answers: the same meeting, agenda and Chair in office today, the same 404s, and fewer
queries on the page."""

import datetime

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import Role
from accounts.security import DeniedAccess
from agendas import services as agenda_services
from agendas.models import Agenda
from dief.testing import UserFactory, login_verified
from meetings import queries
from meetings.models import ChairAppointment, Meeting, MeetingGroupObjectPermission


def _same(read, user, pk):
    orm = queries.meeting_for_user_or_404(user, pk)
    fields = [f.attname for f in Meeting._meta.concrete_fields]
    assert [getattr(read, f) for f in fields] == [getattr(orm, f) for f in fields]
    agenda, orm_agenda = agenda_services.agenda_read_with(read), Agenda.objects.filter(meeting=orm).first()
    agenda_fields = [f.attname for f in Agenda._meta.concrete_fields]
    assert (agenda and [getattr(agenda, f) for f in agenda_fields]) == (
        orm_agenda and [getattr(orm_agenda, f) for f in agenda_fields]
    )
    assert agenda is None or agenda.meeting is read
    assert queries.chair_in_office_today(read) == (queries.current_chair_appointment() is not None)


def test_the_agenda_read_gives_the_orms_meeting_agenda_and_chair(meeting, secretariat, president, delegate_party):
    users = (secretariat, president, delegate_party)
    for user in users:
        user.is_verified = lambda: True
        _same(queries.agenda_page_meeting_or_404(user, meeting.pk), user, meeting.pk)
    agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
    chair = UserFactory(username="chair_today", state=delegate_party.state)
    appointment = ChairAppointment.objects.create(
        chair=chair,
        appointed_on=queries.procedural_today(),
        term_ends_on=datetime.date(2099, 12, 31),
        term_ends_with="CSP next",
    )
    for user in users:  # an appointment not confirmed makes nobody Chair
        _same(queries.agenda_page_meeting_or_404(user, meeting.pk), user, meeting.pk)
        assert not queries.chair_in_office_today(queries.agenda_page_meeting_or_404(user, meeting.pk))
    ChairAppointment.objects.filter(pk=appointment.pk).update(confirmed_at=datetime.datetime.now(datetime.UTC))
    chair.is_verified = lambda: True
    for user in (*users, chair):
        read = queries.agenda_page_meeting_or_404(user, meeting.pk)
        _same(read, user, meeting.pk)
        assert queries.chair_in_office_today(read) and agenda_services.agenda_read_with(read).items.count() == 1


def test_the_agenda_read_refuses_what_the_orm_refuses(meeting, delegate_party, outsider, secretariat):
    expert = UserFactory(username="expert_x", role=Role.EXPERT)
    for user in (delegate_party, outsider, secretariat, expert):
        user.is_verified = lambda: True
    MeetingGroupObjectPermission.objects.filter(content_object=meeting, group=delegate_party.state.group).delete()
    with pytest.raises(DeniedAccess):
        queries.agenda_page_meeting_or_404(delegate_party, meeting.pk)
    with pytest.raises(Http404):
        queries.agenda_page_meeting_or_404(outsider, meeting.pk)
    with pytest.raises(Http404):
        queries.agenda_page_meeting_or_404(expert, meeting.pk)
    with pytest.raises(Http404):
        queries.agenda_page_meeting_or_404(secretariat, meeting.pk + 1000)


def test_the_agenda_page_reads_the_meeting_agenda_and_chair_in_one_query(meeting, secretariat, client):
    login_verified(client, secretariat)
    url = reverse("meetings:agenda", args=[meeting.pk])
    for drafted in (False, True):
        if drafted:
            agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            page = client.get(url).content.decode()
        sqls = [q["sql"] for q in captured.captured_queries]
        reads = [s for s in sqls if "meetings_meeting" in s]
        assert len(reads) == 1 and "meetings_chairappointment" in reads[0]
        others = [s for s in sqls if s not in reads]
        assert not any(
            s.startswith('SELECT "meetings_agenda"."id"') or 'FROM "meetings_chairappointment"' in s for s in others
        )
        assert ("Opening" in page) == drafted
        assert "No Chair is in office to consult" in page
