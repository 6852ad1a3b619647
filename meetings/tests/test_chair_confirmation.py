"""ToR rule 4 with the Secretariat's confirmation: a Chair appointment opens nothing until a
Secretariat officer other than the President and the Chair confirms it."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from dief.errors import RuleViolation
from dief.testing import login_verified
from meetings import services
from meetings.models import ChairAppointment
from meetings.queries import is_chair_in_office


def fresh(user):
    """The user read again (the Chair check is kept on the user object for the day)."""
    return type(user).objects.get(pk=user.pk)


def appoint(president, chair):
    return services.appoint_chair(
        by=president,
        chair=chair,
        appointed_on=datetime.date(2026, 1, 1),
        term_ends_with="CSP13",
        term_ends_on=datetime.date(2099, 1, 1),
    )


def test_a_pending_appointment_makes_nobody_chair(president, delegate_party, secretariat):
    appointment = appoint(president, delegate_party)
    assert not is_chair_in_office(delegate_party)
    services.confirm_chair_appointment(by=secretariat, appointment=appointment)
    assert is_chair_in_office(fresh(delegate_party))
    with pytest.raises(RuleViolation):
        services.confirm_chair_appointment(by=secretariat, appointment=appointment)


def test_only_another_secretariat_officer_confirms(president, delegate_party, secretariat):
    appointment = appoint(president, delegate_party)
    for someone in (president, delegate_party):
        with pytest.raises(RuleViolation):
            services.confirm_chair_appointment(by=someone, appointment=appointment)
    assert not is_chair_in_office(delegate_party)


def test_the_secretariat_confirms_on_the_chair_page(client, president, delegate_party, secretariat, meeting):
    appointment = appoint(president, delegate_party)
    chair_client = Client()
    login_verified(chair_client, delegate_party)
    login_verified(client, secretariat)
    page = client.get(reverse("meetings:chair")).content.decode()
    assert "awaiting confirmation" in page
    client.post(reverse("meetings:chair_confirm", args=[appointment.pk]))
    appointment.refresh_from_db()
    assert appointment.confirmed_by == secretariat
    assert is_chair_in_office(fresh(delegate_party))


def test_a_pending_appointment_can_be_withdrawn(president, delegate_party):
    appointment = appoint(president, delegate_party)
    services.withdraw_chair_appointment(by=president, appointment=appointment)
    assert not ChairAppointment.objects.exists()
