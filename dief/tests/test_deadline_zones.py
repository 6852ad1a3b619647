"""Every page that prints a deadline shows it in the procedural time zone and in the viewer's
own, each labelled with its zone (rules.md "Time"; ToR rules 8, 9, 15, 22)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.conf import settings
from django.utils.formats import date_format

from accounts.models import User
from dief import clock
from dief.confidentiality import Classification
from dief.testing import login_verified, meeting_factory
from exchange import services as exchange_services
from exchange.enums import Audience
from meetings.deadlines import meeting_calendar
from meetings.models import DelegationRegistration
from presentations import services as presentation_services

ZURICH = ZoneInfo("Europe/Zurich")
EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZURICH)
EXPERT = {
    "expert_name": "Dr Ada Example",
    "expert_affiliation": "Small Arms Institute",
    "expert_email": "ada@example.net",
    "expertise": ["investigating"],
    "purpose": "Explain the tracing.",
}


def _both(instant: datetime.datetime, procedural: str, viewer: str, table: bool) -> tuple[str, str]:
    """The two labelled texts the page must show for ``instant`` (in a table whose column
    headers say which is procedural and which is the viewer's, each cell names its zone)."""
    when = date_format(instant.astimezone(ZoneInfo(procedural)), "DATETIME_FORMAT")
    mine = date_format(instant.astimezone(ZoneInfo(viewer)), "DATETIME_FORMAT")
    if table:
        return f"<td>{when} ({procedural})</td>", f"<td>{mine} ({viewer})</td>"
    return f"{when} procedural time ({procedural})", f"{mine} your time ({viewer})"


def _assert_shows(client, url: str, instant: datetime.datetime, viewer: str, *, table: bool = False):
    page = client.get(url)
    assert page.status_code == 200, url
    text = page.content.decode()
    for expected in _both(instant, "Europe/Zurich", viewer, table):
        assert expected in text, (url, expected)
    wrong = date_format(instant.astimezone(ZoneInfo(viewer)), "DATETIME_FORMAT")
    assert f"{wrong} procedural time" not in text, url  # the viewer's time is never labelled procedural


@pytest.fixture(autouse=True)
def _verified_service_calls(monkeypatch):
    monkeypatch.setattr(User, "is_verified", lambda self: True, raising=False)


@pytest.mark.parametrize("viewer_zone", ["America/Mexico_City", "Asia/Dhaka"])
def test_every_deadline_page_shows_procedural_and_viewer_time_each_labelled(
    client, viewer_zone, meeting, secretariat, president, delegate_party, delegate_other_party, chair
):
    for user in (delegate_party, delegate_other_party, secretariat, chair):
        user.time_zone = viewer_zone
        user.language = "en"
        user.save(update_fields=["time_zone", "language"])
    calendar = {d.key: d for d in meeting_calendar(meeting)}
    with time_machine.travel(EARLY, tick=False):
        presentation = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Rifles", summary="Diverted rifles"
        )
        from experts.services import propose_expert

        proposal = propose_expert(by=delegate_party, presentation=presentation, **EXPERT)
        record = exchange_services.share_record(
            by=delegate_party,
            title="Broker network",
            audience=Audience.ALL_ELIGIBLE,
            information_types=["c"],
            diversion_details="A broker network.",
            investigation_status="closed",
        )
        lift = exchange_services.propose_lift(
            by=delegate_party,
            target=record,
            classification=Classification.LIFTED,
            version=record.classification_version,
        )

        login_verified(client, delegate_party)
        _assert_shows(client, f"/experts/{proposal.pk}/", proposal.silence_ends_at, viewer_zone)
        _assert_shows(client, f"/experts/{proposal.pk}/", calendar["expert_objection_resolution"].due_at, viewer_zone)
        _assert_shows(client, f"/experts/meeting/{meeting.pk}/", proposal.silence_ends_at, viewer_zone)
        _assert_shows(client, f"/experts/propose/{presentation.pk}/", calendar["expert_proposal"].due_at, viewer_zone)
        _assert_shows(client, f"/exchange/classification/record/{record.pk}/", lift.objections_close_at, viewer_zone)
        _assert_shows(client, "/due/", calendar["expert_proposal"].due_at, viewer_zone, table=True)
        page = client.get(f"/meetings/{meeting.pk}/calendar/").content.decode()
        due = calendar["expert_proposal"].due_at
        for zone in ("Europe/Zurich", viewer_zone):
            local = due.astimezone(ZoneInfo(zone))
            assert f"{date_format(local, 'DATETIME_FORMAT')} <small>(UTC{local:%z})</small>" in page, zone
        login_verified(client, delegate_other_party)
        _assert_shows(client, f"/experts/{proposal.pk}/object/", proposal.silence_ends_at, viewer_zone)
        login_verified(client, secretariat)
        _assert_shows(client, f"/meetings/{meeting.pk}/invitation/", calendar["invitation"].due_at, viewer_zone)

    past = meeting_factory(
        start_date=datetime.date(2026, 3, 20), created_by=secretariat, convened_by=president, title="Spring"
    )
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        registration = DelegationRegistration.objects.create(
            meeting=past, state=delegate_party.state, registered_at=clock.now(), registered_by=delegate_party
        )
        registration.members.set([delegate_party, chair])
        from briefings import services as briefing_services

        briefing = briefing_services.draft_briefing(by=chair, meeting=past, text="Trend: small consignments.")
        briefing_services.open_decision_period(by=chair, briefing=briefing, last_day=datetime.date(2026, 12, 10))
        briefing.refresh_from_db()
        login_verified(client, chair)
        _assert_shows(client, f"/briefings/{briefing.pk}/", briefing.decision_period_ends_at, viewer_zone)
    assert settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE == "Europe/Zurich"
