"""The presentations list reads one page and never counts them all; the presentation's page
sends its presenting State to a page of its own to describe the information (ToR rules 18, 19)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from dief.pagination import PAGE_SIZE
from dief.testing import login_verified
from presentations import services
from presentations.models import Presentation
from states.models import State

EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
def presentation(meeting, delegate_party):
    with time_machine.travel(EARLY, tick=False):
        return services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Rifles via port X", summary="Diverted rifles"
        )


def make(meeting, delegate_party, n):
    Presentation.objects.bulk_create(
        Presentation(
            meeting=meeting,
            presenting_state=delegate_party.state,
            registered_by=delegate_party,
            registered_at=meeting.created_at,
            kind="case",
            title=f"Case {i:03d}",
            summary="s",
        )
        for i in range(n)
    )


def test_the_presentations_list_reads_one_page_and_counts_nothing(client, secretariat, meeting, delegate_party):
    make(meeting, delegate_party, 2 * PAGE_SIZE + 3)
    login_verified(client, secretariat)
    with CaptureQueriesContext(connection) as queries:
        body = client.get(reverse("presentations:list")).content.decode()
    assert not [q for q in queries.captured_queries if "COUNT(*)" in q["sql"]]
    assert len(re.findall(r'href="/presentations/\d+/"', body)) == PAGE_SIZE
    assert "?page=2" in body and 'rel="prev"' not in body and "Page 1" in body

    second = client.get(reverse("presentations:list") + "?page=2").content.decode()
    assert "?page=1" in second and "?page=3" in second
    third = client.get(reverse("presentations:list") + "?page=3").content.decode()
    assert len(re.findall(r'href="/presentations/\d+/"', third)) == 3 and 'rel="next"' not in third
    # past the end: the last page, as before
    last = client.get(reverse("presentations:list") + "?page=99").content.decode()
    assert len(re.findall(r'href="/presentations/\d+/"', last)) == 3 and "Page 3" in last


def test_a_search_keeps_its_words_in_the_page_links(client, secretariat, meeting, delegate_party):
    make(meeting, delegate_party, PAGE_SIZE + 1)
    login_verified(client, secretariat)
    body = client.get(reverse("presentations:list") + "?q=Case").content.decode()
    assert "?q=Case&amp;page=2" in body


def test_the_presentation_page_links_to_the_information_form_instead_of_showing_it(
    client, delegate_party, presentation
):
    with time_machine.travel(EARLY, tick=False):
        login_verified(client, delegate_party)
        page = client.get(reverse("presentations:detail", args=[presentation.pk])).content.decode()
    assert reverse("presentations:information", args=[presentation.pk]) in page
    assert 'name="countries"' not in page
    assert f'action="{reverse("presentations:describe", args=[presentation.pk])}"' not in page


def test_the_information_page_shows_what_the_presenting_state_recorded_and_posts_it(
    client, delegate_party, presentation
):
    country = State.objects.exclude(pk=delegate_party.state_id).first()
    presentation.countries.set([country])
    Presentation.objects.filter(pk=presentation.pk).update(routes="By sea via port X")
    with time_machine.travel(EARLY, tick=False):
        login_verified(client, delegate_party)
        page = client.get(reverse("presentations:information", args=[presentation.pk])).content.decode()
    assert f'action="{reverse("presentations:describe", args=[presentation.pk])}"' in page
    assert "By sea via port X" in page
    assert re.search(rf'<option value="{country.pk}" selected>', page)


def test_only_the_presenting_state_opens_the_information_page(
    client, delegate_signatory, secretariat, presentation, signatory_state
):
    with time_machine.travel(EARLY, tick=False):
        services.notify_involved_states(
            by=presentation.registered_by, presentation=presentation, states=[signatory_state]
        )
        for user in (delegate_signatory, secretariat):
            login_verified(client, user)
            assert client.get(reverse("presentations:detail", args=[presentation.pk])).status_code == 200
            assert client.get(reverse("presentations:information", args=[presentation.pk])).status_code == 404
