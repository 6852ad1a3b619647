from django import forms
from django.core import signing
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


ENROL_SALT = "dief.twofactor.enrol"
ENROL_MAX_AGE = 30 * 60


class EnrolForm(PasswordConfirmForm):
    """The password again, the code the app shows, and the secret being enrolled (signed for
    this user: the page that shows it stores nothing)."""

    token = forms.CharField(
        label=_("The 6-digit code your app shows"),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    secret = forms.CharField(widget=forms.HiddenInput)

    field_order = ["token", "password", "secret"]

    @staticmethod
    def sign(user, key_hex: str) -> str:
        return signing.dumps({"u": user.pk, "k": key_hex}, salt=ENROL_SALT)

    def clean_token(self):
        return "".join(self.cleaned_data["token"].split())

    def posted_key(self) -> str | None:
        """The secret of the submitted page if its signature holds, else None."""
        try:
            data = signing.loads(self.data.get("secret", ""), salt=ENROL_SALT, max_age=ENROL_MAX_AGE)
        except signing.BadSignature:
            return None
        return data.get("k") if data.get("u") == self.user.pk else None

    def clean_secret(self):
        try:
            data = signing.loads(self.cleaned_data["secret"], salt=ENROL_SALT, max_age=ENROL_MAX_AGE)
        except signing.BadSignature:
            raise forms.ValidationError(_("This page has expired; start again.")) from None
        if data.get("u") != self.user.pk:
            raise forms.ValidationError(_("This page has expired; start again."))
        return data["k"]
