"""Form fields shared by the apps."""

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1


class SafeModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """Refuses ids that are not whole numbers a database can hold, before any query."""

    def _check_values(self, value):
        for v in value:
            text = str(v).strip()
            if not text.isdigit() or int(text) > MAX_ID:
                raise forms.ValidationError(_("Select a valid choice."), code="invalid_choice")
        return super()._check_values(value)
