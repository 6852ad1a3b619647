"""Every URL of the platform against every persona and both record audiences (ToR rules 6,
13-16, 20). The matrix is data: a URL without a row fails the walk. Cells not allowed get
404 (or the login / second-factor redirect); a denied POST changes nothing."""

import datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.enums import Role
from dief.testing import UserFactory, login_password_only, login_verified, pdf_bytes
from exchange import models, services
from exchange.enums import Audience

PERSONAS = (
    "anonymous",
    "password_only",
    "secretariat",
    "chair",
    "party",  # State Party delegate of the provider State (Switzerland)
    "signatory",  # signatory State delegate (Bangladesh), chosen as audience
    "other",  # delegate of another State Party (Mexico), not chosen
    "authority_shared",
    "authority_unshared",
    "expert",
    "superuser",
)
DELEGATES = {"chair", "party", "signatory", "other"}
AUTHORITIES = {"authority_shared", "authority_unshared"}
PROVIDER = {"party", "chair"}  # the Chair is a delegate of Switzerland too


def record_readers(audience):
    readers = {"party", "chair", "signatory", "authority_shared"}
    return readers | {"other"} if audience == "all" else readers


# name -> (GET readers (a function of the audience) or None for POST-only, allowed POST actors, POST data key)
MATRIX = {
    "exchange:list": (lambda a: DELEGATES | AUTHORITIES, set(), None),
    "exchange:create": (lambda a: DELEGATES, DELEGATES, "create"),
    "exchange:detail": (record_readers, set(), None),
    "exchange:pdf": (record_readers, set(), None),
    "exchange:classification": (record_readers, set(), None),
    "exchange:shares": (lambda a: DELEGATES | AUTHORITIES, set(), None),
    "exchange:concerns": (lambda a: DELEGATES | {"secretariat"}, DELEGATES | {"secretariat"}, "concern"),
    "exchange:concern": (lambda a: {"party", "chair", "signatory"}, set(), None),
    "exchange:contacts": (lambda a: DELEGATES | {"secretariat"}, DELEGATES, "contact"),
    "documents:download_lookup": (lambda a: {"secretariat"}, set(), None),
    # The record's document: its readers' delegates; the national authority user's share here is of
    # the record alone (documents go only when ticked, or one by one).
    "documents:download": (lambda a: record_readers(a) - {"authority_shared"}, set(), None),
    "exchange:upload": (None, PROVIDER, "none"),
    "exchange:delete": (None, PROVIDER, "none"),
    "exchange:share": (None, PROVIDER, "share"),
    "exchange:request_use": (None, {"signatory", "other"}, "use"),
    "exchange:answer_use": (None, PROVIDER, "answer"),
    "exchange:withhold": (None, PROVIDER, "withhold"),
    "exchange:share_document": (None, PROVIDER, "share"),
    "exchange:tighten": (None, PROVIDER, "tighten"),
    "exchange:propose_lift": (None, PROVIDER, "lift"),
    "exchange:object_to_lift": (None, {"signatory", "other"}, "none"),
    "exchange:decide_lift": (None, PROVIDER, "none"),
    "exchange:revoke_share": (None, PROVIDER, "none"),
    "exchange:concern_answer": (None, {"signatory"}, "answer_concern"),
    "exchange:verify_contact": (None, {"secretariat"}, "none"),
}


