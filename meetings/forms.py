import zoneinfo

from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from accounts.models import User
from dief.forms import SafeModelMultipleChoiceField

from .enums import HostSession
from .models import Meeting

TIME_ZONE_CHOICES = [(z, z) for z in sorted(zoneinfo.available_timezones()) if "/" in z and not z.startswith("Etc/")]


class DateInput(forms.DateInput):
    input_type = "date"


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput)
    venue = forms.CharField(label=_("Venue"), max_length=200)
    host_session = forms.ChoiceField(label=_("Held during (ToR rule 3)"), choices=HostSession.choices)
    host_session_name = forms.CharField(
        label=_("Session"), max_length=120, help_text=Meeting._meta.get_field("host_session_name").help_text
    )
    procedural_time_zone = forms.ChoiceField(
        label=_("Procedural time zone"),
        choices=TIME_ZONE_CHOICES,
        initial="Europe/Zurich",
        help_text=_("Deadlines end at midnight in this zone. Geneva is Europe/Zurich."),
    )
    convened_by = forms.ModelChoiceField(
        label=_("CSP President who decided to convene it (ToR rule 3)"),
        queryset=User.objects.filter(role=Role.CSP_PRESIDENT, is_active=True),
    )
    convened_on = forms.DateField(
        label=_("Date of the President's decision"), widget=DateInput, validators=[lambda v: _bounded(v)]
    )
    consulted_chair = forms.BooleanField(label=_("The President consulted the Chair"), required=False)
    consulted_secretariat = forms.BooleanField(
        label=_("The President consulted the Secretariat"), required=False, initial=True
    )
    short_notice_reason = forms.CharField(
        label=_("Reason for short notice (ToR rule 9)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Needed when the meeting starts less than 50 days from now."),
    )

    def clean_start_date(self):
        return _bounded(self.cleaned_data["start_date"])

    def clean_end_date(self):
        return _bounded(self.cleaned_data["end_date"])

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", _("The meeting cannot end before it starts."))
        return data


class InvitationTextForm(forms.Form):
    additional_text = forms.CharField(
        label=_("Additional text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The date, venue and the call to present cases (ToR rule 9) are always included."),
    )


class ChairConsultationForm(forms.Form):
    consulted_on = forms.DateField(
        label=_("Date of the consultation"), widget=DateInput, required=False, validators=[lambda v: _bounded(v)]
    )
    note = forms.CharField(
        label=_("Note on the consultation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class MeetingDatesForm(forms.Form):
    start_date = forms.DateField(label=_("Start date"), widget=DateInput, validators=[lambda v: _bounded(v)])
    end_date = forms.DateField(label=_("End date"), widget=DateInput, validators=[lambda v: _bounded(v)])
    short_notice_reason = forms.CharField(
        label=_("Reason for short notice (ToR rule 9)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DelegationForm(forms.Form):
    members = SafeModelMultipleChoiceField(
        label=_("Members of your delegation"), queryset=None, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, delegates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = delegates
        self.fields["members"].label_from_instance = lambda u: (
            f"{u.get_full_name() or u.username} ({u.get_participant_role_display()})"
        )


class ChairAppointmentForm(forms.Form):
    chair = forms.ModelChoiceField(
        label=_("Chair"),
        queryset=User.objects.filter(role=Role.DELEGATE, is_active=True, is_superuser=False)
        .select_related("state")
        .order_by("state__name", "last_name"),
    )
    appointed_on = forms.DateField(label=_("Appointed on"), widget=DateInput, validators=[lambda v: _bounded(v)])
    term_ends_with = forms.CharField(
        label=_("Term ends with the conclusion of"), max_length=40, help_text=_("e.g. CSP12")
    )
    term_ends_on = forms.DateField(
        label=_("Last day of the term"), widget=DateInput, validators=[lambda v: _bounded(v)]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from states.queries import eligible_states

        from .queries import procedural_today

        self.fields["chair"].queryset = self.fields["chair"].queryset.filter(
            state__in=eligible_states(procedural_today())
        )
        self.fields["chair"].label_from_instance = lambda u: f"{u.get_full_name() or u.username} ({u.state})"


def _bounded(value):
    if value is not None and not (1990 <= value.year <= 2200):
        raise forms.ValidationError(_("Give a date between 1990 and 2200."))
    return value
