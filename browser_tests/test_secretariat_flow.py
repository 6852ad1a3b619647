"""A Secretariat officer, in a real browser, from login to a sent invitation.

Playwright (sync API) drives Debian's chromium against pytest-django's ``live_server``:
password login, TOTP second factor, a new meeting, its ToR calendar (rule 9, T-50) and
the invitation (Chair's consultation recorded, then sent to every eligible State).

Skipped when /usr/bin/chromium is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import datetime
import re
import time

import pytest
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import ParticipantRole, Role
from browser_tests.helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PASSWORD,
    TOTP_KEY,
    expect,
    restore_tor_versions,
    sync_playwright,
)
from dief import clock
from dief.testing import UserFactory, appoint_chair, make_state
from meetings.models import Meeting
from notifications.enums import NotificationKind
from notifications.models import Notification

pytestmark = pytest.mark.browser


@pytest.fixture
def tor_versions(transactional_db):
    """The ToR versions of data migration 0003. A flush after an earlier transactional test
    removes them, so they are put back here from the migration's own numbers."""
    restore_tor_versions()


@pytest.fixture
def people(transactional_db, tor_versions):
    """Secretariat officer with a confirmed TOTP device, CSP President, Chair in office,
    an eligible State with a delegate, and a State whose signature was withdrawn."""
    today = clock.today_in("Europe/Zurich")
    party = make_state("CHE", name="Switzerland", status="state_party")
    withdrawn = make_state(
        "USA", name="United States", status="signature_withdrawn", withdrawn=datetime.date(2019, 7, 18)
    )
    officer = UserFactory(
        username="officer", first_name="Olga", last_name="Officer", role=Role.SECRETARIAT, participant_role=""
    )
    device = TOTPDevice.objects.create(user=officer, name="authenticator", key=TOTP_KEY, confirmed=True)
    president = UserFactory(
        username="president", first_name="Pia", last_name="President", role=Role.CSP_PRESIDENT, participant_role=""
    )
    chair = UserFactory(username="chair", state=party, participant_role=ParticipantRole.POLICY)
    appoint_chair(
        chair, appointed_on=today - datetime.timedelta(days=365), term_ends_on=today + datetime.timedelta(days=365)
    )
    delegate = UserFactory(username="delegate_che", state=party, participant_role=ParticipantRole.ENFORCEMENT)
    outsider = UserFactory(username="delegate_usa", state=withdrawn, participant_role=ParticipantRole.OTHER)
    return {
        "officer": officer,
        "device": device,
        "president": president,
        "chair": chair,
        "delegate": delegate,
        "outsider": outsider,
        "party": party,
        "today": today,
    }


