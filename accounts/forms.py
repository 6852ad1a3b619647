from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from dief.timezones import canonical_time_zone, time_zone_choices

from .models import User

TIME_ZONES = time_zone_choices() + [("UTC", "UTC")]


class ProfileForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    time_zone = forms.ChoiceField(
        label=_("Your time zone"),
        choices=TIME_ZONES,
        help_text=_("Deadlines are shown in the procedural time zone and in this one."),
    )

    current_password = forms.CharField(
        label=_("Your password (needed to change the email address)"),
        required=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    class Meta:
        model = User
        fields = ["first_name", "last_name", "email", "language", "time_zone"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A zone saved under an old alias (Asia/Calcutta) is shown as its canonical name.
        if self.instance.time_zone:
            self.initial["time_zone"] = canonical_time_zone(self.instance.time_zone)

    def clean(self):
        data = super().clean()
        if "email" in self.changed_data and not self.instance.check_password(data.get("current_password") or ""):
            self.add_error("current_password", _("Give your password to change the email address."))
        return data
