"""The agenda's items reorder with the keyboard alone, in a real browser (plain buttons, no script)."""

import datetime

import pytest
from django.db import connections
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import Role
from agendas import services as agenda_services
from agendas.models import AgendaItem
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
from dief.testing import UserFactory, meeting_factory

pytestmark = pytest.mark.browser


def test_an_item_added_after_closing_moves_up_with_the_keyboard(live_server, transactional_db):
    restore_tor_versions()
    today = clock.today_in("Europe/Zurich")
    officer = UserFactory(username="officer", first_name="Olga", last_name="Officer", role=Role.SECRETARIAT)
    president = UserFactory(username="president", role=Role.CSP_PRESIDENT)
    device = TOTPDevice.objects.create(user=officer, name="authenticator", key=TOTP_KEY, confirmed=True)
    meeting = meeting_factory(
        start_date=today + datetime.timedelta(days=120), created_by=officer, convened_by=president
    )
    for title in ("Opening", "Closing", "Any other business"):
        agenda_services.add_item(by=officer, meeting=meeting, title=title)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
            try:
                page = new_page(browser)
                log_in(page, live_server.url, officer, device)
                page.goto(f"{live_server.url}/meetings/{meeting.pk}/agenda/")
                # Tab to the button as a keyboard user would, then press Enter.
                target = page.get_by_role("button", name="Move “Any other business” up")
                for _ in range(200):
                    page.keyboard.press("Tab")
                    if target.evaluate("button => button === document.activeElement"):
                        break
                else:
                    pytest.fail("the move button is not reachable with Tab")
                page.keyboard.press("Enter")
                expect(page.get_by_role("status")).to_contain_text("Item moved up.")
                expect(page.locator("ol.agenda > li")).to_have_count(3)
                expect(page.locator("ol.agenda > li").nth(1)).to_contain_text("Any other business")
            finally:
                browser.close()
    finally:
        connections.close_all()
    assert list(AgendaItem.objects.order_by("position").values_list("title", flat=True)) == [
        "Opening",
        "Any other business",
        "Closing",
    ]
