"""The involved-State picker: checkboxes grouped by region, named in the viewer's language."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from dief.testing import login_verified, make_state
from presentations import services
from presentations.models import InvolvedState
from states.models import State

EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZoneInfo("Europe/Zurich"))


@pytest.fixture
def presentation(meeting, delegate_party):
    make_state("DEU", name="Germany")
    make_state("MEX", name="Mexico")
    State.objects.filter(iso3="MEX").update(region="Americas")
    with time_machine.travel(EARLY, tick=False):
        return services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Rifles via port X", summary="Diverted rifles"
        )


def picker_html(client, presentation):
    page = client.get(reverse("presentations:detail", args=[presentation.pk])).content.decode()
    return page[page.index("data-state-picker") : page.index("</form>", page.index("data-state-picker"))]


def test_picker_is_checkboxes_in_one_fieldset_per_region_without_ctrl_click(client, delegate_party, presentation):
    delegate_party.language = "fr"
    delegate_party.save()
    with time_machine.travel(EARLY, tick=False):
        login_verified(client, delegate_party)
        html = picker_html(client, presentation)
    assert "<select" not in html and "Ctrl" not in html
    legends = re.findall(r"<legend>([^<]+)</legend>", html)
    assert legends == ["Amériques", "Europe"]
    europe = html[html.index("<legend>Europe</legend>") :]
    names = re.findall(r"<span>([^<]+)</span>", europe)
    # Presenting State (Switzerland) is not offered; French names in French collation order.
    assert names == ["Allemagne", "Bangladesh", "France"]
    assert 'type="checkbox"' in html and 'type="search"' in html


def test_page_with_the_picker_loads_its_script_from_a_static_file(client, delegate_party, presentation):
    with time_machine.travel(EARLY, tick=False):
        login_verified(client, delegate_party)
        page = client.get(reverse("presentations:detail", args=[presentation.pk])).content.decode()
    assert re.search(r'<script src="[^"]*js/state-picker\.js"', page)
    assert not re.search(r"<script>|<script [^>]*>[^<]", page) and " onclick=" not in page


def test_ticked_checkboxes_notify_those_states(client, delegate_party, presentation):
    germany, mexico = State.objects.get(iso3="DEU"), State.objects.get(iso3="MEX")
    with time_machine.travel(EARLY, tick=False):
        login_verified(client, delegate_party)
        client.post(reverse("presentations:notify", args=[presentation.pk]), {"states": [germany.pk, mexico.pk]})
    assert set(InvolvedState.objects.filter(presentation=presentation).values_list("state__iso3", flat=True)) == {
        "DEU",
        "MEX",
    }
