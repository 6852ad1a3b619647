"""What users see: every main page of every persona passes axe-core with no violation and does
not scroll sideways at 375 px; the main forms work with the keyboard alone; the involved-State
picker works with and without JavaScript; State names follow the interface language.

The pages are those of the demo data (`import_states` + `seed_demo`): 143 States, a meeting
with an invitation, a presentation with an involved State and its reply, a delegation and a
draft agenda. Screenshots (desktop and 375 px) go to test-artifacts/look/.

Skipped when /usr/bin/chromium is missing, unless ``DIEF_REQUIRE_BROWSER=1`` (then it fails).
"""

import datetime
import re

import pytest
from django.core.management import call_command
from django.db import connections
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from briefings.models import Briefing
from browser_tests.helpers import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    expect,
    restore_tor_versions,
    sync_playwright,
)
from demo.personas import password_for
from dief import clock
from exchange.models import Record
from experts.enums import ProposalStatus
from experts.models import ExpertProposal
from meetings.models import Meeting
from presentations.models import InvolvedState, Presentation

try:
    from axe_playwright_python.sync_playwright import Axe
except ImportError:  # pragma: no cover - axe-playwright-python is in requirements-dev.txt
    Axe = None

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "look"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}


@pytest.fixture
def demo(transactional_db):
    """The demo data: real States, personas with TOTP devices, a meeting with its papers."""
    restore_tor_versions()
    call_command("import_states", verbosity=0)
    call_command("seed_demo", quiet_logins=True, verbosity=0)
    meeting = Meeting.objects.get(start_date__gt=clock.now().date())  # the meeting to come
    presentation = Presentation.objects.get(meeting=meeting)
    briefing = Briefing.objects.get()  # on the past meeting
    record = Record.objects.order_by("pk").first()  # France's, shared with all eligible States
    return {
        "meeting": meeting,
        "presentation": presentation,
        "briefing": briefing,
        "record": record,
        "proposal": ExpertProposal.objects.get(status=ProposalStatus.IN_SILENCE),
    }


@pytest.fixture
def browser(live_server):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
            connections.close_all()  # see test_secretariat_flow: PostgreSQL must drop the test DB


