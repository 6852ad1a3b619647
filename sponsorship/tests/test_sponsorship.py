import pytest
from django.core import mail
from django.urls import reverse

from dief.errors import RuleViolation
from dief.testing import login_verified
from notifications.services import send_pending
from sponsorship import services
from sponsorship.enums import SponsorshipStatus
from sponsorship.models import SponsorshipRequest


def test_delegate_requests_once_and_secretariat_declines_with_reason(meeting, delegate_other_party, secretariat):
    r = services.request_sponsorship(by=delegate_other_party, meeting=meeting, travellers=2)
    again = services.request_sponsorship(by=delegate_other_party, meeting=meeting, travellers=2)
    assert again.pk == r.pk and SponsorshipRequest.objects.count() == 1
    assert r.status == SponsorshipStatus.RECEIVED
    with pytest.raises(RuleViolation, match="reason"):
        services.decide_sponsorship(by=secretariat, request=r, status=SponsorshipStatus.DECLINED)
    services.decide_sponsorship(by=secretariat, request=r, status=SponsorshipStatus.DECLINED, reason="Budget spent")
    with pytest.raises(RuleViolation, match="already decided"):
        services.decide_sponsorship(by=secretariat, request=r, status=SponsorshipStatus.GRANTED)
    mail.outbox.clear()
    send_pending()
    assert [m.to for m in mail.outbox] == [[delegate_other_party.email]]
    assert "Budget spent" not in mail.outbox[0].body


def test_only_delegates_of_eligible_states_request_and_only_the_secretariat_decides(
    meeting, outsider, national_authority, chair, delegate_party
):
    for user in (outsider, national_authority):
        with pytest.raises(RuleViolation):
            services.request_sponsorship(by=user, meeting=meeting)
    r = services.request_sponsorship(by=delegate_party, meeting=meeting)
    with pytest.raises(RuleViolation):
        services.decide_sponsorship(by=chair, request=r, status=SponsorshipStatus.GRANTED)


def test_request_is_visible_only_to_its_state_and_the_secretariat(
    client, meeting, delegate_party, delegate_other_party, secretariat, chair, president, superuser
):
    services.request_sponsorship(by=delegate_other_party, meeting=meeting, note="Two officers from customs")
    login_verified(client, delegate_other_party)
    assert "Two officers" not in client.get(reverse("sponsorship:list")).content.decode()  # the note stays internal
    assert "<td>reçue</td>" in client.get(reverse("sponsorship:list")).content.decode()  # French interface
    for user in (delegate_party, chair):
        client.logout()
        login_verified(client, user)
        body = client.get(reverse("sponsorship:list")).content.decode()
        assert "<td>received</td>" not in body
    for user in (president, superuser):
        client.logout()
        login_verified(client, user)
        assert client.get(reverse("sponsorship:list")).status_code == 404
    client.logout()
    login_verified(client, secretariat)
    body = client.get(reverse("sponsorship:list")).content.decode()
    assert "France" in body


def test_secretariat_grants_through_the_page_and_the_delegate_sees_it(
    client, meeting, delegate_other_party, secretariat
):
    r = services.request_sponsorship(by=delegate_other_party, meeting=meeting)
    login_verified(client, secretariat)
    client.post(reverse("sponsorship:decide", args=[r.pk]), {"status": "granted", "reason": ""})
    r.refresh_from_db()
    assert r.status == SponsorshipStatus.GRANTED
    client.logout()
    login_verified(client, delegate_other_party)
    assert "<td>accordée</td>" in client.get(reverse("sponsorship:list")).content.decode()
    assert (
        client.post(reverse("sponsorship:decide", args=[r.pk]), {"status": "declined", "reason": "x"}).status_code
        == 302
    )
    r.refresh_from_db()
    assert r.status == SponsorshipStatus.GRANTED