def platform_url_names(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from platform_url_names(entry, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            name = f"{namespace}{entry.name}"
            if name.startswith(("exchange:", "documents:")):
                yield name, entry


def test_every_platform_url_has_a_row_in_the_matrix():
    names = {name for name, _ in platform_url_names()}
    assert names == set(MATRIX), names ^ set(MATRIX)


@pytest.fixture
def world(meeting, party, other_party, signatory_state, secretariat, chair, delegate_party, delegate_signatory):
    from presentations.services import register_presentation

    mexico_delegate = UserFactory(username="delegate_mex_m", state=other_party)  # France: not in the audience
    authority_shared = UserFactory(username="na_shared", role=Role.NATIONAL_AUTHORITY, state=party, participant_role="")
    authority_unshared = UserFactory(username="na_none", role=Role.NATIONAL_AUTHORITY, state=party, participant_role="")
    expert = UserFactory(username="expert_m", role=Role.EXPERT, state=party, participant_role="")
    superuser = UserFactory(
        username="root_m", role=Role.ADMINISTRATOR, participant_role="", is_superuser=True, is_staff=True
    )
    password_only = UserFactory(username="pw_only", state=party)
    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        presentation = register_presentation(by=delegate_party, meeting=meeting, kind="case", title="P", summary="S")
    return {
        "users": {
            "secretariat": secretariat,
            "chair": chair,
            "party": delegate_party,
            "signatory": delegate_signatory,
            "other": mexico_delegate,
            "authority_shared": authority_shared,
            "authority_unshared": authority_unshared,
            "expert": expert,
            "superuser": superuser,
            "password_only": password_only,
        },
        "presentation": presentation,
        "signatory_state": signatory_state,
    }


def objects_for(world, audience):
    users = world["users"]
    provider = users["party"]
    record = services.share_record(
        by=provider,
        title=f"Matrix secret {audience}",
        audience=Audience.ALL_ELIGIBLE if audience == "all" else Audience.CHOSEN,
        states=[world["signatory_state"]],
        information_types=["a"],
    )
    document = services.add_record_document(
        by=provider, record=record, uploaded=SimpleUploadedFile("m.pdf", pdf_bytes("Matrix secret"))
    )
    share = services.share_with_authority(by=provider, recipient=users["authority_shared"], record=record)
    proposal = services.propose_lift(by=provider, target=record, classification=0, version=1)
    use = services.request_operational_use(by=users["signatory"], record=record, purpose="other")
    concern = services.raise_concern(by=provider, concerned_state=world["signatory_state"], description="Matrix secret")
    contact = services.submit_contact(by=provider, authority="Matrix customs", contact="+41")
    return {
        "pk": record.pk,
        "kind": "record",
        "record": record,
        "document": document,
        "ids": {
            "exchange:share_document": document.pk,
            "exchange:object_to_lift": proposal.pk,
            "exchange:decide_lift": proposal.pk,
            "exchange:answer_use": use.pk,
            "exchange:concern": concern.pk,
            "exchange:concern_answer": concern.pk,
            "exchange:verify_contact": contact.pk,
            "exchange:revoke_share": share.pk,
            "exchange:withhold": world["presentation"].pk,
        },
    }


def url(name, pattern, objs):
    kwargs = {}
    for key in pattern.pattern.regex.groupindex:
        if key == "kind":
            kwargs[key] = objs["kind"]
        elif key == "token":
            kwargs[key] = objs["document"].token
        else:
            kwargs[key] = objs["ids"].get(name, objs["pk"])
    return reverse(name, kwargs=kwargs)


def post_data(key, world, objs):
    return {
        None: {},
        "none": {},
        "create": {"title": "x", "audience": "all", "information_types": ["a"], "classification": 1},
        "concern": {"concerned_state": world["signatory_state"].pk, "description": "x"},
        "contact": {"authority": "x", "contact": "y"},
        "share": {"recipient": world["users"]["authority_unshared"].pk},
        "use": {"purpose": "enforcement"},
        "answer": {"answer": "refused"},
        "withhold": {"reason": "national_security"},
        "tighten": {"classification": 2, "version": 1},
        "lift": {"classification": 0, "version": 1},
        "answer_concern": {"explanation": "x"},
    }[key]


def snapshot():
    from documents.models import Document

    tables = (
        models.Record,
        models.Share,
        models.LiftProposal,
        models.LiftObjection,
        models.ClassificationDecision,
        models.OperationalUseRequest,
        models.DisclosureConcern,
        models.EnforcementContact,
        models.Withholding,
        models.RecordDocument,
        Document,
    )
    return {t.__name__: sorted(map(repr, t.objects.values())) for t in tables}


@pytest.mark.parametrize("audience", ["chosen", "all"])
def test_permission_matrix(client, world, audience):
    objs = objects_for(world, audience)
    walked = dict(platform_url_names())
    for persona in PERSONAS:
        client.logout()
        if persona == "password_only":
            login_password_only(client, world["users"][persona])
        elif persona != "anonymous":
            login_verified(client, world["users"][persona])
        for name, (readers, actors, data_key) in MATRIX.items():
            target = url(name, walked[name], objs)
            cell = (audience, persona, name)
            before = snapshot()
            if readers is not None:
                response = client.get(target)
                if persona == "anonymous":
                    assert response.status_code == 302 and response.url.startswith(reverse("login")), cell
                elif persona == "password_only":
                    assert response.status_code == 302 and "/twofactor/verify/" in response.url, cell
                elif persona in readers(audience):
                    assert response.status_code == 200, cell
                else:
                    assert response.status_code == 404, cell
                    assert "Matrix secret" not in response.content.decode(), cell
                assert snapshot() == before, cell
            if data_key is not None and persona not in actors:
                response = client.post(target, post_data(data_key, world, objs))
                assert response.status_code in (302, 404), cell
                if persona == "anonymous":
                    assert response.url.startswith(reverse("login")), cell
                assert snapshot() == before, cell
