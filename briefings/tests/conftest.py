import datetime

import pytest

from accounts.enums import ParticipantRole
from dief import clock
from dief.testing import UserFactory, make_state, meeting_factory
from meetings.models import DelegationRegistration
from presentations.enums import PresentationKind
from presentations.models import Presentation


def take_part(meeting, state, *members):
    """A delegation registered to ``meeting`` (made directly: registrations close when it ends)."""
    registration = DelegationRegistration.objects.create(
        meeting=meeting, state=state, registered_at=clock.now(), registered_by=members[0]
    )
    registration.members.set(members)
    return registration


@pytest.fixture
def mexico(db):
    return make_state("MEX", name="Mexico", status="state_party")


@pytest.fixture
def delegate_mex(mexico):
    return UserFactory(username="delegate_mex", state=mexico, language="es", participant_role=ParticipantRole.LICENSING)


@pytest.fixture
def past_meeting(secretariat, president, party, other_party, signatory_state):
    return meeting_factory(
        start_date=datetime.date(2026, 3, 20), created_by=secretariat, convened_by=president, title="Spring meeting"
    )


@pytest.fixture
def participants(past_meeting, chair, delegate_party, delegate_other_party, delegate_signatory):
    """Switzerland (the Chair's State), France and Bangladesh took part; Mexico did not."""
    take_part(past_meeting, delegate_party.state, delegate_party, chair)
    take_part(past_meeting, delegate_other_party.state, delegate_other_party)
    take_part(past_meeting, delegate_signatory.state, delegate_signatory)
    return [delegate_party, delegate_other_party, delegate_signatory]


@pytest.fixture
def french_case(past_meeting, delegate_other_party):
    return Presentation.objects.create(
        meeting=past_meeting,
        presenting_state=delegate_other_party.state,
        registered_by=delegate_other_party,
        registered_at=clock.now(),
        kind=PresentationKind.CASE,
        title="Diverted rifles",
        summary="A case",
    )


@pytest.fixture
def briefing(participants, chair, past_meeting, french_case):
    from briefings import services
    from presentations.services import sync_presentation_access

    sync_presentation_access(french_case)
    return services.draft_briefing(
        by=chair,
        meeting=past_meeting,
        text="Trend: diversion through small consignments.\n\nLesson: check end-user certificates.",
        presentations=[french_case],
    )
