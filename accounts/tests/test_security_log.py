"""The security log: second-factor results and denied access, without content, for the Secretariat."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enums import SecurityEventKind
from accounts.models import SecurityEvent
from accounts.security import record_security_event
from dief.testing import login_password_only, login_verified


def test_second_factor_failure_and_success_are_logged(client, delegate_party):
    device = TOTPDevice.objects.create(user=delegate_party, name="authenticator", confirmed=True)
    login_password_only(client, delegate_party)
    client.post(reverse("twofactor:verify"), {"method": "totp", "token": "000000"}, REMOTE_ADDR="192.0.2.7")
    failure = SecurityEvent.objects.get(kind=SecurityEventKind.SECOND_FACTOR_FAILURE)
    assert failure.user == delegate_party and failure.ip_address == "192.0.2.7"
    assert failure.details == {"method": "totp"}
    device.throttling_failure_count = 0
    device.throttling_failure_timestamp = None
    device.save()
    client.post(reverse("twofactor:verify"), {"method": "totp", "token": f"{totp(device.bin_key):06d}"})
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.SECOND_FACTOR_SUCCESS, user=delegate_party).exists()


def test_denied_access_to_an_existing_meeting_is_logged_without_content(client, outsider, meeting):
    login_verified(client, outsider)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ACCESS_DENIED)
    assert event.user == outsider
    assert event.details == {"object_type": "meetings.Meeting", "object_id": meeting.pk}
    assert meeting.title not in str(event.details)


def test_a_miss_on_nothing_is_not_denied_access(client, outsider, meeting):
    login_verified(client, outsider)
    assert client.get(reverse("meetings:detail", args=[meeting.pk + 1000])).status_code == 404
    assert not SecurityEvent.objects.filter(kind=SecurityEventKind.ACCESS_DENIED).exists()


def test_denied_access_to_a_presentation_is_logged(client, outsider, meeting, delegate_party):
    import datetime

    import time_machine

    from presentations.services import register_presentation

    with time_machine.travel(datetime.datetime(2099, 1, 5, 12, 0, tzinfo=datetime.UTC), tick=False):
        presentation = register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Rifles via port X", summary="Diverted rifles"
        )
    login_verified(client, outsider)
    assert client.get(reverse("presentations:detail", args=[presentation.pk])).status_code == 404
    event = SecurityEvent.objects.get(kind=SecurityEventKind.ACCESS_DENIED)
    assert event.details == {"object_type": "presentations.Presentation", "object_id": presentation.pk}


def test_the_security_log_refuses_content():
    with pytest.raises(ValueError):
        record_security_event(
            None, SecurityEventKind.ACCESS_DENIED, title="Small arms diverted through a transshipment port"
        )


def test_the_secretariat_reads_the_security_log(client, secretariat, outsider, meeting):
    login_verified(client, outsider)
    client.get(reverse("meetings:detail", args=[meeting.pk]))
    login_verified(client, secretariat)
    page = client.get(reverse("accounts:security_log"))
    assert page.status_code == 200
    assert b"outsider" in page.content and b"meetings.Meeting" in page.content
