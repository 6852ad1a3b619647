"""The State lists written in Python give exactly the HTML of Django's own widgets, and
``paginate_lean`` reads one page with one LIMIT and no COUNT."""

import pytest
from django import forms
from django.db import connection
from django.forms.utils import flatatt
from django.http import QueryDict
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils.html import format_html, format_html_join
from django.utils.translation import override

from dief.forms import CheckboxList, SelectList, SelectMultipleList, checkbox_options_html
from dief.pagination import paginate_lean
from dief.testing import make_state
from states.forms import StateChoiceField, StatePickerField, StatePickerWidget, lazy_state_choices
from states.models import State

CHOICES = [
    ("Europe", [(1, "Allemagne"), (2, 'Suisse <&> "Confédération"')]),
    ("Amériques", [(3, "Mexique")]),
]
FLAT = [("", "---------"), (1, "Allemagne"), (2, "Suisse & co")]


class DjangoSelectList(forms.Select):
    """The reference: Django's option dicts, written as ``select_list.html`` expects them."""

    template_name = "widgets/select_list.html"

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["groups"] = [
            (
                group,
                format_html_join(
                    "",
                    '\n  <option value="{}"{}>{}</option>',
                    ((o["value"], flatatt(o["attrs"]), o["label"]) for o in options),
                ),
            )
            for group, options, _index in context["widget"]["optgroups"]
        ]
        return context


class DjangoSelectMultipleList(DjangoSelectList, forms.SelectMultiple):
    pass


class DjangoPicker(StatePickerWidget):
    """The reference picker: Django's option dicts turned into the picker's items."""

    def get_context(self, name, value, attrs):
        context = forms.CheckboxSelectMultiple.get_context(self, name, value, attrs)
        groups = context["widget"]["optgroups"]
        context["widget"]["n_states"] = sum(len(options) for _group, options, _index in groups)
        context["widget"]["regions"] = [
            (
                group,
                format_html_join(
                    "",
                    '<li><label{}><input type="{}" name="{}"{}{}> <span>{}</span></label></li>',
                    (
                        (
                            format_html(' for="{}"', o["attrs"]["id"]) if o["attrs"].get("id") else "",
                            o["type"],
                            o["name"],
                            format_html(' value="{}"', o["value"]) if o["value"] is not None else "",
                            flatatt(o["attrs"]),
                            o["label"],
                        )
                        for o in options
                    ),
                ),
            )
            for group, options, _index in groups
        ]
        return context


class DjangoCheckboxList(CheckboxList):
    """The reference checkboxes: Django's option dicts, each written by checkbox_options_html."""

    def get_context(self, name, value, attrs):
        context = forms.CheckboxSelectMultiple.get_context(self, name, value, attrs)
        context["widget"]["groups"] = [
            (group, checkbox_options_html(options)) for group, options, _index in context["widget"]["optgroups"]
        ]
        return context


PEOPLE = [(7, "Ana <Pérez> (enforcement)"), (8, 'Bo "B" & co (policy)'), (9, "Cy (other)")]


@pytest.mark.parametrize("value", [None, [], ["8"], ["7", "9"], [8]])
@pytest.mark.parametrize("attrs", [{"id": "id_members"}, {}])
def test_the_checkbox_list_is_djangos(value, attrs):
    fast = CheckboxList(choices=PEOPLE).render("members", value, attrs)
    django = DjangoCheckboxList(choices=PEOPLE).render("members", value, attrs)
    assert fast == django and "Ana &lt;Pérez&gt;" in fast


@pytest.mark.parametrize("value", [None, [], ["2"], ["1", "3"], [2]])
@pytest.mark.parametrize("attrs", [{"id": "id_countries"}, {"id": "id_c", "size": 8, "aria-describedby": "h"}, {}])
def test_the_multiple_select_is_djangos(value, attrs):
    fast = SelectMultipleList(choices=CHOICES).render("countries", value, attrs)
    django = DjangoSelectMultipleList(choices=CHOICES).render("countries", value, attrs)
    assert fast == django


@pytest.mark.parametrize("value", [None, "", "2", 1])
def test_the_single_select_is_djangos(value):
    assert SelectList(choices=FLAT).render("c", value, {"id": "id_c"}) == DjangoSelectList(choices=FLAT).render(
        "c", value, {"id": "id_c"}
    )


