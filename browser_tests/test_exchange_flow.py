"""The platform in a real browser: a delegate shares a record with two chosen States
(ToR rule 13); a delegate of one of them downloads its PDF, stamped with that delegate's
name and a download id (rule 15) that resolves to one row of the access log.

Skipped when /usr/bin/chromium is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import re
from pathlib import Path

import pytest
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
from dief.testing import UserFactory, make_state, pdf_text
from documents.models import DocumentAccess
from exchange.models import Record

pytestmark = pytest.mark.browser

TITLE = "Rifles re-exported through a free zone"


@pytest.fixture
def people(transactional_db):
    restore_tor_versions()
    france = make_state("FRA", name="France", status="state_party")
    switzerland = make_state("CHE", name="Switzerland", status="state_party")
    germany = make_state("DEU", name="Germany", status="state_party")
    make_state("MEX", name="Mexico", status="state_party")
    provider = UserFactory(
        username="delegate_fra",
        first_name="Anne",
        last_name="Arnaud",
        state=france,
        participant_role=ParticipantRole.ENFORCEMENT,
    )
    reader = UserFactory(
        username="delegate_che",
        first_name="Beat",
        last_name="Brunner",
        state=switzerland,
        participant_role=ParticipantRole.POLICY,
    )
    devices = {
        user.username: TOTPDevice.objects.create(user=user, name="authenticator", key=TOTP_KEY, confirmed=True)
        for user in (provider, reader)
    }
    return {"provider": provider, "reader": reader, "devices": devices, "germany": germany}


@pytest.fixture
def browser(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


def test_a_record_shared_with_two_states_is_downloaded_as_a_stamped_pdf(live_server, people, browser, tmp_path):
    url = live_server.url
    provider, reader, devices = people["provider"], people["reader"], people["devices"]
    ARTIFACTS.mkdir(exist_ok=True)
    a = new_page(browser)
    try:
        log_in(a, url, provider, devices[provider.username])
        a.get_by_role("navigation", name="Main").get_by_role("link", name="Information exchange").click()
        a.get_by_role("link", name="Share information").click()
        a.get_by_label(re.compile(r"^Title:?$")).fill(TITLE)
        a.get_by_label("b) trafficking routes").check()
        a.get_by_label("e) methods of concealment").check()
        a.get_by_label(re.compile(r"^Details of the diversion:?$")).fill("Rifles left the free zone relabelled.")
        a.get_by_label("chosen States Parties and signatory States").check()
        for name in ("Switzerland", "Germany"):  # the "Chosen States" picker, not "Countries concerned"
            a.locator('label:has(input[name="states"])').filter(has_text=name).check()
        a.get_by_role("button", name="Share", exact=True).click()
        expect(a.get_by_role("heading", name=TITLE)).to_be_visible()
        expect(a.get_by_text("DIEF CONFIDENTIAL").first).to_be_visible()
        # the provider sees its choice
        expect(a.get_by_text(re.compile(r"shared with .*Germany")).first).to_be_visible()
        record = Record.objects.get(title=TITLE)

        b = new_page(browser)
        log_in(b, url, reader, devices[reader.username])
        b.get_by_role("navigation", name="Main").get_by_role("link", name="Information exchange").click()
        b.get_by_role("link", name=TITLE).click()
        # A recipient learns that its State is among the chosen ones, not who else is (rule 13).
        expect(b.get_by_text("your State among them")).to_be_visible()
        expect(b.get_by_text("Germany")).to_have_count(0)
        with b.expect_download() as info:
            b.get_by_role("link", name=re.compile("Download as PDF")).click()
        path = Path(tmp_path) / "record.pdf"
        info.value.save_as(path)
        pages = pdf_text(path.read_bytes())
        assert pages and all("Beat Brunner" in page and "Switzerland" in page for page in pages)
        found = re.search(r"Download id ([0-9a-f-]{36})", pages[0])
        assert found
        access = DocumentAccess.objects.get(download_id=found.group(1))
        assert (access.user, access.object_kind, access.object_id) == (reader, "record", record.pk)
        assert all(found.group(1) in page for page in pages)
    except Exception:
        a.screenshot(path=str(ARTIFACTS / "exchange-flow-failure.png"))
        raise
