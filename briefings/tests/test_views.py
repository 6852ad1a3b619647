import re

import pytest
from django.urls import reverse

from briefings import services
from briefings.enums import BriefingStatus, Decision
from dief.errors import RuleViolation
from dief.testing import login_verified


def pages(briefing, arrangement=None):
    pk, meeting_pk = briefing.pk, briefing.meeting_id
    urls = [
        ("get", reverse("briefings:detail", args=[pk])),
        ("get", reverse("briefings:edit", args=[pk])),
        ("get", reverse("briefings:export_txt", args=[pk])),
        ("get", reverse("briefings:export_pdf", args=[pk])),
        ("get", reverse("briefings:create", args=[meeting_pk])),
        ("get", reverse("briefings:arrangement_create", args=[meeting_pk])),
        ("post", reverse("briefings:decide", args=[pk])),
        ("post", reverse("briefings:veto", args=[pk])),
        ("post", reverse("briefings:open_period", args=[pk])),
        ("post", reverse("briefings:agree", args=[pk])),
        ("post", reverse("briefings:deliver", args=[pk])),
        ("get", reverse("briefings:list")),
    ]
    if arrangement is not None:
        urls += [
            ("get", reverse("briefings:arrangement", args=[arrangement.pk])),
            ("post", reverse("briefings:arrangement_status", args=[arrangement.pk])),
            ("post", reverse("briefings:arrangement_secretariat", args=[arrangement.pk])),
        ]
    return urls


@pytest.fixture
def arrangement(participants, past_meeting):
    che, fra, bgd = participants
    return services.record_arrangement(
        by=che, meeting=past_meeting, other_states=[fra.state], what="Joint tracing", contact_route="Customs liaison"
    )


@pytest.mark.parametrize("who", ["delegate_mex", "outsider", "national_authority", "superuser", "president"])
def test_every_page_is_404_for_those_who_did_not_take_part(client, briefing, arrangement, who, request):
    login_verified(client, request.getfixturevalue(who))
    for method, url in pages(briefing, arrangement):
        response = getattr(client, method)(url)
        if who == "delegate_mex" and url == reverse("briefings:list"):
            # The list its menu offers an eligible State's delegate opens, empty: nothing of
            # another meeting's briefings or arrangements is on it (ToR rules 21, 22).
            body = response.content.decode()
            assert response.status_code == 200 and briefing.meeting.title not in body and "Joint tracing" not in body
            continue
        assert response.status_code == 404, (who, url, response.status_code)


def test_arrangement_of_two_states_is_404_to_a_third(client, arrangement, participants, secretariat):
    bgd = participants[2]
    login_verified(client, bgd)
    assert client.get(reverse("briefings:arrangement", args=[arrangement.pk])).status_code == 404
    assert (
        client.post(reverse("briefings:arrangement_status", args=[arrangement.pk]), {"status": "completed"}).status_code
        == 404
    )
    client.logout()
    login_verified(client, secretariat)
    assert client.get(reverse("briefings:arrangement", args=[arrangement.pk])).status_code == 404
    client.logout()
    login_verified(client, participants[1])
    assert client.get(reverse("briefings:arrangement", args=[arrangement.pk])).status_code == 200


def test_secretariat_sees_an_arrangement_once_a_party_adds_it(client, arrangement, participants, secretariat):
    services.add_secretariat(by=participants[1], arrangement=arrangement)
    login_verified(client, secretariat)
    response = client.get(reverse("briefings:arrangement", args=[arrangement.pk]))
    assert response.status_code == 200 and "Joint tracing" in response.content.decode()
    with pytest.raises(RuleViolation):
        services.set_arrangement_status(by=secretariat, arrangement=arrangement, status="completed")


