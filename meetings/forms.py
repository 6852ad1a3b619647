from django import forms
from django.utils.choices import BaseChoiceIterator
from django.utils.translation import gettext_lazy as _

from accounts.enums import ParticipantRole, Role
from accounts.models import User
from dief.forms import CheckboxList, IsoDateField, SafeModelMultipleChoiceField
from dief.timezones import time_zone_choices
from states.names import collation_key, state_name

from .enums import HostSession
from .models import Meeting, ToRVersion
from .queries import procedural_today

TIME_ZONE_CHOICES = time_zone_choices()


class MeetingForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    start_date = IsoDateField(label=_("Start date"))
    end_date = IsoDateField(label=_("End date"))
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
        label=_("Decision taken on paper by (CSP President, ToR rule 3)"),
        queryset=User.objects.filter(role=Role.CSP_PRESIDENT, is_active=True),
        required=False,
        help_text=_(
            "Leave empty and the President records the decision in the application. Fill in only for a decision "
            "taken on paper: it is shown as recorded by you."
        ),
    )
    convened_on = IsoDateField(
        label=_("Date of the President's decision"), validators=[lambda v: _bounded(v)], required=False
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
        if data.get("convened_by") and not data.get("convened_on"):
            self.add_error("convened_on", _("Give the date of the President's decision (ToR rule 3)."))
        if (
            data.get("start_date")
            and data.get("procedural_time_zone")
            and not (data.get("short_notice_reason") or "").strip()
        ):
            # Without a decision yet, the version in force today (the President's decision sets it).
            version = ToRVersion.in_force_on(data.get("convened_on") or procedural_today())
            if version is not None:
                _require_reason_if_short(self, data["start_date"], data["procedural_time_zone"], version)
        return data


def _require_reason_if_short(form, start_date, time_zone, version) -> None:
    """ToR rule 9, as the form sees it: a start date short of the invitation period needs a reason."""
    from .services import is_short_notice

    if is_short_notice(start_date, time_zone, version):
        form.add_error(
            "short_notice_reason",
            _(
                "The invitation must go out at least %(days)s days before the meeting; that date has passed. "
                "Give the reason for the short notice (ToR rule 9)."
            )
            % {"days": version.invitation_days},
        )


class InvitationTextForm(forms.Form):
    additional_text = forms.CharField(
        label=_("Additional text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("The date, venue and the call to present cases (ToR rule 9) are always included."),
    )


class ChairConsultationForm(forms.Form):
    consulted_on = IsoDateField(label=_("Date of the consultation"), required=False, validators=[lambda v: _bounded(v)])
    note = forms.CharField(
        label=_("Note on the consultation"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class ChairCommentsForm(forms.Form):
    note = forms.CharField(
        label=_("Your comments on the invitation"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )


class ConveningDecisionForm(forms.Form):
    consulted_chair = forms.BooleanField(label=_("I consulted the Chair"), required=False)
    consulted_secretariat = forms.BooleanField(label=_("I consulted the Secretariat"), required=False, initial=True)


class PointOfContactForm(forms.Form):
    email = forms.EmailField(label=_("Email of the national point of contact"), required=False)


class MeetingDatesForm(forms.Form):
    start_date = IsoDateField(label=_("Start date"), validators=[lambda v: _bounded(v)])
    end_date = IsoDateField(label=_("End date"), validators=[lambda v: _bounded(v)])
    short_notice_reason = forms.CharField(
        label=_("Reason for short notice (ToR rule 9)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the new start date is less than 50 days from now."),
    )

    def __init__(self, *args, meeting=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.meeting = meeting

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("The meeting cannot end before it starts."))
        if self.meeting is not None and start and not (data.get("short_notice_reason") or "").strip():
            _require_reason_if_short(self, start, self.meeting.procedural_time_zone, self.meeting.tor_version)
        return data


class _DelegateChoices(BaseChoiceIterator):
    """The checkboxes' choices of a :class:`DelegationForm`: ``(id, "name (participant role)")``
    read as plain rows when the form is drawn, not as one model instance per delegate (a
    State may have a hundred delegates or more). ``rows``, when given, are these rows already
    read (``DELEGATE_FIELDS`` first)."""

    def __init__(self, delegates, rows=None):
        self.delegates, self.rows = delegates, rows

    def __iter__(self):
        roles = {value: str(label) for value, label in ParticipantRole.choices}  # once, not per delegate
        rows = self.rows if self.rows is not None else self.delegates.values_list(*DELEGATE_FIELDS)
        for pk, first, last, username, role, *_rest in rows:
            yield pk, f"{f'{first} {last}'.strip() or username} ({roles.get(role, role)})"


#: What a delegate's checkbox shows of them.
DELEGATE_FIELDS = ("pk", "first_name", "last_name", "username", "participant_role")


class DelegationForm(forms.Form):
    members = SafeModelMultipleChoiceField(label=_("Members of your delegation"), queryset=None, widget=CheckboxList)

    def __init__(self, *args, delegates, rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["members"].queryset = delegates  # what a submitted form is checked against
        self.fields["members"].widget.choices = _DelegateChoices(delegates, rows)


class ChairAppointmentForm(forms.Form):
    chair = forms.ModelChoiceField(
        label=_("Chair"),
        queryset=User.objects.filter(role=Role.DELEGATE, is_active=True, is_superuser=False)
        .select_related("state")
        .order_by("state__name", "last_name"),
    )
    appointed_on = IsoDateField(label=_("Appointed on"), validators=[lambda v: _bounded(v)])
    term_ends_with = forms.CharField(
        label=_("Term ends with the conclusion of"), max_length=40, help_text=_("e.g. CSP12")
    )
    term_ends_on = IsoDateField(label=_("Last day of the term"), validators=[lambda v: _bounded(v)])
    succeed_current = forms.BooleanField(
        label=_("Successor: end the current Chair's term on the day before the appointment"),
        required=False,
        help_text=_("Both happen in one step, so that one Chair is in office on any day (ToR rule 4)."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from states.queries import eligible_states

        field = self.fields["chair"]
        field.queryset = field.queryset.filter(state__in=eligible_states(procedural_today()))

        def label(user):
            return f"{user.get_full_name() or user.username} ({user.state})"

        field.label_from_instance = label
        # By State name in the viewer's language, then family name.
        ordered = sorted(field.queryset, key=lambda u: (collation_key(state_name(u.state)), collation_key(u.last_name)))
        field.choices = [("", field.empty_label), *((u.pk, label(u)) for u in ordered)]
        from .models import ChairAppointment

        if not ChairAppointment.objects.filter(term_ends_on__gte=procedural_today()).exists():
            del self.fields["succeed_current"]  # nobody to succeed: the plain appointment is all there is


def _bounded(value):
    if value is not None and not (1990 <= value.year <= 2200):
        raise forms.ValidationError(_("Give a date between 1990 and 2200."))
    return value
