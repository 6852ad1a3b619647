"""State choices: the involved-State picker (checkboxes grouped by region, with a filter box)
and drop-down lists, every one naming the States in the interface language and sorted by its
collation (Unicode Collation Algorithm, see states.names)."""

from collections.abc import Callable
from functools import cache
from typing import NamedTuple

from django import forms
from django.db.models import QuerySet
from django.forms.models import ModelChoiceIterator
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from dief.forms import SafeModelMultipleChoiceField, SelectList, choice_groups, escape_text, fast_flatatt

from .names import current_language, region_name, sorted_by_name, sorted_states, state_name


class StatePickerWidget(forms.CheckboxSelectMultiple):
    """Checkboxes in one fieldset per region (legend: the region), in the viewer's collation
    order. Works without JavaScript; ``js/state-picker.js`` adds a filter box that hides the
    States whose name does not match and says how many are shown."""

    template_name = "states/widgets/state_picker.html"

    class Media:
        js = ["js/state-picker.js"]

    def get_context(self, name, value, attrs):
        # Django's Widget context without ChoiceWidget's option dicts: each option's markup is
        # written straight from the choices (~140 options through the template language, then
        # one option dict per State, were most of the time of a page showing a picker).
        context = forms.Widget.get_context(self, name, value, attrs)
        widget = context["widget"]
        chosen = set(widget["value"])
        base = self.build_attrs(self.attrs, attrs)
        regions, n_states = [], 0
        for group, options, index in choice_groups(self.choices):
            items = []
            for subindex, (v, label) in enumerate(options):
                option_attrs = dict(base)
                if str(v) in chosen:
                    option_attrs.update(self.checked_attribute)
                if "id" in option_attrs:
                    option_attrs["id"] = self.id_for_label(option_attrs["id"], f"{index}_{subindex}")
                label_for = f' for="{escape_text(option_attrs["id"])}"' if option_attrs.get("id") else ""
                items.append(
                    f'<li><label{label_for}><input type="{self.input_type}" name="{escape_text(name)}"'
                    f' value="{escape_text(v)}"{fast_flatatt(option_attrs)}>'
                    f" <span>{escape_text(label)}</span></label></li>"
                )
            n_states += len(options)
            regions.append((group, mark_safe("".join(items))))  # noqa: S308 - all escaped above
        widget["n_states"] = n_states
        widget["regions"] = regions
        return context


class _StateRow(NamedTuple):
    """What naming, grouping and sorting a State needs (``state_name``, ``region``), read as
    one tuple per State instead of a model instance."""

    pk: int
    name: str
    iso3: str
    region: str


def _state_rows(states):
    """``states`` as :class:`_StateRow` tuples: a queryset is read with only the four columns."""
    if isinstance(states, QuerySet):
        return [_StateRow(*row) for row in states.values_list("pk", "name", "iso3", "region")]
    return states


def grouped_state_choices(states) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices for a picker: ``[(region name, [(State id, State name), ...]), ...]``, regions
    and States named in the active language and sorted by its collation."""
    groups: dict[str, list] = {}
    language = current_language()
    for state in sorted_states(_state_rows(states), language):
        groups.setdefault(region_name(state.region, language) if state.region else str(_("Other")), []).append(
            (state.pk, state_name(state, language))
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
    widget = SelectList


class StateMultipleChoiceField(SafeModelMultipleChoiceField):
    """A multiple choice of States named in the interface language, sorted by collation."""

    iterator = CollatedChoiceIterator
