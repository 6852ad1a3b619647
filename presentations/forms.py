from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from states.forms import StatePickerField

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
