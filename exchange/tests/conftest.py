import pytest

from accounts.enums import Role
from dief.testing import UserFactory, make_state
from exchange import services
from exchange.enums import Audience


@pytest.fixture
def third_party(db):
    return make_state("MEX", name="Mexico", status="state_party")


@pytest.fixture
def delegate_third(third_party):
    return UserFactory(username="delegate_mex", state=third_party, language="es")


@pytest.fixture
def authority_other(other_party):
    return UserFactory(username="authority_fra", role=Role.NATIONAL_AUTHORITY, state=other_party, participant_role="")


@pytest.fixture
def expert(party):
    return UserFactory(username="expert", role=Role.EXPERT, state=party, participant_role="")


@pytest.fixture
def record_to_france(delegate_party, other_party):
    """A record of Switzerland for France only (chosen audience)."""
    return services.share_record(
        by=delegate_party,
        title="Diverted rifles via a free zone",
        audience=Audience.CHOSEN,
        states=[other_party],
        information_types=["b", "e"],
        diversion_details="Rifles re-exported through a free zone.",
        investigation_status="ongoing",
    )


@pytest.fixture
def record_to_all(delegate_party):
    return services.share_record(
        by=delegate_party,
        title="Broker network",
        audience=Audience.ALL_ELIGIBLE,
        information_types=["c"],
        diversion_details="A broker network sells end-user certificates.",
        investigation_status="closed",
    )


@pytest.fixture(autouse=True)
def _service_calls_act_for_verified_users(monkeypatch):
    """Service calls in these tests stand for requests of verified sessions. Requests through
    the test client still go through django-otp's middleware, which sets each request user's
    own ``is_verified`` (an instance attribute, so this class default does not hide it)."""
    from accounts.models import User

    monkeypatch.setattr(User, "is_verified", lambda self: True, raising=False)
