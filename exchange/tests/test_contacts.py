"""The directory of enforcement-authority contacts through its whole life (ToR rule 20):
submitted, returned for correction with a reason, corrected, verified and circulated,
superseded by a newer entry; only verified entries circulate."""

import pytest
from django.core import mail
from django.urls import reverse

from dief.errors import RuleViolation
from dief.testing import UserFactory, login_verified
from exchange import services
from exchange.enums import ContactStatus
from exchange.models import ContactReturn
from exchange.queries import contacts_for_user
from notifications.enums import NotificationKind
from notifications.models import Notification
from notifications.services import send_pending


def circulated_to(user, entry) -> bool:
    return contacts_for_user(user).filter(pk=entry.pk).exists()


@pytest.fixture
def entry(delegate_party):
    return services.submit_contact(by=delegate_party, authority="Federal Customs", contact="+41 58 000 00")


def test_a_returned_entry_is_not_circulated_and_its_state_is_told_without_content(
    entry, delegate_party, delegate_other_party, secretariat, django_capture_on_commit_callbacks
):
    colleague = UserFactory(username="colleague_che", state=delegate_party.state)
    with django_capture_on_commit_callbacks(execute=True):
        services.return_contact(by=secretariat, contact=entry, reason="The number lacks two digits.")
    entry.refresh_from_db()
    assert entry.status == ContactStatus.RETURNED
    assert not circulated_to(delegate_other_party, entry)
    assert circulated_to(delegate_party, entry)  # its own State still sees it, with the reason
    notices = Notification.objects.filter(kind=NotificationKind.CONTACT_RETURNED)
    assert {n.recipient for n in notices} == {delegate_party, colleague}
    send_pending()
    sent = [m for m in mail.outbox if "returned for correction" in m.subject]
    assert len(sent) == 2
    assert all("two digits" not in m.body and "+41" not in m.body and "Federal Customs" not in m.body for m in sent)


def test_returning_needs_a_reason_and_only_the_secretariat_returns(entry, delegate_party, secretariat):
    with pytest.raises(RuleViolation, match="rule 20"):
        services.return_contact(by=secretariat, contact=entry, reason="  ")
    with pytest.raises(RuleViolation, match="Secretariat"):
        services.return_contact(by=delegate_party, contact=entry, reason="Wrong")
    assert not ContactReturn.objects.exists()
    entry.refresh_from_db()
    assert entry.status == ContactStatus.SUBMITTED


def test_a_returned_entry_cannot_be_verified_until_its_state_corrects_it(
    entry, delegate_party, delegate_other_party, secretariat
):
    services.return_contact(by=secretariat, contact=entry, reason="The number lacks two digits.")
    with pytest.raises(RuleViolation, match="correction"):
        services.verify_contact(by=secretariat, contact=entry)
    with pytest.raises(RuleViolation, match="Only the State"):
        services.correct_contact(by=delegate_other_party, contact=entry, authority="X", details="Y")
    services.correct_contact(by=delegate_party, contact=entry, authority="Federal Customs", details="+41 58 000 00 00")
    entry.refresh_from_db()
    assert entry.status == ContactStatus.SUBMITTED and entry.contact == "+41 58 000 00 00"
    assert entry.returns.get().corrected_by == delegate_party
    with pytest.raises(RuleViolation, match="returned for correction"):
        services.correct_contact(by=delegate_party, contact=entry, authority="A", details="B")
    services.verify_contact(by=secretariat, contact=entry)
    entry.refresh_from_db()
    assert entry.status == ContactStatus.VERIFIED and entry.verified_at is not None
    assert circulated_to(delegate_other_party, entry)


def test_returning_a_verified_entry_stops_its_circulation(entry, delegate_other_party, secretariat):
    services.verify_contact(by=secretariat, contact=entry)
    assert circulated_to(delegate_other_party, entry)
    services.return_contact(by=secretariat, contact=entry, reason="The authority was renamed.")
    assert not circulated_to(delegate_other_party, entry)
    with pytest.raises(RuleViolation, match="already returned"):
        services.return_contact(by=secretariat, contact=entry, reason="Again")


