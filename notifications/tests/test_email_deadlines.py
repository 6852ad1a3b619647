"""An email that sets or recalls a duty names its deadline: the rule and the instant in the
recipient's zone and the procedural zone, both labelled (rules.md, Time and Email)."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.utils import dateformat, formats, translation

from enforcement.services import deadline_context
from meetings.deadlines import meeting_deadline
from meetings.enums import DeadlineKey
from notifications import services
from notifications.enums import NotificationKind
from notifications.models import Notification

LANGUAGES = [code for code, _name in settings.LANGUAGES]
RECIPIENT_ZONE = "America/Santiago"

#: Kinds whose email sets or recalls a duty before a deadline, and the deadlines it must name.
DUTY_KINDS = {
    NotificationKind.INVITATION: (
        DeadlineKey.EXPERT_PROPOSAL,
        DeadlineKey.INVOLVED_STATE_NOTICE,
        DeadlineKey.INVOLVED_STATE_RESPONSE,
    ),
    NotificationKind.MEETING_CHANGED: (
        DeadlineKey.EXPERT_PROPOSAL,
        DeadlineKey.INVOLVED_STATE_NOTICE,
        DeadlineKey.INVOLVED_STATE_RESPONSE,
    ),
    NotificationKind.REMINDER: (DeadlineKey.INVITATION,),
    NotificationKind.DEADLINE_MISSED: (DeadlineKey.INVITATION,),
    NotificationKind.INVOLVED_STATE_NOTICE: (DeadlineKey.INVOLVED_STATE_RESPONSE,),
    NotificationKind.EXPERT_OBJECTION: (DeadlineKey.EXPERT_OBJECTION_RESOLUTION,),
}
#: Kinds whose duty runs to a deadline of their own, not counted back from the meeting (the
#: end of a silence procedure): experts/tests/test_silence_procedure.py checks their emails.
OWN_DEADLINE_KINDS = {NotificationKind.EXPERT_PROPOSAL}
#: Kinds that only tell of something done, with no duty attached.
NEWS_KINDS = {
    NotificationKind.REPLY_RECEIVED,
    NotificationKind.AGENDA_DISTRIBUTED,
    NotificationKind.AGENDA_REVISED,
    NotificationKind.EXPERT_CONSULTATION,
    NotificationKind.EXPERT_APPROVED,
    NotificationKind.EXPERT_REFERRED,
    NotificationKind.EXPERT_NOT_APPROVED,
    NotificationKind.EXPERT_CONFIDENTIALITY,
    NotificationKind.BRIEFING_DRAFTED,
    NotificationKind.BRIEFING_REVISED,
    NotificationKind.BRIEFING_OBJECTION,
    NotificationKind.BRIEFING_OBJECTION_WITHDRAWN,
    NotificationKind.BRIEFING_AGREED,
    NotificationKind.BRIEFING_VETOED,
    NotificationKind.BRIEFING_DELIVERED,
    NotificationKind.ARRANGEMENT_RECORDED,
    NotificationKind.SPONSORSHIP_UPDATED,
    NotificationKind.INFORMATION_SHARED,
}
#: Kinds about one's own account, with no meeting and no ToR deadline (accounts' tests cover them).
ACCOUNT_KINDS = {NotificationKind.ENROLMENT_LINK}
#: Kinds whose email names a period of its own (not a meeting's ToR deadline), in both zones.
OWN_PERIOD_KINDS = {NotificationKind.BRIEFING_DECISION_PERIOD}
#: Bilateral steps on the platform, with no meeting and no ToR deadline (a disclosure concern
#: asks for an answer, by no date; a returned enforcement contact asks for a correction):
#: exchange/tests/test_concerns.py and test_contacts.py check their emails.
#: Operational-use requests and answers (rule 16) and lift proposals (rule 15, whose objection
#: period the page shows): due/tests/test_bilateral.py checks their recipients and emails.
PLATFORM_KINDS = {
    NotificationKind.CONCERN_RAISED,
    NotificationKind.CONCERN_ANSWERED,
    NotificationKind.USE_REQUESTED,
    NotificationKind.USE_ANSWERED,
    NotificationKind.LIFT_PROPOSED,
    NotificationKind.CONTACT_RETURNED,
}


def test_every_kind_of_email_is_classified_as_setting_a_duty_or_not():
    classified = set(DUTY_KINDS) | NEWS_KINDS | OWN_DEADLINE_KINDS | ACCOUNT_KINDS | OWN_PERIOD_KINDS | PLATFORM_KINDS
    assert classified == set(NotificationKind.values)
    assert not (set(DUTY_KINDS) | NEWS_KINDS) & OWN_PERIOD_KINDS
    assert not set(DUTY_KINDS) & NEWS_KINDS
    assert not (set(DUTY_KINDS) | NEWS_KINDS) & OWN_PERIOD_KINDS


@pytest.mark.parametrize("language", LANGUAGES)
def test_a_briefing_decision_period_email_names_its_end_in_both_zones(meeting, delegate_party, language):
    delegate_party.language, delegate_party.time_zone = language, RECIPIENT_ZONE
    delegate_party.save()
    ends_at = datetime.datetime(2099, 2, 10, 22, 59, 59, 999999, tzinfo=datetime.UTC)
    services.queue(
        "test:period",
        [delegate_party],
        NotificationKind.BRIEFING_DECISION_PERIOD,
        meeting=meeting,
        context={"due_at": ends_at.isoformat(), "procedural_time_zone": "Europe/Zurich", "path": "/briefings/1/"},
    )
    row = Notification.objects.select_related("recipient", "meeting").get(
        kind=NotificationKind.BRIEFING_DECISION_PERIOD
    )
    body = services.render(row).body
    assert _in(language, ends_at, "Europe/Zurich") in body and _in(language, ends_at, RECIPIENT_ZONE) in body
    assert "(Europe/Zurich)" in body and f"({RECIPIENT_ZONE})" in body
    assert " 22" in body  # ToR rule 22


def _row(meeting, user, kind):
    context = {}
    if kind in (NotificationKind.REMINDER, NotificationKind.DEADLINE_MISSED):
        context = deadline_context(meeting_deadline(meeting, DeadlineKey.INVITATION), 7)
    if kind == NotificationKind.INVOLVED_STATE_NOTICE:
        context = {
            **deadline_context(meeting_deadline(meeting, DeadlineKey.INVOLVED_STATE_RESPONSE)),
            "presentation_id": 1,
        }
    if kind == NotificationKind.EXPERT_OBJECTION:
        context = deadline_context(meeting_deadline(meeting, DeadlineKey.EXPERT_OBJECTION_RESOLUTION))
    if kind == NotificationKind.REPLY_RECEIVED:
        context = {"presentation_id": 1}
    services.queue(f"test:{kind}", [user], kind, meeting=meeting, context=context)
    return Notification.objects.select_related("recipient", "meeting").get(kind=kind, recipient=user)


def _in(language, instant, zone):
    with translation.override(language):
        return dateformat.format(instant.astimezone(ZoneInfo(zone)), formats.get_format("DATETIME_FORMAT"))


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", sorted(DUTY_KINDS))
def test_an_email_that_sets_or_recalls_a_duty_names_each_deadline_in_both_zones(
    meeting, delegate_party, kind, language
):
    delegate_party.language, delegate_party.time_zone = language, RECIPIENT_ZONE
    delegate_party.save()
    body = services.render(_row(meeting, delegate_party, kind)).body
    for key in DUTY_KINDS[kind]:
        deadline = meeting_deadline(meeting, key)
        with translation.override(language):
            label = str(deadline.label)
        assert label in body, (key, body)
        assert _in(language, deadline.due_at, "Europe/Zurich") in body, body
        assert _in(language, deadline.due_at, RECIPIENT_ZONE) in body, body
        assert f" {deadline.rule})" in body or f" {deadline.rule} " in body
    assert "(Europe/Zurich)" in body and f"({RECIPIENT_ZONE})" in body
    if kind in (NotificationKind.INVITATION, NotificationKind.MEETING_CHANGED):
        assert re.search(r"\b11\b", body)  # registration closes at adoption (ToR rule 11)


@pytest.mark.parametrize("kind", sorted(NEWS_KINDS - {"enrolment_link"}))  # its link: accounts/tests
def test_an_email_without_a_duty_renders_in_every_language(meeting, delegate_party, kind):
    for language in LANGUAGES:
        delegate_party.language = language
        delegate_party.save()
        Notification.objects.all().delete()
        email = services.render(_row(meeting, delegate_party, kind))
        if kind == NotificationKind.INFORMATION_SHARED:  # platform information: no meeting to name
            assert email.subject and "/exchange/shares/" in email.body
        else:
            assert meeting.title in email.subject + email.body


def test_the_invitation_names_the_deadlines_of_the_dates_when_it_is_sent(meeting, secretariat, delegate_party):
    from meetings import services as meeting_services

    row = _row(meeting, delegate_party, NotificationKind.INVITATION)
    meeting_services.change_meeting_dates(
        by=secretariat, meeting=meeting, start_date=datetime.date(2099, 5, 20), end_date=datetime.date(2099, 5, 20)
    )
    row.meeting.refresh_from_db()
    body = services.render(row).body
    response = meeting_deadline(row.meeting, DeadlineKey.INVOLVED_STATE_RESPONSE)
    assert response.due_date == datetime.date(2099, 5, 5)
    assert _in("en", response.due_at, "Europe/Zurich") in body
