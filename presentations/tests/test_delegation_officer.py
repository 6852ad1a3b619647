"""Registering a delegation, and registering it again with other members, keeps its stored
"includes an enforcement officer" (meetings.officers) what its members say (ToR rule 7)."""

import datetime
from zoneinfo import ZoneInfo

import time_machine

from accounts.enums import ParticipantRole
from dief.testing import UserFactory
from presentations import services

EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Zurich"))


def test_registering_a_delegation_stores_whether_it_includes_an_enforcement_officer(meeting, party, delegate_party):
    assert delegate_party.participant_role == ParticipantRole.ENFORCEMENT
    colleague = UserFactory(username="colleague", state=party, participant_role=ParticipantRole.POLICY)
    with time_machine.travel(EARLY, tick=False):
        registration = services.register_delegation(by=delegate_party, meeting=meeting, members=[colleague])
        registration.refresh_from_db()
        assert registration.includes_enforcement_officer is False
        services.register_delegation(by=delegate_party, meeting=meeting, members=[colleague, delegate_party])
        registration.refresh_from_db()
        assert registration.includes_enforcement_officer is True
        services.register_delegation(by=delegate_party, meeting=meeting, members=[colleague])
        registration.refresh_from_db()
        assert registration.includes_enforcement_officer is False
