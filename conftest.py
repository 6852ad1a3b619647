import datetime

import pytest
from django.utils import translation

from accounts.enums import ParticipantRole, Role
from dief import celery_app
from dief.testing import UserFactory, appoint_chair, make_state, meeting_factory

celery_app.conf.task_always_eager = True


@pytest.fixture(autouse=True)
def _fast_and_isolated(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "documents.storage.EncryptedStorage",
            "OPTIONS": {
                "inner": {
                    "BACKEND": "django.core.files.storage.FileSystemStorage",
                    "OPTIONS": {"location": str(tmp_path / "documents")},
                }
            },
        },
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    yield
    # Django's LocaleMiddleware activates a request's language and leaves it active on the
    # thread: a test that asked for a French or Spanish page must not change the next test's.
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def party(db):
    return make_state("CHE", name="Switzerland", status="state_party")


@pytest.fixture
def other_party(db):
    return make_state("FRA", name="France", status="state_party", consented=datetime.date(2014, 4, 2))


@pytest.fixture
def signatory_state(db):
    return make_state("BGD", name="Bangladesh", status="signatory", signed=datetime.date(2013, 9, 26))


@pytest.fixture
def withdrawn_state(db):
    return make_state("USA", name="United States", status="signature_withdrawn", withdrawn=datetime.date(2019, 7, 18))


@pytest.fixture
def non_signatory_state(db):
    return make_state("PRK", name="Non-signatory", status="none")


@pytest.fixture
def secretariat(db):
    return UserFactory(username="secretariat", role=Role.SECRETARIAT, participant_role="")


@pytest.fixture
def president(db):
    return UserFactory(username="president", role=Role.CSP_PRESIDENT, participant_role="")


@pytest.fixture
def delegate_party(party):
    return UserFactory(username="delegate_party", state=party, participant_role=ParticipantRole.ENFORCEMENT)


@pytest.fixture
def delegate_other_party(other_party):
    return UserFactory(username="delegate_fra", state=other_party, language="fr", time_zone="Europe/Paris")


@pytest.fixture
def delegate_signatory(signatory_state):
    return UserFactory(username="delegate_signatory", state=signatory_state, participant_role=ParticipantRole.POLICY)


@pytest.fixture
def outsider(withdrawn_state):
    return UserFactory(username="outsider", state=withdrawn_state, participant_role=ParticipantRole.OTHER)


@pytest.fixture
def national_authority(party):
    return UserFactory(username="authority", role=Role.NATIONAL_AUTHORITY, state=party, participant_role="")


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", role=Role.ADMINISTRATOR, participant_role="", is_superuser=True, is_staff=True)


@pytest.fixture
def chair(party):
    user = UserFactory(username="chair", state=party, participant_role=ParticipantRole.POLICY)
    appoint_chair(user, appointed_on=datetime.date(2020, 1, 1), term_ends_on=datetime.date(2099, 12, 31))
    return user


@pytest.fixture
def meeting(secretariat, president, party, other_party, signatory_state):
    return meeting_factory(
        start_date=datetime.date(2099, 3, 20), created_by=secretariat, convened_by=president, title="Test meeting"
    )
