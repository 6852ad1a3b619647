"""Every URL that names one object (by id or token) reaches it through its app's
``*_for_user()`` query and :func:`accounts.security.object_for_user_or_404`: a verified user
outside the object's audience gets a 404 and the security log gets one "denied access" row
naming the object's type and id; an id that names nothing gets the same 404 and no row (a miss
on nothing is not denied access). The walk fails on a URL that is in neither table below."""

import uuid

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.enums import SecurityEventKind
from accounts.models import SecurityEvent, User
from dief.testing import login_verified, pdf_bytes

# URL name -> the model of the object its first lookup fetches (app_label.ModelName).
OBJECT_OF = {
    **dict.fromkeys(
        [
            "meetings:detail",
            "meetings:calendar",
            "meetings:change_dates",
            "meetings:convene",
            "meetings:invitation",
            "meetings:invitation_update",
            "meetings:invitation_consult",
            "meetings:invitation_send",
            "meetings:invitation_point_of_contact",
            "meetings:agenda",
            "meetings:agenda_add_item",
            "meetings:agenda_remove_item",
            "meetings:agenda_release_item",
            "meetings:agenda_move_item",
            "meetings:agenda_consult",
            "meetings:agenda_approve",
            "meetings:agenda_distribute",
            "meetings:agenda_adopt",
            "meetings:agenda_upload",
            "meetings:delegations",
            "meetings:delegation_register",
            "experts:list",
            "briefings:create",
            "briefings:arrangement_create",
            "participation:meeting",
        ],
        "meetings.Meeting",
    ),
    **dict.fromkeys(
        [
            "presentations:detail",
            "presentations:notify",
            "presentations:reply",
            "presentations:consent",
            "presentations:right_of_reply",
            "presentations:describe",
            "presentations:information",
            "presentations:upload",
            "experts:propose",
            "exchange:withhold",
        ],
        "presentations.Presentation",
    ),
    "documents:download": "documents.Document",
    "documents:download_log": "documents.Document",
    "exchange:share_document": "documents.Document",
    **dict.fromkeys(["experts:detail", "experts:object", "experts:decision"], "experts.ExpertProposal"),
    **dict.fromkeys(["experts:withdraw", "experts:consultation"], "experts.Objection"),
    **dict.fromkeys(
        [
            "briefings:detail",
            "briefings:edit",
            "briefings:decide",
            "briefings:veto",
            "briefings:open_period",
            "briefings:agree",
            "briefings:deliver",
            "briefings:export_txt",
            "briefings:export_pdf",
        ],
        "briefings.Briefing",
    ),
    **dict.fromkeys(
        ["briefings:arrangement", "briefings:arrangement_status", "briefings:arrangement_secretariat"],
        "briefings.FollowUpArrangement",
    ),
    "sponsorship:decide": "sponsorship.SponsorshipRequest",
    **dict.fromkeys(
        [
            "exchange:detail",
            "exchange:pdf",
            "exchange:upload",
            "exchange:delete",
            "exchange:share",
            "exchange:request_use",
            "exchange:classification",
            "exchange:tighten",
            "exchange:propose_lift",
        ],
        "exchange.Record",
    ),
    "exchange:answer_use": "exchange.OperationalUseRequest",
    **dict.fromkeys(["exchange:object_to_lift", "exchange:decide_lift"], "exchange.LiftProposal"),
    "exchange:revoke_share": "exchange.Share",
    **dict.fromkeys(["exchange:concern", "exchange:concern_answer"], "exchange.DisclosureConcern"),
    **dict.fromkeys(
        ["exchange:verify_contact", "exchange:return_contact", "exchange:correct_contact"],
        "exchange.EnforcementContact",
    ),
}

# URLs with an id that is not a confidential object reached through a *_for_user() query.
NOT_AN_AUDIENCE_LOOKUP = {
    "enrolment_link": "a signed single-use link; a refused link is logged as such (enrolment_link_refused)",
    "password_reset_confirm": "Django's password reset token, for a user without a session",
    "accounts:confirm_grant": "a Secretariat-only tool page over role grants (404 by role first)",
    "accounts:refuse_grant": "a Secretariat-only tool page over role grants (404 by role first)",
    "meetings:chair_confirm": "a Chair appointment, confirmed by a Secretariat officer (404 by role first)",
    "meetings:chair_withdraw": "a Chair appointment, withdrawn by the CSP President (404 by role first)",
}


