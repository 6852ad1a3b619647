"""ToR rule 8: the silence procedure ends at the end of the fifth calendar day after the day of
distribution, procedural time zone; no objection by then = approved at the first sweep after."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from dief.testing import meeting_factory
from enforcement.models import ScheduledTransition
from enforcement.services import sweep
from experts import services
from experts.enums import ApprovedHow, ProposalStatus
from experts.models import ExpertProposal
from meetings.deadlines import silence_procedure_ends_at
from notifications.enums import NotificationKind
from notifications.models import Notification
from notifications.services import send_pending
from presentations import services as presentation_services

from .conftest import EARLY, EXPERT, SILENCE_END, TICK, ZURICH, at

UTC = datetime.UTC
NEW_YORK = ZoneInfo("America/New_York")


def _proposal_in(secretariat, president, delegate_party, *, start, time_zone, distributed):
    with at(datetime.datetime(2025, 6, 1, tzinfo=UTC)):
        meeting = meeting_factory(
            start_date=start, created_by=secretariat, convened_by=president, time_zone=time_zone, title="Autumn"
        )
        presentation = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="P", summary="S"
        )
    with at(distributed):
        return services.propose_expert(by=delegate_party, presentation=presentation, **EXPERT)


@pytest.mark.parametrize(
    ("time_zone", "distributed", "ends_local"),
    [
        # Summer time (+02:00): ends 18 Oct 23:59:59.999999 Zurich = 21:59:59.999999 UTC.
        ("Europe/Zurich", datetime.datetime(2025, 10, 13, 14, 0, tzinfo=ZURICH), datetime.datetime(2025, 10, 18)),
        # Distributed before the change of 26 October, ends after it (+01:00).
        ("Europe/Zurich", datetime.datetime(2025, 10, 23, 9, 0, tzinfo=ZURICH), datetime.datetime(2025, 10, 28)),
        # Distributed on the day of the change itself.
        ("Europe/Zurich", datetime.datetime(2025, 10, 26, 1, 30, tzinfo=ZURICH), datetime.datetime(2025, 10, 31)),
        # New York: the day of distribution is New York's (13 Oct 14:00 Zurich is 08:00 there).
        ("America/New_York", datetime.datetime(2025, 10, 13, 14, 0, tzinfo=ZURICH), datetime.datetime(2025, 10, 18)),
        # 14 Oct 01:00 in Zurich is still 13 Oct in New York.
        ("America/New_York", datetime.datetime(2025, 10, 14, 1, 0, tzinfo=ZURICH), datetime.datetime(2025, 10, 18)),
        # New York changes on 2 November: ends at -05:00.
        ("America/New_York", datetime.datetime(2025, 10, 29, 12, 0, tzinfo=NEW_YORK), datetime.datetime(2025, 11, 3)),
    ],
)
def test_silence_procedure_ends_at_the_end_of_the_fifth_day_in_the_procedural_zone(
    secretariat, president, delegate_party, other_party, time_zone, distributed, ends_local
):
    zone = ZoneInfo(time_zone)
    expected = datetime.datetime.combine(ends_local.date(), datetime.time.max, tzinfo=zone)
    proposal = _proposal_in(
        secretariat,
        president,
        delegate_party,
        start=datetime.date(2025, 12, 10),
        time_zone=time_zone,
        distributed=distributed,
    )
    assert proposal.silence_ends_at == expected
    assert proposal.silence_ends_at.astimezone(zone).date() == ends_local.date()
    assert services.silence_deadline(proposal).due_at_procedural.utcoffset() == expected.utcoffset()
    row = ScheduledTransition.objects.get(subject_id=proposal.pk, action=services.SILENCE_END)
    assert row.due_at == expected + TICK


def test_summer_and_winter_instants_in_utc(db):
    from dief.testing import tor_version

    v = tor_version()
    summer = silence_procedure_ends_at(datetime.datetime(2025, 10, 13, 12, 0, tzinfo=UTC), "Europe/Zurich", v)
    assert summer == datetime.datetime(2025, 10, 18, 21, 59, 59, 999999, tzinfo=UTC)
    winter = silence_procedure_ends_at(datetime.datetime(2025, 10, 23, 7, 0, tzinfo=UTC), "Europe/Zurich", v)
    assert winter == datetime.datetime(2025, 10, 28, 22, 59, 59, 999999, tzinfo=UTC)
    new_york = silence_procedure_ends_at(datetime.datetime(2025, 10, 13, 12, 0, tzinfo=UTC), "America/New_York", v)
    assert new_york == datetime.datetime(2025, 10, 19, 3, 59, 59, 999999, tzinfo=UTC)


def test_a_proposal_distributed_just_before_t20_gets_its_full_five_days(
    secretariat, president, delegate_party, other_party
):
    # Meeting on 20 Nov 2025: T-30 = 21 Oct, T-20 = 31 Oct. Proposed on the last day (21 Oct).
    proposal = _proposal_in(
        secretariat,
        president,
        delegate_party,
        start=datetime.date(2025, 11, 20),
        time_zone="Europe/Zurich",
        distributed=datetime.datetime(2025, 10, 21, 23, 0, tzinfo=ZURICH),
    )
    assert proposal.silence_ends_at == datetime.datetime(2025, 10, 26, 23, 59, 59, 999999, tzinfo=ZURICH)


def test_no_objection_approves_at_the_first_sweep_after_the_end(delegate_party, delegate_other_party, proposal):
    assert proposal.status == ProposalStatus.IN_SILENCE
    sweep(SILENCE_END)
    assert ExpertProposal.objects.get().status == ProposalStatus.IN_SILENCE
    with at(SILENCE_END + TICK):  # the clock and the sweep agree: the enrolment link's expiry counts from it
        sweep(SILENCE_END + TICK)
    approved = ExpertProposal.objects.get()
    assert approved.status == ProposalStatus.APPROVED
    assert approved.approved_how == ApprovedHow.SILENCE
    assert approved.decided_at == SILENCE_END + TICK
    # Everyone concerned is told once; the inviting State is reminded of the confidentiality obligation.
    told = set(
        Notification.objects.filter(kind=NotificationKind.EXPERT_APPROVED).values_list("recipient__username", flat=True)
    )
    assert {"delegate_party", "delegate_fra", "secretariat"} <= told
    assert Notification.objects.filter(kind=NotificationKind.EXPERT_CONFIDENTIALITY, recipient=delegate_party).exists()
    assert approved.expert_user is not None and approved.expert_user.role == "expert"
    assert not approved.expert_user.has_usable_password()  # nobody sets a password for the expert
    assert Notification.objects.filter(kind="enrolment_link", recipient=approved.expert_user).count() == 1
    with at(SILENCE_END + TICK):
        send_pending()
    assert len([m for m in mail.outbox if m.to == ["ada@example.net"]]) == 1  # the enrolment link, sent once
    sweep(SILENCE_END + datetime.timedelta(hours=1))
    assert Notification.objects.filter(kind=NotificationKind.EXPERT_APPROVED).count() == len(told)


def test_distribution_reaches_every_state_party_and_the_proposer_once_without_the_experts_name(
    delegate_party, delegate_other_party, delegate_signatory, proposal
):
    with at(EARLY):
        send_pending()
    recipients = {m.to[0] for m in mail.outbox}
    assert delegate_party.email in recipients
    assert delegate_other_party.email in recipients
    assert delegate_signatory.email not in recipients  # distribution goes to States Parties (ToR rule 8)
    for message in mail.outbox:
        assert "Ada" not in message.body and "Ada" not in message.subject
        assert "Small Arms Institute" not in message.body
        assert "Rifles" not in message.body
    french = next(m for m in mail.outbox if m.to == [delegate_other_party.email])
    assert "procédure d'approbation tacite" in french.subject  # the recipient's language
    assert "Europe/Paris" in french.body  # the recipient's own zone
    assert "Europe/Zurich" in french.body  # and the procedural one
    assert "règle 8" in french.body  # the deadline with its rule
    english = next(m for m in mail.outbox if m.to == [delegate_party.email])
    assert "End of the silence procedure on an expert proposal" in english.body
    assert "10 January 2099" in english.body or "Jan. 10, 2099" in english.body
    assert len(mail.outbox) == len({m.to[0] for m in mail.outbox})