@pytest.mark.parametrize("value", [None, ["2"], ["1", "3"]])
@pytest.mark.parametrize("attrs", [{"id": "id_states"}, {"id": "id_s", "required": True}, {}])
def test_the_state_picker_is_djangos(value, attrs):
    fast = StatePickerWidget(choices=CHOICES).render("states", value, attrs)
    django = DjangoPicker(choices=CHOICES).render("states", value, attrs)
    assert fast == django and "Suisse &lt;&amp;&gt; &quot;Confédération&quot;" in fast


def test_state_fields_render_as_before_in_every_language(db):
    make_state("DEU", name="Germany")
    make_state("CHE", name="Switzerland")
    State.objects.filter(iso3="DEU").update(region="Europe")

    class Form(forms.Form):
        states = StatePickerField()
        country = StateChoiceField(queryset=State.objects.all(), required=False)

    for language in ("en", "fr", "es"):
        with override(language):
            form = Form(initial={"country": State.objects.get(iso3="CHE").pk})
            form.fields["states"].set_states(State.objects.all())
            reference = Form(initial={"country": State.objects.get(iso3="CHE").pk})
            reference.fields["states"].set_states(State.objects.all())
            reference.fields["states"].widget = DjangoPicker(choices=lazy_state_choices(State.objects.all()))
            reference.fields["country"].widget = DjangoSelectList(choices=reference.fields["country"].choices)
            assert str(form["states"]) == str(reference["states"])
            assert str(form["country"]) == str(reference["country"])
            assert " selected>" in str(form["country"])


def test_a_lean_page_reads_one_limit_and_keeps_the_other_parameters(db):
    for iso3 in ("AAA", "BBB", "CCC", "DDD", "EEE"):
        make_state(iso3, name=iso3)
    rows = State.objects.order_by("iso3")
    request = RequestFactory().get("/", {"q": "x y", "page": "2"})
    with CaptureQueriesContext(connection) as queries:
        page = paginate_lean(request, rows, per_page=2)
    assert len(queries.captured_queries) == 1 and "COUNT" not in queries.captured_queries[0]["sql"]
    assert [s.iso3 for s in page] == ["CCC", "DDD"]
    assert page.has_next() and page.has_previous() and page.number == 2
    assert QueryDict(page.next_link[1:]) == QueryDict("q=x+y&page=3")
    assert QueryDict(page.previous_link[1:]) == QueryDict("q=x+y&page=1")


@pytest.mark.parametrize(
    ("raw", "number", "names"),
    [
        ("", 1, ["AAA", "BBB"]),
        ("x", 1, ["AAA", "BBB"]),
        ("0", 1, ["AAA", "BBB"]),
        ("3", 3, ["EEE"]),
        ("99", 3, ["EEE"]),
    ],
)
def test_a_lean_page_number_is_read_as_paginate_reads_it(db, raw, number, names):
    for iso3 in ("AAA", "BBB", "CCC", "DDD", "EEE"):
        make_state(iso3, name=iso3)
    page = paginate_lean(RequestFactory().get("/", {"page": raw}), State.objects.order_by("iso3"), per_page=2)
    assert page.number == number and [s.iso3 for s in page] == names
    assert page.has_next() == (number < 3)


def test_two_lists_on_one_page_each_read_their_own_parameter(db):
    for iso3 in ("AAA", "BBB", "CCC"):
        make_state(iso3, name=iso3)
    request = RequestFactory().get("/", {"page": "2", "other": "1"})
    first = paginate_lean(request, State.objects.order_by("iso3"), per_page=2)
    other = paginate_lean(request, State.objects.order_by("iso3"), per_page=2, param="other")
    assert [s.iso3 for s in first] == ["CCC"] and [s.iso3 for s in other] == ["AAA", "BBB"]
    assert QueryDict(other.next_link[1:]) == QueryDict("page=2&other=2")


def test_a_lean_page_with_its_total_known_reads_no_count_and_nothing_when_empty(db):
    for iso3 in ("AAA", "BBB", "CCC", "DDD", "EEE"):
        make_state(iso3, name=iso3)
    rows = State.objects.order_by("iso3")
    with CaptureQueriesContext(connection) as queries:
        page = paginate_lean(RequestFactory().get("/", {"page": "99"}), rows, per_page=2, total=5)
    assert len(queries.captured_queries) == 1 and "COUNT" not in queries.captured_queries[0]["sql"]
    assert [s.iso3 for s in page] == ["EEE"] and page.number == 3 and not page.has_next()
    with CaptureQueriesContext(connection) as queries:
        page = paginate_lean(RequestFactory().get("/", {"page": "2"}), rows.none(), per_page=2, total=0)
    assert queries.captured_queries == [] and list(page) == [] and page.number == 1
    assert not page.has_other_pages()
