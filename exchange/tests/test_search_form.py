"""The records' search form lists the countries as a State field lists them, from plain rows."""

from django import forms
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.translation import override

from dief.testing import make_state
from exchange.forms import SearchForm
from states.forms import StateChoiceField
from states.models import State


def test_the_search_forms_countries_read_as_a_state_field_in_every_language(db):
    make_state("DEU", name="Germany")
    make_state("CHE", name="Switzerland")
    make_state("MEX", name="Mexico")
    switzerland = State.objects.get(iso3="CHE").pk

    class Reference(forms.Form):
        country = StateChoiceField(queryset=State.objects.all(), required=False)

    for language in ("en", "fr", "es"):
        with override(language):
            form = SearchForm({"country": str(switzerland)}, countries=State.objects.all())
            assert form.is_valid()
            reference = Reference({"country": str(switzerland)})
            assert str(form["country"]) == str(reference["country"])
            assert f'<option value="{switzerland}" selected>' in str(form["country"])


def test_the_search_forms_countries_are_read_once_when_drawn(db):
    make_state("DEU", name="Germany")
    form = SearchForm(None, countries=State.objects.all())
    with CaptureQueriesContext(connection) as queries:
        str(form["country"])
    assert len(queries.captured_queries) == 1


def test_a_country_outside_the_list_is_refused(db):
    make_state("DEU", name="Germany")
    form = SearchForm({"country": "999999"}, countries=State.objects.all())
    assert not form.is_valid() and "country" in form.errors


def test_the_search_forms_written_countries_follow_a_renamed_or_added_state(db):
    make_state("DEU", name="Germany")
    make_state("CHE", name="Switzerland")

    class Reference(forms.Form):
        country = StateChoiceField(queryset=State.objects.all(), required=False)

    def drawn():
        return str(SearchForm(None, countries=State.objects.all())["country"])

    for language in ("en", "fr", "es"):
        with override(language):
            assert drawn() == str(Reference()["country"]) == drawn()
    State.objects.filter(iso3="CHE").update(name="Swiss Confederation <&>")
    make_state("MEX", name="Mexico")
    for language in ("en", "fr", "es"):
        with override(language):
            assert drawn() == str(Reference()["country"])
    assert "Swiss Confederation &lt;&amp;&gt;" in drawn() and "Mexico" in drawn()
