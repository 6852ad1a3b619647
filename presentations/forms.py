from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dief.confidentiality import Classification, InformationType, InvestigationStatus
from dief.forms import SafeModelMultipleChoiceField, SelectMultipleList
from states.forms import StatePickerField, lazy_state_choices
from states.models import State

from .enums import PresentationKind, RightOfReply


class PresentationForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)
    kind = forms.ChoiceField(
        label=_("What your State will present (ToR rule 11)"),
        choices=PresentationKind.choices,
        widget=forms.RadioSelect,
        initial=PresentationKind.CASE,
    )
    title = forms.CharField(label=_("Title"), max_length=200)
    summary = forms.CharField(
        label=_("Summary"),
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Involved States read this summary when they are notified (ToR rule 12)."),
    )
    consent_legally_required = forms.BooleanField(
        label=_("Our law requires the consent of the involved States (ToR rule 12)"), required=False
    )
    classification = forms.TypedChoiceField(
        label=_("Your classification (ToR rule 15)"),
        choices=[(c.value, c.label) for c in Classification if c != Classification.LIFTED],
        coerce=int,
        initial=Classification.CONFIDENTIAL,
        required=False,
        empty_value=int(Classification.CONFIDENTIAL),
    )

    def __init__(self, *args, meetings, open_meetings=None, **kwargs):
        """``meetings``: every meeting the user sees (what a posted value may name; the service
        then says why a closed one is refused, ToR rule 11). ``open_meetings``: those offered."""
        super().__init__(*args, **kwargs)
        field = self.fields["meeting"]
        # __str__ carries no content; the people choosing here may read the titles.
        field.label_from_instance = lambda m: m.title
        field.queryset = meetings
        if open_meetings is not None:
            field.choices = [("", "---------")] + [(m.pk, m.title) for m in open_meetings]


class PresentationInformationForm(forms.Form):
    """The rule 18 fields and rule 19 types of a presentation, the same as a platform record's."""

    information_types = forms.MultipleChoiceField(
        label=_("Types of information (ToR rule 19)"),
        choices=InformationType.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
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
    countries = SafeModelMultipleChoiceField(
        label=_("Countries concerned"),
        queryset=State.objects.all(),
        required=False,
        widget=SelectMultipleList(attrs={"size": 8}),
        help_text=_("Hold Ctrl (Cmd on a Mac) to choose several."),
    )
    routes = forms.CharField(label=_("Routes"), widget=forms.Textarea(attrs={"rows": 2}), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["countries"].choices = lazy_state_choices(State.objects.all())


class InvolvedStatesForm(forms.Form):
    states = StatePickerField(
        label=_("Involved States"),
        help_text=_("Tick every State your presentation may involve; the States are grouped by region."),
    )

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["states"].set_states(states)


class ReplyForm(forms.Form):
    text = forms.CharField(label=_("Your State's response"), widget=forms.Textarea(attrs={"rows": 6}))


class ConsentForm(forms.Form):
    consent = forms.TypedChoiceField(
        label=_("Consent of your State (ToR rule 12)"),
        choices=[("yes", _("We consent")), ("no", _("We withhold our consent"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )


class RightOfReplyForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Right of reply"),
        choices=[(RightOfReply.GIVEN, RightOfReply.GIVEN.label), (RightOfReply.WAIVED, RightOfReply.WAIVED.label)],
    )


class DocumentForm(forms.Form):
    file = forms.FileField(label=_("Supporting document"))
    language = forms.ChoiceField(
        label=_("Language of the document"), choices=[("", _("not said")), *settings.LANGUAGES], required=False
    )
    version_of = forms.ChoiceField(
        label=_("Language version of"),
        choices=[("", _("none: a new document"))],
        required=False,
        help_text=_("A document can carry versions in English, French and Spanish (ToR rule 23)."),
    )

    def __init__(self, *args, originals=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version_of"].choices = [("", _("none: a new document"))] + [
            (d.pk, d.original_name) for d in originals
        ]

    classification = forms.TypedChoiceField(
        label=_("Classification of this document (ToR rule 15)"),
        choices=[(c.value, c.label) for c in Classification if c != Classification.LIFTED],
        coerce=int,
        initial=Classification.CONFIDENTIAL,
        required=False,
        empty_value=int(Classification.CONFIDENTIAL),
    )
