"""The single-use enrolment link: one's own password, then one's own second factor, once."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.enrolment import send_enrolment_link
from accounts.enums import ParticipantRole, Role
from accounts.models import EnrolmentLink
from accounts.services import create_user
from dief.errors import RuleViolation
from notifications.models import Notification
from notifications.services import send_pending

NEW_PASSWORD = "my very own passphrase 2026"


@pytest.fixture
def newcomer(party):
    return create_user(
        "newcomer",
        None,
        role=Role.DELEGATE,
        state=party,
        participant_role=ParticipantRole.POLICY,
        email="newcomer@example.org",
    )


def emailed_link(user) -> str:
    send_pending()
    body = next(m.body for m in reversed(mail.outbox) if user.email in m.to)
    return re.search(r"https?://[^/\s]+(/accounts/enrol/\S+)", body).group(1)


def enrol_through(client, path):
    response = client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert response.status_code == 302 and response.url == reverse("twofactor:enrol")
    page = client.get(reverse("twofactor:enrol"))
    secret = page.context["form"].initial["secret"]
    key = page.context["form"].__class__(page.context["form"].user, {"secret": secret}).posted_key()
    code = f"{totp(bytes.fromhex(key)):06d}"
    return client.post(reverse("twofactor:enrol"), {"token": code, "password": NEW_PASSWORD, "secret": secret})


def test_enrolment_link_is_emailed_without_its_secret_in_the_outbox(newcomer, secretariat):
    send_enrolment_link(newcomer, by=secretariat)
    row = Notification.objects.get(recipient=newcomer, kind="enrolment_link")
    path = emailed_link(newcomer)
    token = path.rstrip("/").split("/")[-1]
    assert token not in str(row.context)
    assert token not in str(list(EnrolmentLink.objects.values()))
    assert "Switzerland" not in mail.outbox[-1].body


def test_new_account_sets_its_own_password_and_enrols_once(client, newcomer, secretariat, meeting):
    send_enrolment_link(newcomer, by=secretariat)
    path = emailed_link(newcomer)
    assert client.get(path).status_code == 200
    response = enrol_through(client, path)
    assert response.status_code == 200 and len(response.context["codes"]) == 10
    assert TOTPDevice.objects.filter(user=newcomer, confirmed=True).count() == 1
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)

    other = client.__class__()
    response = other.get(path)
    assert response.status_code == 410 and "already been used" in response.content.decode()
    response = other.post(path, {"new_password1": "attacker passphrase 99", "new_password2": "attacker passphrase 99"})
    assert response.status_code == 410
    newcomer.refresh_from_db()
    assert newcomer.check_password(NEW_PASSWORD)


def test_expired_enrolment_link_is_refused(client, newcomer, secretariat):
    start = datetime.datetime(2026, 12, 1, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        send_enrolment_link(newcomer, by=secretariat)
        path = emailed_link(newcomer)
        traveller.shift(datetime.timedelta(hours=73))
        response = client.get(path)
        assert response.status_code == 410 and "expired" in response.content.decode()


def test_a_newer_link_replaces_the_older_one(client, newcomer, secretariat):
    send_enrolment_link(newcomer, by=secretariat)
    first = emailed_link(newcomer)
    mail.outbox.clear()
    send_enrolment_link(newcomer, by=secretariat)
    response = client.get(first)
    assert response.status_code == 410 and "replaced" in response.content.decode()
    assert client.get(emailed_link(newcomer)).status_code == 200


def test_altered_link_is_refused(client, newcomer, secretariat):
    send_enrolment_link(newcomer, by=secretariat)
    path = emailed_link(newcomer)
    last = path[-2]
    altered = path[:-2] + ("1" if last == "0" else "0") + "/"
    assert altered != path
    response = client.get(altered)
    assert response.status_code == 410 and "not valid" in response.content.decode()


def test_changing_the_email_address_kills_the_link(client, newcomer, secretariat):
    send_enrolment_link(newcomer, by=secretariat)
    path = emailed_link(newcomer)
    newcomer.email = "someone.else@example.org"
    newcomer.save()
    assert client.get(path).status_code == 410


def test_no_enrolment_link_for_an_account_with_a_second_factor(newcomer, secretariat):
    TOTPDevice.objects.create(user=newcomer, name="authenticator", confirmed=True)
    with pytest.raises(RuleViolation):
        send_enrolment_link(newcomer, by=secretariat)


def test_password_alone_does_not_enrol_a_second_factor(client, delegate_party):
    client.post(reverse("login"), {"username": delegate_party.username, "password": "correct horse battery staple"})
    response = client.get(reverse("twofactor:enrol"))
    assert response.status_code == 403 and "enrolment link" in response.content.decode()
    response = client.post(reverse("twofactor:enrol"), {"token": "123456", "password": "correct horse battery staple"})
    assert response.status_code == 403
    assert not TOTPDevice.objects.filter(user=delegate_party).exists()


def test_opening_the_enrolment_page_writes_nothing(client, newcomer, secretariat):
    send_enrolment_link(newcomer, by=secretariat)
    path = emailed_link(newcomer)
    client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    client.get(reverse("twofactor:enrol"))
    client.get(reverse("twofactor:enrol"))
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_enrolment_asks_for_the_password_again(client, newcomer, secretariat):
    send_enrolment_link(newcomer, by=secretariat)
    path = emailed_link(newcomer)
    client.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    page = client.get(reverse("twofactor:enrol"))
    secret = page.context["form"].initial["secret"]
    key = page.context["form"].posted_key.__self__.__class__(newcomer, {"secret": secret}).posted_key()
    code = f"{totp(bytes.fromhex(key)):06d}"
    response = client.post(reverse("twofactor:enrol"), {"token": code, "password": "wrong", "secret": secret})
    assert response.status_code == 200 and "not your password" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=newcomer).exists()


def test_the_link_email_leaves_even_if_a_role_was_confirmed_meanwhile(newcomer, secretariat):
    from accounts.services import grant_directly

    newcomer.role, newcomer.state, newcomer.participant_role = Role.NONE, None, ""
    newcomer.save()
    send_enrolment_link(newcomer, by=secretariat)
    grant_directly(newcomer, role=Role.CSP_PRESIDENT)
    assert emailed_link(newcomer)


def test_a_replaced_link_email_is_not_sent(newcomer, secretariat):
    send_enrolment_link(newcomer, by=secretariat)
    send_enrolment_link(newcomer, by=secretariat)
    send_pending()
    assert len([m for m in mail.outbox if newcomer.email in m.to]) == 1
