from django import forms
from django.utils.translation import gettext_lazy as _


class TokenForm(forms.Form):
    METHOD_CHOICES = [("totp", _("Code from my authenticator app")), ("backup", _("One of my backup codes"))]
    method = forms.ChoiceField(
        label=_("Second factor"), choices=METHOD_CHOICES, initial="totp", widget=forms.RadioSelect
    )
    token = forms.CharField(
        label=_("Code"),
        max_length=16,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "autofocus": True}),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split()).lower()


class EnrolForm(forms.Form):
    token = forms.CharField(
        label=_("The 6-digit code your app shows"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}),
    )

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())


class PasswordConfirmForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"), widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self):
        if not self.user.check_password(self.cleaned_data["password"]):
            raise forms.ValidationError(_("That is not your password."))
        return self.cleaned_data["password"]