def test_participant_reads_the_outline_and_its_links_but_no_export_before_agreement(client, briefing, participants):
    login_verified(client, participants[2])
    response = client.get(reverse("briefings:detail", args=[briefing.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "end-user certificates" in body and "Diverted rifles" in body
    assert reverse("briefings:export_pdf", args=[briefing.pk]) not in body
    response = client.get(reverse("briefings:export_txt", args=[briefing.pk]))
    assert response.status_code == 302


def test_participant_decides_through_the_page(client, briefing, participants):
    login_verified(client, participants[1])
    client.post(reverse("briefings:decide", args=[briefing.pk]), {"decision": "object", "reason": "No", "version": 1})
    assert briefing.decisions.get().decision == Decision.OBJECT
    response = client.post(
        reverse("briefings:decide", args=[briefing.pk]), {"decision": "bogus", "version": "x"}, follow=True
    )
    assert response.status_code == 200 and "(règle 22 des ToR)" in response.content.decode()  # in French


def test_chair_page_says_why_agreement_cannot_be_recorded(client, briefing, chair):
    login_verified(client, chair)
    body = client.get(reverse("briefings:detail", args=[briefing.pk])).content.decode()
    assert "Not every State that took part has agreed yet" in body
    assert reverse("briefings:agree", args=[briefing.pk]) not in body


def test_exports_of_an_agreed_outline(client, briefing, participants, chair):
    for d in participants:
        services.decide(by=d, briefing=briefing, decision=Decision.AGREE, version=1)
    services.record_agreement(by=chair, briefing=briefing)
    login_verified(client, participants[0])
    txt = client.get(reverse("briefings:export_txt", args=[briefing.pk]))
    assert txt.status_code == 200 and "end-user certificates" in txt.content.decode()
    assert "Diverted rifles" not in txt.content.decode()
    pdf = client.get(reverse("briefings:export_pdf", args=[briefing.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_briefing_list_query_count_is_flat(client, chair, past_meeting, participants, django_assert_max_num_queries):
    for i in range(5):
        services.draft_briefing(by=chair, meeting=past_meeting, text=f"Outline {i}")
    login_verified(client, participants[0])
    with django_assert_max_num_queries(25):
        response = client.get(reverse("briefings:list"))
    assert response.status_code == 200
    assert response.content.decode().count("Outline") >= 5
    assert BriefingStatus.DRAFT


def test_every_briefing_email_renders_without_content(client, briefing, participants, chair, past_meeting, mailoutbox):
    import datetime

    import time_machine

    from notifications.models import Notification
    from notifications.services import send_pending

    che, fra, bgd = participants
    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        services.open_decision_period(by=chair, briefing=briefing, last_day=datetime.date(2026, 12, 5))
        services.edit_briefing(by=chair, briefing=briefing, text="Lessons on brokers.", seen_version=1)
        services.decide(by=fra, briefing=briefing, decision=Decision.OBJECT, version=2, reason="Secret reason")
        services.decide(by=fra, briefing=briefing, decision=Decision.AGREE, version=2)
        for d in (che, bgd):
            services.decide(by=d, briefing=briefing, decision=Decision.AGREE, version=2)
        briefing = services.record_agreement(by=chair, briefing=briefing)
        services.record_delivery(
            by=chair, briefing=briefing, body="wgeti", delivered_on=datetime.date(2026, 12, 1), delivered_by="Chair"
        )
        other = services.draft_briefing(by=chair, meeting=past_meeting, text="Another outline.", presentations=[])
        services.record_arrangement(
            by=che, meeting=past_meeting, other_states=[bgd.state], what="Secret plan", contact_route="x"
        )
        send_pending()
    assert not Notification.objects.filter(sent_at__isnull=True).exists()
    assert not Notification.objects.exclude(last_error="").exists()
    kinds = set(Notification.objects.values_list("kind", flat=True))
    assert {
        "briefing_drafted",
        "briefing_decision_period",
        "briefing_revised",
        "briefing_objection",
        "briefing_objection_withdrawn",
        "briefing_agreed",
        "briefing_delivered",
        "arrangement_recorded",
    } <= kinds
    for message in mailoutbox:
        for secret in ("brokers", "Secret reason", "Secret plan", "France", "Bangladesh", "Diverted rifles"):
            assert secret not in message.body and secret not in message.subject
    period = [m for m in mailoutbox if "decision period" in m.subject]
    assert period and "Europe/Zurich" in period[0].body
    assert other.pk


def test_chair_opens_a_decision_period_through_the_page(client, briefing, chair):
    import datetime

    import time_machine

    with time_machine.travel(datetime.datetime(2026, 12, 1, 10, 0, tzinfo=datetime.UTC), tick=False):
        login_verified(client, chair)
        client.post(reverse("briefings:open_period", args=[briefing.pk]), {"last_day": "2026-12-09"})
        body = client.get(reverse("briefings:detail", args=[briefing.pk])).content.decode()
    briefing.refresh_from_db()
    assert briefing.decision_period_last_day == datetime.date(2026, 12, 9)
    assert "procedural time (Europe/Zurich)" in body
    assert "Their silence counts as agreement when the decision period ends" in body
    assert reverse("briefings:open_period", args=[briefing.pk]) not in body


def test_veto_through_the_page_needs_confirmation(client, briefing, participants):
    fra = participants[1]
    login_verified(client, fra)
    page = client.get(reverse("briefings:detail", args=[briefing.pk])).content.decode()
    assert "Opposer un veto à la synthèse" in page  # French interface
    client.post(reverse("briefings:veto", args=[briefing.pk]), {})
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.DRAFT
    client.post(reverse("briefings:veto", args=[briefing.pk]), {"confirm": "yes"})
    briefing.refresh_from_db()
    assert briefing.status == BriefingStatus.VETOED


def test_the_briefing_outlines_come_a_page_at_a_time_without_a_count(client, participants, chair, past_meeting):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from briefings.models import Briefing
    from dief import clock
    from dief.pagination import PAGE_SIZE

    now = clock.now()
    Briefing.objects.bulk_create(
        Briefing(meeting=past_meeting, text="t", drafted_by=chair, drafted_at=now, edited_at=now)
        for _ in range(PAGE_SIZE + 2)
    )
    delegate = participants[1]
    login_verified(client, delegate)
    with CaptureQueriesContext(connection) as queries:
        first = client.get(reverse("briefings:list")).content.decode()
    assert not [q for q in queries.captured_queries if "COUNT(" in q["sql"]]
    outline = re.compile(r'href="/briefings/\d+/"')
    assert len(outline.findall(first)) == PAGE_SIZE
    assert "?page=2" in first and "Spring meeting" in first
    second = client.get(reverse("briefings:list"), {"page": 2}).content.decode()
    assert len(outline.findall(second)) == 2
