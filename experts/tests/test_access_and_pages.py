"""Who sees what of expert proposals, and what each page offers (ToR rules 8, 14, 15)."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dief.testing import UserFactory, login_verified, meeting_factory
from documents import services as document_services
from documents.queries import documents_for_user
from enforcement.services import sweep
from experts import services
from experts.enums import ProposalStatus
from experts.models import ConfidentialityAcknowledgement, ExpertProposal, Objection
from experts.queries import proposals_for_user
from meetings.queries import meetings_for_user
from presentations import services as presentation_services
from presentations.queries import presentations_for_user

from .conftest import EARLY, SILENCE_END, TICK, ZURICH, at

DURING = datetime.datetime(2099, 1, 7, 12, 0, tzinfo=ZURICH)
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def page(client, user, url, method="get", **data):
    client.logout()
    login_verified(client, user)
    return getattr(client, method)(url, data) if data or method == "post" else client.get(url)


@pytest.fixture
def objection(delegate_party, delegate_other_party, proposal):
    with at(DURING):
        return services.object_to_proposal(by=delegate_other_party, proposal=proposal, reason="Conflict of interest")


def test_the_consultation_thread_is_404_to_all_but_the_two_states_and_the_secretariat(
    client,
    objection,
    delegate_party,
    delegate_other_party,
    secretariat,
    delegate_third_party,
    delegate_signatory,
    national_authority,
    outsider,
    president,
):
    url = reverse("experts:consultation", args=[objection.pk])
    with at(DURING):
        for user in (delegate_party, delegate_other_party, secretariat):
            response = page(client, user, url)
            assert response.status_code == 200, user
            assert "Conflict of interest" in response.content.decode()
        for user in (delegate_third_party, delegate_signatory, national_authority, outsider, president):
            assert page(client, user, url).status_code == 404, user
            assert page(client, user, url, "post", text="Hello").status_code == 404, user
        withdraw = reverse("experts:withdraw", args=[objection.pk])
        assert page(client, delegate_third_party, withdraw, "post").status_code == 404
    assert Objection.objects.get().withdrawn_at is None


def test_a_signatorys_objection_post_changes_nothing_and_the_form_says_why(
    client, delegate_party, delegate_signatory, proposal
):
    url = reverse("experts:object", args=[proposal.pk])
    with at(DURING):
        form = page(client, delegate_signatory, url).content.decode()
        assert "Only States Parties may object" in form and "<textarea" not in form
        page(client, delegate_signatory, url, "post", reason="We object")
    assert not Objection.objects.exists()
    assert ExpertProposal.objects.get().status == ProposalStatus.IN_SILENCE


def test_the_detail_page_shows_the_silence_end_in_both_zones_with_its_rule_and_offers_what_is_allowed(
    client, delegate_party, delegate_other_party, proposal
):
    url = reverse("experts:detail", args=[proposal.pk])
    delegate_other_party.language = "en"
    delegate_other_party.save()
    with at(DURING):
        html = page(client, delegate_other_party, url).content.decode()
    assert "Europe/Zurich" in html and "Europe/Paris" in html and "ToR rule 8" in html
    assert reverse("experts:object", args=[proposal.pk]) in html
    with at(SILENCE_END + TICK):
        html = page(client, delegate_other_party, url).content.decode()
    assert reverse("experts:object", args=[proposal.pk]) not in html
    assert "silence procedure on this proposal has ended" in html


def test_objection_withdrawal_and_consultation_through_the_pages(
    client, delegate_party, delegate_other_party, proposal
):
    with at(DURING):
        page(client, delegate_other_party, reverse("experts:object", args=[proposal.pk]), "post", reason="Too close")
        objection = Objection.objects.get()
        page(client, delegate_party, reverse("experts:consultation", args=[objection.pk]), "post", text="Let us talk")
        assert objection.messages.count() == 1
        confirm = page(client, delegate_other_party, reverse("experts:withdraw", args=[objection.pk]), "get")
        # Asking first: the page says what happens, with the rule, and withdraws nothing yet.
        assert "règle 8 des ToR" in confirm.content.decode() and 'method="post"' in confirm.content.decode()
        assert Objection.objects.get().withdrawn_at is None
        page(client, delegate_other_party, reverse("experts:withdraw", args=[objection.pk]), "post")
    assert Objection.objects.get().withdrawn_at is not None


def test_the_list_of_a_meetings_proposals_takes_the_same_queries_for_one_or_many(
    client, delegate_party, delegate_other_party, proposal, meeting, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    url = reverse("experts:list", args=[meeting.pk])
    with at(DURING):
        login_verified(client, delegate_other_party)
        with CaptureQueriesContext(connection) as one:
            response = client.get(url)
        assert "Dr Ada Example" in response.content.decode()
        for n in range(3):
            services.propose_expert(
                by=delegate_party,
                presentation=proposal.presentation,
                expert_name=f"Expert {n}",
                expert_affiliation="Lab",
                expert_email=f"e{n}@example.net",
                expertise=["addressing"],
                purpose="Help",
            )
        with django_assert_num_queries(len(one.captured_queries)):
            response = client.get(url)
    assert response.content.decode().count("Expert ") >= 3


def test_proposals_are_404_outside_the_meeting_scope(client, proposal, national_authority, outsider, president):
    for user in (national_authority, outsider, president):
        with at(DURING):
            assert page(client, user, reverse("experts:detail", args=[proposal.pk])).status_code == 404
            assert not proposals_for_user(expert_verified(client, user)).exists()


def test_the_propose_page_says_why_after_t30(client, delegate_party, presentation):
    url = reverse("experts:propose", args=[presentation.pk])
    with at(EARLY):
        assert 'name="expert_name"' in page(client, delegate_party, url).content.decode()
    with at(datetime.datetime(2099, 2, 19, 0, 0, tzinfo=ZURICH)):
        html = page(client, delegate_party, url).content.decode()
        assert 'name="expert_name"' not in html and "ToR rule 8" in html
        page(
            client,
            delegate_party,
            url,
            "post",
            expert_name="X",
            expert_affiliation="Y",
            expert_email="x@example.net",
            expertise="investigating",
            purpose="Z",
        )
    assert not ExpertProposal.objects.exists()


# --- the expert ------------------------------------------------------------------------------


@pytest.fixture
def approved(delegate_party, proposal, meeting):
    with at(EARLY):
        document_services.upload(
            by=delegate_party, presentation=proposal.presentation, uploaded=SimpleUploadedFile("r.pdf", PDF)
        )
        other = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="information", title="Other case", summary="S"
        )
        document_services.upload(by=delegate_party, presentation=other, uploaded=SimpleUploadedFile("o.pdf", PDF))
    sweep(SILENCE_END + TICK)
    proposal = ExpertProposal.objects.get(pk=proposal.pk)
    assert proposal.status == ProposalStatus.APPROVED
    return proposal


def test_the_expert_sees_nothing_before_acknowledging(client, approved, meeting):
    expert = approved.expert_user
    with at(SILENCE_END + datetime.timedelta(days=1)):
        login_verified(client, expert)
        assert not meetings_for_user(expert_verified(client, expert)).exists()
        assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
        assert client.get(reverse("presentations:detail", args=[approved.presentation_id])).status_code == 404
        html = client.get(reverse("experts:acknowledge")).content.decode()
        assert "ToR rule 15" in html and meeting.title not in html and "Rifles" not in html


def expert_verified(client, expert):
    expert.is_verified = lambda: True
    return expert


def test_after_acknowledging_the_expert_sees_only_its_presentation_during_the_meeting(
    client, approved, meeting, secretariat, president, delegate_party
):
    expert = approved.expert_user
    with at(datetime.datetime(2099, 2, 1, tzinfo=ZURICH)):
        other_meeting = meeting_factory(
            start_date=datetime.date(2099, 9, 1), created_by=secretariat, convened_by=president, title="Other"
        )
    with at(SILENCE_END + datetime.timedelta(days=1)):
        login_verified(client, expert)
        response = client.post(
            reverse("experts:acknowledge"), {"acknowledge": "on", "text_version": services.CONFIDENTIALITY_TEXT_VERSION}
        )
        assert response.status_code == 302
        ack = ConfidentialityAcknowledgement.objects.get()
        assert ack.expert == expert and ack.text_version == services.CONFIDENTIALITY_TEXT_VERSION and ack.text
        user = expert_verified(client, expert)
        assert list(meetings_for_user(user)) == [meeting]
        assert list(presentations_for_user(user)) == [approved.presentation]
        assert [d.original_name for d in documents_for_user(user)] == ["r.pdf"]
        page = client.get(reverse("meetings:detail", args=[meeting.pk]))
        assert page.status_code == 200
        # the practical details only: no convening decision, invitation or ToR calendar
        body = page.content.decode()
        assert meeting.venue in body and "Convened by" not in body and "Invitation" not in body
        assert "ToR rule 9" not in body
        classification = reverse("exchange:classification", args=["presentation", approved.presentation_id])
        assert client.get(classification).status_code == 404
        assert client.get(reverse("meetings:detail", args=[other_meeting.pk])).status_code == 404
        assert client.get(reverse("presentations:detail", args=[approved.presentation_id])).status_code == 200
        for name in ("meetings:agenda", "meetings:delegations", "meetings:invitation", "experts:list"):
            assert client.get(reverse(name, args=[meeting.pk])).status_code == 404, name
        assert client.get(reverse("experts:detail", args=[approved.pk])).status_code == 404
        listing = client.get(reverse("presentations:list")).content.decode()
        assert "Rifles via port X" in listing and "Other case" not in listing
    with at(datetime.datetime(2099, 3, 20, 23, 59, tzinfo=ZURICH)):  # the meeting's last day
        assert meetings_for_user(expert_verified(client, expert)).exists()
        login_verified(client, expert)
        assert client.get(reverse("presentations:detail", args=[approved.presentation_id])).status_code == 200
    with at(datetime.datetime(2099, 3, 21, 0, 0, tzinfo=ZURICH)):  # the day after: nothing
        login_verified(client, expert)
        user = expert_verified(client, expert)
        assert not meetings_for_user(user).exists()
        assert not presentations_for_user(user).exists()
        assert not documents_for_user(user).exists()
        assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404


def test_only_the_invited_expert_acknowledges(approved, delegate_party):
    other_expert = UserFactory(username="someone", role="expert", state=delegate_party.state, participant_role="")
    with pytest.raises(services.RuleViolation), at(SILENCE_END + datetime.timedelta(days=1)):
        services.acknowledge_confidentiality(
            by=other_expert, proposal=approved, text_version=services.CONFIDENTIALITY_TEXT_VERSION
        )
    with pytest.raises(services.RuleViolation), at(datetime.datetime(2099, 3, 21, 1, 0, tzinfo=ZURICH)):
        services.acknowledge_confidentiality(
            by=approved.expert_user, proposal=approved, text_version=services.CONFIDENTIALITY_TEXT_VERSION
        )
    assert not ConfidentialityAcknowledgement.objects.exists()


def test_the_proposal_page_links_to_the_presentation_only_for_who_can_open_it(
    client, proposal, delegate_party, delegate_other_party, delegate_signatory
):
    """Never a link to what the viewer cannot open (ToR rule 14)."""
    from django.urls import reverse

    from dief.testing import login_verified

    url = reverse("presentations:detail", args=[proposal.presentation_id])
    seen = []
    for user in (delegate_party, delegate_other_party, delegate_signatory):
        login_verified(client, user)
        response = client.get(reverse("experts:detail", args=[proposal.pk]))
        if response.status_code != 200:
            continue
        page = response.content.decode()
        sees = client.get(url).status_code == 200
        assert (url in page) == sees
        seen.append(sees)
    assert True in seen and False in seen
