"""In a real browser: a technical administrator adds an account and asks for the Secretariat
role; the new account's owner sets their own password and enrols through the emailed link,
and reaches nothing until another Secretariat officer confirms the role. No page logs a
Content Security Policy violation on the way (the admin's scripts included).

Skipped when /usr/bin/chromium is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import base64
import re

import pytest
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import GrantStatus, Role
from accounts.models import RoleGrant, User
from browser_tests.helpers import (
    CHROMIUM,
    CHROMIUM_ARGS,
    TOTP_KEY,
    expect,
    log_in,
    restore_tor_versions,
    sync_playwright,
)
from dief.testing import UserFactory

pytestmark = pytest.mark.browser
NEW_PASSWORD = "my own passphrase for the forum 7"


@pytest.fixture
def browser(live_server, transactional_db):
    restore_tor_versions()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()


def new_page(browser, violations):
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Zurich")
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return page


def test_admin_adds_an_account_that_reaches_nothing_until_a_second_officer_confirms(live_server, browser, mailoutbox):
    root = UserFactory(username="root", role=Role.ADMINISTRATOR, participant_role="", is_staff=True, is_superuser=True)
    root_device = TOTPDevice.objects.create(user=root, name="authenticator", key=TOTP_KEY, confirmed=True)
    officer = UserFactory(username="officer", role=Role.SECRETARIAT, participant_role="")
    officer_device = TOTPDevice.objects.create(user=officer, name="authenticator", confirmed=True)
    violations = []

    # 1. The technical administrator adds an account: no password field, no role field.
    admin = new_page(browser, violations)
    log_in(admin, live_server.url, root, root_device)
    admin.goto(live_server.url + "/admin/accounts/user/add/")
    expect(admin.locator("#id_password1")).to_have_count(0)
    expect(admin.locator("#id_role")).to_have_count(0)
    admin.fill("#id_username", "newofficer")
    admin.fill("#id_email", "newofficer@example.org")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator("ul.messagelist")).to_contain_text("enrolment link was sent")
    user = User.objects.get(username="newofficer")
    assert not user.has_usable_password() and user.role == Role.NONE

    # 2. It asks for the Secretariat role: pending.
    admin.goto(live_server.url + "/admin/accounts/rolegrant/add/")
    admin.select_option("#id_user", str(user.pk))
    admin.select_option("#id_role", Role.SECRETARIAT)
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator("ul.messagelist")).to_contain_text("waits for a Secretariat officer")
    assert RoleGrant.objects.get(user=user).status == GrantStatus.PENDING

    # 3. The owner opens the emailed link, sets a password, enrols the authenticator.
    body = next(m.body for m in mailoutbox if "newofficer@example.org" in m.to)
    link = re.search(r"(/accounts/enrol/\S+)", body).group(1)
    owner = new_page(browser, violations)
    owner.goto(live_server.url + link)
    owner.fill("#id_new_password1", NEW_PASSWORD)
    owner.fill("#id_new_password2", NEW_PASSWORD)
    owner.get_by_role("button", name="Set my password and continue").click()
    expect(owner).to_have_url(re.compile(r"/twofactor/enrol/$"))
    secret = owner.locator("#totp-secret").inner_text().strip()
    key = base64.b32decode(secret + "=" * (-len(secret) % 8))
    owner.fill("#id_token", f"{totp(key):06d}")
    owner.fill("#id_password", NEW_PASSWORD)
    owner.get_by_role("button", name="Confirm").click()
    expect(owner.get_by_text(re.compile("backup codes", re.I)).first).to_be_visible()

    # The link works once.
    again = new_page(browser, violations)
    again.goto(live_server.url + link)
    expect(again.get_by_role("alert")).to_contain_text("already been used")

    # 4. Until confirmed, the account has no Secretariat pages.
    response = owner.goto(live_server.url + "/accounts/grants/")
    assert response.status == 403

    # 5. Another Secretariat officer confirms; then the account is Secretariat.
    other = new_page(browser, violations)
    log_in(other, live_server.url, officer, officer_device)
    other.goto(live_server.url + "/accounts/grants/")
    other.get_by_role("row", name=re.compile("newofficer")).get_by_role("button", name="Confirm").click()
    expect(other.locator("ul.messages")).to_contain_text("confirmed")
    user.refresh_from_db()
    assert user.role == Role.SECRETARIAT
    assert owner.goto(live_server.url + "/accounts/grants/").status == 200

    assert violations == []
