"""The delegations page (ToR rules 6, 7): the own State's registration found among the
meeting's, its members ticked, and a fixed number of queries."""

import datetime
import re
from zoneinfo import ZoneInfo

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.enums import ParticipantRole
from dief.testing import UserFactory, login_verified
from presentations import services

EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Zurich"))


def _ticked(page: str) -> set[int]:
    return {int(v) for v in re.findall(r'name="members" value="(\d+)"[^>]* checked', page)}


def test_the_form_ticks_the_delegate_until_the_state_registers_then_the_registered_members(
    meeting, party, delegate_party, delegate_other_party, client
):
    colleague = UserFactory(username="colleague", state=party, participant_role=ParticipantRole.POLICY)
    url = reverse("meetings:delegations", args=[meeting.pk])
    with time_machine.travel(EARLY, tick=False):
        services.register_delegation(by=delegate_other_party, meeting=meeting, members=[delegate_other_party])
        login_verified(client, delegate_party)
        page = client.get(url).content.decode()
        assert _ticked(page) == {delegate_party.pk} and "Registered." not in page
        services.register_delegation(by=delegate_party, meeting=meeting, members=[colleague])
        page = client.get(url).content.decode()
    assert _ticked(page) == {colleague.pk} and "Registered." in page and "Update the delegation" in page


def test_the_delegations_page_reads_as_many_queries_with_more_delegations(
    meeting, party, other_party, delegate_party, delegate_other_party, client
):
    url = reverse("meetings:delegations", args=[meeting.pk])
    with time_machine.travel(EARLY, tick=False):
        services.register_delegation(by=delegate_party, meeting=meeting, members=[delegate_party])
        login_verified(client, delegate_party)
        client.get(url)
        with CaptureQueriesContext(connection) as one:
            client.get(url)
        services.register_delegation(by=delegate_other_party, meeting=meeting, members=[delegate_other_party])
        with CaptureQueriesContext(connection) as two:
            client.get(url)
    assert len(one.captured_queries) == len(two.captured_queries)
    # the own registration is found among the meeting's, its members read with the delegates
    assert not any(
        q["sql"].startswith('SELECT "meetings_delegationregistration"."id" FROM') for q in two.captured_queries
    )
    assert not any(
        q["sql"].startswith('SELECT "meetings_delegationregistration_members"') for q in two.captured_queries
    )


def test_the_delegations_page_reads_its_meeting_without_its_tor_version_or_invitation(meeting, delegate_party, client):
    url = reverse("meetings:delegations", args=[meeting.pk])
    with time_machine.travel(EARLY, tick=False):
        login_verified(client, delegate_party)
        client.get(url)
        with CaptureQueriesContext(connection) as read:
            page = client.get(url).content.decode()
    assert meeting.title in page and "Register" in page
    meeting_reads = [q["sql"] for q in read.captured_queries if 'FROM "meetings_meeting"' in q["sql"]]
    assert len(meeting_reads) == 1
    assert "meetings_torversion" not in meeting_reads[0] and "meetings_invitation" not in meeting_reads[0]
