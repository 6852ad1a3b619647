from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import Expertise, ProceduralDecision


class ProposalForm(forms.Form):
    expert_name = forms.CharField(label=_("Name of the expert"), max_length=200)
    expert_affiliation = forms.CharField(label=_("Affiliation"), max_length=200)
    expert_email = forms.EmailField(
        label=_("Email of the expert"),
        help_text=_("Once the proposal is approved, the expert receives a link to set up an account here."),
    )
    expertise = forms.MultipleChoiceField(
        label=_("Specific expertise (ToR rule 8)"), choices=Expertise.choices, widget=forms.CheckboxSelectMultiple
    )
    purpose = forms.CharField(label=_("Purpose of the participation"), widget=forms.Textarea(attrs={"rows": 5}))


class ObjectionForm(forms.Form):
    reason = forms.CharField(label=_("Reason for the objection"), widget=forms.Textarea(attrs={"rows": 5}))


class MessageForm(forms.Form):
    text = forms.CharField(label=_("Message"), widget=forms.Textarea(attrs={"rows": 4}))


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label=_("Procedural decision of the participating States Parties"),
        choices=ProceduralDecision.choices,
        widget=forms.RadioSelect,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1)


class AcknowledgementForm(forms.Form):
    acknowledge = forms.BooleanField(label=_("I acknowledge this confidentiality obligation"))
    text_version = forms.CharField(widget=forms.HiddenInput, max_length=20)
