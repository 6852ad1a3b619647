"""HTML date and time inputs carry ISO values in every language: rendered and posted back."""

import datetime
import importlib
import inspect
import re
from pathlib import Path

import pytest
import time_machine
from django import forms
from django.apps import apps
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from dief.testing import UserFactory, login_verified
from meetings.models import ChairAppointment, Meeting

LANGUAGES = [code for code, _name in settings.LANGUAGES]
TEMPORAL = (forms.DateField, forms.TimeField, forms.DateTimeField)
SAMPLES = {
    forms.DateTimeField: (datetime.datetime(2099, 3, 20, 14, 30), "2099-03-20T14:30"),
    forms.DateField: (datetime.date(2099, 3, 20), "2099-03-20"),
    forms.TimeField: (datetime.time(14, 30), "14:30"),
}
INPUT_TYPES = {forms.DateTimeField: "datetime-local", forms.DateField: "date", forms.TimeField: "time"}


def _kind(field):
    return next(k for k in (forms.DateTimeField, forms.DateField, forms.TimeField) if isinstance(field, k))


def temporal_fields():
    """Every date, time and date-time field of every form class of the project's apps."""
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if not path.is_relative_to(Path(settings.BASE_DIR).resolve()) or "site-packages" in path.parts:
            continue  # not one of the project's apps (a venv inside the project holds installed ones)
        try:
            module = importlib.import_module(f"{config.name}.forms")
        except ModuleNotFoundError:
            continue
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if cls.__module__ != module.__name__ or not issubclass(cls, forms.BaseForm):
                continue
            for field_name, field in cls.base_fields.items():
                if isinstance(field, TEMPORAL):
                    found.append(pytest.param(cls, field_name, field, id=f"{name}.{field_name}"))
    return found


FIELDS = temporal_fields()


def test_the_forms_with_date_fields_are_all_found():
    names = {p.id for p in FIELDS}
    assert {
        "MeetingForm.start_date",
        "MeetingForm.convened_on",
        "MeetingDatesForm.start_date",
        "ChairConsultationForm.consulted_on",
        "ChairAppointmentForm.term_ends_on",
    } <= names


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize(("form_class", "name", "field"), FIELDS)
def test_each_date_or_time_input_renders_and_reads_iso_in_every_language(form_class, name, field, language):
    value, iso = SAMPLES[_kind(field)]
    with translation.override(language):
        html = field.widget.render(name, value)
        assert f'type="{INPUT_TYPES[_kind(field)]}"' in html, html
        assert f'value="{iso}"' in html, html
        # Bound to initial data, as the pages render them.
        assert field.prepare_value(value) == value
        assert field.clean(iso) == value


@pytest.fixture
def in_the_future(db):
    with time_machine.travel(datetime.datetime(2099, 1, 1, 9, tzinfo=datetime.UTC), tick=False):
        yield


def _value_of(html, name):
    match = re.search(rf'<input type="date" name="{name}" value="([^"]*)"', html)
    return match.group(1) if match else None


@pytest.mark.parametrize("language", LANGUAGES)
def test_change_the_dates_shows_iso_values_and_accepts_them_in_every_language(
    client, in_the_future, meeting, secretariat, language
):
    secretariat.language = language
    secretariat.save()
    login_verified(client, secretariat)
    page = client.get(reverse("meetings:detail", args=[meeting.pk])).content.decode()
    assert _value_of(page, "start_date") == "2099-03-20"
    assert _value_of(page, "end_date") == "2099-03-20"
    client.post(
        reverse("meetings:change_dates", args=[meeting.pk]), {"start_date": "2099-04-24", "end_date": "2099-04-25"}
    )
    meeting.refresh_from_db()
    assert (meeting.start_date, meeting.end_date) == (datetime.date(2099, 4, 24), datetime.date(2099, 4, 25))


@pytest.mark.parametrize("language", LANGUAGES)
def test_creating_a_meeting_posts_and_re_renders_iso_dates_in_every_language(
    client, in_the_future, secretariat, president, party, language
):
    secretariat.language = language
    secretariat.save()
    login_verified(client, secretariat)
    data = {
        "title": "DIEF meeting",
        "start_date": "2099-09-10",
        "end_date": "2099-09-08",  # before the start: the form comes back with the values
        "venue": "Geneva",
        "host_session": "preparatory",
        "host_session_name": "Preparatory meeting",
        "procedural_time_zone": "Europe/Zurich",
        "convened_by": president.pk,
        "convened_on": "2098-12-20",
        "consulted_chair": "on",
        "consulted_secretariat": "on",
    }
    page = client.post(reverse("meetings:create"), data).content.decode()
    assert _value_of(page, "start_date") == "2099-09-10"
    assert _value_of(page, "convened_on") == "2098-12-20"
    client.post(reverse("meetings:create"), {**data, "end_date": "2099-09-11"})
    meeting = Meeting.objects.get()
    assert (meeting.start_date, meeting.end_date, meeting.convened_on) == (
        datetime.date(2099, 9, 10),
        datetime.date(2099, 9, 11),
        datetime.date(2098, 12, 20),
    )


@pytest.mark.parametrize("language", LANGUAGES)
def test_chair_consultation_date_is_iso_in_every_language(client, in_the_future, meeting, secretariat, chair, language):
    secretariat.language = language
    secretariat.save()
    login_verified(client, secretariat)
    page = client.get(reverse("meetings:invitation", args=[meeting.pk])).content.decode()
    assert _value_of(page, "consulted_on") == "2099-01-01"
    client.post(reverse("meetings:invitation_consult", args=[meeting.pk]), {"consulted_on": "2098-12-30", "note": ""})
    meeting.invitation.refresh_from_db()
    assert meeting.invitation.chair_consulted_on == datetime.date(2098, 12, 30)


@pytest.mark.parametrize("language", LANGUAGES)
def test_chair_appointment_dates_are_iso_in_every_language(client, in_the_future, president, party, language):
    president.language = language
    president.save()
    chair = UserFactory(username="future_chair", state=party)
    login_verified(client, president)
    data = {"chair": chair.pk, "appointed_on": "2099-01-01", "term_ends_with": "CSP30", "term_ends_on": "2098-12-31"}
    page = client.post(reverse("meetings:chair"), data).content.decode()  # term ends before: comes back
    assert _value_of(page, "appointed_on") == "2099-01-01"
    assert _value_of(page, "term_ends_on") == "2098-12-31"
    client.post(reverse("meetings:chair"), {**data, "term_ends_on": "2100-08-31"})
    appointment = ChairAppointment.objects.get(chair=chair)
    assert (appointment.appointed_on, appointment.term_ends_on) == (
        datetime.date(2099, 1, 1),
        datetime.date(2100, 8, 31),
    )
