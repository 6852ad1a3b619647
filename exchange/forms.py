import uuid

from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from dief.confidentiality import Classification, InformationType, InvestigationStatus
from dief.forms import IsoDateField, SelectList, written_options
from states.forms import StateChoiceField, StatePickerField
from states.names import StateRef, current_language, sorted_by_name, state_name

from .enums import Audience, OperationalUseAnswer, OperationalUsePurpose, WithholdingReason


def submission_field():
    """A hidden one-time token for a create form: each page gets a new one, so a double click
    or a resent page creates one object while two separate submissions with the same text
    create two (see ``exchange.services.create_once``)."""
    return forms.UUIDField(
        widget=forms.HiddenInput,
        initial=uuid.uuid4,
        error_messages={"required": _("This page is out of date: submit the form again.")},
    )


SHARING_LEVELS = [(c.value, c.label) for c in Classification if c != Classification.LIFTED]


class RecordForm(forms.Form):
    submission = submission_field()
    title = forms.CharField(label=_("Title"), max_length=200)
    information_types = forms.MultipleChoiceField(
        label=_("Types of information (ToR rule 19)"),
        choices=InformationType.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    diversion_details = forms.CharField(label=_("Details of the diversion"), widget=forms.Textarea, required=False)
    discovery_details = forms.CharField(label=_("Details of its discovery"), widget=forms.Textarea, required=False)
    discovery_timeliness = forms.CharField(label=_("Timeliness of discovery"), required=False)
    ways_and_methods = forms.CharField(label=_("Ways and methods used"), widget=forms.Textarea, required=False)
    actors_involved = forms.CharField(
        label=_("Actors involved (where appropriate)"), widget=forms.Textarea, required=False
    )
    investigation_status = forms.ChoiceField(
        label=_("Investigation"), choices=[("", "—"), *InvestigationStatus.choices], required=False
    )
    countries = StatePickerField(label=_("Countries concerned"), required=False)
    routes = forms.CharField(label=_("Routes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    classification = forms.TypedChoiceField(
        label=_("Your classification (ToR rule 15)"), choices=SHARING_LEVELS, coerce=int, initial=1
    )
    audience = forms.ChoiceField(
        label=_("Share with (ToR rule 13)"), choices=Audience.choices, widget=forms.RadioSelect, initial="all"
    )
    states = StatePickerField(
        label=_("Chosen States"),
        required=False,
        help_text=_("Only when sharing with chosen States; the States are grouped by region."),
    )

    def __init__(self, *args, states, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["states"].set_states(states)
        self.fields["countries"].set_states(countries)


class WithholdForm(forms.Form):
    reason = forms.ChoiceField(label=_("Reason (ToR rule 13)"), choices=WithholdingReason.choices)


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Text"), required=False, max_length=200)
    type = forms.ChoiceField(
        label=_("Type (ToR rule 19)"),
        choices=[("", _("any")), *InformationType.choices],
        required=False,
        widget=SelectList,
    )
    country = StateChoiceField(label=_("Country"), queryset=None, required=False)
    status = forms.ChoiceField(
        label=_("Investigation"),
        choices=[("", _("any")), *InvestigationStatus.choices],
        required=False,
        widget=SelectList,
    )
    since = IsoDateField(label=_("Shared from"), required=False)
    until = IsoDateField(label=_("Shared until"), required=False)

    def __init__(self, *args, countries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"].queryset = countries  # what a submitted choice is checked against
        self.fields["country"].widget.choices = _CountryChoices(countries, self.fields["country"].empty_label)


class _CountryChoices(BaseChoiceIterator):
    """The drop-down's States as :class:`StateChoiceField` lists them (the empty choice, then
    each State named in the interface language, in collation order), read as plain rows when
    the form is drawn instead of one model instance and choice object per State."""

    def __init__(self, countries, empty_label):
        self.countries, self.empty_label = countries, empty_label

    #: the written options per language, empty label and rows read (see :meth:`written_options`)
    _written: dict = {}

    def __iter__(self):
        if self.empty_label is not None:
            yield ("", self.empty_label)
        yield from self._named(current_language(), self.countries.values_list("pk", "iso3", "name"))

    @staticmethod
    def _named(language, rows):
        named = ((pk, state_name(StateRef(iso3, name), language)) for pk, iso3, name in rows)
        return sorted_by_name(named, lambda choice: choice[1])

    def written_options(self):
        """The options as :class:`dief.forms.SelectList` writes them: the rows are read on every
        drawing, but named, sorted and escaped once per language for the same rows (a renamed,
        added or removed State reads different rows, so it is written anew)."""
        language = current_language()
        rows = tuple(self.countries.values_list("pk", "iso3", "name"))
        empty = None if self.empty_label is None else str(self.empty_label)
        key = (language, empty, rows)
        written = self._written.get(key)
        if written is None:
            choices = [("", empty)] if empty is not None else []
            written = written_options(choices + self._named(language, rows))
            if len(self._written) >= 16:  # a few languages, seldom new rows
                self._written.clear()
            self._written[key] = written
        return written


class ClassificationForm(forms.Form):
    classification = forms.TypedChoiceField(label=_("Classification"), choices=Classification.choices, coerce=int)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, max_value=2**31)


class ShareForm(forms.Form):
    recipient = forms.ModelChoiceField(label=_("National authority user of your State"), queryset=None)

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients
        # Names, as the lists show them, not user names.
        self.fields["recipient"].label_from_instance = lambda u: u.get_full_name() or u.username


class RecordShareForm(ShareForm):
    """ToR rule 16: a record and the chosen documents of it, shared in one step."""

    documents = forms.ModelMultipleChoiceField(
        label=_("Its documents to share with the record"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Revoking the record's share revokes the shares of these documents too."),
    )

    def __init__(self, *args, documents, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["documents"].queryset = documents
        self.fields["documents"].label_from_instance = lambda d: d.original_name
        if not self.is_bound:
            self.initial.setdefault("documents", [d.pk for d in documents])


class OperationalUseForm(forms.Form):
    submission = submission_field()
    purpose = forms.ChoiceField(label=_("Purpose (ToR rule 16)"), choices=OperationalUsePurpose.choices)
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class OperationalUseAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=pgettext_lazy("noun", "Answer"),
        choices=[(OperationalUseAnswer.AGREED, _("agree")), (OperationalUseAnswer.REFUSED, _("refuse"))],
    )
    note = forms.CharField(label=_("Conditions or reasons"), widget=forms.Textarea(attrs={"rows": 3}), required=False)


class ConcernForm(forms.Form):
    submission = submission_field()
    concerned_state = StateChoiceField(label=_("Participant concerned"), queryset=None)
    description = forms.CharField(label=_("What is suspected"), widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["concerned_state"].queryset = states


class ConcernAnswerForm(forms.Form):
    explanation = forms.CharField(label=_("Explanation"), widget=forms.Textarea(attrs={"rows": 4}))
    remedial_measures = forms.CharField(
        label=_("Remedial measures"), widget=forms.Textarea(attrs={"rows": 3}), required=False
    )


class ContactForm(forms.Form):
    submission = submission_field()
    authority = forms.CharField(label=_("Enforcement authority"), max_length=200)
    contact = forms.CharField(label=_("Contact details"), widget=forms.Textarea(attrs={"rows": 3}))
    replaces = forms.ModelChoiceField(
        label=_("It replaces (optional; the entry replaced circulates until this one is verified)"),
        queryset=None,
        required=False,
    )

    def __init__(self, *args, current=None, **kwargs):
        """``current``: the State's own entries a new one may replace (not superseded)."""
        super().__init__(*args, **kwargs)
        self.fields["replaces"].queryset = current if current is not None else self.fields["replaces"].queryset
        self.fields["replaces"].label_from_instance = lambda c: f"{c.authority} ({c.get_status_display()})"
        if current is None or not current.exists():
            del self.fields["replaces"]


class ContactReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for returning it (shown to the State)"), widget=forms.Textarea(attrs={"rows": 2})
    )


class ContactCorrectionForm(forms.Form):
    authority = forms.CharField(label=_("Enforcement authority"), max_length=200)
    details = forms.CharField(label=_("Contact details"), widget=forms.Textarea(attrs={"rows": 3}))
