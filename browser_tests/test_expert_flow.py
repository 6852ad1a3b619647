"""Non-state experts in a real browser (ToR rule 8).

Delegate A (France) proposes two experts for its presentation; each proposal is distributed
at once and its silence procedure opens. Delegate B (Switzerland, a State Party) objects to
the first; the two States consult in their thread. When the clock passes the end of the
silence procedure, the sweep approves the second proposal (nobody objected); B withdraws its
objection and the first is approved too.

Skipped when /usr/bin/chromium is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import datetime
import re

import pytest
import time_machine
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import ParticipantRole
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
from dief.testing import UserFactory, make_state, meeting_factory
from enforcement.services import sweep
from experts.enums import ApprovedHow, ProposalStatus
from experts.models import ExpertProposal
from presentations import services as presentation_services

pytestmark = pytest.mark.browser


@pytest.fixture
def people(transactional_db):
    restore_tor_versions()
    state_a = make_state("FRA", name="France", status="state_party")
    state_b = make_state("CHE", name="Switzerland", status="state_party")
    secretariat = UserFactory(username="officer", role="secretariat", participant_role="")
    president = UserFactory(username="president", role="csp_president", participant_role="")
    delegate_a = UserFactory(
        username="delegate_fra",
        first_name="Anne",
        last_name="Arnaud",
        state=state_a,
        participant_role=ParticipantRole.ENFORCEMENT,
    )
    delegate_b = UserFactory(
        username="delegate_che",
        first_name="Beat",
        last_name="Brunner",
        state=state_b,
        participant_role=ParticipantRole.POLICY,
    )
    devices = {
        u.username: TOTPDevice.objects.create(user=u, name="authenticator", key=TOTP_KEY, confirmed=True)
        for u in (delegate_a, delegate_b)
    }
    start = clock.today_in("Europe/Zurich") + datetime.timedelta(days=120)
    meeting = meeting_factory(start_date=start, created_by=secretariat, convened_by=president, title="Forum meeting")
    presentation = presentation_services.register_presentation(
        by=delegate_a, meeting=meeting, kind="case", title="Rifles through a transshipment port", summary="S"
    )
    return {"a": delegate_a, "b": delegate_b, "devices": devices, "meeting": meeting, "presentation": presentation}


@pytest.fixture
def browser(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


def propose(page, url, presentation, name, email):
    page.goto(f"{url}/presentations/{presentation.pk}/")
    page.get_by_role("link", name="Propose a non-state expert (ToR rule 8)").click()
    expect(page).to_have_url(re.compile(rf"/experts/propose/{presentation.pk}/$"))
    page.get_by_label(re.compile(r"^Name of the expert:?$")).fill(name)
    page.get_by_label(re.compile(r"^Affiliation:?$")).fill("Small Arms Institute")
    page.get_by_label(re.compile(r"^Email of the expert:?$")).fill(email)
    page.get_by_label("investigating diversion").check()
    page.get_by_label(re.compile(r"^Purpose of the participation:?$")).fill("Explain the tracing.")
    page.get_by_role("button", name="Propose and distribute").click()
    expect(page).to_have_url(re.compile(r"/experts/\d+/$"))
    expect(page.get_by_role("status")).to_contain_text("silence procedure is open (ToR rule 8)")
    expect(page.locator("#proposal-status")).to_have_text("silence procedure running")
    return ExpertProposal.objects.get(expert_email=email)


def test_proposal_objection_consultation_withdrawal_and_approval_by_silence(live_server, people, browser):
    url = live_server.url
    meeting, presentation, devices = people["meeting"], people["presentation"], people["devices"]
    ARTIFACTS.mkdir(exist_ok=True)
    pages = []

    def person(user):
        page = new_page(browser)
        pages.append(page)
        log_in(page, url, user, devices[user.username])
        return page

    try:
        a = person(people["a"])
        first = propose(a, url, presentation, "Dr Ada Example", "ada@example.net")
        expect(a.locator("#silence-end")).to_contain_text("Europe/Zurich")
        second = propose(a, url, presentation, "Dr Bob Example", "bob@example.net")
        assert first.silence_ends_at == second.silence_ends_at

        # B, a State Party, objects to the first proposal with a reason.
        b = person(people["b"])
        b.goto(f"{url}/meetings/{meeting.pk}/")
        b.get_by_role("link", name="Non-state expert proposals").click()
        b.get_by_role("link", name="Dr Ada Example").click()
        b.get_by_role("link", name="Object to this proposal").click()
        b.get_by_label(re.compile(r"^Reason for the objection:?$")).fill("The expert advised a party to the case.")
        b.get_by_role("button", name="Object").click()
        expect(b.get_by_role("status")).to_contain_text("objection is recorded")
        expect(b.locator("#proposal-status")).to_have_text("objected: States consulting")
        expect(b.get_by_role("link", name="Object to this proposal")).to_have_count(0)

        # The two States consult in their thread.
        b.get_by_role("link", name="consultation thread").click()
        b.get_by_label(re.compile(r"^Message:?$")).fill("Could another expert present instead?")
        b.get_by_role("button", name="Send").click()
        expect(b.locator("article.reply")).to_contain_text("Could another expert present instead?")
        a.goto(f"{url}/experts/{first.pk}/")
        a.get_by_role("link", name="consultation thread").click()
        expect(a.locator("article.reply")).to_contain_text("Could another expert present instead?")
        a.get_by_label(re.compile(r"^Message:?$")).fill("The expert has no tie to the case; we can show it.")
        a.get_by_role("button", name="Send").click()
        expect(a.locator("article.reply")).to_have_count(2)

        # The clock passes the end of the silence procedure; the sweep runs.
        after = first.silence_ends_at + datetime.timedelta(minutes=1)
        with time_machine.travel(after, tick=True):
            sweep()
            a2 = person(people["a"])
            a2.goto(f"{url}/experts/{second.pk}/")
            expect(a2.locator("#proposal-status")).to_have_text("approved")
            expect(a2.get_by_text("no objection during the silence procedure")).to_be_visible()
            assert ExpertProposal.objects.get(pk=second.pk).approved_how == ApprovedHow.SILENCE
            a2.goto(f"{url}/experts/{first.pk}/")
            expect(a2.locator("#proposal-status")).to_have_text("objected: States consulting")

            # B withdraws its objection: none is left, the first proposal is approved.
            b2 = person(people["b"])
            b2.goto(f"{url}/experts/{first.pk}/")
            b2.get_by_role("link", name="Withdraw the objection").click()
            # A page says what will happen (the proposal may be approved at once) and asks to confirm.
            expect(b2.get_by_role("heading", level=1)).to_have_text("Withdraw your State's objection?")
            b2.get_by_role("button", name="Withdraw the objection").click()
            expect(b2.get_by_role("status")).to_contain_text("the proposal is approved (ToR rule 8)")
            expect(b2.locator("#proposal-status")).to_have_text("approved")
            expect(b2.get_by_role("link", name="Withdraw the objection")).to_have_count(0)
            b2.screenshot(path=str(ARTIFACTS / "expert_proposal.png"), full_page=True)
        assert ExpertProposal.objects.get(pk=first.pk).status == ProposalStatus.APPROVED
        assert ExpertProposal.objects.get(pk=first.pk).approved_how == ApprovedHow.OBJECTIONS_WITHDRAWN
    except Exception:
        for n, page in enumerate(pages):
            page.screenshot(path=str(ARTIFACTS / f"expert_flow_failure_{n}.png"), full_page=True)
        raise