def test_a_new_entry_supersedes_the_one_it_replaces_once_verified(
    entry, delegate_party, delegate_other_party, secretariat
):
    services.verify_contact(by=secretariat, contact=entry)
    newer = services.submit_contact(
        by=delegate_party, authority="Federal Office for Customs", contact="+41 58 111 11 11", replaces=entry
    )
    assert circulated_to(delegate_other_party, entry)  # the older one circulates until then
    assert not circulated_to(delegate_other_party, newer)
    services.verify_contact(by=secretariat, contact=newer)
    entry.refresh_from_db()
    assert entry.status == ContactStatus.SUPERSEDED and entry.superseded_at is not None
    assert not circulated_to(delegate_other_party, entry)
    assert circulated_to(delegate_other_party, newer)
    with pytest.raises(RuleViolation, match="superseded"):
        services.verify_contact(by=secretariat, contact=entry)
    with pytest.raises(RuleViolation, match="superseded"):
        services.return_contact(by=secretariat, contact=entry, reason="x")
    with pytest.raises(RuleViolation, match="own State"):
        services.submit_contact(by=delegate_party, authority="A", contact="B", replaces=entry)


def test_a_state_replaces_only_its_own_entries(entry, delegate_other_party):
    with pytest.raises(RuleViolation, match="own State"):
        services.submit_contact(by=delegate_other_party, authority="A", contact="B", replaces=entry)


def test_the_page_offers_the_secretariat_verify_and_return_and_shows_the_last_verification(client, entry, secretariat):
    login_verified(client, secretariat)
    page = client.get(reverse("exchange:contacts")).content.decode()
    assert "Return for correction" in page and "Verify and circulate" in page and "never" in page
    response = client.post(reverse("exchange:return_contact", args=[entry.pk]), {"reason": ""})
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == ContactStatus.SUBMITTED  # no reason, not returned
    client.post(reverse("exchange:return_contact", args=[entry.pk]), {"reason": "Lacks two digits"})
    entry.refresh_from_db()
    assert entry.status == ContactStatus.RETURNED
    page = client.get(reverse("exchange:contacts")).content.decode()
    assert "Lacks two digits" in page
    assert f'action="{reverse("exchange:verify_contact", args=[entry.pk])}"' not in page


def test_the_submitting_state_reads_the_reason_and_corrects_on_its_page(client, entry, delegate_party, secretariat):
    services.return_contact(by=secretariat, contact=entry, reason="Lacks two digits")
    login_verified(client, delegate_party)
    page = client.get(reverse("exchange:contacts")).content.decode()
    assert "Lacks two digits" in page and reverse("exchange:correct_contact", args=[entry.pk]) in page
    page = client.get(reverse("exchange:correct_contact", args=[entry.pk])).content.decode()
    assert "Lacks two digits" in page and "+41 58 000 00" in page
    response = client.post(
        reverse("exchange:correct_contact", args=[entry.pk]),
        {"authority": "Federal Customs", "details": "+41 58 000 00 00"},
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.status == ContactStatus.SUBMITTED and entry.contact == "+41 58 000 00 00"


def test_other_states_never_see_a_return_or_its_reason(client, entry, delegate_other_party, secretariat):
    services.verify_contact(by=secretariat, contact=entry)
    services.return_contact(by=secretariat, contact=entry, reason="Lacks two digits")
    services.correct_contact(
        by=entry.submitted_by, contact=entry, authority="Federal Customs", details="+41 58 000 00 00"
    )
    services.verify_contact(by=secretariat, contact=entry)
    login_verified(client, delegate_other_party)
    page = client.get(reverse("exchange:contacts")).content.decode()
    assert "+41 58 000 00 00" in page and "Lacks two digits" not in page
    assert client.get(reverse("exchange:correct_contact", args=[entry.pk])).status_code == 404


def test_the_return_notice_renders_in_every_language_without_content(entry, delegate_party, secretariat):
    from notifications.services import render

    services.return_contact(by=secretariat, contact=entry, reason="Lacks two digits")
    row = Notification.objects.select_related("recipient", "meeting").get(recipient=delegate_party)
    subjects = set()
    for language in ("en", "fr", "es"):
        row.recipient.language = language
        email = render(row)
        subjects.add(email.subject)
        assert reverse("exchange:correct_contact", args=[entry.pk]) in email.body
        assert "two digits" not in email.body and "Federal Customs" not in email.body + email.subject
    assert len(subjects) == 3
