"""The project's form renderer writes exactly the HTML of Django's templates: every widget,
label, help text and error (with their ids and aria attributes), in every language."""

import datetime

import pytest
from django import forms
from django.forms.renderers import TemplatesSetting
from django.utils.safestring import mark_safe
from django.utils.translation import override

from agendas.forms import AgendaItemForm, ConsultationForm
from dief.form_renderer import FormRenderer
from dief.forms import CheckboxList, SelectList, SelectMultipleList
from presentations.forms import DocumentForm, ReplyForm
from presentations.models import Presentation


class Everything(forms.Form):
    required_css_class = "required"
    error_css_class = "error"

    text = forms.CharField(label='Name <&> "quoted"', max_length=20, help_text="Help <b>bold</b> & more")
    email = forms.EmailField(required=False, widget=forms.EmailInput(attrs={"placeholder": "a@b.c", "autofocus": True}))
    number = forms.IntegerField(required=False, min_value=1)
    password = forms.CharField(required=False, widget=forms.PasswordInput(render_value=True))
    url = forms.URLField(required=False, label="Address?", assume_scheme="https")
    when = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date", "data-x": mark_safe("<i>")}))
    moment = forms.DateTimeField(required=False)
    at = forms.TimeField(required=False)
    secret = forms.CharField(required=False, widget=forms.HiddenInput)
    other_secret = forms.CharField(required=False, widget=forms.HiddenInput)
    flag = forms.BooleanField(required=False, label="")
    disabled = forms.CharField(required=False, disabled=True, initial="fixed & <set>")
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3, "readonly": False}))
    file = forms.FileField(required=False)
    plain_file = forms.FileField(required=False, widget=forms.FileInput)
    choice = forms.ChoiceField(
        choices=[("", "—"), ("a", "A & <b>"), ("Group <1>", [("b", "B"), ("c", 3)])], required=False
    )
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two")], required=False)
    radio = forms.ChoiceField(choices=[("x", "X")], widget=forms.RadioSelect, required=False)
    tick = forms.MultipleChoiceField(choices=[("y", "Y")], widget=forms.CheckboxSelectMultiple, required=False)

    def clean(self):
        if self.data.get("text") == "refuse":
            raise forms.ValidationError(["Refused <now>", "twice"])
        return self.cleaned_data


DATA = {
    "text": "x" * 30,
    "email": "not-an-email",
    "number": "0",
    "password": "pw",
    "url": "http://example.org/?a=1&b=2",
    "when": "2099-01-02",
    "moment": "nonsense",
    "secret": '"><script>',
    "flag": "on",
    "notes": "line one\n<line two>",
    "choice": "c",
    "many": ["1", "2"],
    "radio": "x",
}


def _both(make):
    return str(make(TemplatesSetting()).as_div()), str(make(FormRenderer()).as_div())


CASES = {
    "everything unbound": lambda r: Everything(renderer=r, initial={"when": datetime.date(2099, 3, 4), "many": [2]}),
    "everything with errors": lambda r: Everything(DATA, renderer=r),
    "everything refused": lambda r: Everything({**DATA, "text": "refuse"}, renderer=r),
    "everything without ids": lambda r: Everything(DATA, renderer=r, auto_id=False),
    "everything prefixed": lambda r: Everything(DATA, renderer=r, prefix="p", label_suffix=" →"),
    "only hidden": lambda r: forms.Form(renderer=r),
    "document": lambda r: DocumentForm(renderer=r),
    "document with errors": lambda r: DocumentForm({"language": "xx", "classification": "9"}, renderer=r),
    "reply": lambda r: ReplyForm(renderer=r),
    "reply with errors": lambda r: ReplyForm({}, renderer=r),
    "consultation": lambda r: ConsultationForm({"consulted_on": "31/02/2099"}, renderer=r),
}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("case", list(CASES))
def test_forms_render_exactly_as_djangos_templates_render_them(case, language):
    with override(language):
        django_html, project_html = _both(CASES[case])
    assert project_html == django_html


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("case", list(CASES))
def test_forms_as_paragraphs_render_exactly_as_djangos_templates_render_them(case, language):
    with override(language):
        django_html, project_html = str(CASES[case](TemplatesSetting()).as_p()), str(CASES[case](FormRenderer()).as_p())
    assert project_html == django_html


class Listed(forms.Form):
    one = forms.ChoiceField(choices=[("", "any"), ("a", "A & <b>")], required=False, widget=SelectList)
    grouped = forms.ChoiceField(
        choices=[("", "—"), ("Group <1>", [("b", "B"), ("c", 3)]), ("d", "D")],
        widget=SelectList(attrs={"data-x": mark_safe("<i>"), "autofocus": True, "hidden": False}),
    )
    many = forms.MultipleChoiceField(choices=[(1, "one"), (2, "two")], required=False, widget=SelectMultipleList)
    secret = forms.CharField(required=False, widget=forms.HiddenInput)


@pytest.mark.parametrize("data", [None, {}, {"one": "a", "grouped": "c", "many": ["1", "2"], "secret": "<s>"}])
@pytest.mark.parametrize("layout", ["as_p", "as_div"])
def test_drop_downs_of_written_options_render_as_their_template(data, layout):
    django_html = str(getattr(Listed(data, renderer=TemplatesSetting()), layout)())
    project_html = str(getattr(Listed(data, renderer=FormRenderer()), layout)())
    assert project_html == django_html
    assert "<option" in project_html


class Hidden(forms.Form):
    a = forms.CharField(widget=forms.HiddenInput)
    b = forms.CharField(widget=forms.HiddenInput, required=False)