@pytest.fixture
def page(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(
            locale="en-GB", timezone_id="Europe/Zurich", viewport={"width": 1280, "height": 900}
        )
        page = context.new_page()
        page.set_default_timeout(10_000)
        try:
            yield page
        finally:
            context.close()
            browser.close()
            # While Playwright's loop runs, asgiref keeps Django's connections in a context
            # variable, apart from this thread's usual ones: the ORM calls of the test body
            # opened their own connection. Close it here, where it is visible, or PostgreSQL
            # refuses to drop the test database ("being accessed by other users").
            connections.close_all()


def _long_date(d: datetime.date) -> str:
    """Django's "l j F Y" in English, e.g. "Wednesday 29 January 2025"."""
    return f"{d:%A} {d.day} {d:%B} {d.year}"


def test_secretariat_logs_in_creates_meeting_and_sends_invitation(live_server, people, page, mailoutbox):
    officer, device, president = people["officer"], people["device"], people["president"]
    start = people["today"] + datetime.timedelta(days=120)
    t_minus_50 = start - datetime.timedelta(days=50)
    title = f"Forum meeting {start:%B %Y}"
    assert not Meeting.objects.filter(start_date__year=start.year).exists()
    ARTIFACTS.mkdir(exist_ok=True)

    try:
        # 1. Password, then the second factor with a real TOTP code from the device's key.
        page.goto(live_server.url + "/accounts/login/")
        page.fill("#id_username", officer.username)
        page.fill("#id_password", PASSWORD)
        page.get_by_role("button", name="Continue").click()
        expect(page).to_have_url(re.compile(r"/twofactor/verify/"))
        page.get_by_label("Code from my authenticator app").check()
        expect(page.locator('input[name="method"][value="totp"]')).to_be_checked()
        page.fill("#id_token", f"{totp(device.bin_key):06d}")
        page.get_by_role("button", name="Verify").click()
        expect(page).to_have_url(re.compile(r"/due/$"))
        expect(page.get_by_role("navigation", name="Main")).to_be_visible()
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Meetings").click()
        expect(page).to_have_url(re.compile(r"/meetings/$"))

        # 2. A new meeting, 120 days ahead: not short notice (ToR rule 9).
        page.get_by_role("link", name="New meeting").click()
        expect(page).to_have_url(re.compile(r"/meetings/new/$"))
        page.fill("#id_title", title)
        page.fill("#id_start_date", start.isoformat())
        page.fill("#id_end_date", (start + datetime.timedelta(days=1)).isoformat())
        page.fill("#id_venue", "Geneva, CICG")
        page.select_option("#id_host_session", "preparatory")
        page.fill("#id_host_session_name", "Preparatory meetings for CSP12")
        expect(page.locator("#id_procedural_time_zone")).to_have_value("Europe/Zurich")
        page.select_option("#id_convened_by", str(president.pk))
        page.fill("#id_convened_on", people["today"].isoformat())
        page.check("#id_consulted_chair")
        expect(page.locator("#id_consulted_secretariat")).to_be_checked()
        page.get_by_role("button", name="Create meeting").click()
        expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
        expect(page.get_by_role("status")).to_contain_text("Meeting created.")
        meeting = Meeting.objects.get(title=title)
        assert page.url.endswith(f"/meetings/{meeting.pk}/")
        assert (meeting.start_date, meeting.short_notice_reason) == (start, "")
        assert meeting.convened_by == president and meeting.consulted_chair and meeting.consulted_secretariat
        assert meeting.convening_on_paper and meeting.convening_recorded_by == officer
        expect(page.get_by_role("heading", level=1)).to_have_text(title)

        # 3. The calendar page: ToR rule 9 and its T-50 date.
        page.get_by_role("link", name="Calendar page").click()
        expect(page).to_have_url(re.compile(rf"/meetings/{meeting.pk}/calendar/$"))
        row = page.locator('tr[data-key="invitation"]')
        expect(row).to_contain_text("ToR rule 9")
        expect(row.locator(f'time[datetime="{t_minus_50.isoformat()}"]')).to_have_text(_long_date(t_minus_50))
        expect(row).to_contain_text("upcoming")
        expect(page.get_by_text(f"The meeting starts on {start.day} {start:%B} {start.year}.")).to_be_visible()
        page.screenshot(path=str(ARTIFACTS / "calendar.png"), full_page=True)

        # 4. The invitation: consult the Chair, then send it.
        page.goto(f"{live_server.url}/meetings/{meeting.pk}/invitation/")
        send = page.get_by_role("button", name="Send to every eligible State")
        expect(send).to_have_count(0)  # not offered: the page says why instead (ToR rule 9)
        expect(page.locator("p.refusal")).to_contain_text("Record the consultation of the Chair")
        page.get_by_role("button", name="Record the Chair's consultation").click()
        expect(page.get_by_role("status")).to_contain_text("The Chair's consultation is recorded")
        expect(page.locator("p.consultation")).to_contain_text("recorded by")
        expect(send).to_be_enabled()
        page.get_by_label("I have checked the invitation", exact=False).check()
        send.click()
        expect(page.get_by_role("status")).to_contain_text(
            "Invitation sent to the delegates of every eligible State (ToR rule 9)."
        )
        expect(page.get_by_text(re.compile(r"^Sent on "))).to_be_visible()
        expect(page.get_by_role("heading", name="Who receives the invitation (ToR rule 9)")).to_be_visible()
        expect(page.locator("section.reach")).to_contain_text("1 State invited.")
    except Exception:
        page.screenshot(path=str(ARTIFACTS / "failure.png"), full_page=True)
        raise

    meeting.invitation.refresh_from_db()
    invitation = meeting.invitation
    assert invitation.status == "sent"
    assert invitation.sent_by == officer and not invitation.sent_late
    assert invitation.chair_consulted.chair == people["chair"]
    assert list(invitation.states_invited.all()) == [people["party"]]

    # Rows are queued in the sending transaction; the (eager) Celery task sends them on commit.
    rows = Notification.objects.filter(meeting=meeting, kind=NotificationKind.INVITATION)
    assert set(rows.values_list("recipient__username", flat=True)) == {"chair", "delegate_che"}
    assert not rows.filter(recipient=people["outsider"]).exists()
    row = rows.get(recipient=people["delegate"])
    deadline = time.monotonic() + 5
    while row.sent_at is None and time.monotonic() < deadline:
        time.sleep(0.1)
        row.refresh_from_db()
    assert row.sent_at is not None, row.last_error
    assert row.last_error == "" and row.attempts == 1
    # The live server thread shares this process, so Django's locmem outbox sees the email too.
    emails = [m for m in mailoutbox if m.to == [people["delegate"].email]]
    assert len(emails) == 1 and title in emails[0].subject