def new_page(browser, *, javascript=True):
    context = browser.new_context(
        locale="en-GB", timezone_id="Europe/Zurich", viewport=DESKTOP, java_script_enabled=javascript
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.csp_errors = []
    page.on(
        "console",
        lambda msg: page.csp_errors.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return page


def code_for(username: str) -> str:
    device = TOTPDevice.objects.get(user__username=username, confirmed=True)
    return f"{totp(device.bin_key):06d}"


def log_in(page, base_url: str, username: str, check=None) -> None:
    """Password, then a TOTP code; ``check(page, name)`` runs on the login and verify pages."""
    page.goto(base_url + "/accounts/login/")
    if check:
        check(page, "login")
    page.fill("#id_username", username)
    page.fill("#id_password", password_for(username))
    page.locator("form.stack button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/twofactor/verify/"))
    if check:
        check(page, "verify")
    page.locator('input[name="method"][value="totp"]').check()
    page.fill("#id_token", code_for(username))
    page.locator("main form button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"/due/$"))


class Looker:
    """Runs axe-core and measures the page width at desktop size and at 375 px; keeps screenshots."""

    def __init__(self):
        self.axe = Axe()
        self.problems: list[str] = []
        self.pages = 0
        SHOTS.mkdir(parents=True, exist_ok=True)

    def can_fail(self, page) -> None:
        """axe finds a planted fault (an image without a text alternative): the check is live."""
        page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\\'data:,\\'>')")
        results = self.axe.run(page)
        assert "image-alt" in results.generate_report(), "axe-core did not run"
        page.reload()

    def __call__(self, page, name: str) -> None:
        self.pages += 1
        for size in (DESKTOP, PHONE):
            page.set_viewport_size(size)
            page.wait_for_load_state("load")
            results = self.axe.run(page)
            if results.violations_count:
                self.problems.append(f"{name} at {size['width']} px: {results.generate_report()}")
            if size is PHONE:
                width = page.evaluate("document.documentElement.scrollWidth")
                if width > PHONE["width"]:
                    self.problems.append(f"{name} is {width} px wide at 375 px")
            page.screenshot(path=str(SHOTS / f"{name}-{size['width']}.png"), full_page=True)
        page.set_viewport_size(DESKTOP)
        if page.csp_errors:
            self.problems.append(f"{name}: {page.csp_errors}")
            page.csp_errors.clear()


@pytest.mark.skipif(Axe is None, reason="axe-playwright-python is not installed")
def test_every_main_page_passes_axe_and_fits_375_px(live_server, demo, browser):
    url, look = live_server.url, Looker()
    meeting, presentation = demo["meeting"].pk, demo["presentation"].pk
    briefing, past = demo["briefing"].pk, demo["briefing"].meeting_id
    record, proposal = demo["record"].pk, demo["proposal"].pk
    personas = {
        "secretariat": [
            "/due/",
            "/meetings/",
            "/meetings/new/",
            f"/meetings/{meeting}/",
            f"/meetings/{meeting}/calendar/",
            f"/meetings/{meeting}/invitation/",
            f"/meetings/{meeting}/agenda/",
            f"/meetings/{meeting}/delegations/",
            "/meetings/released/",
            "/presentations/",
            f"/presentations/{presentation}/",
            "/accounts/profile/",
            "/twofactor/devices/",
            "/exchange/contacts/",
            "/exchange/concerns/",
            "/documents/downloads/",
            "/sponsorship/",
        ],
        "president": ["/due/", "/meetings/chair/", f"/meetings/{meeting}/"],
        "chair": [
            "/due/",
            f"/meetings/{meeting}/agenda/",
            "/briefings/",
            f"/briefings/{briefing}/",
            f"/briefings/{briefing}/edit/",
            "/participation/",
            f"/participation/meeting/{past}/",
        ],
        "delegate_fra": [
            "/due/",
            "/presentations/",
            "/presentations/new/",
            f"/presentations/{presentation}/",
            f"/meetings/{meeting}/",
            f"/meetings/{meeting}/delegations/",
            "/accounts/profile/",
            "/briefings/",
            f"/briefings/{briefing}/",
            "/sponsorship/",
            "/exchange/",
            "/exchange/new/",
            f"/exchange/{record}/",
            f"/exchange/{record}/withdraw/",
            f"/exchange/classification/record/{record}/",
            "/exchange/shares/",
            "/exchange/contacts/",
            "/exchange/concerns/",
            f"/experts/meeting/{meeting}/",
            f"/experts/{proposal}/",
        ],
        "delegate_mex": [
            "/due/",
            f"/presentations/{presentation}/",
            f"/meetings/{meeting}/",
            f"/briefings/{briefing}/",
            "/exchange/",
            f"/exchange/{record}/",
            f"/experts/{proposal}/",
        ],
        "delegate_bgd": [f"/meetings/{meeting}/delegations/"],
        "authority_fra": ["/exchange/", "/exchange/shares/", f"/exchange/{record}/"],
    }
    for username, paths in personas.items():
        page = new_page(browser)
        # The login and second-factor pages are checked on the way in, once.
        check = (lambda p, name: look(p, f"anonymous-{name}")) if username == "secretariat" else None
        log_in(page, url, username, check=check)
        for path in paths:
            response = page.goto(url + path)
            assert response.status == 200, f"{username} {path}: {response.status}"
            look(page, f"{username}-{path.strip('/').replace('/', '-') or 'home'}")
        page.context.close()
    page = new_page(browser)
    page.goto(url + "/accounts/login/")
    look.can_fail(page)
    assert look.pages >= 30
    assert not look.problems, "\n\n".join(look.problems)


def focused(page) -> dict:
    return page.evaluate(
        """() => { const e = document.activeElement; const s = getComputedStyle(e);
        return {tag: e.tagName, id: e.id, name: e.name || "", type: e.type || "", text: (e.textContent || "").trim(),
                value: e.value || "", outline: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }"""
    )


def tab_to(page, matches, limit: int = 60) -> dict:
    """Press Tab until the focused element satisfies ``matches``; every stop shows a focus ring."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["outline"] != "none" and now["width"] >= 2, f"no visible focus ring on {now}"
        if matches(now):
            return now
    raise AssertionError("never reached by Tab")


def by_id(element_id):
    return lambda f: f["id"] == element_id


def button(text):
    return lambda f: f["tag"] == "BUTTON" and f["text"] == text


def test_login_and_second_factor_by_keyboard_alone_with_skip_link(live_server, demo, browser):
    page = new_page(browser)
    page.goto(live_server.url + "/accounts/login/")
    # The user name field has the focus on arrival; going back from it reaches the skip link.
    assert focused(page)["id"] == "id_username"
    for _ in range(12):
        page.keyboard.press("Shift+Tab")
        if focused(page)["tag"] == "A" and "skip-link" in page.evaluate("document.activeElement.className"):
            break
    skip = focused(page)
    assert skip["text"] == "Skip to main content" and skip["outline"] != "none" and skip["width"] >= 2
    box = page.locator(".skip-link").bounding_box()
    assert box["y"] >= 0 and box["height"] > 10  # shown when focused (WCAG 2.4.1, 2.4.11)
    page.keyboard.press("Enter")
    assert page.url.endswith("#main") and focused(page)["id"] == "main"
    tab_to(page, by_id("id_username"))
    page.keyboard.type("secretariat")
    tab_to(page, by_id("id_password"))
    page.keyboard.type(password_for("secretariat"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/twofactor/verify/"))
    now = tab_to(page, lambda f: f["name"] == "method")
    if now["value"] != "totp":
        page.keyboard.press("ArrowUp")
    assert page.locator('input[name="method"][value="totp"]').is_checked()
    tab_to(page, by_id("id_token"))
    page.keyboard.type(code_for("secretariat"))
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/due/(#main)?$"))  # the browser keeps the fragment
    assert not page.csp_errors


def type_date(page, day: datetime.date) -> None:
    """Enter ``day`` in the focused date field. A native date field's segments follow the
    browser's locale, which is the browser's own business: it is filled with its ISO value; a
    text field is typed into."""
    now = focused(page)
    if now["type"] == "date":
        page.locator(f"#{now['id']}").fill(day.isoformat())
    else:
        page.keyboard.press("Control+A")
        page.keyboard.type(day.isoformat())


def test_new_meeting_by_keyboard_alone(live_server, demo, browser):
    page = new_page(browser)
    log_in(page, live_server.url, "secretariat")
    page.goto(live_server.url + "/meetings/new/")
    today = clock.today_in("Europe/Zurich")
    start = today + datetime.timedelta(days=200)
    tab_to(page, by_id("id_title"))
    page.keyboard.type("Keyboard meeting")
    tab_to(page, by_id("id_start_date"))
    type_date(page, start)
    tab_to(page, by_id("id_end_date"))
    type_date(page, start)
    tab_to(page, by_id("id_venue"))
    page.keyboard.type("Geneva")
    tab_to(page, by_id("id_host_session_name"))
    page.keyboard.type("Second preparatory meeting")
    tab_to(page, by_id("id_convened_by"))
    page.keyboard.press("ArrowDown")
    tab_to(page, by_id("id_convened_on"))
    type_date(page, today)
    tab_to(page, by_id("id_consulted_chair"))
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["type"] == "submit" and "meeting" in f["text"].lower())
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/meetings/\d+/$"))
    created = Meeting.objects.get(title="Keyboard meeting")
    assert created.start_date == start and created.consulted_chair
    assert created.convened_by == User.objects.get(username="president")


def test_register_presentation_and_pick_involved_states_by_keyboard_alone(live_server, demo, browser):
    page = new_page(browser)
    log_in(page, live_server.url, "delegate_fra")  # French interface
    page.goto(live_server.url + "/presentations/new/")
    tab_to(page, by_id("id_meeting"))
    page.keyboard.press("ArrowDown")
    tab_to(page, lambda f: f["name"] == "kind")
    page.keyboard.press("ArrowDown")  # the second kind: other diversion-related information
    tab_to(page, by_id("id_title"))
    page.keyboard.type("Pistolets détournés")
    tab_to(page, by_id("id_summary"))
    page.keyboard.type("Un résumé.")
    tab_to(page, lambda f: f["tag"] == "BUTTON" and f["type"] == "submit" and f["text"] != "")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"/presentations/\d+/$"))
    presentation = Presentation.objects.get(title="Pistolets détournés")
    assert presentation.kind == "information"

    # The picker: States in French, grouped by region, found by typing; Enter does not submit.
    picker = page.locator("[data-state-picker]")
    expect(picker.get_by_role("group", name="Europe")).to_be_visible()
    expect(picker.get_by_role("group", name="Afrique")).to_be_visible()
    expect(picker.get_by_role("checkbox", name="Allemagne")).to_be_visible()
    tab_to(page, lambda f: f["type"] == "search")
    page.keyboard.type("alle")
    page.keyboard.press("Enter")
    assert page.url.endswith(f"/presentations/{presentation.pk}/")
    expect(picker.get_by_role("checkbox", name="Allemagne")).to_be_visible()
    expect(picker.get_by_role("checkbox", name="Suisse")).to_be_hidden()
    expect(picker.get_by_role("group", name="Afrique")).to_be_hidden()
    expect(picker.locator(".state-picker-shown")).to_contain_text("1")
    tab_to(page, lambda f: f["type"] == "checkbox")
    page.keyboard.press("Space")
    expect(picker.locator(".state-picker-chosen")).to_contain_text("Allemagne")
    for _ in range(5):
        page.keyboard.press("Shift+Tab")
        if focused(page)["type"] == "search":
            break
    page.keyboard.press("Control+A")
    page.keyboard.type("suis")
    tab_to(page, lambda f: f["type"] == "checkbox")
    page.keyboard.press("Space")
    tab_to(page, lambda f: f["tag"] == "BUTTON")  # the form's submit button, after the picker
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("2")
    involved = set(InvolvedState.objects.filter(presentation=presentation).values_list("state__iso3", flat=True))
    assert involved == {"DEU", "CHE"}
    assert not page.csp_errors


def test_picker_works_without_javascript(live_server, demo, browser):
    page = new_page(browser, javascript=False)
    # Without JavaScript the login still works: forms are plain HTML.
    log_in(page, live_server.url, "delegate_fra")
    presentation = demo["presentation"]
    page.goto(f"{live_server.url}/presentations/{presentation.pk}/")
    picker = page.locator("[data-state-picker]")
    expect(picker.locator("input[type=search]")).to_be_hidden()
    n_boxes = picker.get_by_role("checkbox").count()
    assert n_boxes > 100  # every eligible State but France and Mexico (already involved)
    picker.get_by_role("checkbox", name="Allemagne").check()
    page.locator("form:has([data-state-picker]) button[type=submit]").click()
    assert InvolvedState.objects.filter(presentation=presentation, state__iso3="DEU").exists()


def test_state_names_follow_the_interface_language(live_server, demo, browser):
    page = new_page(browser)
    log_in(page, live_server.url, "delegate_mex")  # Spanish interface
    presentation = demo["presentation"]
    page.goto(f"{live_server.url}/presentations/{presentation.pk}/")
    facts = page.locator("dl.facts")
    expect(facts).to_contain_text("Francia")  # the presenting State, in Spanish
    expect(page.locator("main table")).to_contain_text("México")
    expect(page.locator("header")).to_contain_text("México")
