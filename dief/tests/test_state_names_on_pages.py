"""Every page names the States in the interface language: the demo data (143 real States), seen
by each persona in French and in Spanish, holds no State's English-only name (ToR rule 6's
list is in English; French and Spanish readers see the UN short names of their language). Nor
does a page name an object by its number ("meeting #1", "record 4"): models' ``__str__`` carry
no content (dief/tests/test_no_content_in_names.py), so pages and choice labels use titles."""

import re
from html import unescape
from urllib.parse import urljoin, urlparse

import pytest
from django.core.management import call_command

from accounts.models import User
from dief.testing import login_verified
from states.models import State
from states.names import state_name

#: An object named by its model's ``__str__`` (English, a number, no title), in text or a choice.
BY_NUMBER = re.compile(
    r"\b(meeting|presentation|record|document|reply|invitation|share|proposal|objection|"
    r"briefing|arrangement|request|concern|contact|withholding|fiche|registro|documento|"
    r"présentation|presentación)\s#?\d+\b"
)

#: Pages not to follow: they act, leave the site, or are files rather than pages.
SKIP = re.compile(r"logout|setlang|/admin|/documents/|pdf|\.txt$|\.ics$|\.csv$|/twofactor/|withdraw|remove|/i18n/")
MAX_PAGES = 50
#: The personas whose pages differ: the Secretariat, the Chair, delegates of two States, a
#: national authority user.
PERSONAS_SEEN = ["secretariat", "chair", "delegate_fra", "delegate_mex", "authority_fra", "delegate_bgd"]


def english_only_names(language: str) -> dict[str, re.Pattern]:
    """The English names of States whose name in ``language`` differs, as word patterns; a name
    that is also another State's name in ``language`` is left out (it is not English-only)."""
    states = list(State.objects.all())
    local = {state_name(s, language) for s in states}
    return {
        s.name: re.compile(rf"(?<![\w/-]){re.escape(s.name)}(?![\w/-])")
        for s in states
        if s.name != state_name(s, language) and s.name not in local
    }


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    html = re.sub(r"(?s)<option\b[^>]*value=\"\"[^>]*>.*?</option>", " ", html)
    return unescape(re.sub(r"<[^>]+>", " ", html))


def all_text(html: str) -> str:
    """The visible text and every choice label (options of drop-downs included)."""
    return unescape(re.sub(r"<[^>]+>", " ", re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)))


def crawl(client, start: list[str]):
    """Yield (path, html) of the pages reachable by links from ``start``, a few of each kind."""
    seen, queue, kinds = set(), list(start), {}
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        if path in seen:
            continue
        seen.add(path)
        response = client.get(path)
        if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
            continue
        html = response.content.decode()
        yield path, html
        for href in re.findall(r'href="([^"#]+)"', html):
            url = urlparse(urljoin("http://testserver" + path, unescape(href)))
            if url.netloc != "testserver" or SKIP.search(url.path):
                continue
            target = url.path + (f"?{url.query}" if url.query else "")
            kind = re.sub(r"\d+", "N", url.path)
            if target not in seen and target not in queue and kinds.get(kind, 0) < 2:
                kinds[kind] = kinds.get(kind, 0) + 1
                queue.append(target)


@pytest.fixture
def demo(db):
    from meetings.models import ToRVersion

    if not ToRVersion.objects.exists():
        from dief.testing import tor_version

        tor_version()
    call_command("import_states", verbosity=0)
    call_command("seed_demo", quiet_logins=True, verbosity=0)
    from briefings import services as briefing_services
    from exchange import services as exchange_services
    from experts import services as expert_services
    from experts.enums import ProposalStatus
    from experts.models import ExpertProposal
    from meetings.models import Meeting

    users = {u.username: u for u in User.objects.all()}
    for user in users.values():
        user.is_verified = lambda: True
    fra, mex = users["delegate_fra"], users["delegate_mex"]
    # Mexico objects to France's expert (ToR rule 8), records a follow-up arrangement with
    # France after the past meeting (rule 21) and France raises a concern with Mexico (rule 15).
    expert_services.object_to_proposal(
        by=mex, proposal=ExpertProposal.objects.get(status=ProposalStatus.IN_SILENCE), reason="A reason."
    )
    past = Meeting.objects.order_by("start_date").first()
    briefing_services.record_arrangement(
        by=mex, meeting=past, other_states=[fra.state], what="Joint tracing.", contact_route="Liaison officers"
    )
    exchange_services.raise_concern(by=fra, concerned_state=mex.state, description="Something was disclosed.")


@pytest.mark.parametrize("language", ["fr", "es"])
def test_no_page_shows_a_state_by_its_english_only_name_nor_an_object_by_its_number(client, demo, language):
    english = english_only_names(language)
    assert "Mexico" in english and "Switzerland" in english  # the check can find the demo States
    found = []
    pages = 0
    for username in PERSONAS_SEEN:
        user = User.objects.get(username=username)
        user.language = language
        user.save(update_fields=["language"])
        login_verified(client, user)
        start = ["/due/", "/meetings/", "/exchange/", "/exchange/shares/", "/briefings/", "/sponsorship/"]
        for path, html in crawl(client, start):
            pages += 1
            text = visible_text(html)
            found += [f"{username} {path}: {name}" for name, pattern in english.items() if pattern.search(text)]
            found += [f"{username} {path}: {m.group(0)}" for m in BY_NUMBER.finditer(all_text(html))]
        client.logout()
    assert pages > 40
    assert not found, "\n".join(sorted(set(found)))
