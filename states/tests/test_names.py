"""State and region names in the viewer's language (CLDR via Babel), sorted by its collation."""

import csv

import pytest
from django.utils import translation

from dief.testing import make_state
from states.forms import grouped_state_choices
from states.models import State
from states.names import iso2_for, region_name, sorted_states, state_name, un_names
from states.services import BUNDLED_CSV


def test_every_state_of_the_att_list_has_an_iso2_code_from_cldr():
    with open(BUNDLED_CSV, encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) > 100
    assert all(iso2_for(row["iso3"]) for row in rows), [r["iso3"] for r in rows if not iso2_for(r["iso3"])]
    assert iso2_for("CIV") == "CI" and iso2_for("GBR") == "GB" and iso2_for("QQA") is None


def test_state_names_follow_the_interface_language(db):
    germany = make_state("DEU", name="Germany")
    with translation.override("fr"):
        assert str(germany) == "Allemagne"
    with translation.override("es"):
        assert germany.local_name == "Alemania"
    with translation.override("en"):
        assert str(germany) == "Germany"


def test_english_keeps_the_official_name_of_the_att_list(db):
    uk = make_state("GBR", name="United Kingdom of Great Britain and Northern Ireland")
    assert state_name(uk, "en") == "United Kingdom of Great Britain and Northern Ireland"
    assert state_name(uk, "fr") == "Royaume-Uni de Grande-Bretagne et d’Irlande du Nord".replace("’", "'")


@pytest.mark.parametrize(
    ("iso3", "english", "fr", "es"),
    [
        ("PSE", "State of Palestine", "État de Palestine", "Estado de Palestina"),
        ("COG", "Congo", "Congo", "Congo"),
        ("KOR", "Republic of Korea", "République de Corée", "República de Corea"),
        ("MDA", "Republic of Moldova", "République de Moldova", "República de Moldova"),
        ("TZA", "United Republic of Tanzania", "République-Unie de Tanzanie", "República Unida de Tanzanía"),
        ("USA", "United States of America", "États-Unis d'Amérique", "Estados Unidos de América"),
        ("DEU", "Germany", "Allemagne", "Alemania"),  # CLDR's name is the UN's
    ],
)
def test_french_and_spanish_names_are_the_un_short_names(db, iso3, english, fr, es):
    state = make_state(iso3, name=english)
    assert (state_name(state, "fr"), state_name(state, "es"), state_name(state, "en")) == (fr, es, english)


def test_the_un_names_file_names_only_states_of_the_att_list_in_french_and_spanish():
    with open(BUNDLED_CSV, encoding="utf-8") as handle:
        att = {row["iso3"] for row in csv.DictReader(handle)}
    assert set(un_names()) <= att
    assert {lang for names in un_names().values() for lang in names} == {"fr", "es"}


def test_drop_downs_of_states_sort_by_the_displayed_name(db):
    from briefings.forms import ArrangementForm
    from exchange.forms import ConcernForm, SearchForm

    for iso3, name in [
        ("DEU", "Germany"),
        ("EGY", "Egypt"),
        ("ECU", "Ecuador"),
        ("MEX", "Mexico"),
        ("CHE", "Switzerland"),
    ]:
        make_state(iso3, name=name)
    states = State.objects.all()
    with translation.override("fr"):
        forms = [
            (SearchForm(countries=states), "country"),
            (ConcernForm(states=states), "concerned_state"),
            (ArrangementForm(states=states), "other_states"),
        ]
        for form, field in forms:
            labels = [str(label) for value, label in form.fields[field].choices if value != ""]
            assert labels == ["Allemagne", "Égypte", "Équateur", "Mexique", "Suisse"], (form, labels)


def test_regions_take_their_cldr_names():
    assert region_name("Africa", "fr") == "Afrique"
    assert region_name("Americas", "es") == "América"
    assert region_name("Europe", "es") == "Europa"
    assert region_name("Atlantis", "fr") == "Atlantis"


def test_states_sort_by_the_viewer_language_not_by_the_english_name(db):
    states = [
        make_state("DEU", name="Germany"),
        make_state("EGY", name="Egypt"),
        make_state("ECU", name="Ecuador"),
        make_state("ESP", name="Spain"),
        make_state("CIV", name="Côte d'Ivoire"),
        make_state("CRI", name="Costa Rica"),
    ]
    with translation.override("fr"):
        names = [s.local_name for s in sorted_states(states)]
    # Allemagne first, accented É sorts with E, Côte next to Costa Rica.
    assert names == ["Allemagne", "Costa Rica", "Côte d’Ivoire", "Égypte", "Équateur", "Espagne"]
    with translation.override("es"):
        names = [s.local_name for s in sorted_states(states)]
    assert names == ["Alemania", "Costa Rica", "Côte d’Ivoire", "Ecuador", "Egipto", "España"]


def test_picker_choices_are_grouped_by_region_in_the_viewer_language(db):
    make_state("DEU", name="Germany")
    make_state("MEX", name="Mexico")
    State.objects.filter(iso3="MEX").update(region="Americas")
    make_state("ESP", name="Spain")
    with translation.override("es"):
        choices = grouped_state_choices(State.objects.all())
    assert [region for region, _options in choices] == ["América", "Europa"]
    assert [name for _pk, name in choices[1][1]] == ["Alemania", "España"]


def test_chair_choices_name_the_state_in_the_viewer_language_and_sort_by_it(db):
    from accounts.enums import Role
    from dief.testing import UserFactory
    from meetings.forms import ChairAppointmentForm

    UserFactory(first_name="Gerda", last_name="Zimmer", role=Role.DELEGATE, state=make_state("DEU", name="Germany"))
    UserFactory(first_name="Ana", last_name="Abad", role=Role.DELEGATE, state=make_state("ESP", name="Spain"))
    UserFactory(first_name="Ali", last_name="Omar", role=Role.DELEGATE, state=make_state("EGY", name="Egypt"))
    with translation.override("es"):
        labels = [label for _pk, label in ChairAppointmentForm().fields["chair"].choices][1:]
    assert labels == ["Gerda Zimmer (Alemania)", "Ali Omar (Egipto)", "Ana Abad (España)"]
