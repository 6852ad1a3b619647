"""Whether a recipient may receive a notice is decided again at the moment of sending."""

import datetime

import pytest
import time_machine
from django.core import mail
from django.core.mail import EmailMultiAlternatives

from dief.testing import UserFactory, appoint_chair
from enforcement.services import sweep
from meetings import services as meeting_services
from notifications import services
from notifications.enums import NotificationKind
from notifications.models import Notification
from notifications.registry import ENTITLEMENTS
from states.enums import TreatyEventKind
from states.models import TreatyEvent

UTC = datetime.UTC
NOW = datetime.datetime(2099, 1, 10, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(NOW, tick=False):
        yield


def _send_with_the_mail_server_down(monkeypatch):
    """One send attempt that fails at the mail server; the rows stay queued for a retry."""

    def down(self, *args, **kwargs):
        raise ConnectionError("mail server down")

    with monkeypatch.context() as m:
        m.setattr(EmailMultiAlternatives, "send", down)
        assert services.send_pending() == 0
    assert Notification.objects.filter(attempts=1, sent_at__isnull=True).exists()


def _outcome(user, kind):
    row = Notification.objects.get(recipient=user, kind=kind)
    sent = [m for m in mail.outbox if m.to == [user.email]]
    if row.withheld_at is not None:
        assert row.sent_at is None and sent == [] and row.last_error.startswith("withheld")
        return "withheld"
    assert row.sent_at is not None and len(sent) == 1
    return "sent"


def _send_invitation(secretariat, meeting):
    meeting_services.record_chair_consultation(by=secretariat, meeting=meeting)
    meeting_services.send_invitation(by=secretariat, meeting=meeting)


def test_every_kind_of_notice_has_an_entitlement_rule():
    assert set(NotificationKind.values) <= set(ENTITLEMENTS), set(NotificationKind.values) - set(ENTITLEMENTS)


def test_an_invitation_queued_before_the_delegate_moved_to_another_state_is_withheld_at_the_retry(
    meeting, secretariat, chair, delegate_party, delegate_other_party, other_party, monkeypatch
):
    _send_invitation(secretariat, meeting)
    _send_with_the_mail_server_down(monkeypatch)
    delegate_party.state = other_party  # still a delegate of an eligible State, but not the one invited
    delegate_party.save()
    services.send_pending()
    assert _outcome(delegate_party, NotificationKind.INVITATION) == "withheld"
    assert _outcome(delegate_other_party, NotificationKind.INVITATION) == "sent"


def test_an_invitation_queued_before_the_delegate_changed_role_is_withheld(
    meeting, secretariat, chair, delegate_other_party, monkeypatch
):
    _send_invitation(secretariat, meeting)
    _send_with_the_mail_server_down(monkeypatch)
    delegate_other_party.role = "national_authority"
    delegate_other_party.save()
    services.send_pending()
    assert _outcome(delegate_other_party, NotificationKind.INVITATION) == "withheld"


def test_a_notice_to_a_state_whose_signature_was_withdrawn_meanwhile_is_withheld(
    meeting, secretariat, chair, delegate_signatory, signatory_state, monkeypatch
):
    _send_invitation(secretariat, meeting)
    _send_with_the_mail_server_down(monkeypatch)
    TreatyEvent.objects.create(
        state=signatory_state, kind=TreatyEventKind.SIGNATURE_WITHDRAWN, date=datetime.date(2099, 1, 9)
    )
    services.send_pending()
    assert _outcome(delegate_signatory, NotificationKind.INVITATION) == "withheld"


def test_a_reminder_goes_only_to_whoever_must_still_act_when_it_is_sent(meeting, secretariat, monkeypatch):
    other_officer = UserFactory(username="officer2", role="secretariat", participant_role="")
    with time_machine.travel(datetime.datetime(2099, 1, 27, 9, tzinfo=UTC), tick=False):
        sweep()  # the 2-day reminder of the invitation (due 2099-01-29)
        _send_with_the_mail_server_down(monkeypatch)
        other_officer.role = "delegate"
        other_officer.save()
        services.send_pending()
    assert _outcome(secretariat, NotificationKind.REMINDER) == "sent"
    assert _outcome(other_officer, NotificationKind.REMINDER) == "withheld"


def test_a_notice_to_an_involved_state_is_withheld_once_the_state_is_no_longer_involved(
    meeting, delegate_party, other_party, delegate_other_party, monkeypatch
):
    from presentations import services as presentation_services
    from presentations.models import InvolvedState

    presentation = presentation_services.register_presentation(
        by=delegate_party, meeting=meeting, kind="case", title="T", summary="S"
    )
    presentation_services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    _send_with_the_mail_server_down(monkeypatch)
    InvolvedState.objects.filter(presentation=presentation).delete()
    services.send_pending()
    assert _outcome(delegate_other_party, NotificationKind.INVOLVED_STATE_NOTICE) == "withheld"


def test_news_of_a_reply_is_withheld_from_a_delegate_who_left_the_presenting_state(
    meeting, delegate_party, party, other_party, delegate_other_party, signatory_state, monkeypatch
):
    from presentations import services as presentation_services

    colleague = UserFactory(username="colleague", state=party)
    presentation = presentation_services.register_presentation(
        by=delegate_party, meeting=meeting, kind="case", title="T", summary="S"
    )
    presentation_services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    services.send_pending()
    presentation_services.submit_reply(by=delegate_other_party, presentation=presentation, text="Our reply")
    _send_with_the_mail_server_down(monkeypatch)
    colleague.state = signatory_state
    colleague.save()
    services.send_pending()
    assert _outcome(delegate_party, NotificationKind.REPLY_RECEIVED) == "sent"
    assert _outcome(colleague, NotificationKind.REPLY_RECEIVED) == "withheld"


def test_an_escalation_is_withheld_from_a_chair_whose_term_ended_before_it_was_sent(
    meeting, secretariat, party, monkeypatch
):
    former_chair = UserFactory(username="former_chair", state=party)
    appointment = appoint_chair(
        former_chair, appointed_on=datetime.date(2098, 1, 1), term_ends_on=datetime.date(2099, 12, 31)
    )
    with time_machine.travel(datetime.datetime(2099, 1, 30, 9, tzinfo=UTC), tick=False):
        sweep()  # the invitation deadline passed unmet: escalated to the Secretariat and the Chair
        _send_with_the_mail_server_down(monkeypatch)
        appointment.term_ends_on = datetime.date(2099, 1, 29)
        appointment.save()
        services.send_pending()
    assert _outcome(secretariat, NotificationKind.DEADLINE_MISSED) == "sent"
    assert _outcome(former_chair, NotificationKind.DEADLINE_MISSED) == "withheld"


def test_a_withheld_notice_is_never_sent_later_even_if_the_recipient_is_entitled_again(
    meeting, secretariat, chair, delegate_party, party, other_party, monkeypatch
):
    _send_invitation(secretariat, meeting)
    _send_with_the_mail_server_down(monkeypatch)
    delegate_party.state = other_party
    delegate_party.save()
    services.send_pending()
    delegate_party.state = party
    delegate_party.save()
    services.send_pending()
    assert _outcome(delegate_party, NotificationKind.INVITATION) == "withheld"
