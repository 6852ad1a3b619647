"""The menu offers only what the user may reach; no page links to what its viewer cannot open
(ToR rules 6, 14)."""

import re

import pytest
from django.urls import reverse

from dief.testing import login_verified

NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)


def _nav_links(client) -> list[str]:
    page = client.get(reverse("due:list")).content.decode()
    return re.findall(r'href="([^"]+)"', NAV.search(page).group(1))


@pytest.mark.parametrize(
    "persona", ["outsider", "delegate_party", "delegate_signatory", "national_authority", "secretariat", "president"]
)
def test_every_menu_link_opens_for_its_viewer(client, meeting, persona, request):
    user = request.getfixturevalue(persona)
    user.language = "en"
    user.save(update_fields=["language"])
    login_verified(client, user)
    links = _nav_links(client)
    assert links
    for url in links:
        assert client.get(url).status_code == 200, (persona, url)


def test_a_state_whose_signature_was_withdrawn_is_offered_none_of_the_forums_areas(client, meeting, outsider):
    login_verified(client, outsider)
    links = _nav_links(client)
    for name in ("briefings:list", "participation:overview", "sponsorship:list", "exchange:list"):
        assert reverse(name) not in links
    assert reverse("meetings:chair") not in client.get(reverse("meetings:list")).content.decode()


@pytest.mark.parametrize("persona", ["outsider", "national_authority"])
def test_the_chair_page_is_404_outside_the_forums_participants(client, chair, persona, request):
    login_verified(client, request.getfixturevalue(persona))
    assert client.get(reverse("meetings:chair")).status_code == 404


@pytest.mark.parametrize("persona", ["delegate_party", "delegate_signatory", "secretariat", "president"])
def test_the_forums_participants_see_who_is_chair(client, chair, persona, request):
    login_verified(client, request.getfixturevalue(persona))
    assert client.get(reverse("meetings:chair")).status_code == 200
    assert reverse("meetings:chair") in client.get(reverse("meetings:list")).content.decode()
