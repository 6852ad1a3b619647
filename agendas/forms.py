from django import forms
from django.utils.translation import gettext_lazy as _

from dief.forms import IsoDateField, ReadAtOnceChoiceIterator, SelectList


class AgendaItemForm(forms.Form):
    title = forms.CharField(
        label=_("Item"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to name it by the kind of presentation: its title stays confidential."),
    )
    presentation = forms.ModelChoiceField(
        label=_("Registered presentation"), queryset=None, required=False, widget=SelectList
    )
    # one ordinary query, not a server-side cursor (three round trips on PostgreSQL)
    presentation.iterator = ReadAtOnceChoiceIterator
    changes = forms.CharField(label=_("What changed (for a distributed agenda)"), required=False, max_length=500)

    def __init__(self, *args, presentations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["presentation"].queryset = presentations
        # __str__ carries no content; the people choosing here may read the titles.
        self.fields["presentation"].label_from_instance = lambda p: p.title


class ChangesForm(forms.Form):
    changes = forms.CharField(label=_("What changed (for a distributed agenda)"), required=False, max_length=500)


class ReleaseForm(forms.Form):
    decision = forms.CharField(label=_("Participants' decision (ToR rule 14)"), max_length=300)


class ConsultationForm(forms.Form):
    comments = forms.CharField(
        label=_("Comments of the Chair on the draft agenda"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    consulted_on = IsoDateField(label=_("Date of the consultation made on paper"), required=False)
