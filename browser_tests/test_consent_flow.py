"""Consent, in a real browser: no dead end after a reply (ToR rule 12).

France presents a case whose consent its law requires. Before any involved State is named
the page says so (not "every involved State has consented"). Switzerland, notified, replies
without a word on consent; the reply form is gone, yet its consent form stays: it withholds,
then gives its consent. France sees each step with its time, and the presentation becomes
schedulable. The Chair, before the meeting, sees why the right of reply cannot be recorded
yet instead of a form that would be refused.

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
from dief.testing import UserFactory, appoint_chair, make_state, meeting_factory
from presentations.enums import Consent
from presentations.models import InvolvedState
from presentations.services import can_be_scheduled, register_presentation

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    restore_tor_versions()
    today = clock.today_in("Europe/Zurich")
    france = make_state("FRA", name="France", status="state_party")
    switzerland = make_state("CHE", name="Switzerland", status="state_party")
    germany = make_state("DEU", name="Germany", status="state_party")
    officer = UserFactory(username="officer", role=Role.SECRETARIAT, participant_role="")
    president = UserFactory(username="president", role=Role.CSP_PRESIDENT, participant_role="")
    chair = UserFactory(username="chair", state=germany, participant_role=ParticipantRole.POLICY)
    appoint_chair(
        chair, appointed_on=today - datetime.timedelta(days=365), term_ends_on=today + datetime.timedelta(days=365)
    )
    delegate_fr = UserFactory(username="delegate_fra", state=france, participant_role=ParticipantRole.ENFORCEMENT)
    delegate_ch = UserFactory(username="delegate_che", state=switzerland, participant_role=ParticipantRole.POLICY)
    devices = {
        u.username: TOTPDevice.objects.create(user=u, name="authenticator", key=TOTP_KEY, confirmed=True)
        for u in (chair, delegate_fr, delegate_ch)
    }
    meeting = meeting_factory(
        start_date=today + datetime.timedelta(days=120), created_by=officer, convened_by=president, title="Forum"
    )
    presentation = register_presentation(
        by=delegate_fr,
        meeting=meeting,
        kind="case",
        title="Pistols rerouted",
        summary="A shipment was rerouted.",
        consent_legally_required=True,
    )
    return {
        "chair": chair,
        "fr": delegate_fr,
        "ch": delegate_ch,
        "devices": devices,
        "presentation": presentation,
    }


@pytest.fixture
def browser(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


def test_an_involved_state_that_replied_can_still_give_its_consent(live_server, people, browser):
    url = live_server.url
    presentation = people["presentation"]
    detail = f"{url}/presentations/{presentation.pk}/"
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {}

    def person(key):
        user = people[key]
        page = pages[key] = new_page(browser)
        log_in(page, url, user, people["devices"][user.username])
        return page

    try:
        fr = person("fr")
        fr.goto(detail)
        standing = fr.locator("dd.consent-standing")
        expect(standing).to_contain_text("no involved State is named yet")
        expect(standing).not_to_contain_text("has consented")
        fr.get_by_role("checkbox", name="Switzerland").check()
        fr.get_by_role("button", name="Notify").click()
        expect(fr.get_by_role("status")).to_contain_text("ToR rule 12")
        expect(fr.locator("table.involved td.consent")).to_contain_text("pending")

        ch = person("ch")
        ch.goto(detail)
        ch.get_by_label("Your State's response").fill("We are checking our licences.")
        ch.get_by_role("button", name="Send the reply").click()
        expect(ch.get_by_role("status")).to_contain_text("Your response is attached")
        expect(ch.get_by_role("button", name="Send the reply")).to_have_count(0)
        expect(ch.get_by_text("each involved State replies once (ToR rule 12)")).to_be_visible()
        # The reply did not end the matter: the consent form is still there.
        ch.get_by_label("We withhold our consent").check()
        ch.get_by_role("button", name="Record our consent").click()
        expect(ch.get_by_role("status")).to_contain_text("cannot be scheduled")
        expect(ch.locator("#consent + p")).to_contain_text("withheld")
        ch.get_by_label("We consent", exact=True).check()
        ch.get_by_role("button", name="Record our consent").click()
        expect(ch.get_by_role("status")).to_contain_text("consent is recorded")

        fr.reload()
        cell = fr.locator("table.involved td.consent")
        expect(cell).to_contain_text("given")
        expect(cell).to_contain_text(re.compile(r"since .+\(.+\)"))
        expect(fr.locator("dd.consent-standing")).to_contain_text("every involved State named has consented")

        chair = person("chair")
        chair.goto(detail)
        expect(chair.get_by_role("button", name="Record")).to_have_count(0)
        expect(chair.locator("p.refusal")).to_contain_text("at the meeting: from")
        fr.screenshot(path=str(ARTIFACTS / "consent.png"), full_page=True)
    except Exception:
        for key, page in pages.items():
            page.screenshot(path=str(ARTIFACTS / f"failure-consent-{key}.png"), full_page=True)
        raise

    involved = InvolvedState.objects.get(presentation=presentation)
    assert involved.consent == Consent.GIVEN and involved.consent_recorded_by == people["ch"]
    assert can_be_scheduled(presentation)


def test_registration_after_adoption_says_why_and_lists_the_order(live_server, people, browser):
    """ToR rule 11: a meeting whose agenda is adopted stays named on the registration page,
    with the reason, instead of silently leaving the form; the meeting list states its order."""
    url = live_server.url
    today = clock.today_in("Europe/Zurich")
    fr = people["fr"]
    ongoing = meeting_factory(
        start_date=today, created_by=people["chair"], convened_by=people["chair"], title="Forum in session"
    )
    ongoing.agenda_adopted_at = clock.now()  # as agendas.services.adopt writes it
    ongoing.save(update_fields=["agenda_adopted_at"])
    page = new_page(browser)
    log_in(page, url, fr, people["devices"][fr.username])
    page.goto(f"{url}/meetings/{ongoing.pk}/")
    expect(page.get_by_role("link", name="Register an intention to present")).to_have_count(0)
    expect(page.locator("p.refusal")).to_contain_text("registrations are closed (ToR rule 11)")
    page.goto(f"{url}/presentations/new/?meeting={ongoing.pk}")
    expect(page.get_by_role("alert")).to_contain_text("registrations are closed (ToR rule 11)")
    expect(page.locator("ul.closed-meetings")).to_contain_text("Forum in session")
    meeting_select = page.get_by_label(re.compile(r"^Meeting:?$"))
    expect(meeting_select.locator("option", has_text="Forum in session")).to_have_count(0)
    expect(meeting_select.locator("option", has_text="Forum")).to_have_count(1)
    page.goto(f"{url}/meetings/")
    expect(page.locator("p.list-order")).to_contain_text("upcoming and ongoing meetings first")
    rows = page.locator("table tbody tr")
    expect(rows.nth(0)).to_contain_text("Forum in session")
    expect(rows.nth(1)).to_contain_text("Forum")