@pytest.mark.parametrize("data", [None, {}, {"a": "1"}])
def test_a_form_of_hidden_fields_renders_as_djangos(data):
    django_html, project_html = _both(lambda r: Hidden(data, renderer=r))
    assert project_html == django_html
    django_p = str(Hidden(data, renderer=TemplatesSetting()).as_p())
    assert str(Hidden(data, renderer=FormRenderer()).as_p()) == django_p


def test_labels_and_fields_rendered_one_by_one_are_djangos():
    reference, project = Everything(DATA, renderer=TemplatesSetting()), Everything(DATA, renderer=FormRenderer())
    for name in Everything.base_fields:
        assert str(project[name].label_tag()) == str(reference[name].label_tag())
        assert str(project[name]) == str(reference[name])
        assert str(project[name].errors) == str(reference[name].errors)
        assert str(project[name].as_field_group()) == str(reference[name].as_field_group())


def test_the_agenda_item_form_lists_the_presentations_as_django_does(db):
    django_html, project_html = _both(
        lambda r: AgendaItemForm({"title": "x" * 300}, presentations=Presentation.objects.none(), renderer=r)
    )
    assert project_html == django_html
    assert 'aria-invalid="true"' in project_html


def test_the_document_form_keeps_its_labels_help_and_errors():
    form = DocumentForm({"version_of": "12"}, originals=[])
    html = str(form.as_div())
    assert '<label for="id_file">' in html
    assert 'aria-describedby="id_version_of_helptext id_version_of_error"' in html
    assert '<ul class="errorlist" id="id_file_error">' in html


def test_the_plain_forms_use_no_template(monkeypatch):
    def no_template(self, name):
        raise AssertionError(f"{name} read")

    monkeypatch.setattr(FormRenderer, "get_template", no_template)
    for make in (DocumentForm, ReplyForm, lambda **kw: DocumentForm({"language": "xx"}, **kw)):
        assert "<label" in str(make(renderer=FormRenderer()).as_div())


class Ticked(forms.Form):
    """Lists of checkboxes written in Python (:class:`dief.forms.CheckboxList`), drawn in a fieldset."""

    error_css_class = "error"

    people = forms.MultipleChoiceField(
        label="People <&>",
        choices=[(1, "Ann & <b>"), (2, mark_safe("<i>Bo</i>")), (3, "Cy")],
        widget=CheckboxList,
        help_text="Tick <em>some</em>",
    )
    grouped = forms.MultipleChoiceField(
        choices=[("Group <1>", [("a", "A"), ("b", "B")]), ("c", "C")],
        widget=CheckboxList(attrs={"class": "cols <2>", "data-x": mark_safe("<i>")}),
        required=False,
        label="",
    )
    plain = forms.MultipleChoiceField(choices=[("y", "Y")], widget=CheckboxList, required=False)


TICKED_CASES = {
    "unbound": lambda r: Ticked(renderer=r, initial={"people": [2], "plain": ["y"]}),
    "empty": lambda r: Ticked({}, renderer=r),
    "ticked": lambda r: Ticked({"people": ["1", "3"], "grouped": ["b", "c"], "plain": ["y"]}, renderer=r),
    "refused": lambda r: Ticked({"people": ["9"], "grouped": ["z"]}, renderer=r),
    "without ids": lambda r: Ticked({}, renderer=r, auto_id=False),
    "prefixed": lambda r: Ticked({"p-people": ["2"]}, renderer=r, prefix="p", label_suffix=" →"),
}


@pytest.mark.parametrize("language", ["en", "fr", "es"])
@pytest.mark.parametrize("layout", ["as_div", "as_p"])
@pytest.mark.parametrize("case", list(TICKED_CASES))
def test_checkbox_lists_in_their_fieldsets_render_as_djangos_templates(case, layout, language):
    with override(language):
        django_html = str(getattr(TICKED_CASES[case](TemplatesSetting()), layout)())
        project_html = str(getattr(TICKED_CASES[case](FormRenderer()), layout)())
    assert project_html == django_html
    assert 'type="checkbox"' in project_html


def test_checkbox_lists_rendered_one_by_one_are_djangos():
    data = {"people": ["7"], "grouped": ["a"]}
    reference, project = Ticked(data, renderer=TemplatesSetting()), Ticked(data, renderer=FormRenderer())
    for name in Ticked.base_fields:
        assert str(project[name]) == str(reference[name])
        assert str(project[name].as_field_group()) == str(reference[name].as_field_group())
    assert "<fieldset" in str(project["people"].as_field_group())


def test_the_delegation_form_renders_as_djangos_templates(db):
    from accounts.enums import Role
    from accounts.models import User
    from dief.testing import UserFactory
    from meetings.forms import DelegationForm

    people = [UserFactory(username=f"d{i}", first_name=f"Ann <{i}>", role=Role.DELEGATE) for i in range(3)]
    delegates = User.objects.filter(pk__in=[p.pk for p in people]).order_by("last_name")
    initial = {"members": [people[0].pk]}
    for data in (None, {}, {"members": [str(people[1].pk)]}, {"members": ["x"]}):
        with override("fr"):
            django_html, project_html = _both(
                lambda r, data=data: DelegationForm(data, delegates=delegates, initial=initial, renderer=r)
            )
        assert project_html == django_html
        assert "<fieldset>" in project_html or "<fieldset aria-describedby" in project_html


def test_a_delegation_form_uses_no_template(db, monkeypatch):
    from accounts.enums import Role
    from accounts.models import User
    from dief.testing import UserFactory
    from meetings.forms import DelegationForm

    UserFactory(username="d0", role=Role.DELEGATE)

    def no_template(self, name):
        raise AssertionError(f"{name} read")

    monkeypatch.setattr(FormRenderer, "get_template", no_template)
    form = DelegationForm(delegates=User.objects.filter(username="d0"), renderer=FormRenderer())
    assert 'type="checkbox"' in str(form.as_div())
