"""State choices: the involved-State picker (checkboxes grouped by region, with a filter box)
and drop-down lists, every one naming the States in the interface language and sorted by its
collation (Unicode Collation Algorithm, see states.names)."""

from django import forms
from django.forms.models import ModelChoiceIterator
from django.utils.translation import gettext_lazy as _

from dief.forms import SafeModelMultipleChoiceField

from .names import region_name, sorted_by_name, sorted_states, state_name


class StatePickerWidget(forms.CheckboxSelectMultiple):
    """Checkboxes in one fieldset per region (legend: the region), in the viewer's collation
    order. Works without JavaScript; ``js/state-picker.js`` adds a filter box that hides the
    States whose name does not match and says how many are shown."""

    template_name = "states/widgets/state_picker.html"
    option_template_name = "states/widgets/state_picker_option.html"

    class Media:
        js = ["js/state-picker.js"]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["n_states"] = sum(len(options) for _group, options, _index in context["widget"]["optgroups"])
        return context


def grouped_state_choices(states) -> list[tuple[str, list[tuple[int, str]]]]:
    """Choices for a picker: ``[(region name, [(State id, State name), ...]), ...]``, regions
    and States named in the active language and sorted by its collation."""
    groups: dict[str, list] = {}
    for state in sorted_states(states):
        groups.setdefault(region_name(state.region) if state.region else str(_("Other")), []).append(
            (state.pk, state_name(state))
        )
    return [(region, groups[region]) for region in sorted_by_name(groups)]


class StatePickerField(SafeModelMultipleChoiceField):
    """A multiple choice of States rendered by :class:`StatePickerWidget`."""

    widget = StatePickerWidget

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("queryset", None)
        super().__init__(*args, **kwargs)

    def set_states(self, states) -> None:
        """Offer ``states`` (a State queryset), grouped by region, in the active language."""
        self.queryset = states
        self.choices = grouped_state_choices(states)


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
