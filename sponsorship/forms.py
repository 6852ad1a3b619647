from django import forms
from django.utils.translation import gettext_lazy as _

from .enums import SponsorshipStatus


class RequestForm(forms.Form):
    meeting = forms.ModelChoiceField(label=_("Meeting"), queryset=None)
    travellers = forms.IntegerField(label=_("Delegates to sponsor"), min_value=1, max_value=10, initial=1)
    note = forms.CharField(
        label=_("Note to the Secretariat"), required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, meetings, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = meetings
        self.fields["meeting"].label_from_instance = lambda m: m.title  # __str__ carries no title


class DecisionForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Decision"),
        choices=[
            (SponsorshipStatus.GRANTED, SponsorshipStatus.GRANTED.label),
            (SponsorshipStatus.DECLINED, SponsorshipStatus.DECLINED.label),
        ],
    )
    reason = forms.CharField(label=_("Reason"), required=False, max_length=2000)
