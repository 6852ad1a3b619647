"""The language chosen before login carries through the second factor into the profile."""

from django.contrib.auth import get_user_model
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from dief.testing import UserFactory

PASSWORD = "correct horse battery staple"


def choose_language(client, code):
    return client.post(reverse("set_language"), {"language": code, "next": reverse("login")})


def password_login(client, user):
    return client.post(reverse("login"), {"username": user.username, "password": PASSWORD})


def test_spanish_chosen_on_the_login_page_is_kept_on_the_second_factor_page(client, delegate_party):
    TOTPDevice.objects.create(user=delegate_party, name="authenticator", confirmed=True)
    delegate_party.last_login = delegate_party.date_joined
    delegate_party.save()
    choose_language(client, "es")
    response = password_login(client, delegate_party)
    page = client.get(response.url)
    assert '<html lang="es">' in page.content.decode()
    assert "Segundo factor" in page.content.decode()
    delegate_party.refresh_from_db()
    assert delegate_party.language == "es"


def test_first_login_enrols_in_the_language_chosen_on_the_login_page_and_keeps_it(client, db):
    newcomer = UserFactory(username="newcomer", language="en")
    assert newcomer.last_login is None
    choose_language(client, "fr")
    assert '<html lang="fr">' in client.get(reverse("login")).content.decode()
    client.post(reverse("login"), {"username": "newcomer", "password": PASSWORD})
    newcomer.refresh_from_db()
    assert newcomer.language == "fr"
    enrol = client.get(reverse("twofactor:verify"), follow=True)
    assert '<html lang="fr">' in enrol.content.decode()


def test_login_without_a_choice_keeps_the_profile_language_whatever_the_browser_says(client, delegate_party):
    delegate_party.language = "fr"
    delegate_party.last_login = delegate_party.date_joined
    delegate_party.save()
    TOTPDevice.objects.create(user=delegate_party, name="authenticator", confirmed=True)
    response = client.post(
        reverse("login"), {"username": delegate_party.username, "password": PASSWORD}, HTTP_ACCEPT_LANGUAGE="es"
    )
    assert get_user_model().objects.get(pk=delegate_party.pk).language == "fr"
    assert '<html lang="fr">' in client.get(response.url).content.decode()


def test_language_chosen_before_a_wrong_password_is_not_saved_anywhere(client, delegate_party):
    choose_language(client, "es")
    client.post(reverse("login"), {"username": delegate_party.username, "password": "wrong"})
    delegate_party.refresh_from_db()
    assert delegate_party.language == "en"
