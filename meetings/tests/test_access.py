"""Nobody outside the eligible States, and nobody without a second factor, learns anything.

ToR rules 6 and 14: non-eligible States, observers and the public get nothing, not even a
meeting's existence. Superuser opens no confidential content.
"""

import datetime

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from dief.testing import login_password_only, login_verified, make_state
from meetings.queries import meetings_for_user

OPEN_PAGES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "health",  # load balancer probe: names its checks only (dief/tests/test_health.py)
    "twofactor:verify",
    "twofactor:enrol",
    "enrolment_link",
}


def all_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin":
                continue
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from all_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", entry


def confidential_objects(meeting):
    """One of each confidential object hanging off ``meeting``: a presentation with an involved
    State, a reply, an agenda item and a document."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from agendas.models import Agenda, AgendaItem
    from dief.testing import UserFactory
    from documents.models import Document
    from presentations.models import InvolvedState, Presentation, Reply

    presenter = UserFactory(username=f"presenter{meeting.pk}", state=make_state("FRA", status="state_party"))
    involved_state = make_state("CHE", status="state_party")
    presentation = Presentation.objects.create(
        meeting=meeting,
        presenting_state=presenter.state,
        registered_by=presenter,
        registered_at=meeting.created_at,
        kind="case",
        title="Secret case title",
        summary="Secret summary",
    )
    involved = InvolvedState.objects.create(
        presentation=presentation, state=involved_state, notified_at=meeting.created_at
    )
    Reply.objects.create(
        presentation=presentation,
        state=involved_state,
        text="Secret reply",
        submitted_by=presenter,
        submitted_at=meeting.created_at,
    )
    agenda = Agenda.objects.create(meeting=meeting)
    item = AgendaItem.objects.create(agenda=agenda, position=1, title="Secret item", presentation=presentation)
    document = Document(
        presentation=presentation,
        original_name="secret.pdf",
        content_type="application/pdf",
        size=10,
        sha256="0" * 64,
        uploaded_by=presenter,
        uploaded_at=meeting.created_at,
    )
    document.file.save("x", SimpleUploadedFile("x", b"%PDF-1.4 secret"), save=False)
    document.save()
    from presentations.services import sync_presentation_access

    sync_presentation_access(presentation)
    from experts.models import ExpertProposal, Objection

    proposal = ExpertProposal.objects.create(
        meeting=meeting,
        presentation=presentation,
        proposing_state=presenter.state,
        proposed_by=presenter,
        expert_name="Secret expert",
        expert_affiliation="Secret institute",
        expert_email="secret@example.net",
        expertise=["investigating"],
        purpose="Secret purpose",
        distributed_at=meeting.created_at,
        silence_ends_at=meeting.created_at,
    )
    objection = Objection.objects.create(
        proposal=proposal,
        state=involved_state,
        reason="Secret reason",
        objected_by=presenter,
        objected_at=meeting.created_at,
    )
    from briefings.models import Briefing, FollowUpArrangement
    from sponsorship.models import SponsorshipRequest

    briefing = Briefing.objects.create(
        meeting=meeting,
        text="Secret outline",
        drafted_by=presenter,
        drafted_at=meeting.created_at,
        edited_at=meeting.created_at,
    )
    arrangement = FollowUpArrangement.objects.create(
        meeting=meeting,
        what="Secret arrangement",
        contact_route="Secret route",
        created_by=presenter,
        created_at=meeting.created_at,
        updated_at=meeting.created_at,
        secretariat_added_at=meeting.created_at,
    )
    arrangement.states.set([presenter.state, involved_state])
    sponsorship = SponsorshipRequest.objects.create(
        meeting=meeting, state=presenter.state, requested_by=presenter, requested_at=meeting.created_at
    )
    return {
        "presentation": presentation,
        "involved": involved,
        "item": item,
        "document": document,
        "proposal": proposal,
        "objection": objection,
        "briefing": briefing,
        "arrangement": arrangement,
        "sponsorship": sponsorship,
    }


def url_for(name, pattern, meeting, objects):
    keys = list(pattern.pattern.regex.groupindex)
    if name in ("experts:withdraw", "experts:consultation"):
        pk = objects["objection"].pk
    elif name.startswith("experts:"):
        pk = objects["proposal"].pk
    elif name.startswith("briefings:arrangement"):
        pk = objects["arrangement"].pk
    elif name.startswith("briefings:"):
        pk = objects["briefing"].pk
    elif name.startswith("sponsorship:"):
        pk = objects["sponsorship"].pk
    elif name.startswith("presentations:"):
        pk = objects["presentation"].pk
    else:
        pk = meeting.pk
    ids = {
        "pk": pk,
        "meeting_pk": meeting.pk,
        "presentation_pk": objects["presentation"].pk,
        "item_pk": objects["item"].pk,
        "involved_pk": objects["involved"].pk,
        "token": objects["document"].token,
        "state_pk": objects["involved"].state_id,
        "kind": "record",
        "direction": "up",
    }
    # Other apps' URLs (their own access tests walk them with their objects) get a made-up id.
    return reverse(name, kwargs={k: ids.get(k, 1) for k in keys})


def meeting_urls(meeting, objects=None):
    objects = objects or confidential_objects(meeting)
    return [(n, url_for(n, p, meeting, objects)) for n, p in all_url_names() if n not in OPEN_PAGES]


SECRETS = (
    "Secret case title",
    "Secret summary",
    "Secret reply",
    "Secret item",
    "secret.pdf",
    "Secret expert",
    "Secret purpose",
    "Secret reason",
    "Secret outline",
    "Secret arrangement",
)


def test_every_url_pattern_is_walked(meeting):
    names = {n for n, _ in meeting_urls(meeting)}
    assert {
        "meetings:list",
        "meetings:detail",
        "meetings:calendar",
        "meetings:invitation",
        "meetings:invitation_send",
        "home",
        "profile",
        "twofactor:devices",
        "experts:detail",
        "experts:consultation",
    } <= names


@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_gets_nothing_from_any_url(client, meeting, method):
    for name, url in meeting_urls(meeting):
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("login")), name
        assert meeting.title not in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_password_only_session_gets_nothing_from_any_url(client, meeting, secretariat, method):
    login_password_only(client, secretariat)
    for name, url in meeting_urls(meeting):
        response = getattr(client, method)(url)
        assert response.status_code == 302, name
        assert response.url.startswith(reverse("twofactor:verify")), name
    meeting.invitation.refresh_from_db()
    assert not meeting.invitation.is_sent


@pytest.mark.parametrize("persona", ["outsider", "national_authority", "superuser", "non_signatory_user"])
def test_users_outside_eligible_states_get_404_from_every_meeting_url(client, meeting, persona, request, chair):
    if persona == "non_signatory_user":
        from dief.testing import UserFactory

        user = UserFactory(username="nonsig", state=make_state("PRK", status="none"))
    else:
        user = request.getfixturevalue(persona)
    login_verified(client, user)
    objects = confidential_objects(meeting)
    for name, url in meeting_urls(meeting, objects):
        if name in (
            "meetings:list",
            "meetings:create",
            "meetings:chair",
            "meetings:released",
            "presentations:list",
            "presentations:create",
        ) or not (
            name.startswith(
                ("meetings:", "presentations:", "documents:", "briefings:", "participation:", "sponsorship:")
            )
        ):
            continue
        missing_url = (
            url.replace(f"/{meeting.pk}/", "/987654/")
            .replace(f"/{objects['presentation'].pk}/", "/987654/")
            .replace(f"/{objects['briefing'].pk}/", "/987654/")
            .replace(f"/{objects['arrangement'].pk}/", "/987654/")
            .replace(f"/{objects['sponsorship'].pk}/", "/987654/")
            .replace(str(objects["document"].token), "0" * 32)
        )
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            # 404, or 405 for a GET on a POST-only action: the same answer as for a meeting
            # that does not exist, so nothing tells the meeting is there.
            assert response.status_code in (404, 405), (persona, name, method)
            assert response.status_code == getattr(client, method)(missing_url).status_code, (persona, name, method)
            assert meeting.title not in response.content.decode()
            assert not any(secret in response.content.decode() for secret in SECRETS), (persona, name)
    for listing_url in (
        reverse("meetings:list"),
        reverse("presentations:list") + "?q=Secret",
        reverse("due:list"),
        reverse("due:ics"),
    ):
        listing = client.get(listing_url).content.decode()
        assert meeting.title not in listing
        assert not any(secret in listing for secret in SECRETS)
    assert client.get(reverse("meetings:create")).status_code == 403
    meeting.invitation.refresh_from_db()
    assert not meeting.invitation.is_sent


def test_superuser_sees_no_meeting_even_through_the_admin(client, meeting, superuser):
    login_verified(client, superuser)
    assert list(meetings_for_user(superuser)) == []
    assert client.get("/admin/meetings/meeting/").status_code == 404
    assert client.get("/admin/meetings/invitation/").status_code == 404


@pytest.mark.parametrize("persona", ["delegate_party", "delegate_signatory", "secretariat", "president", "chair"])
def test_eligible_personas_see_the_meeting(client, meeting, persona, request):
    user = request.getfixturevalue(persona)
    login_verified(client, user)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    assert meeting.title in client.get(reverse("meetings:list")).content.decode()


def test_a_state_whose_signature_is_withdrawn_loses_access_from_that_date(
    client, meeting, signatory_state, delegate_signatory
):
    from states.enums import TreatyEventKind
    from states.models import TreatyEvent

    login_verified(client, delegate_signatory)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200
    TreatyEvent.objects.create(
        state=signatory_state, kind=TreatyEventKind.SIGNATURE_WITHDRAWN, date=datetime.date(2020, 1, 1)
    )
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404


def test_a_state_that_becomes_signatory_gains_access_after_resync(client, meeting):
    from dief.testing import UserFactory
    from meetings.services import sync_all_meeting_access

    newcomer = make_state("NEW", status="none")
    user = UserFactory(username="newcomer", state=newcomer)
    login_verified(client, user)
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 404
    make_state("NEW", status="signatory", signed=datetime.date(2020, 5, 1))
    sync_all_meeting_access()
    assert client.get(reverse("meetings:detail", args=[meeting.pk])).status_code == 200


def test_guardian_grants_go_to_state_groups_through_direct_foreign_keys(meeting, party, withdrawn_state):
    from meetings.models import MeetingGroupObjectPermission

    groups = set(
        MeetingGroupObjectPermission.objects.filter(content_object=meeting).values_list("group__name", flat=True)
    )
    assert "State:CHE" in groups and "Secretariat" in groups
    assert "State:USA" not in groups


def test_permission_rows_do_not_outlive_a_deleted_meeting(meeting, secretariat, president):
    from dief.testing import meeting_factory
    from meetings.models import MeetingGroupObjectPermission

    pk = meeting.pk
    meeting.delete()
    assert not MeetingGroupObjectPermission.objects.filter(content_object_id=pk).exists()
    assert meeting_factory(start_date=datetime.date(2098, 1, 1), created_by=secretariat, convened_by=president)
