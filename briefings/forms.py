from django import forms
from django.utils.translation import gettext_lazy as _

from dief.forms import IsoDateField, SafeModelMultipleChoiceField
from states.forms import StateMultipleChoiceField

from .enums import ArrangementStatus, BriefingBody, Decision


class BriefingForm(forms.Form):
    text = forms.CharField(
        label=_("Outline"),
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 12}),
        help_text=_(
            "Major trends, general lessons and issues for policy discussion in the WGETI or the CSP (ToR rule 22). "
            "Only this text may leave the Forum."
        ),
    )
    presentations = SafeModelMultipleChoiceField(
        label=_("Presentations the outline draws on"),
        queryset=None,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Links for the participants only, never part of the delivered text."),
    )
    marked_states = StateMultipleChoiceField(
        label=_("States the outline could identify"),
        queryset=None,
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("States named in the text are found automatically; mark the others the outline could identify."),
    )
    seen_version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=0, max_value=2**31)

    def __init__(self, *args, presentations, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presentations"].queryset = presentations.select_related("presenting_state")
        # A presentation's __str__ carries no content (admin, logs); the Chair sees its title.
        self.fields["presentations"].label_from_instance = lambda p: f"{p.title} · {p.presenting_state.local_name}"
        self.fields["marked_states"].queryset = states


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Your State"), choices=Decision.choices, widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason for an objection"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent = forms.BooleanField(
        label=_("My State consents to being identifiable in this version of the outline"), required=False
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31)


class PeriodForm(forms.Form):
    last_day = IsoDateField(
        label=_("Last day of the decision period"),
        help_text=_("The period ends at the end of this day in the meeting's procedural time zone."),
    )


class DeliveryForm(forms.Form):
    body = forms.ChoiceField(label=_("Delivered to"), choices=BriefingBody.choices)
    delivered_on = IsoDateField(label=_("Date"))
    delivered_by = forms.CharField(label=_("Delivered by"), max_length=200, required=False)


class ArrangementForm(forms.Form):
    other_states = StateMultipleChoiceField(
        label=_("Other States party to the arrangement"),
        queryset=None,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    what = forms.CharField(label=_("What is arranged"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))
    contact_route = forms.CharField(label=_("Contact route"), max_length=300)
    add_secretariat = forms.BooleanField(label=_("The Secretariat may see this arrangement"), required=False)

    def __init__(self, *args, states, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["other_states"].queryset = states


class ArrangementStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ArrangementStatus.choices)
