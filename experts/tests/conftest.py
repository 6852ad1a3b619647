import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts.enums import ParticipantRole
from dief.testing import UserFactory, make_state
from presentations import services as presentation_services

ZURICH = ZoneInfo("Europe/Zurich")
#: The ``meeting`` fixture starts on Friday 20 March 2099 (Geneva): T-30 = 18 Feb, T-20 = 28 Feb.
EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZURICH)
T30_END = datetime.datetime(2099, 2, 18, 23, 59, 59, 999999, tzinfo=ZURICH)
T20_END = datetime.datetime(2099, 2, 28, 23, 59, 59, 999999, tzinfo=ZURICH)
#: A proposal made at EARLY: the silence procedure ends at the end of 10 January 2099.
SILENCE_END = datetime.datetime(2099, 1, 10, 23, 59, 59, 999999, tzinfo=ZURICH)
TICK = datetime.timedelta(microseconds=1)


def at(instant):
    return time_machine.travel(instant, tick=False)


@pytest.fixture
def third_party(db):
    return make_state("DEU", name="Germany", status="state_party")


@pytest.fixture
def delegate_third_party(third_party):
    return UserFactory(username="delegate_deu", state=third_party, participant_role=ParticipantRole.POLICY)


@pytest.fixture
def presentation(meeting, delegate_party):
    with at(EARLY):
        return presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Rifles via port X", summary="Diverted rifles"
        )


EXPERT = {
    "expert_name": "Dr Ada Example",
    "expert_affiliation": "Small Arms Institute",
    "expert_email": "ada@example.net",
    "expertise": ["investigating", "identifying"],
    "purpose": "Explain the tracing of the rifles.",
}


@pytest.fixture
def proposal(presentation, delegate_party):
    from experts.services import propose_expert

    with at(EARLY):
        return propose_expert(by=delegate_party, presentation=presentation, **EXPERT)
