"""Shared by the browser tests: Debian's chromium, Playwright, the ToR versions, a TOTP login.

Importing this module skips the importing test module when /usr/bin/chromium or the
Playwright package is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import importlib
import os
import re
from pathlib import Path

import pytest

# The Playwright sync API runs an asyncio event loop in this thread; without this, every ORM
# call made by the test itself (data setup, assertions) raises SynchronousOnlyOperation.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
REQUIRE_BROWSER = os.environ.get("DIEF_REQUIRE_BROWSER") == "1"
ARTIFACTS = Path(__file__).resolve().parent.parent / "test-artifacts"
PASSWORD = "correct horse battery staple"  # what dief.testing.UserFactory sets
TOTP_KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, hex


def _unavailable(reason: str) -> None:
    if REQUIRE_BROWSER:
        pytest.fail(f"DIEF_REQUIRE_BROWSER=1 but {reason}", pytrace=False)
    pytest.skip(f"{reason} (set DIEF_REQUIRE_BROWSER=1 to make this an error)", allow_module_level=True)


if not CHROMIUM.exists():
    _unavailable(f"{CHROMIUM} does not exist: install Debian's chromium package to run the browser tests")

try:
    from playwright.sync_api import expect, sync_playwright  # noqa: F401 - re-exported
except ImportError:  # pragma: no cover - playwright is in requirements-dev.txt
    _unavailable("the playwright Python package is not installed")

from django_otp.oath import totp  # noqa: E402

from meetings.models import ToRVersion  # noqa: E402


def restore_tor_versions() -> None:
    """The ToR versions of data migration 0003. A flush after an earlier transactional test
    removes them, so they are put back here from the migration's own numbers."""
    migration = importlib.import_module("meetings.migrations.0003_tor_versions")
    for name, in_force_from in migration.VERSIONS:
        ToRVersion.objects.get_or_create(name=name, defaults={"in_force_from": in_force_from, **migration.NUMBERS})


def new_page(browser):
    """A page in a fresh browser context: its own cookies, so one person per context."""
    context = browser.new_context(locale="en-GB", timezone_id="Europe/Zurich", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


def log_in(page, base_url: str, user, device) -> None:
    """Password, then the second factor with a real TOTP code computed from ``device``'s key.

    A device accepts each code once (django-otp remembers the last time step), so log each
    person in once per test, in a context of their own.
    """
    page.goto(base_url + "/accounts/login/")
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Continue").click()
    expect(page).to_have_url(re.compile(r"/twofactor/verify/"))
    page.get_by_label("Code from my authenticator app").check()
    page.fill("#id_token", f"{totp(device.bin_key):06d}")
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(re.compile(r"/due/$"))
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.locator("header form.logout")).to_contain_text(user.get_full_name() or user.username)
