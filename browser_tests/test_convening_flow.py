"""Every voice records itself, in a real browser (ToR rules 3, 9): the Secretariat drafts a
meeting without a decision; the CSP President records the decision to convene; the Chair
records the consultation with comments; the Secretariat sees which eligible States the
invitation would not reach, records a national point of contact, and sends.

Skipped when /usr/bin/chromium is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import datetime
import re

import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import ParticipantRole, Role
from browser_tests.helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    TOTP_KEY,
    expect,
    log_in,
    new_page,
    restore_tor_versions,
    sync_playwright,
)
from dief import clock
from dief.testing import UserFactory, appoint_chair, make_state
from meetings import services
from notifications.models import Notification

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    restore_tor_versions()
    today = clock.today_in("Europe/Zurich")
    make_state("NOR", name="Norway", status="state_party")
    france = make_state("FRA", name="France", status="state_party")
    germany = make_state("DEU", name="Germany", status="state_party")
    officer = UserFactory(username="officer", first_name="Olga", last_name="Officer", role=Role.SECRETARIAT)
    officer.participant_role = ""
    officer.save()
    president = UserFactory(
        username="president", first_name="Pia", last_name="President", role=Role.CSP_PRESIDENT, participant_role=""
    )
    chair = UserFactory(
        username="chair", first_name="Carl", last_name="Chair", state=germany, participant_role=ParticipantRole.POLICY
    )
    appoint_chair(
        chair, appointed_on=today - datetime.timedelta(days=365), term_ends_on=today + datetime.timedelta(days=365)
    )
    UserFactory(username="delegate_fra", state=france, participant_role=ParticipantRole.ENFORCEMENT)
    devices = {
        u.username: TOTPDevice.objects.create(user=u, name="authenticator", key=TOTP_KEY, confirmed=True)
        for u in (officer, president, chair)
    }
    start = today + datetime.timedelta(days=120)
    meeting = services.convene_meeting(
        by=officer,
        title="Forum awaiting its decision",
        start_date=start,
        end_date=start,
        venue="Geneva",
        host_session="preparatory",
        host_session_name="Preparatory meeting",
        procedural_time_zone="Europe/Zurich",
    )
    return {"officer": officer, "president": president, "chair": chair, "devices": devices, "meeting": meeting}


@pytest.fixture
def browser(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


def test_president_chair_and_secretariat_each_record_their_own_part(live_server, people, browser):
    url = live_server.url
    meeting = people["meeting"]
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {}

    def person(key):
        user = people[key]
        page = pages[key] = new_page(browser)
        log_in(page, url, user, people["devices"][user.username])
        return page

    try:
        s = person("officer")
        s.goto(f"{url}/meetings/{meeting.pk}/")
        expect(s.locator("dd.convening")).to_contain_text("awaiting the CSP President's decision")
        s.goto(f"{url}/meetings/{meeting.pk}/invitation/")
        expect(s.get_by_role("button", name="Send to every eligible State")).to_have_count(0)
        expect(s.locator("p.refusal")).to_contain_text("not recorded yet (ToR rule 3)")

        p = person("president")
        expect(p.get_by_role("link", name=re.compile("Record your decision to convene"))).to_be_visible()
        p.goto(f"{url}/meetings/{meeting.pk}/")
        p.get_by_label("I consulted the Chair").check()
        p.get_by_role("button", name="Record my decision to convene this meeting").click()
        expect(p.get_by_role("status")).to_contain_text("Your decision to convene the meeting is recorded")
        expect(p.locator("dd.convening")).to_contain_text("Pia President, CSP President")
        expect(p.locator("dd.convening")).to_contain_text("Recorded by the President in the application.")

        c = person("chair")
        c.goto(f"{url}/meetings/{meeting.pk}/invitation/")
        c.get_by_label("Your comments on the invitation").fill("Please mention interpretation.")
        c.get_by_role("button", name="Record my consultation and comments").click()
        expect(c.get_by_role("status")).to_contain_text("Your consultation and comments are recorded")
        expect(c.locator("blockquote.chair-comments")).to_have_text("Please mention interpretation.")

        s.reload()
        expect(s.locator("p.consultation")).to_contain_text("Recorded by the Chair in the application.")
        reach = s.locator("section.reach")
        expect(reach).to_contain_text("1 State with no recipient")
        expect(reach.locator("table.no-recipient")).to_contain_text("Norway")
        s.get_by_label("Email of the national point of contact of Norway").fill("dief@mfa.example")
        s.get_by_label("Email of the national point of contact of Norway").press("Enter")
        expect(s.get_by_role("status")).to_contain_text("national point of contact of Norway is recorded")
        expect(reach).to_contain_text("1 State through its national point of contact only")
        s.get_by_label(re.compile("I have checked the invitation")).check()
        s.get_by_role("button", name="Send to every eligible State").click()
        expect(s.get_by_role("status")).to_contain_text("Invitation sent")
        s.screenshot(path=str(ARTIFACTS / "invitation-reach.png"), full_page=True)
    except Exception:
        for key, page in pages.items():
            page.screenshot(path=str(ARTIFACTS / f"failure-convening-{key}.png"), full_page=True)
        raise

    assert Notification.objects.filter(address="dief@mfa.example", meeting=meeting).count() == 1
