"""Information records (ToR rules 13, 18, 19), classification (rule 15), shares and
operational use (rule 16), disclosure concerns (rule 15) and contacts (rule 20)."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.models import Group, Permission
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dief.confidentiality import Classification
from dief.errors import RuleViolation
from dief.testing import UserFactory, login_verified, pdf_bytes, pdf_text
from documents.models import DocumentAccess
from exchange import services
from exchange.enums import Audience, LiftStatus
from exchange.models import ClassificationDecision, Record, RecordGroupObjectPermission, Share
from exchange.queries import facets_and_total, records_for_user, search_records, type_facets
from exchange.tasks import notify_share
from notifications.models import Notification


def test_a_record_reaches_the_chosen_states_only(
    record_to_france, delegate_party, delegate_other_party, delegate_third
):
    assert records_for_user(delegate_party).filter(pk=record_to_france.pk).exists()
    assert records_for_user(delegate_other_party).filter(pk=record_to_france.pk).exists()
    assert not records_for_user(delegate_third).filter(pk=record_to_france.pk).exists()


def test_a_record_to_all_reaches_every_eligible_state_and_no_other(
    record_to_all,
    delegate_third,
    delegate_signatory,
    outsider,
    secretariat,
    chair,
    expert,
    superuser,
    national_authority,
):
    for user in (delegate_third, delegate_signatory, chair):
        assert records_for_user(user).filter(pk=record_to_all.pk).exists(), user
    for user in (outsider, secretariat, expert, superuser, national_authority):
        assert not records_for_user(user).exists(), user


def test_a_record_needs_a_rule_19_type_and_an_eligible_audience(delegate_party, withdrawn_state):
    with pytest.raises(RuleViolation, match="rule 19"):
        services.share_record(by=delegate_party, title="T", audience=Audience.ALL_ELIGIBLE, information_types=[])
    with pytest.raises(RuleViolation, match="rule 13"):
        services.share_record(
            by=delegate_party, title="T", audience=Audience.CHOSEN, states=[withdrawn_state], information_types=["a"]
        )
    assert not Record.objects.exists()


def test_only_delegates_of_eligible_states_share(outsider, national_authority, secretariat):
    for user in (outsider, national_authority, secretariat):
        with pytest.raises(RuleViolation):
            services.share_record(by=user, title="T", audience=Audience.ALL_ELIGIBLE, information_types=["a"])


def test_sharing_twice_with_one_form_token_makes_one_record(delegate_party):
    import uuid

    token = uuid.uuid4()
    kwargs = dict(by=delegate_party, title="Same", audience=Audience.ALL_ELIGIBLE, information_types=["a"])
    assert services.share_record(**kwargs, submission=token) == services.share_record(**kwargs, submission=token)
    assert Record.objects.count() == 1
    services.share_record(**kwargs, submission=uuid.uuid4())
    assert Record.objects.count() == 2  # another form, another record, even with the same title


def test_global_or_user_view_permission_given_by_mistake_exposes_nothing(record_to_france, delegate_third, third_party):
    perm = Permission.objects.get(codename="view_record", content_type__app_label="exchange")
    third_party.group.permissions.add(perm)
    delegate_third.user_permissions.add(perm)
    from guardian.shortcuts import assign_perm

    assign_perm("exchange.view_record", delegate_third, record_to_france)  # a user-level object permission
    assert not records_for_user(delegate_third).filter(pk=record_to_france.pk).exists()


def test_deleting_a_record_leaves_no_permission_rows(record_to_france, delegate_party, delegate_third, third_party):
    pk = record_to_france.pk
    services.delete_record(by=delegate_party, record=record_to_france)
    assert not RecordGroupObjectPermission.objects.filter(content_object_id=pk).exists()
    new = services.share_record(
        by=delegate_party, title="New", audience=Audience.CHOSEN, states=[third_party], information_types=["a"]
    )
    groups = set(RecordGroupObjectPermission.objects.filter(content_object=new).values_list("group__name", flat=True))
    assert groups == {"State:MEX"}


def test_only_the_provider_tightens_and_it_needs_the_version_read(
    record_to_france, delegate_party, delegate_other_party
):
    with pytest.raises(RuleViolation, match="rule 15"):
        services.tighten_classification(
            by=delegate_other_party, target=record_to_france, classification=Classification.DELEGATES_ONLY, version=1
        )
    with pytest.raises(RuleViolation, match="stricter"):
        services.tighten_classification(
            by=delegate_party, target=record_to_france, classification=Classification.LIFTED, version=1
        )
    services.tighten_classification(
        by=delegate_party, target=record_to_france, classification=Classification.DELEGATES_ONLY, version=1
    )
    with pytest.raises(RuleViolation, match="changed"):
        services.tighten_classification(
            by=delegate_party, target=record_to_france, classification=Classification.DELEGATES_ONLY, version=1
        )
    record_to_france.refresh_from_db()
    assert (record_to_france.classification, record_to_france.classification_version) == (2, 2)
    decision = ClassificationDecision.objects.get(record=record_to_france)
    assert (decision.version, decision.from_classification, decision.to_classification) == (1, 1, 2)


def test_lifting_needs_no_objection_until_the_period_ends(record_to_france, delegate_party, delegate_other_party):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        proposal = services.propose_lift(
            by=delegate_party, target=record_to_france, classification=Classification.LIFTED, version=1
        )
        with pytest.raises(RuleViolation, match="still object"):
            services.decide_lift(proposal=proposal)
    assert proposal.objections_close_at == datetime.datetime(2026, 3, 7, 22, 59, 59, 999999, tzinfo=datetime.UTC)
    with time_machine.travel(start + datetime.timedelta(days=6), tick=False):
        assert services.decide_lift(proposal=proposal).status == LiftStatus.LIFTED
        assert services.decide_lift(proposal=proposal).status == LiftStatus.LIFTED  # twice: once
    record_to_france.refresh_from_db()
    assert record_to_france.classification == Classification.LIFTED
    assert ClassificationDecision.objects.filter(record=record_to_france, proposal=proposal, version=1).count() == 1


def test_one_objection_blocks_lifting(record_to_france, delegate_party, delegate_other_party, delegate_third):
    proposal = services.propose_lift(
        by=delegate_party, target=record_to_france, classification=Classification.LIFTED, version=1
    )
    with pytest.raises(RuleViolation):  # Mexico did not receive the record
        services.object_to_lift(by=delegate_third, proposal=proposal)
    services.object_to_lift(by=delegate_other_party, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == LiftStatus.BLOCKED
    record_to_france.refresh_from_db()
    assert record_to_france.classification == Classification.CONFIDENTIAL


def test_a_lift_decided_on_an_old_version_is_superseded(record_to_france, delegate_party):
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        proposal = services.propose_lift(
            by=delegate_party, target=record_to_france, classification=Classification.LIFTED, version=1
        )
        services.tighten_classification(
            by=delegate_party, target=record_to_france, classification=Classification.DELEGATES_ONLY, version=1
        )
    proposal.refresh_from_db()
    assert proposal.status == LiftStatus.SUPERSEDED
    record_to_france.refresh_from_db()
    assert record_to_france.classification == Classification.DELEGATES_ONLY


def test_a_share_reaches_the_named_authority_user_until_revoked(
    client, record_to_france, delegate_other_party, authority_other
):
    login_verified(client, authority_other)
    url = reverse("exchange:detail", args=[record_to_france.pk])
    assert client.get(url).status_code == 404
    share = services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    assert client.get(url).status_code == 200
    assert "DIEF CONFIDENTIAL" in client.get(url).content.decode()
    services.revoke_share(by=delegate_other_party, share=share)
    assert client.get(url).status_code == 404


def test_a_tightened_classification_ends_authority_access_on_the_next_request(
    client, record_to_france, delegate_party, delegate_other_party, authority_other
):
    services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    login_verified(client, authority_other)
    url = reverse("exchange:detail", args=[record_to_france.pk])
    assert client.get(url).status_code == 200
    services.tighten_classification(
        by=delegate_party, target=record_to_france, classification=Classification.DELEGATES_ONLY, version=1
    )
    assert client.get(url).status_code == 404
    with pytest.raises(RuleViolation, match="among the delegates"):
        services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)


def test_share_only_with_own_states_authority_users(
    record_to_france, delegate_party, authority_other, national_authority
):
    with pytest.raises(RuleViolation, match="own State"):
        services.share_with_authority(by=delegate_party, recipient=authority_other, record=record_to_france)
    services.share_with_authority(by=delegate_party, recipient=national_authority, record=record_to_france)


def test_a_task_queued_before_a_revoke_or_a_tightening_sends_nothing(
    record_to_france, delegate_party, delegate_other_party, authority_other
):
    share = services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    services.revoke_share(by=delegate_other_party, share=share)
    assert notify_share(share.pk) is False
    share = services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    services.tighten_classification(
        by=delegate_party, target=record_to_france, classification=Classification.DELEGATES_ONLY, version=1
    )
    assert notify_share(share.pk) is False
    assert not Notification.objects.exists()


def test_a_task_that_started_before_a_revoke_rechecks_under_the_share_lock(
    record_to_france, delegate_other_party, authority_other, monkeypatch
):
    """The task loads the share, then the revoke lands before it checks access: nothing is queued."""
    from exchange import tasks

    share = services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    real = tasks.share_is_live

    def revoke_meanwhile(loaded):
        Share.objects.filter(pk=loaded.pk).update(revoked_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC))
        return real(Share.objects.get(pk=loaded.pk))

    monkeypatch.setattr(tasks, "share_is_live", revoke_meanwhile)
    assert notify_share(share.pk) is False
    monkeypatch.setattr(tasks, "share_is_live", real)
    live = services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    assert notify_share(live.pk) is True
    assert Notification.objects.filter(recipient=authority_other).count() == 1


def test_operational_use_is_asked_answered_and_seen_by_the_two_states_only(
    client, record_to_all, delegate_party, delegate_other_party, delegate_third
):
    req = services.request_operational_use(
        by=delegate_other_party, record=record_to_all, purpose="enforcement", explanation="Court case 12"
    )
    with pytest.raises(RuleViolation):
        services.answer_operational_use(by=delegate_other_party, request=req, answer="agreed")
    services.answer_operational_use(by=delegate_party, request=req, answer="agreed", note="Cite us only by name")
    url = reverse("exchange:detail", args=[record_to_all.pk])
    for user, sees in ((delegate_party, True), (delegate_other_party, True), (delegate_third, False)):
        login_verified(client, user)
        assert ("Court case 12" in client.get(url).content.decode()) is sees, user


def test_the_provider_cannot_ask_itself(record_to_all, delegate_party):
    with pytest.raises(RuleViolation):
        services.request_operational_use(by=delegate_party, record=record_to_all, purpose="other")


def test_a_disclosure_concern_is_seen_by_the_two_parties_only(
    client, delegate_party, delegate_other_party, delegate_third, secretariat, other_party
):
    concern = services.raise_concern(by=delegate_party, concerned_state=other_party, description="Leak in press")
    url = reverse("exchange:concern", args=[concern.pk])
    for user, code in ((delegate_party, 200), (delegate_other_party, 200), (delegate_third, 404), (secretariat, 404)):
        login_verified(client, user)
        assert client.get(url).status_code == code, user
    with pytest.raises(RuleViolation):
        services.answer_concern(by=delegate_party, concern=concern, explanation="x", remedial_measures="")
    services.answer_concern(
        by=delegate_other_party, concern=concern, explanation="An official erred", remedial_measures="Retrained"
    )
    login_verified(client, delegate_party)
    assert "Retrained" in client.get(url).content.decode()


def test_the_secretariat_raises_a_concern_and_alone_of_its_side_sees_it(secretariat, other_party, delegate_party):
    from exchange.queries import concerns_for_user

    concern = services.raise_concern(by=secretariat, concerned_state=other_party, description="Suspected leak")
    assert concerns_for_user(secretariat).filter(pk=concern.pk).exists()
    assert not concerns_for_user(delegate_party).filter(pk=concern.pk).exists()


def test_contacts_circulate_once_verified(delegate_party, delegate_other_party, secretariat):
    from exchange.queries import contacts_for_user

    entry = services.submit_contact(by=delegate_party, authority="Federal Customs", contact="+41 58 000 00 00")
    assert not contacts_for_user(delegate_other_party).filter(pk=entry.pk).exists()
    assert contacts_for_user(delegate_party).filter(pk=entry.pk).exists()
    with pytest.raises(RuleViolation):
        services.verify_contact(by=delegate_party, contact=entry)
    with time_machine.travel(datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC), tick=False):
        services.verify_contact(by=secretariat, contact=entry)
    entry.refresh_from_db()
    assert entry.verified_at == datetime.datetime(2026, 5, 1, 8, 0, tzinfo=datetime.UTC)
    assert contacts_for_user(delegate_other_party).filter(pk=entry.pk).exists()


def test_the_pdf_of_a_record_is_stamped_and_its_download_id_resolves_to_one_log_row(
    client, record_to_france, delegate_other_party, secretariat
):
    login_verified(client, delegate_other_party)
    response = client.get(reverse("exchange:pdf", args=[record_to_france.pk]), REMOTE_ADDR="192.0.2.7")
    assert response.status_code == 200 and response["Cache-Control"].find("no-store") >= 0
    download_id = response["X-Download-Id"]
    pages = pdf_text(response.content)
    for page in pages:
        assert delegate_other_party.username in page and "France" in page
        assert f"Identifiant de téléchargement {download_id}" in page and "DIEF CONFIDENTIEL" in page  # in French
        assert "UTC" in page
    access = DocumentAccess.objects.get(download_id=download_id)
    import hashlib

    assert (access.user, access.state.iso3, access.ip_address) == (delegate_other_party, "FRA", "192.0.2.7")
    assert (access.object_kind, access.object_id) == ("record", record_to_france.pk)
    assert access.sha256 == hashlib.sha256(response.content).hexdigest()
    login_verified(client, secretariat)
    page = client.get(reverse("documents:download_lookup"), {"id": download_id}).content.decode()
    assert delegate_other_party.username in page and "192.0.2.7" in page and access.sha256 in page
    assert "Diverted rifles" not in page  # the log holds no content (ToR rule 17)
    assert client.get(reverse("documents:download_lookup"), {"id": "nonsense"}).status_code == 200
    login_verified(client, delegate_other_party)
    assert client.get(reverse("documents:download_lookup"), {"id": download_id}).status_code == 404


def test_record_documents_are_stamped_pdfs_or_no_store_attachments(
    client, record_to_france, delegate_party, delegate_other_party, delegate_third
):
    from documents.tests.test_documents import docx_bytes

    pdf = services.add_record_document(
        by=delegate_party, record=record_to_france, uploaded=SimpleUploadedFile("a.pdf", pdf_bytes("one", "two"))
    )
    docx = services.add_record_document(
        by=delegate_party, record=record_to_france, uploaded=SimpleUploadedFile("b.docx", docx_bytes())
    )
    login_verified(client, delegate_other_party)
    response = client.get(reverse("documents:download", args=[pdf.token]))
    assert all("Identifiant de téléchargement" in page for page in pdf_text(response.content))
    assert len(pdf_text(response.content)) == 2
    response = client.get(reverse("documents:download", args=[docx.token]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert "no-store" in response["Cache-Control"]
    assert DocumentAccess.objects.filter(document=docx, sha256=docx.sha256).count() == 1
    login_verified(client, delegate_third)
    assert client.get(reverse("documents:download", args=[pdf.token])).status_code == 404


def test_search_filters_within_what_the_user_sees(
    record_to_france, record_to_all, delegate_third, delegate_other_party
):
    assert list(search_records(delegate_third, text="rifles")) == []
    assert list(search_records(delegate_other_party, text="rifles")) == [record_to_france]
    assert list(search_records(delegate_other_party, information_type="c")) == [record_to_all]
    assert list(search_records(delegate_other_party, status="ongoing")) == [record_to_france]
    assert type_facets(records_for_user(delegate_third))["b"] == 0
    assert type_facets(records_for_user(delegate_other_party))["b"] == 1


def test_each_type_counts_the_visible_records_that_carry_it_whatever_their_other_types(
    record_to_france, record_to_all, delegate_party, delegate_third, delegate_other_party
):
    for types in (["a", "b"], ["a", "b"], ["b", "c", "g"], ["g"]):
        services.share_record(by=delegate_party, title="More", audience=Audience.ALL_ELIGIBLE, information_types=types)
    for reader in (delegate_third, delegate_other_party):
        visible = list(records_for_user(reader))
        facets, total = facets_and_total(records_for_user(reader))
        assert total == len(visible)
        assert facets == {letter: sum(letter in r.information_types for r in visible) for letter in "abcdefg"}
    # record_to_france (b, e) is France's only: Mexico's delegate counts it nowhere
    assert facets_and_total(records_for_user(delegate_third)) == (
        {"a": 2, "b": 3, "c": 2, "d": 0, "e": 0, "f": 0, "g": 2},
        5,
    )
    assert facets_and_total(records_for_user(delegate_other_party))[0]["e"] == 1


def test_search_page_counts_no_hidden_record(client, record_to_france, record_to_all, delegate_third):
    login_verified(client, delegate_third)  # Mexico's delegate reads Spanish
    page = client.get(reverse("exchange:list"), {"q": "rifles"}).content.decode()
    assert "Diverted rifles" not in page and "0 registros" in page
    page = client.get(reverse("exchange:list")).content.decode()
    assert re.search(r"\b1 registro\b", page)
    assert "(1)" in page and page.count("(0)") == 6  # facets: the visible record's type c only


def _make_records(delegate, n):
    Record.objects.bulk_create(
        [
            Record(
                provider_state=delegate.state,
                created_by=delegate,
                created_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                updated_at=datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC),
                title=f"R{i}",
                audience=Audience.ALL_ELIGIBLE,
                information_types="ab",
            )
            for i in range(n)
        ]
    )


@pytest.mark.parametrize("params", [{}, {"q": "R1", "type": "a", "status": "", "since": "2025-01-01"}])
def test_list_and_search_query_counts_do_not_grow_with_records(
    client, delegate_party, delegate_other_party, django_assert_num_queries, params
):
    login_verified(client, delegate_other_party)
    _make_records(delegate_party, 10)
    client.get(reverse("exchange:list"), params)  # warm caches (sessions, content types)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ten:
        assert client.get(reverse("exchange:list"), params).status_code == 200
    _make_records(delegate_party, 990)
    with django_assert_num_queries(len(ten.captured_queries)):
        assert client.get(reverse("exchange:list"), params).status_code == 200


def test_a_state_declines_to_share_a_presentation_with_a_rule_13_reason(meeting, delegate_party, delegate_other_party):
    from presentations.services import register_presentation

    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        presentation = register_presentation(by=delegate_party, meeting=meeting, kind="case", title="C", summary="S")
    with pytest.raises(RuleViolation, match="rule 13"):
        services.withhold(by=delegate_party, presentation=presentation, reason="bored")
    with pytest.raises(RuleViolation):
        services.withhold(by=delegate_other_party, presentation=presentation, reason="national_security")
    assert services.withhold(by=delegate_party, presentation=presentation, reason="national_security").reason


def test_a_record_linked_to_a_presentation_keeps_its_classification(meeting, delegate_party):
    from presentations.services import register_presentation

    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        presentation = register_presentation(by=delegate_party, meeting=meeting, kind="case", title="C", summary="S")
    presentation.classification = Classification.DELEGATES_ONLY
    presentation.save()
    record = services.share_record(
        by=delegate_party, title="C", audience=Audience.ALL_ELIGIBLE, information_types=["a"], presentation=presentation
    )
    assert record.classification == Classification.DELEGATES_ONLY


def test_model_level_permissions_to_a_state_group_reach_no_document(record_to_france, delegate_party, delegate_third):
    from documents.queries import documents_for_user

    doc = services.add_record_document(
        by=delegate_party, record=record_to_france, uploaded=SimpleUploadedFile("a.pdf", pdf_bytes("x"))
    )
    Group.objects.get(name="State:MEX").permissions.add(*Permission.objects.filter(codename__startswith="view_"))
    assert not documents_for_user(delegate_third).filter(pk=doc.pk).exists()


def test_a_presentation_carries_the_typed_fields_and_its_classification(
    client, meeting, delegate_party, delegate_other_party, party
):
    from presentations.models import Presentation

    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        login_verified(client, delegate_party)
        response = client.post(
            reverse("presentations:create"),
            {
                "meeting": meeting.pk,
                "kind": "case",
                "title": "Typed",
                "summary": "S",
                "classification": Classification.DELEGATES_ONLY,
            },
        )
        assert response.status_code == 302
        presentation = Presentation.objects.get(title="Typed")
        information = {
            "information_types": ["a", "g"],
            "ways_and_methods": "False end-user certificates",
            "investigation_status": "ongoing",
            "countries": [party.pk],
        }
        describe = reverse("presentations:describe", args=[presentation.pk])
        login_verified(client, delegate_other_party)  # not the presenting State: 404 or refused
        client.post(describe, information)
        presentation.refresh_from_db()
        assert presentation.information_types == ""
        login_verified(client, delegate_party)
        assert client.post(describe, information).status_code == 302
    presentation.refresh_from_db()
    assert (presentation.information_types, presentation.classification) == ("ag", Classification.DELEGATES_ONLY)
    assert list(presentation.countries.all()) == [party]
    page = client.get(reverse("presentations:detail", args=[presentation.pk])).content.decode()
    assert "DIEF CONFIDENTIAL / DELEGATES ONLY" in page and "False end-user certificates" in page
    assert "g) destinations used by organised groups" in page


def test_the_classification_is_on_every_platform_page(client, record_to_france, delegate_other_party):
    login_verified(client, delegate_other_party)  # France's delegate reads French
    for url in (
        reverse("exchange:list"),
        reverse("exchange:detail", args=[record_to_france.pk]),
        reverse("exchange:classification", args=["record", record_to_france.pk]),
    ):
        assert "DIEF CONFIDENTIEL" in client.get(url).content.decode(), url


def test_a_tightened_document_is_stamped_with_its_new_classification(
    client, record_to_france, delegate_party, delegate_other_party
):
    doc = services.add_record_document(
        by=delegate_party, record=record_to_france, uploaded=SimpleUploadedFile("a.pdf", pdf_bytes("x"))
    )
    services.tighten_classification(
        by=delegate_party, target=doc, classification=Classification.DELEGATES_ONLY, version=1
    )
    login_verified(client, delegate_other_party)
    pages = pdf_text(client.get(reverse("documents:download", args=[doc.token])).content)
    assert "DIEF CONFIDENTIEL / DÉLÉGUÉS UNIQUEMENT" in pages[0]


def test_full_text_search_in_french_and_spanish_on_postgresql(delegate_party, delegate_other_party):
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("full-text search is PostgreSQL's; SQLite falls back to a substring search")
    fr = services.share_record(
        by=delegate_party,
        title="Fusils détournés",
        audience=Audience.ALL_ELIGIBLE,
        information_types=["a"],
        diversion_details="Les fusils ont été réexportés par une zone franche portuaire.",
    )
    es = services.share_record(
        by=delegate_party,
        title="Contrabando",
        audience=Audience.ALL_ELIGIBLE,
        information_types=["b"],
        diversion_details="Los contrabandistas ocultaron las armas en contenedores refrigerados.",
    )
    assert list(search_records(delegate_other_party, text="fusil zones franches")) == [fr]
    assert list(search_records(delegate_other_party, text="contenedor arma")) == [es]


def test_the_platform_speaks_french_and_spanish(client, record_to_all, delegate_other_party, delegate_third):
    login_verified(client, delegate_other_party)  # French
    page = client.get(reverse("exchange:detail", args=[record_to_all.pk])).content.decode()
    assert "DIEF CONFIDENTIEL" in page and "courtiers illicites" in page
    login_verified(client, delegate_third)  # Spanish
    page = client.get(reverse("exchange:list")).content.decode()
    assert "Plataforma de intercambio de información" in page and "1 registro" in page


def test_the_periodic_decision_lifts_unopposed_proposals_once_and_leaves_blocked_ones(
    record_to_france, record_to_all, delegate_party, delegate_other_party
):
    from exchange.tasks import decide_due_lifts

    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False):
        unopposed = services.propose_lift(
            by=delegate_party, target=record_to_france, classification=Classification.LIFTED, version=1
        )
        blocked = services.propose_lift(
            by=delegate_party, target=record_to_all, classification=Classification.LIFTED, version=1
        )
        services.object_to_lift(by=delegate_other_party, proposal=blocked)
        assert decide_due_lifts() == 0
    with time_machine.travel(start + datetime.timedelta(days=6), tick=False):
        assert decide_due_lifts() == 1
        assert decide_due_lifts() == 0
    unopposed.refresh_from_db()
    record_to_all.refresh_from_db()
    assert unopposed.status == LiftStatus.LIFTED
    assert record_to_all.classification == Classification.CONFIDENTIAL


def test_a_presentation_document_shared_with_an_authority_user_and_nothing_else(
    client, meeting, delegate_party, national_authority
):
    from presentations.services import register_presentation

    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        presentation = register_presentation(by=delegate_party, meeting=meeting, kind="case", title="C", summary="S")
    from documents import services as document_services

    shared = document_services.upload(
        by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", pdf_bytes("shared"))
    )
    other = document_services.upload(
        by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("b.pdf", pdf_bytes("other"))
    )
    share = services.share_with_authority(by=delegate_party, recipient=national_authority, document=shared)
    login_verified(client, national_authority)
    response = client.get(reverse("documents:download", args=[shared.token]))
    assert response.status_code == 200 and "authority" in pdf_text(response.content)[0]
    assert client.get(reverse("documents:download", args=[other.token])).status_code == 404
    assert client.get(reverse("presentations:detail", args=[presentation.pk])).status_code == 404
    assert "a.pdf" in client.get(reverse("exchange:shares")).content.decode()
    services.revoke_share(by=delegate_party, share=share)
    assert client.get(reverse("documents:download", args=[shared.token])).status_code == 404


def test_a_share_notice_queued_before_a_revoke_is_withheld_at_sending(
    record_to_france, delegate_other_party, authority_other, mailoutbox
):
    from notifications.services import send_pending

    share = services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    assert notify_share(share.pk) is True
    services.revoke_share(by=delegate_other_party, share=share)
    send_pending()
    assert mailoutbox == []
    assert Notification.objects.get(recipient=authority_other).withheld_at is not None
    live = services.share_with_authority(by=delegate_other_party, recipient=authority_other, record=record_to_france)
    assert notify_share(live.pk) is True
    send_pending()
    assert len(mailoutbox) == 1 and "Diverted" not in mailoutbox[0].body


def test_withdrawing_a_record_asks_first_and_then_deletes_it(client, delegate_party, record_to_france):
    login_verified(client, delegate_party)
    url = reverse("exchange:delete", args=[record_to_france.pk])
    detail = client.get(reverse("exchange:detail", args=[record_to_france.pk])).content.decode()
    assert f'href="{url}"' in detail  # a link to the question, no button that deletes at once
    page = client.get(url).content.decode()
    assert "ToR rule 13" in page and f'action="{url}"' in page and 'method="post"' in page
    assert Record.objects.filter(pk=record_to_france.pk).exists()
    assert client.post(url).status_code == 302
    assert not Record.objects.filter(pk=record_to_france.pk).exists()


def test_only_the_provider_is_asked_to_withdraw_a_record(client, delegate_other_party, record_to_france):
    login_verified(client, delegate_other_party)  # France reads the record but did not provide it
    response = client.get(reverse("exchange:delete", args=[record_to_france.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("exchange:detail", args=[record_to_france.pk])
    assert "(règle 13 des ToR)" in response.content.decode()  # the French delegate is told why
    assert "confirm" not in response.templates[0].name


def test_a_french_readers_pdf_is_stamped_once_in_french_with_labelled_fields(
    client, record_to_france, delegate_other_party
):
    delegate_other_party.language = "fr"
    delegate_other_party.save(update_fields=["language"])
    login_verified(client, delegate_other_party)
    response = client.get(reverse("exchange:pdf", args=[record_to_france.pk]))
    download_id = response["X-Download-Id"]
    (page,) = pdf_text(response.content)
    assert "CONFIDENTIEL" in page and "Téléchargé par" in page and "DIEF CONFIDENTIAL" not in page
    assert "Downloaded by" not in page
    assert page.count(download_id) == 1 and page.count("Téléchargé par") == 1  # each stamp line once
    assert re.search(r"Enquête\s: enquête en cours", page)  # the field has its label
    assert re.search(r"Fournisseur\s: Suisse", page)


def test_the_share_list_names_the_shared_item_and_the_drop_down_offers_names_not_yet_holding_it(
    client, delegate_party, national_authority, record_to_france
):
    other = UserFactory(
        username="authority_two",
        first_name="Ada",
        last_name="Zeller",
        role="national_authority",
        state=delegate_party.state,
        participant_role="",
    )
    national_authority.first_name, national_authority.last_name = "Beat", "Brunner"
    national_authority.save()
    services.share_with_authority(by=delegate_party, recipient=national_authority, record=record_to_france)
    login_verified(client, delegate_party)
    page = client.get(reverse("exchange:shares")).content.decode()
    assert record_to_france.title in page and f"record {record_to_france.pk}" not in page
    detail = client.get(reverse("exchange:detail", args=[record_to_france.pk])).content.decode()
    share_form = detail.split(reverse("exchange:share", args=[record_to_france.pk]))[1].split("</form>")[0]
    assert "Ada Zeller" in share_form and other.username not in share_form
    assert "Beat Brunner" not in share_form  # already holds it


def test_a_concerned_state_sees_who_raised_the_concern_and_when_it_answered(
    client, delegate_party, delegate_other_party
):
    concern = services.raise_concern(by=delegate_party, concerned_state=delegate_other_party.state, description="x")
    services.answer_concern(by=delegate_other_party, concern=concern, explanation="y", remedial_measures="z")
    delegate_other_party.language = "en"
    delegate_other_party.save(update_fields=["language"])
    login_verified(client, delegate_other_party)
    page = client.get(reverse("exchange:concerns")).content.decode()
    row = page.split(reverse("exchange:concern", args=[concern.pk]))[1].split("</li>")[0]
    assert f"raised by {delegate_party.state.name}" in row and f"with {delegate_other_party.state.name}" not in row
    assert "answered" in row and "Europe/" in row  # the answer's time, with its zone


def test_a_state_that_asked_for_operational_use_is_told_it_is_pending_not_offered_the_same_request(
    client, delegate_party, delegate_other_party, record_to_france
):
    services.request_operational_use(by=delegate_other_party, record=record_to_france, purpose="enforcement")
    login_verified(client, delegate_other_party)
    page = client.get(reverse("exchange:detail", args=[record_to_france.pk])).content.decode()
    form = page.split(reverse("exchange:request_use", args=[record_to_france.pk]))[1].split("</form>")[0]
    assert 'value="enforcement"' not in form and 'value="export_assessment"' in form
    assert "est en attente" in page  # delegate_fra reads French
    request = record_to_france.use_requests.get()
    services.answer_operational_use(by=delegate_party, request=request, answer="agreed")
    request.refresh_from_db()
    login_verified(client, delegate_party)
    page = client.get(reverse("exchange:detail", args=[record_to_france.pk])).content.decode()
    from django.utils import formats, timezone

    with timezone.override("Europe/Zurich"):
        assert formats.date_format(timezone.localtime(request.answered_at), "DATETIME_FORMAT") in page
