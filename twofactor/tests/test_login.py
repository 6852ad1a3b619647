"""Two-factor login: password, then TOTP or a backup code, for everybody, on every path."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dief.testing import login_verified

PASSWORD = "correct horse battery staple"


def code(device):
    return f"{totp(device.bin_key, t0=device.t0, step=device.step):06d}"


@pytest.fixture
def enrolled(delegate_party):
    device = TOTPDevice.objects.create(user=delegate_party, name="authenticator", confirmed=True)
    backup = StaticDevice.objects.create(user=delegate_party, name="backup codes", confirmed=True)
    StaticToken.objects.create(device=backup, token="backup0001")
    StaticToken.objects.create(device=backup, token="backup0002")
    return device


def password_login(client, user, password=PASSWORD):
    return client.post(reverse("login"), {"username": user.username, "password": password})


def test_password_login_leads_to_the_second_factor_not_to_content(client, delegate_party, enrolled, meeting):
    response = password_login(client, delegate_party)
    assert response.status_code == 302 and response.url.startswith(reverse("twofactor:verify"))
    response = client.get(reverse("meetings:detail", args=[meeting.pk]))
    assert response.status_code == 302 and response.url.startswith(reverse("twofactor:verify"))


def test_totp_code_verifies_the_session(client, delegate_party, enrolled, meeting):
    password_login(client, delegate_party)
    response = client.post(
        reverse("twofactor:verify"), {"method": "totp", "token": code(enrolled), "next": "/meetings/"}
    )
    assert response.status_code == 302 and response.url == "/meetings/"
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_wrong_code_is_refused_and_then_throttled(client, delegate_party, enrolled):
    password_login(client, delegate_party)
    response = client.post(reverse("twofactor:verify"), {"method": "totp", "token": "000000"})
    assert response.status_code == 200 and "not right" in response.content.decode()
    response = client.post(reverse("twofactor:verify"), {"method": "totp", "token": code(enrolled)})
    assert response.status_code == 200 and "Too many wrong codes" in response.content.decode()
    assert client.get(reverse("meetings:list")).status_code == 302


def test_backup_code_works_once(client, delegate_party, enrolled):
    password_login(client, delegate_party)
    response = client.post(reverse("twofactor:verify"), {"method": "backup", "token": "backup0001"})
    assert response.status_code == 302
    client.post(reverse("logout"))
    password_login(client, delegate_party)
    response = client.post(reverse("twofactor:verify"), {"method": "backup", "token": "backup0001"})
    assert response.status_code == 200
    assert StaticToken.objects.filter(token="backup0001").count() == 0


def test_failed_backup_code_does_not_throttle_the_authenticator(client, delegate_party, enrolled):
    password_login(client, delegate_party)
    client.post(reverse("twofactor:verify"), {"method": "backup", "token": "wrongwrong"})
    response = client.post(reverse("twofactor:verify"), {"method": "totp", "token": code(enrolled)})
    assert response.status_code == 302


def test_totp_code_is_checked_only_against_the_chosen_device(client, delegate_party, enrolled):
    password_login(client, delegate_party)
    response = client.post(reverse("twofactor:verify"), {"method": "backup", "token": code(enrolled)})
    assert response.status_code == 200


def test_user_without_device_must_enrol_and_gets_backup_codes(client, delegate_party, meeting):
    response = password_login(client, delegate_party)
    response = client.get(response.url)
    assert response.status_code == 302 and response.url.startswith(reverse("twofactor:enrol"))
    page = client.get(response.url)
    assert b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=delegate_party, confirmed=False)
    assert client.get(reverse("meetings:list")).status_code == 302
    response = client.post(reverse("twofactor:enrol"), {"token": code(device)})
    assert response.status_code == 200
    assert len(response.context["codes"]) == 10
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_enrolment_is_closed_to_a_user_who_already_has_a_device(client, delegate_party, enrolled):
    password_login(client, delegate_party)
    response = client.get(reverse("twofactor:enrol"))
    assert response.status_code == 302 and response.url.startswith(reverse("twofactor:verify"))
    assert TOTPDevice.objects.filter(user=delegate_party).count() == 1


def test_password_reset_does_not_log_in_or_skip_the_second_factor(client, delegate_party, enrolled):
    client.post(reverse("password_reset"), {"email": delegate_party.email})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = link[link.index("/accounts/reset/") :]
    response = client.get(path, follow=True)
    form_url = response.redirect_chain[-1][0] if response.redirect_chain else path
    response = client.post(
        form_url, {"new_password1": "a new long passphrase 42", "new_password2": "a new long passphrase 42"}
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("meetings:list")).status_code == 302
    password_login(client, delegate_party, "a new long passphrase 42")
    response = client.get(reverse("meetings:list"))
    assert response.status_code == 302 and response.url.startswith(reverse("twofactor:verify"))


def test_removing_the_second_factor_needs_the_password_again(client, delegate_party):
    login_verified(client, delegate_party)
    response = client.post(reverse("twofactor:remove_devices"), {"password": "wrong"})
    assert response.status_code == 302
    assert TOTPDevice.objects.filter(user=delegate_party).exists()
    response = client.post(reverse("twofactor:remove_devices"), {"password": PASSWORD})
    assert not TOTPDevice.objects.filter(user=delegate_party).exists()
    assert "_auth_user_id" not in client.session


def test_removing_the_second_factor_needs_a_verified_session(client, delegate_party, enrolled):
    password_login(client, delegate_party)
    response = client.post(reverse("twofactor:remove_devices"), {"password": PASSWORD})
    assert response.status_code == 302 and response.url.startswith(reverse("twofactor:verify"))
    assert TOTPDevice.objects.filter(user=delegate_party, confirmed=True).exists()


def test_login_gets_a_new_session_id_and_logout_ends_it(client, delegate_party, enrolled):
    client.get(reverse("login"))
    client.cookies["sessionid"] = "attacker-chosen-session-id"
    password_login(client, delegate_party)
    assert client.cookies["sessionid"].value != "attacker-chosen-session-id"
    session_key = client.session.session_key
    client.post(reverse("logout"))
    from django.contrib.sessions.models import Session

    assert not Session.objects.filter(session_key=session_key).exists()


def test_idle_session_expires(client, delegate_party, settings):
    start = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        login_verified(client, delegate_party)
        assert client.get(reverse("meetings:list")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=29))
        assert client.get(reverse("meetings:list")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=31))
        response = client.get(reverse("meetings:list"))
        assert response.status_code == 302 and "expired" in response.url


def test_session_has_an_absolute_lifetime_even_when_active(client, delegate_party):
    start = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        login_verified(client, delegate_party)
        for _ in range(12 * 4):
            traveller.shift(datetime.timedelta(minutes=15))
            response = client.get(reverse("meetings:list"))
        assert response.status_code == 200
        traveller.shift(datetime.timedelta(minutes=15))
        assert client.get(reverse("meetings:list")).status_code == 302


def test_repeated_wrong_passwords_lock_the_login(client, delegate_party, enrolled, settings):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        password_login(client, delegate_party, "wrong password")
    response = password_login(client, delegate_party)
    assert response.status_code in (403, 429)
    assert "_auth_user_id" not in client.session


def test_a_verified_request_costs_three_queries_session_user_device(client, delegate_party, settings):
    settings.ROOT_URLCONF = "benchmarks.urls"  # the bare view: nothing but the verified-session check
    start = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        login_verified(client, delegate_party)
        client.get("/bench/bare/")
        traveller.shift(datetime.timedelta(seconds=30))
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/bench/bare/").status_code == 200
    assert len(queries.captured_queries) == 3, [q["sql"][:80] for q in queries.captured_queries]


def test_the_idle_clock_is_stored_once_a_minute_and_still_ends_an_idle_session(client, delegate_party):
    start = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        login_verified(client, delegate_party)
        for _ in range(40):  # 40 minutes of a page every minute: never idle
            traveller.shift(datetime.timedelta(minutes=1))
            assert client.get(reverse("meetings:list")).status_code == 200
        traveller.shift(datetime.timedelta(minutes=30, seconds=1))
        response = client.get(reverse("meetings:list"))
        assert response.status_code == 302 and "expired" in response.url
