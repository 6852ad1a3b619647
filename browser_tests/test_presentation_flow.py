"""A presentation, in a real browser, from registration to the Chair's approval of the agenda.

Four people, each in a browser context of their own and each logged in with a password and
a TOTP code: delegate A registers an intention to present (ToR rule 11) and notifies State B
as involved (rule 12); delegate B, who could not see the presentation before, finds it, reads
the summary and replies; the Secretariat puts it on the draft agenda and the Chair approves
the agenda (rule 10); A then reads B's reply on the presentation page.

Skipped when /usr/bin/chromium is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import datetime
import re
import time

import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import ParticipantRole, Role
from agendas.enums import AgendaStatus
from agendas.models import Agenda
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
from notifications.enums import NotificationKind
from notifications.models import Notification
from presentations.enums import PresentationKind
from presentations.models import InvolvedState, Presentation, Reply

pytestmark = pytest.mark.browser

TITLE = "Diverted small arms ammunition, transit shipment"
SUMMARY = "A consignment licensed for export to State B was found in a third country."
REPLY = "State B confirms the licence and opened an inquiry into the end user."


@pytest.fixture
def people(transactional_db):
    """Two eligible States with a delegate each, the Secretariat, the CSP President, the Chair in
    office (a delegate of a third State), every one with a confirmed TOTP device, and a meeting
    120 days ahead, so that T-30 (ToR rule 12) is still to come."""
    restore_tor_versions()
    today = clock.today_in("Europe/Zurich")
    state_a = make_state("FRA", name="France", status="state_party")
    state_b = make_state("CHE", name="Switzerland", status="state_party")
    state_c = make_state("DEU", name="Germany", status="state_party")
    officer = UserFactory(
        username="officer", first_name="Olga", last_name="Officer", role=Role.SECRETARIAT, participant_role=""
    )
    president = UserFactory(
        username="president", first_name="Pia", last_name="President", role=Role.CSP_PRESIDENT, participant_role=""
    )
    chair = UserFactory(
        username="chair", first_name="Carl", last_name="Chair", state=state_c, participant_role=ParticipantRole.POLICY
    )
    appoint_chair(
        chair, appointed_on=today - datetime.timedelta(days=365), term_ends_on=today + datetime.timedelta(days=365)
    )
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
        user.username: TOTPDevice.objects.create(user=user, name="authenticator", key=TOTP_KEY, confirmed=True)
        for user in (officer, chair, delegate_a, delegate_b)
    }
    start = today + datetime.timedelta(days=120)
    meeting = meeting_factory(
        start_date=start, created_by=officer, convened_by=president, title=f"Forum meeting {start:%B %Y}"
    )
    return {
        "officer": officer,
        "chair": chair,
        "delegate_a": delegate_a,
        "delegate_b": delegate_b,
        "state_b": state_b,
        "devices": devices,
        "meeting": meeting,
    }


@pytest.fixture
def browser(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()  # closes every context too
            # See test_secretariat_flow: the ORM calls of the test body opened a connection of
            # their own while Playwright's loop ran; close it or PostgreSQL cannot drop the DB.
            connections.close_all()


def test_presentation_registered_notified_replied_and_put_on_approved_agenda(live_server, people, browser, mailoutbox):
    url = live_server.url
    meeting, devices = people["meeting"], people["devices"]
    delegate_a, delegate_b = people["delegate_a"], people["delegate_b"]
    ARTIFACTS.mkdir(exist_ok=True)
    pages = {}

    def person(key):
        user = people[key]
        page = pages[key] = new_page(browser)
        log_in(page, url, user, devices[user.username])
        return page

    try:
        # 1. Delegate A registers the intention to present (ToR rule 11).
        a = person("delegate_a")
        a.get_by_role("navigation", name="Main").get_by_role("link", name="Presentations").click()
        expect(a).to_have_url(re.compile(r"/presentations/$"))
        a.get_by_role("link", name="Register an intention to present").click()
        expect(a).to_have_url(re.compile(r"/presentations/new/$"))
        a.get_by_label(re.compile(r"^Meeting:?$")).select_option(label=meeting.title)
        a.get_by_label("other diversion-related information").check()
        a.get_by_label(re.compile(r"^Title:?$")).fill(TITLE)
        a.get_by_label(re.compile(r"^Summary:?$")).fill(SUMMARY)
        expect(a.get_by_label("Our law requires the consent of the involved States")).not_to_be_checked()
        a.get_by_role("button", name="Register").click()
        expect(a).to_have_url(re.compile(r"/presentations/\d+/$"))
        expect(a.get_by_role("status")).to_contain_text("intention to present is registered (ToR rule 11)")
        presentation = Presentation.objects.get(title=TITLE)
        assert a.url.endswith(f"/presentations/{presentation.pk}/")
        assert (presentation.meeting, presentation.presenting_state) == (meeting, delegate_a.state)
        assert presentation.kind == PresentationKind.INFORMATION and not presentation.consent_legally_required
        expect(a.get_by_role("heading", level=1)).to_have_text(TITLE)
        expect(a.get_by_text("No involved State is named.")).to_be_visible()

        # 2. Before the notice, delegate B sees neither the presentation nor that it exists (rule 14).
        b = person("delegate_b")
        b.get_by_role("navigation", name="Main").get_by_role("link", name="Presentations").click()
        expect(b.get_by_text("There are no presentations to show.")).to_be_visible()
        assert b.goto(f"{url}/presentations/{presentation.pk}/").status == 404
        b.go_back()

        # 3. A notifies State B as involved (ToR rule 12).
        a.get_by_role("checkbox", name="Switzerland").check()
        a.get_by_role("button", name="Notify").click()
        expect(a.get_by_role("status")).to_contain_text(re.compile(r"1 involved States? notified; .*\(ToR rule 12\)"))
        involved_table = a.get_by_role("table")
        expect(involved_table).to_contain_text("Switzerland")
        expect(involved_table).to_contain_text("not yet recorded")

        # 4. B finds the presentation in the list, reads the summary and replies.
        b.get_by_role("navigation", name="Main").get_by_role("link", name="Presentations").click()
        expect(b).to_have_url(re.compile(r"/presentations/$"))
        b.get_by_role("link", name=TITLE).click()
        expect(b).to_have_url(re.compile(rf"/presentations/{presentation.pk}/$"))
        expect(b.locator(".summary")).to_have_text(SUMMARY)
        expect(b.get_by_role("button", name="Notify")).to_have_count(0)
        b.get_by_label("Your State's response").fill(REPLY)
        b.get_by_role("button", name="Send the reply").click()
        expect(b.get_by_role("status")).to_contain_text("ToR rule 12")
        expect(b.get_by_role("status")).to_contain_text("Your response is attached to the presentation")
        expect(b.locator("article.reply")).to_contain_text(REPLY)
        expect(b.get_by_role("button", name="Send the reply")).to_have_count(0)

        # 5. The Secretariat puts the presentation on the draft agenda (ToR rule 10).
        s = person("officer")
        s.goto(f"{url}/meetings/{meeting.pk}/agenda/")
        expect(s.locator("p.notice")).to_contain_text("draft")
        expect(s.get_by_role("button", name="Approve the draft agenda")).to_have_count(0)
        s.get_by_label("Registered presentation").select_option(label=TITLE)
        s.get_by_role("button", name="Add", exact=True).click()
        expect(s).to_have_url(re.compile(rf"/meetings/{meeting.pk}/agenda/$"))
        expect(s.get_by_role("status")).to_contain_text("Item added.")
        expect(s.locator("ol.agenda").get_by_role("link", name="Other diversion-related information")).to_be_visible()

        # 6. The Chair approves the draft agenda.
        c = person("chair")
        c.goto(f"{url}/meetings/{meeting.pk}/agenda/")
        expect(c.locator("ol.agenda")).to_contain_text("Other diversion-related information")
        c.get_by_role("button", name="Approve the draft agenda").click()
        expect(c.get_by_role("status")).to_contain_text("You approved the draft agenda (ToR rule 10).")
        expect(c.locator("p.notice")).to_contain_text("approved by the Chair")
        expect(c.get_by_role("button", name="Approve the draft agenda")).to_have_count(0)

        # 7. Back as delegate A: B's reply is attached to the presentation.
        a.reload()
        replies = a.locator("article.reply")
        expect(replies).to_have_count(1)
        expect(replies.get_by_role("heading", level=3)).to_have_text("Switzerland")
        expect(replies).to_contain_text(REPLY)
        expect(a.get_by_text("No reply yet.")).to_have_count(0)
        a.screenshot(path=str(ARTIFACTS / "presentation.png"), full_page=True)

        a.get_by_role("button", name="Log out").click()
        expect(a).to_have_url(re.compile(r"/accounts/login/"))
    except Exception:
        for key, page in pages.items():
            page.screenshot(path=str(ARTIFACTS / f"failure-presentation-{key}.png"), full_page=True)
        raise

    reply = Reply.objects.get()
    assert (reply.presentation, reply.state, reply.submitted_by) == (presentation, people["state_b"], delegate_b)
    assert reply.text == REPLY and not reply.late
    agenda = Agenda.objects.get(meeting=meeting)
    assert agenda.status == AgendaStatus.APPROVED
    assert agenda.approved_by.chair == people["chair"]
    assert list(agenda.items.values_list("presentation", flat=True)) == [presentation.pk]
    involved = InvolvedState.objects.get(presentation=presentation)
    assert involved.state == people["state_b"] and involved.notified_at is not None

    notice = Notification.objects.get(kind=NotificationKind.INVOLVED_STATE_NOTICE)
    assert (notice.recipient, notice.meeting) == (delegate_b, meeting)
    assert notice.context["presentation_id"] == presentation.pk
    assert Notification.objects.filter(kind=NotificationKind.REPLY_RECEIVED, recipient=delegate_a).exists()
    # The eager Celery task sends the rows on commit; the live server shares this process's outbox.
    deadline = time.monotonic() + 5
    while notice.sent_at is None and time.monotonic() < deadline:
        time.sleep(0.1)
        notice.refresh_from_db()
    assert notice.sent_at is not None, notice.last_error
    emails = [m for m in mailoutbox if m.to == [delegate_b.email]]
    assert len(emails) == 1
    assert f"/presentations/{presentation.pk}/" in emails[0].body
    assert TITLE not in emails[0].body and SUMMARY not in emails[0].body  # no confidential content (rule 14)
