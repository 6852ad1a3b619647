"""A technical administrator reaches no confidential content: it sets no password, and a role
or State that opens content waits for another Secretariat officer's confirmation."""

import re

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp

from accounts.enums import GrantStatus, ParticipantRole, Role
from accounts.models import EnrolmentLink, RoleGrant, User
from accounts.services import confirm_grant, request_grant
from dief.errors import RuleViolation
from dief.testing import UserFactory, login_verified
from notifications.services import send_pending

NEW_PASSWORD = "a passphrase of my own 2026"


@pytest.fixture
def admin_client(client, superuser):
    login_verified(client, superuser)
    return client


@pytest.fixture
def second_officer(db):
    return UserFactory(username="officer2", role=Role.SECRETARIAT, participant_role="")


def add_account(admin_client, username="mole"):
    response = admin_client.post(
        reverse("admin:accounts_user_add"),
        {
            "username": username,
            "email": f"{username}@example.org",
            "first_name": "",
            "last_name": "",
            "language": "en",
            "time_zone": "Europe/Zurich",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return User.objects.get(username=username)


def enrol_by_link(user):
    """The account's owner opens the emailed link, sets a password and enrols; returns the client."""
    send_pending()
    body = next(m.body for m in reversed(mail.outbox) if user.email in m.to)
    path = re.search(r"https?://[^/\s]+(/accounts/enrol/\S+)", body).group(1)
    owner = Client()
    owner.post(path, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    form = owner.get(reverse("twofactor:enrol")).context["form"]
    secret = form.initial["secret"]
    key = form.__class__(user, {"secret": secret}).posted_key()
    response = owner.post(
        reverse("twofactor:enrol"),
        {"token": f"{totp(bytes.fromhex(key)):06d}", "password": NEW_PASSWORD, "secret": secret},
    )
    assert response.status_code == 200
    return owner


def test_admin_adds_an_account_without_password_or_role_and_its_owner_gets_the_link(admin_client):
    user = add_account(admin_client)
    assert user.role == Role.NONE and not user.has_usable_password()
    assert EnrolmentLink.objects.filter(user=user).count() == 1


def test_admin_cannot_set_a_password(admin_client, delegate_party):
    url = reverse("admin:accounts_user_change", args=[delegate_party.pk]) + "password/"
    response = admin_client.post(url, {"password1": "admin-chosen pass 1", "password2": "admin-chosen pass 1"})
    assert response.status_code in (302, 403, 404)
    delegate_party.refresh_from_db()
    assert not delegate_party.check_password("admin-chosen pass 1")
    page = admin_client.get(reverse("admin:accounts_user_change", args=[delegate_party.pk]))
    assert b"password/" not in page.content


def test_admin_cannot_change_a_role_or_state_in_the_user_form(admin_client, delegate_party, other_party):
    url = reverse("admin:accounts_user_change", args=[delegate_party.pk])
    admin_client.post(
        url,
        {
            "username": delegate_party.username,
            "email": "redirected@example.org",
            "first_name": "",
            "last_name": "",
            "is_active": "on",
            "role": Role.SECRETARIAT,
            "state": other_party.pk,
            "participant_role": "",
            "language": "en",
            "time_zone": "Europe/Zurich",
        },
    )
    delegate_party.refresh_from_db()
    assert delegate_party.role == Role.DELEGATE and delegate_party.state.iso3 == "CHE"
    assert delegate_party.email != "redirected@example.org"


def test_secretariat_role_asked_in_the_admin_opens_nothing_until_another_officer_confirms(
    admin_client, superuser, secretariat, meeting
):
    user = add_account(admin_client)
    response = admin_client.post(
        reverse("admin:accounts_rolegrant_add"), {"user": user.pk, "role": Role.SECRETARIAT, "state": ""}
    )
    assert response.status_code == 302
    grant = RoleGrant.objects.get(user=user)
    assert grant.status == GrantStatus.PENDING
    owner = enrol_by_link(user)
    user.refresh_from_db()
    assert user.role == Role.NONE
    assert owner.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    assert owner.get(reverse("presentations:list")).status_code in (200, 403)
    assert b"Test meeting" not in owner.get(reverse("meetings:list")).content

    confirm_grant(grant, by=secretariat)
    user.refresh_from_db()
    assert user.role == Role.SECRETARIAT
    assert owner.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_the_requester_and_the_account_owner_cannot_confirm(secretariat, second_officer, party):
    newcomer = UserFactory(username="newcomer", role=Role.NONE, participant_role="")
    grant = request_grant(
        newcomer, by=secretariat, role=Role.DELEGATE, state=party, participant_role=ParticipantRole.POLICY
    )
    with pytest.raises(RuleViolation):
        confirm_grant(grant, by=secretariat)
    promotion = request_grant(second_officer, by=secretariat, role=Role.CSP_PRESIDENT)
    with pytest.raises(RuleViolation):
        confirm_grant(promotion, by=second_officer)
    confirm_grant(grant, by=second_officer)
    newcomer.refresh_from_db()
    assert newcomer.role == Role.DELEGATE and newcomer.groups.filter(name="State:CHE").exists()
    with pytest.raises(RuleViolation):
        confirm_grant(grant, by=second_officer)


def test_a_state_change_waits_for_confirmation(secretariat, second_officer, delegate_party, other_party):
    grant = request_grant(
        delegate_party,
        by=secretariat,
        role=Role.DELEGATE,
        state=other_party,
        participant_role=ParticipantRole.ENFORCEMENT,
    )
    delegate_party.refresh_from_db()
    assert delegate_party.state.iso3 == "CHE"
    confirm_grant(grant, by=second_officer)
    delegate_party.refresh_from_db()
    assert delegate_party.state.iso3 == "FRA"
    assert delegate_party.groups.filter(name="State:FRA").exists()
    assert not delegate_party.groups.filter(name="State:CHE").exists()


def test_a_technical_administrator_account_takes_no_confidential_role(superuser, secretariat):
    other_admin = UserFactory(username="root2", role=Role.ADMINISTRATOR, participant_role="", is_staff=True)
    with pytest.raises(RuleViolation):
        request_grant(other_admin, by=secretariat, role=Role.SECRETARIAT)


def test_nobody_asks_for_their_own_role(secretariat):
    with pytest.raises(RuleViolation):
        request_grant(secretariat, by=secretariat, role=Role.CSP_PRESIDENT)


def test_officer_confirms_on_the_grants_page(client, secretariat, second_officer, party):
    newcomer = UserFactory(username="newcomer", role=Role.NONE, participant_role="")
    grant = request_grant(
        newcomer, by=secretariat, role=Role.DELEGATE, state=party, participant_role=ParticipantRole.POLICY
    )
    login_verified(client, secretariat)
    page = client.get(reverse("accounts:grants"))
    assert b"newcomer" in page.content and b"Another Secretariat officer decides" in page.content
    client.post(reverse("accounts:confirm_grant", args=[grant.pk]))
    assert RoleGrant.objects.get(pk=grant.pk).status == GrantStatus.PENDING
    other = Client()
    login_verified(other, second_officer)
    other.post(reverse("accounts:confirm_grant", args=[grant.pk]))
    assert RoleGrant.objects.get(pk=grant.pk).status == GrantStatus.CONFIRMED


def test_grants_page_is_for_the_secretariat_only(client, delegate_party, superuser):
    for user in (delegate_party, superuser):
        login_verified(client, user)
        assert client.get(reverse("accounts:grants")).status_code == 403
        assert client.get(reverse("accounts:audit")).status_code == 403
        assert client.get(reverse("accounts:security_log")).status_code == 403


def test_first_officer_is_made_on_the_command_line(db):
    call_command("create_secretariat_officer", "first", "first@example.org")
    user = User.objects.get(username="first")
    assert user.role == Role.SECRETARIAT and not user.has_usable_password()
    assert RoleGrant.objects.get(user=user).by_command_line
    assert EnrolmentLink.objects.filter(user=user).exists()


def test_grants_passwords_and_devices_are_in_the_audit_trail(client, admin_client, secretariat, second_officer):
    user = add_account(admin_client, "newperson")
    grant = request_grant(user, by=secretariat, role=Role.CSP_PRESIDENT)
    confirm_grant(grant, by=second_officer)
    enrol_by_link(user)
    login_verified(client, secretariat)
    page = client.get(reverse("accounts:audit")).content.decode()
    assert f"role grant #{grant.pk}" in page
    assert "newperson" in page and "password" in page.lower()
    assert "authenticator" in page.lower() or "TOTP" in page
    assert NEW_PASSWORD not in page
    user.refresh_from_db()
    hash_tail = user.password.rsplit("$", 1)[-1]
    assert hash_tail[-12:] not in page


def test_taking_a_delegates_role_away_waits_for_a_secretariat_officer(superuser, secretariat, delegate_party):
    """Nobody alone locks a State's delegates out (nor frees the account's email for a reset)."""
    grant = request_grant(delegate_party, by=superuser, role=Role.NONE)
    assert grant.status == GrantStatus.PENDING
    delegate_party.refresh_from_db()
    assert delegate_party.role == Role.DELEGATE and delegate_party.state.iso3 == "CHE"
    confirm_grant(grant, by=secretariat)
    delegate_party.refresh_from_db()
    assert delegate_party.state is None
