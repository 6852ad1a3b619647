"""Disclosure concerns (ToR rule 15) notify their parties through the outbox, without content,
and each notice is re-checked against the concern when it is sent."""

import uuid

from django.urls import reverse

from dief.testing import UserFactory, login_verified
from exchange import services
from exchange.models import DisclosureConcern
from notifications.models import Notification
from notifications.services import send_pending

SECRET = "Leaked the rifles file to a newspaper"


def raise_one(by, state):
    return services.raise_concern(by=by, concerned_state=state, description=SECRET, submission=uuid.uuid4())


def test_the_participant_concerned_is_notified_without_content(
    delegate_party, delegate_other_party, other_party, delegate_third, mailoutbox
):
    colleague = UserFactory(username="fra_two", state=other_party)
    concern = raise_one(delegate_party, other_party)
    send_pending()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([delegate_other_party.email, colleague.email])
    mail = next(m for m in mailoutbox if m.to == [delegate_other_party.email])
    assert "divulgation" in mail.subject  # in the recipient's language (French)
    assert reverse("exchange:concern", args=[concern.pk]) in mail.body
    assert SECRET not in mail.body and SECRET not in mail.subject and "Switzerland" not in mail.body


def test_an_answer_notifies_both_parties_but_the_one_who_answered(
    client, delegate_party, delegate_other_party, other_party, mailoutbox
):
    colleague = UserFactory(username="fra_two", state=other_party)
    concern = raise_one(delegate_party, other_party)
    send_pending()
    mailoutbox.clear()
    login_verified(client, delegate_other_party)
    client.post(
        reverse("exchange:concern_answer", args=[concern.pk]),
        {"explanation": "A clerk forwarded it", "remedial_measures": "Access revoked"},
    )
    send_pending()
    assert sorted(m.to[0] for m in mailoutbox) == sorted([delegate_party.email, colleague.email])
    assert all("clerk" not in m.body and "revoked" not in m.body for m in mailoutbox)


def test_a_concern_raised_by_the_secretariat_is_answered_to_the_secretariat(
    secretariat, delegate_other_party, other_party, chair, mailoutbox
):
    concern = services.raise_concern(by=secretariat, concerned_state=other_party, description=SECRET)
    services.answer_concern(by=delegate_other_party, concern=concern, explanation="x", remedial_measures="")
    send_pending()
    answered = [m.to[0] for m in mailoutbox if "answered" in m.subject or "répondu" in m.subject]
    assert answered == [secretariat.email]  # not the Chair as such


def test_a_notice_whose_recipient_no_longer_sees_the_concern_is_withheld(
    delegate_party, delegate_other_party, other_party, mailoutbox
):
    concern = raise_one(delegate_party, other_party)
    DisclosureConcern.objects.filter(pk=concern.pk).update(concerned_state=delegate_party.state)
    send_pending()
    assert mailoutbox == []
    notice = Notification.objects.get(recipient=delegate_other_party)
    assert notice.withheld_at is not None


def test_a_double_submission_notifies_once(delegate_party, other_party, delegate_other_party):
    token = uuid.uuid4()
    for _click in range(2):
        services.raise_concern(by=delegate_party, concerned_state=other_party, description=SECRET, submission=token)
    assert Notification.objects.filter(recipient=delegate_other_party).count() == 1


def test_concern_emails_render_in_every_language_without_content(delegate_party, other_party, delegate_other_party):
    from notifications.services import render

    concern = raise_one(delegate_party, other_party)
    services.answer_concern(by=delegate_other_party, concern=concern, explanation="x", remedial_measures="")
    subjects = set()
    for row in Notification.objects.select_related("recipient", "meeting"):
        for language in ("en", "fr", "es"):
            row.recipient.language = language
            email = render(row)
            subjects.add(email.subject)
            assert reverse("exchange:concern", args=[concern.pk]) in email.body
            assert SECRET not in email.body + email.subject
    assert len(subjects) == 6  # two kinds, three languages
