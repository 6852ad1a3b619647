"""State choices: the involved-State picker (checkboxes grouped by region, with a filter box)
and drop-down lists, every one naming the States in the interface language and sorted by its
collation (Unicode Collation Algorithm, see states.names)."""

from collections.abc import Callable
from functools import cache

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from dief.forms import SafeModelMultipleChoiceField

from .names import region_name, sorted_by_name, sorted_states, state_name


class StatePickerWidget(forms.CheckboxSelectMultiple):
    """Checkboxes in one fieldset per region (legend: the region), in the viewer's collation
    order. Works without JavaScript; ``js/state-picker.js`` adds a filter box that hides the
    States whose name does not match and says how many are shown."""

    template_name = "states/widgets/state_picker.html"

    class Media:
        js = ["js/state-picker.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        groups = context["widget"]["optgroups"]
        context["widget"]["n_states"] = sum(len(options) for _group, options, _index in groups)
        # Each option's markup is written here: ~140 options through the template language
        # were most of the time of a page showing a picker.
        context["widget"]["regions"] = [(group, _options_html(options)) for group, options, _index in groups]
        return context


def _options_html(options) -> str:
    """``<li>`` items of checkbox ``options`` (Django's option dicts), the markup of Django's
    checkbox option template."""
    return format_html_join(
        "",
        '<li><label{}><input type="{}" name="{}"{}{}> <span>{}</span></label></li>',
        (
            (
                format_html(' for="{}"', option["attrs"]["id"]) if option["attrs"].get("id") else "",
                option["type"],
                option["name"],
                format_html(' value="{}"', option["value"]) if option["value"] is not None else "",
                flatatt(option["attrs"]),
                option["label"],
            )
            for option in options
        ),
    )


def grouped_state_choices(states) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices for a picker: ``[(region name, [(State id, State name), ...]), ...]``, regions
    and States named in the active language and sorted by its collation."""
    groups: dict[str, list] = {}
    for state in sorted_states(states):
        groups.setdefault(region_name(state.region) if state.region else str(_("Other")), []).append(
            (state.pk, state_name(state))
        )
    return [(region, groups[region]) for region in sorted_by_name(groups)]


def lazy_state_choices(states) -> Callable[[], list]:
    """:func:`grouped_state_choices` of ``states`` as a callable Django form fields accept as
    ``choices``: computed when first rendered, then kept for the form's life."""

    @cache
    def choices():
        return grouped_state_choices(states)

    return choices


class StatePickerField(SafeModelMultipleChoiceField):
    """A multiple choice of States rendered by :class:`StatePickerWidget`."""

    widget = StatePickerWidget

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", None)
        super().__init__(*args, **kwargs)

    def set_states(self, states) -> None:
        """Offer ``states`` (a State queryset), grouped by region, in the active language.
        Nothing is read until the picker is rendered (a form a page does not show costs no
        query and no sorting)."""
        self.queryset = states
        self.choices = lazy_state_choices(states)


class CollatedChoiceIterator(ModelChoiceIterator):
    """The choices of a model choice field sorted by their label in collation order (pyuca),
    the empty choice first."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        choices = [self.choice(obj) for obj in self.queryset]
        yield from sorted_by_name(choices, lambda choice: str(choice[1]))


class StateChoiceField(forms.ModelChoiceField):
    """A drop-down of States named in the interface language (``State.__str__``) and sorted by
    that name's collation, not by the English name."""

    iterator = CollatedChoiceIterator


class StateMultipleChoiceField(SafeModelMultipleChoiceField):
    """A multiple choice of States named in the interface language, sorted by collation."""

    iterator = CollatedChoiceIterator
