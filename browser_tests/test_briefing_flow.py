"""A briefing outline, in a real browser, from the Chair's draft to its recorded delivery (ToR rule 22).

The Chair drafts the outline after the meeting; of the three States that took part, two agree
and one objects with a reason; the Chair sees why the agreement cannot be recorded; the
objecting State withdraws its objection; the Chair records the agreement and the delivery to
the WGETI.

Skipped when /usr/bin/chromium is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import datetime
import re

import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import ParticipantRole, Role
from briefings.enums import BriefingStatus, Decision
from briefings.models import Briefing
from browser_tests.helpers import (
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
from dief.testing import UserFactory, appoint_chair, make_state, meeting_factory
from meetings.models import DelegationRegistration

pytestmark = pytest.mark.browser

OUTLINE = "Trend: small consignments split across transit hubs.\n\nLesson: verify end-user certificates twice."


@pytest.fixture
def people(transactional_db):
    restore_tor_versions()
    today = clock.today_in("Europe/Zurich")
    states = {
        iso: make_state(iso, name=name, status="state_party")
        for iso, name in (("FRA", "France"), ("CHE", "Switzerland"), ("ITA", "Italy"), ("DEU", "Germany"))
    }
    officer = UserFactory(username="officer", role=Role.SECRETARIAT, participant_role="")
    president = UserFactory(username="president", role=Role.CSP_PRESIDENT, participant_role="")
    chair = UserFactory(username="chair", state=states["DEU"], participant_role=ParticipantRole.POLICY)
    appoint_chair(
        chair, appointed_on=today - datetime.timedelta(days=365), term_ends_on=today + datetime.timedelta(days=365)
    )
    delegates = {
        iso: UserFactory(username=f"delegate_{iso.lower()}", state=states[iso]) for iso in ("FRA", "CHE", "ITA")
    }
    start = today - datetime.timedelta(days=30)
    meeting = meeting_factory(start_date=start, created_by=officer, convened_by=president, title="Past Forum meeting")
    for user in delegates.values():
        registration = DelegationRegistration.objects.create(
            meeting=meeting, state=user.state, registered_at=clock.now(), registered_by=user
        )
        registration.members.set([user])
    devices = {
        u.username: TOTPDevice.objects.create(user=u, name="authenticator", key=TOTP_KEY, confirmed=True)
        for u in (chair, *delegates.values())
    }
    return {"chair": chair, "meeting": meeting, "devices": devices, **delegates}


@pytest.fixture
def browser(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


def test_chair_drafts_two_agree_one_objects_then_withdraws_and_delivery_is_recorded(live_server, people, browser):
    url = live_server.url
    meeting, devices = people["meeting"], people["devices"]

    def person(key):
        user = people[key]
        page = new_page(browser)
        log_in(page, url, user, devices[user.username])
        return page

    # 1. The Chair drafts the outline after the meeting.
    c = person("chair")
    c.get_by_role("navigation", name="Main").get_by_role("link", name="Briefings and follow-up").click()
    c.get_by_role("link", name="Draft a briefing outline").click()
    c.get_by_label(re.compile(r"^Outline:?$")).fill(OUTLINE)
    c.get_by_role("button", name="Save the outline").click()
    expect(c.get_by_role("status")).to_contain_text("ToR rule 22")
    briefing = Briefing.objects.get(meeting=meeting)
    expect(c.locator("#briefing-status")).to_have_text("draft, open for decision")

    def decide(key, decision, reason=""):
        page = person(key) if key not in pages else pages[key]
        pages[key] = page
        page.goto(f"{url}/briefings/{briefing.pk}/")
        expect(page.locator("#outline-text")).to_contain_text("verify end-user certificates twice")
        page.get_by_label(decision).check()
        if reason:
            page.get_by_label(re.compile(r"^Reason for an objection")).fill(reason)
        page.get_by_role("button", name="Record my State's decision").click()
        expect(page.get_by_role("status")).to_contain_text("ToR rule 22")

    pages = {}
    # 2. Two States agree, one objects with a reason.
    decide("FRA", "agrees")
    decide("CHE", "agrees")
    decide("ITA", "objects", "The second lesson points at our port.")

    # 3. The Chair sees that one objection blocks the consensus; nothing lets it be recorded.
    c.goto(f"{url}/briefings/{briefing.pk}/")
    expect(c.locator("#blockers")).to_contain_text("one objection blocks the consensus")
    expect(c.get_by_role("button", name="Record the agreement")).to_have_count(0)
    expect(c.locator("#decisions")).to_contain_text("The second lesson points at our port.")

    # 4. Italy withdraws its objection.
    decide("ITA", "agrees")

    # 5. The Chair records the agreement, then the delivery to the WGETI.
    c.reload()
    c.get_by_role("button", name="Record the agreement").click()
    expect(c.get_by_role("status")).to_contain_text("agreed by consensus")
    expect(c.locator("#briefing-status")).to_have_text("agreed by consensus")
    c.get_by_label("Delivered to").select_option(label="Working Group on Effective Treaty Implementation (WGETI)")
    c.get_by_label("Delivered by").fill("Chair of the Forum")
    c.get_by_role("button", name="Record the delivery").click()
    expect(c.get_by_role("status")).to_contain_text("delivery of the briefing is recorded")
    expect(c.locator("#briefing-delivery")).to_contain_text("WGETI")

    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.DELIVERED
    assert briefing.delivered_to == "wgeti" and briefing.delivered_by == "Chair of the Forum"
    assert briefing.delivered_on == clock.today_in("Europe/Zurich")
    assert set(briefing.decisions.filter(version=1).values_list("decision", flat=True)) == {Decision.AGREE}
