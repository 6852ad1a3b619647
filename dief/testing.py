"""Factories and helpers shared by the test suite (personas, verified logins, meetings)."""

import datetime

import factory
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import ParticipantRole, Role
from accounts.models import User
from accounts.services import sync_groups
from meetings.enums import HostSession
from meetings.models import ChairAppointment, Invitation, Meeting, ToRVersion
from states.enums import TreatyEventKind
from states.models import State, TreatyEvent


class StateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = State
        django_get_or_create = ("iso3",)

    name = factory.Sequence(lambda n: f"State {n}")
    iso3 = factory.Sequence(lambda n: f"Q{chr(65 + n // 26 % 26)}{chr(65 + n % 26)}")
    region = "Europe"


def make_state(iso3, *, status="state_party", name=None, signed=None, consented=None, withdrawn=None) -> State:
    """A State with treaty events; dates None mean 'since before any meeting'."""
    state = StateFactory(iso3=iso3, name=name or f"State {iso3}")
    state.treaty_events.all().delete()
    if status in ("signatory", "state_party", "signature_withdrawn"):
        TreatyEvent.objects.create(state=state, kind=TreatyEventKind.SIGNATURE, date=signed)
    if status == "state_party":
        TreatyEvent.objects.create(state=state, kind=TreatyEventKind.CONSENT, date=consented)
    if status == "signature_withdrawn":
        TreatyEvent.objects.create(state=state, kind=TreatyEventKind.SIGNATURE_WITHDRAWN, date=withdrawn)
    return State.objects.get(pk=state.pk)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    role = Role.DELEGATE
    participant_role = ParticipantRole.ENFORCEMENT
    language = "en"
    time_zone = "Europe/Zurich"
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def groups_sync(self, create, extracted, **kwargs):
        if create:
            self.save()
            sync_groups(self)


def tor_version() -> ToRVersion:
    """The CSP10 ToR version (re-created after a transactional test flushed the tables)."""
    import importlib

    data = importlib.import_module("meetings.migrations.0003_tor_versions")
    for name, in_force_from in data.VERSIONS:
        ToRVersion.objects.get_or_create(name=name, defaults={"in_force_from": in_force_from, **data.NUMBERS})
    return ToRVersion.objects.get(name="CSP10 (2024)")


def meeting_factory(*, start_date, created_by, convened_by, title="Test meeting", time_zone="Europe/Zurich") -> Meeting:
    """A meeting created directly (no guards), with its draft invitation and access grants."""
    from enforcement.services import schedule_meeting
    from meetings.services import sync_meeting_access

    meeting = Meeting.objects.create(
        title=title,
        start_date=start_date,
        end_date=start_date,
        venue="Geneva",
        host_session=HostSession.PREPARATORY,
        host_session_name="Preparatory meeting",
        procedural_time_zone=time_zone,
        tor_version=tor_version(),
        convened_by=convened_by,
        convened_on=min(start_date - datetime.timedelta(days=120), datetime.date(2024, 9, 1)),
        consulted_chair=True,
        created_by=created_by,
    )
    Invitation.objects.create(meeting=meeting)
    sync_meeting_access(meeting)
    schedule_meeting(meeting)
    return meeting


def appoint_chair(user, *, appointed_on, term_ends_on) -> ChairAppointment:
    """A confirmed Chair appointment, made directly (no guards)."""
    from dief import clock

    return ChairAppointment.objects.create(
        chair=user,
        appointed_on=appointed_on,
        term_ends_on=term_ends_on,
        term_ends_with="CSP next",
        confirmed_at=clock.now(),
    )


def login_verified(client, user) -> None:
    """Log ``client`` in as ``user`` with a session verified by a TOTP device."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first() or TOTPDevice.objects.create(
        user=user, name="authenticator", confirmed=True
    )
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


def login_password_only(client, user) -> None:
    """Log ``client`` in with the password step alone (no second factor)."""
    client.force_login(user)


def pdf_bytes(*texts: str) -> bytes:
    """A real PDF (reportlab) with one page per text, for upload and stamping tests."""
    import io

    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer)
    for text in texts or ("page",):
        page.drawString(72, 400, text)
        page.showPage()
    page.save()
    return buffer.getvalue()


def pdf_text(data: bytes) -> list[str]:
    """The text of each page of a PDF (pypdf)."""
    import io

    from pypdf import PdfReader

    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]
