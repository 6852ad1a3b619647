"""The written-out reads of documents against the ORM's answers: a document by its token
(documents.queries.document_for_user_or_404), a presentation's documents
with the download logs its page shows (presentation_documents)."""

import datetime
import uuid

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404

from accounts.security import object_for_user_or_404
from dief.testing import pdf_bytes
from documents import queries, services
from documents.models import Document, DocumentAccess
from presentations import services as presentation_services

EARLY = datetime.datetime(2099, 1, 5, 10, 0, tzinfo=datetime.UTC)
PEOPLE = (
    "secretariat",
    "delegate_party",
    "delegate_other_party",
    "delegate_signatory",
    "chair",
    "president",
    "national_authority",
    "outsider",
    "superuser",
)


@pytest.fixture
def documents(meeting, delegate_party, delegate_other_party, other_party, secretariat):
    with time_machine.travel(EARLY, tick=False):
        presentation = presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Case", summary="S"
        )
        presentation_services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
        original = services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("report.pdf", pdf_bytes("en")),
            language="en",
        )
        version = services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("rapport.pdf", pdf_bytes("fr")),
            language="fr",
            version_of=original,
        )
        theirs = services.upload(
            by=secretariat, presentation=presentation, uploaded=SimpleUploadedFile("b.pdf", pdf_bytes("b"))
        )
    DocumentAccess.objects.bulk_create(
        DocumentAccess(
            document=original,
            user=secretariat if i % 3 else delegate_other_party,
            state=None if i % 3 else delegate_other_party.state,
            classification=original.classification,
            accessed_at=EARLY + datetime.timedelta(minutes=i // 2),  # ties of time, ordered by id
        )
        for i in range(queries.LOG_SHOWN + 4)
    )
    DocumentAccess.objects.create(
        document=theirs, user=delegate_party, state=delegate_party.state, classification=1, accessed_at=EARLY
    )
    return presentation, [original, version, theirs]


def _values(instance):
    return [getattr(instance, f.attname) for f in type(instance)._meta.concrete_fields]


@pytest.mark.parametrize("who", PEOPLE)
def test_a_document_by_its_token_is_the_orms_or_its_404(who, documents, request):
    user = request.getfixturevalue(who)
    user.is_verified = lambda: True
    for document in documents[1]:
        try:
            expected = object_for_user_or_404(queries.documents_for_user(user), token=document.token)
        except Http404 as exc:
            with pytest.raises(type(exc)):
                queries.document_for_user_or_404(user, document.token)
        else:
            assert _values(queries.document_for_user_or_404(user, document.token)) == _values(expected)
    with pytest.raises(Http404):
        queries.document_for_user_or_404(user, uuid.uuid4())


def test_a_presentations_document_is_read_in_one_query(documents, delegate_other_party, django_assert_num_queries):
    delegate_other_party.is_verified = lambda: True
    queries.written_scope(delegate_other_party)  # its State's standing, read once per request
    with django_assert_num_queries(1):
        assert queries.document_for_user_or_404(delegate_other_party, documents[1][0].token) == documents[1][0]


def _log_rows(logs):
    return {
        pk: (
            [
                (a.pk, a.document_id, a.accessed_at, a.user.username, a.user.get_full_name(), a.user.role)
                + ((a.user.state.name, a.user.state.iso3) if a.user.state else (None,))
                for a in rows
            ],
            more,
        )
        for pk, (rows, more) in logs.items()
    }


@pytest.mark.parametrize("who", ["secretariat", "delegate_party", "delegate_other_party", "national_authority"])
@pytest.mark.parametrize("shown", [2, queries.LOG_SHOWN])
def test_a_presentations_documents_and_their_logs_are_the_orms(
    who, shown, documents, request, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    presentation, _made = documents
    with django_assert_num_queries(1):
        read, logs = queries.presentation_documents(user, presentation, shown)
    expected = list(presentation.documents.select_related("uploaded_by").order_by("uploaded_at", "pk"))
    assert [_values(d) for d in read] == [_values(d) for d in expected]
    with django_assert_num_queries(0):
        assert [d.uploaded_by.state_id for d in read] == [d.uploaded_by.state_id for d in expected]
        mine = _log_rows(logs)
    assert mine == _log_rows(queries.download_log_for_user(user, expected, shown))
    assert bool(mine) == (who in ("secretariat", "delegate_party"))
    assert Document.objects.count() == 3


def test_the_default_log_is_as_long_as_the_pages(documents, secretariat):
    presentation, (original, _version, _theirs) = documents
    read, logs = queries.presentation_documents(secretariat, presentation)
    assert len(logs[original.pk][0]) == queries.LOG_SHOWN and logs[original.pk][1]