def object_urls(resolver=None, namespace=""):
    """(name, pattern) of every URL whose path names something (it has a parameter)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            if str(entry.pattern).startswith("admin"):
                continue  # Django's admin: staff only, and no confidential model is in it
            yield from object_urls(entry, f"{namespace}{entry.namespace}:" if entry.namespace else namespace)
        elif isinstance(entry, URLPattern) and entry.pattern.regex.groupindex:
            yield f"{namespace}{entry.name}", entry


def test_every_url_naming_an_object_is_in_one_table():
    names = {name for name, _pattern in object_urls()}
    assert names == set(OBJECT_OF) | set(NOT_AN_AUDIENCE_LOOKUP), names ^ (set(OBJECT_OF) | set(NOT_AN_AUDIENCE_LOOKUP))


@pytest.fixture
def world(db):
    """The demo data, plus one row of every kind it lacks."""
    from briefings import services as briefing_services
    from documents import services as document_services
    from exchange import services as exchange_services
    from experts import services as expert_services
    from experts.models import ExpertProposal
    from meetings.models import Meeting
    from presentations.models import Presentation
    from sponsorship import services as sponsorship_services

    call_command("import_states", verbosity=0)
    call_command("seed_demo", quiet_logins=True)
    users = {u.username: u for u in User.objects.all()}
    for user in users.values():
        user.is_verified = lambda: True  # these calls stand for the users' verified requests
    fra, mex = users["delegate_fra"], users["delegate_mex"]
    presentation = Presentation.objects.filter(presenting_state=fra.state).first()
    document_services.upload(by=fra, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", pdf_bytes("x")))
    expert_services.object_to_proposal(
        by=mex, proposal=ExpertProposal.objects.filter(status="in_silence").first(), reason="Conflict of interest"
    )
    past = Meeting.objects.order_by("start_date").first()
    briefing_services.record_arrangement(
        by=fra, meeting=past, other_states=[mex.state], what="Joint tracing", contact_route="Customs liaison"
    )
    upcoming = Meeting.objects.order_by("-start_date").first()
    sponsorship_services.request_sponsorship(by=users["delegate_bgd"], meeting=upcoming)
    record = exchange_services.records_for_user(fra).filter(provider_state=fra.state).first()
    exchange_services.propose_lift(by=fra, target=record, classification=0, version=record.classification_version)
    exchange_services.raise_concern(by=fra, concerned_state=mex.state, description="Suspected leak")
    return users


def url_for(name, pattern, pk):
    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        kwargs[key] = {"kind": "record", "direction": "up"}.get(key, pk)
    if "token" in kwargs:
        from documents.models import Document

        kwargs["token"] = Document.objects.get(pk=pk).token if pk is not None else uuid.uuid4()
    return reverse(name, kwargs=kwargs)


def request(client, url):
    response = client.get(url)
    if response.status_code == 405:  # a POST-only action
        response = client.post(url, {})
    return response


def denied_rows(after=0):
    rows = SecurityEvent.objects.filter(kind=SecurityEventKind.ACCESS_DENIED, pk__gt=after).order_by("pk")
    return list(rows.values_list("pk", "details"))


def last_row() -> int:
    return SecurityEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0


def test_a_denied_existing_object_is_logged_and_a_missing_one_is_not(client, world):
    from exchange import queries as exchange_queries

    assert exchange_queries  # the demo world is built through the product's own services
    login_verified(client, world["outsider_usa"])  # verified, but its State is not eligible: sees nothing
    for name, pattern in object_urls():
        if name in NOT_AN_AUDIENCE_LOOKUP:
            continue
        model = apps.get_model(OBJECT_OF[name])
        existing = model._base_manager.order_by("pk").values_list("pk", flat=True).first()
        assert existing is not None, f"the test world has no {model._meta.label} for {name}"
        before = last_row()
        response = request(client, url_for(name, pattern, existing))
        assert response.status_code == 404, name
        rows = [details for _pk, details in denied_rows(before)]
        assert rows == [{"object_type": model._meta.label, "object_id": existing}], (name, rows)
        before = last_row()
        missing = model._base_manager.order_by("-pk").values_list("pk", flat=True).first() + 1000
        url = url_for(name, pattern, None if "token" in pattern.pattern.regex.groupindex else missing)
        assert request(client, url).status_code == 404, name
        assert denied_rows(before) == [], (name, "a miss on nothing is not denied access")
