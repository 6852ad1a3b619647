"""Presentations, involved States and replies: every guard on both sides of its deadline (ToR rules 11, 12)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from agendas import services as agenda_services
from dief import clock
from dief.errors import RuleViolation
from dief.testing import login_verified
from notifications.enums import NotificationKind
from notifications.models import Notification
from presentations import services
from presentations.enums import Consent, RightOfReply
from presentations.models import Presentation, Reply
from presentations.queries import presentations_for_user

ZURICH = ZoneInfo("Europe/Zurich")
# The meeting fixture starts on 20 March 2099: T-30 = 18 Feb, T-15 = 5 Mar (Geneva).
T30_END = datetime.datetime(2099, 2, 18, 23, 59, 59, tzinfo=ZURICH)
T15_END = datetime.datetime(2099, 3, 5, 23, 59, 59, tzinfo=ZURICH)
EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=ZURICH)


def at(instant):
    return time_machine.travel(instant, tick=False)


@pytest.fixture
def presentation(meeting, delegate_party):
    with at(EARLY):
        return services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Rifles via port X", summary="Diverted rifles"
        )


def test_registration_is_open_before_the_invitation(meeting, delegate_party):
    assert not meeting.invitation.is_sent
    with at(EARLY):
        p = services.register_presentation(by=delegate_party, meeting=meeting, kind="case", title="T", summary="S")
    assert p.presenting_state == delegate_party.state


@pytest.mark.parametrize("persona", ["secretariat", "president", "national_authority", "outsider"])
def test_only_delegates_of_eligible_states_register(meeting, persona, request):
    user = request.getfixturevalue(persona)
    with pytest.raises(RuleViolation) as refused, at(EARLY):
        services.register_presentation(by=user, meeting=meeting, kind="case", title="T", summary="S")
    assert refused.value.rule == "6"
    assert not Presentation.objects.exists()


def test_registration_closes_when_the_agenda_is_adopted(meeting, delegate_party, secretariat, chair, presentation):
    with at(EARLY):
        agenda_services.add_item(by=secretariat, meeting=meeting, title="Opening")
        agenda_services.approve(by=chair, meeting=meeting, seen=agenda_services.current_edition(meeting))
        agenda_services.distribute(by=secretariat, meeting=meeting, seen=agenda_services.current_edition(meeting))
    with at(datetime.datetime(2099, 3, 20, 9, 0, tzinfo=ZURICH)):
        services.register_presentation(
            by=delegate_party, meeting=meeting, kind="information", title="Late", summary="S"
        )
        agenda_services.adopt(by=secretariat, meeting=meeting, seen=agenda_services.current_edition(meeting))
        with pytest.raises(RuleViolation, match="ToR rule 11") as refused:
            services.register_presentation(
                by=delegate_party, meeting=meeting, kind="case", title="Too late", summary="S"
            )
    assert refused.value.rule == "11"
    assert not Presentation.objects.filter(title="Too late").exists()


def test_involved_states_notice_one_second_before_and_after_t_minus_30(
    presentation, other_party, delegate_other_party, delegate_party, django_capture_on_commit_callbacks
):
    with at(T30_END + datetime.timedelta(seconds=1)):
        with pytest.raises(RuleViolation, match="ToR rule 12"):
            services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    assert not presentation.involved_states.exists()
    with at(T30_END - datetime.timedelta(seconds=1)):
        created = services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    assert [i.state for i in created] == [other_party]
    notice = Notification.objects.get(kind=NotificationKind.INVOLVED_STATE_NOTICE)
    assert notice.recipient == delegate_other_party
    assert "Rifles" not in str(notice.context) and "Diverted" not in str(notice.context)


def test_only_the_presenting_state_names_eligible_involved_states(
    presentation, other_party, delegate_other_party, delegate_party, withdrawn_state, party
):
    with at(EARLY):
        with pytest.raises(RuleViolation):
            services.notify_involved_states(by=delegate_other_party, presentation=presentation, states=[other_party])
        with pytest.raises(RuleViolation, match="ToR rules 6, 12"):
            services.notify_involved_states(by=delegate_party, presentation=presentation, states=[withdrawn_state])
        with pytest.raises(RuleViolation):
            services.notify_involved_states(by=delegate_party, presentation=presentation, states=[party])
    assert not presentation.involved_states.exists()


def test_involved_state_sees_the_summary_and_replies_late_after_t_minus_15(
    presentation, other_party, delegate_other_party, delegate_party, django_capture_on_commit_callbacks
):
    assert not presentations_for_user_verified(delegate_other_party).filter(pk=presentation.pk).exists()
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    assert presentations_for_user_verified(delegate_other_party).filter(pk=presentation.pk).exists()
    with at(T15_END - datetime.timedelta(seconds=1)):
        on_time = services.submit_reply(by=delegate_other_party, presentation=presentation, text="We disagree")
    assert not on_time.late
    on_time.delete()
    with at(T15_END + datetime.timedelta(seconds=1)):
        late = services.submit_reply(by=delegate_other_party, presentation=presentation, text="We disagree")
    assert late.late


def test_a_double_submitted_reply_creates_one_reply_and_one_notification(
    presentation, other_party, delegate_other_party, delegate_party, client, django_capture_on_commit_callbacks
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
        login_verified(client, delegate_other_party)
        url = reverse("presentations:reply", args=[presentation.pk])
        with django_capture_on_commit_callbacks(execute=True):
            client.post(url, {"text": "Our response"})
            client.post(url, {"text": "Our response, again"})
    assert Reply.objects.count() == 1 and Reply.objects.get().text == "Our response"
    assert Notification.objects.filter(kind=NotificationKind.REPLY_RECEIVED).count() == 1


def test_only_involved_states_reply_and_the_presenting_state_cannot_edit_or_remove(
    presentation, other_party, delegate_other_party, delegate_party, delegate_signatory
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
        with pytest.raises(RuleViolation, match="ToR rule 12"):
            services.submit_reply(by=delegate_signatory, presentation=presentation, text="Not ours")
        with pytest.raises(RuleViolation):
            services.submit_reply(by=delegate_party, presentation=presentation, text="Self reply")
        services.submit_reply(by=delegate_other_party, presentation=presentation, text="Theirs")
    from presentations import urls

    names = {p.name for p in urls.urlpatterns}
    assert not any("delete" in n or "edit" in n for n in names)
    assert Reply.objects.get().text == "Theirs"


def test_consent_legally_required_blocks_scheduling_until_every_involved_state_consents(
    meeting, delegate_party, other_party, delegate_other_party, signatory_state, delegate_signatory, secretariat
):
    with at(EARLY):
        p = services.register_presentation(
            by=delegate_party,
            meeting=meeting,
            kind="case",
            title="Needs consent",
            summary="S",
            consent_legally_required=True,
        )
        services.notify_involved_states(by=delegate_party, presentation=p, states=[other_party, signatory_state])
        assert {i.consent for i in p.involved_states.all()} == {Consent.PENDING}
        with pytest.raises(RuleViolation, match="ToR rule 12"):
            agenda_services.add_item(by=secretariat, meeting=meeting, title="", presentation=p)
        services.submit_reply(by=delegate_other_party, presentation=p, text="OK", consent=True)
        assert not services.can_be_scheduled(p)
        services.submit_reply(by=delegate_signatory, presentation=p, text="OK", consent=True)
        assert services.can_be_scheduled(p)
        item = agenda_services.add_item(by=secretariat, meeting=meeting, title="", presentation=p)
    assert item.title == "" and str(item.display_title) == "case of suspected or detected diversion"


def test_consent_is_not_asked_when_not_legally_required(
    presentation, other_party, delegate_party, delegate_other_party
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
        assert presentation.involved_states.get().consent == Consent.NOT_ASKED
        assert services.can_be_scheduled(presentation)
        with pytest.raises(RuleViolation):
            services.set_consent(by=delegate_other_party, presentation=presentation, consent=True)


def test_right_of_reply_is_recorded_by_the_chair_in_office_after_the_presentation(
    presentation, other_party, delegate_party, chair, secretariat
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    involved = presentation.involved_states.get()
    with at(datetime.datetime(2099, 3, 19, 23, 59, 59, tzinfo=ZURICH)):
        with pytest.raises(RuleViolation, match="ToR rule 12"):
            services.record_right_of_reply(by=chair, involved=involved, decision=RightOfReply.GIVEN)
    with at(datetime.datetime(2099, 3, 20, 0, 0, 1, tzinfo=ZURICH)):
        with pytest.raises(RuleViolation, match="not on the adopted agenda"):
            services.record_right_of_reply(by=chair, involved=involved, decision=RightOfReply.GIVEN)
        services.mark_on_adopted_agenda(
            meeting=presentation.meeting, presentation_ids=[presentation.pk], at=clock.now()
        )
        with pytest.raises(RuleViolation):
            services.record_right_of_reply(by=secretariat, involved=involved, decision=RightOfReply.GIVEN)
        services.record_right_of_reply(by=chair, involved=involved, decision=RightOfReply.WAIVED)
    involved.refresh_from_db()
    assert involved.right_of_reply == RightOfReply.WAIVED and involved.right_of_reply_recorded_by == chair


def test_registered_participants_see_presentations_and_others_do_not(
    presentation, meeting, delegate_signatory, delegate_other_party, president, national_authority
):
    assert not presentations_for_user_verified(delegate_signatory).exists()
    with at(EARLY):
        services.register_delegation(by=delegate_signatory, meeting=meeting, members=[delegate_signatory])
    assert presentations_for_user_verified(delegate_signatory).filter(pk=presentation.pk).exists()
    assert not presentations_for_user_verified(delegate_other_party).exists()
    assert not presentations_for_user_verified(president).exists()
    assert not presentations_for_user_verified(national_authority).exists()


def test_a_delegation_lists_only_own_state_delegates(meeting, delegate_party, delegate_other_party):
    registration = services.register_delegation(
        by=delegate_party, meeting=meeting, members=[delegate_party, delegate_other_party]
    )
    assert list(registration.members.all()) == [delegate_party]


def test_outsider_gets_404_from_detail_list_search_and_replies(
    client, presentation, other_party, delegate_party, outsider, delegate_signatory
):
    with at(EARLY):
        services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    for user in (outsider, delegate_signatory):
        login_verified(client, user)  # the real clock: the session starts now
        assert client.get(reverse("presentations:detail", args=[presentation.pk])).status_code == 404
        assert client.post(reverse("presentations:reply", args=[presentation.pk]), {"text": "x"}).status_code == 404
        listing = client.get(reverse("presentations:list") + "?q=port").content.decode()
        assert "Rifles via port X" not in listing and "Diverted rifles" not in listing
    assert not Reply.objects.exists()


def test_presentation_list_query_count_does_not_grow(
    client, meeting, delegate_party, secretariat, django_assert_max_num_queries
):
    login_verified(client, secretariat)
    with at(EARLY):
        services.register_presentation(by=delegate_party, meeting=meeting, kind="case", title="P0", summary="S")
    with django_assert_max_num_queries(40) as few:
        client.get(reverse("presentations:list"))
    with at(EARLY):
        for i in range(1, 12):
            services.register_presentation(by=delegate_party, meeting=meeting, kind="case", title=f"P{i}", summary="S")
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("presentations:list"))
    assert response.content.decode().count("/presentations/") >= 12


def presentations_for_user_verified(user):
    user.is_verified = lambda: True
    return presentations_for_user(user)


def test_register_through_the_page(client, meeting, delegate_party):
    with at(EARLY):
        login_verified(client, delegate_party)
        response = client.post(
            reverse("presentations:create"),
            {"meeting": meeting.pk, "kind": "case", "title": "Via the page", "summary": "S"},
        )
    assert response.status_code == 302, response.context["form"].errors
    p = Presentation.objects.get()
    assert response.status_code == 302 and response.url == reverse("presentations:detail", args=[p.pk])


def test_a_double_submitted_registration_creates_one_presentation(meeting, delegate_party):
    with at(EARLY):
        first = services.register_presentation(by=delegate_party, meeting=meeting, kind="case", title="T", summary="S")
        again = services.register_presentation(by=delegate_party, meeting=meeting, kind="case", title="T", summary="S")
    assert first == again and Presentation.objects.count() == 1


def test_the_presentations_list_is_paginated_with_the_same_queries_for_10_and_120_rows(
    client, secretariat, meeting, delegate_party, django_assert_num_queries
):
    import re

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from dief.pagination import PAGE_SIZE
    from presentations.models import Presentation

    login_verified(client, secretariat)

    def make(n):
        Presentation.objects.bulk_create(
            Presentation(
                meeting=meeting,
                presenting_state=delegate_party.state,
                registered_by=delegate_party,
                registered_at=meeting.created_at,
                kind="case",
                title=f"Case {i}",
                summary="s",
            )
            for i in range(n)
        )

    make(10)
    client.get(reverse("presentations:list"))
    with CaptureQueriesContext(connection) as ten:
        client.get(reverse("presentations:list"))
    make(110)
    with CaptureQueriesContext(connection) as many:
        response = client.get(reverse("presentations:list"))
    # no COUNT of the whole list: one row more than a page tells whether a next page exists
    assert len(many.captured_queries) == len(ten.captured_queries)
    body = response.content.decode()
    assert len(re.findall(r'href="/presentations/\d+/"', body)) == PAGE_SIZE
    assert "?page=2" in body
    last = client.get(reverse("presentations:list") + "?page=99").content.decode()  # past the end: the last page
    assert "Case" in last and client.get(reverse("presentations:list") + "?page=x").status_code == 200
