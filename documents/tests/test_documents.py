"""Supporting documents: real type check, size limit, Unicode names, access-checked and logged downloads."""

import datetime
import io
import zipfile

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from dief.errors import RuleViolation
from dief.testing import login_verified, pdf_bytes, pdf_text
from documents import services
from documents.models import Document, DocumentAccess
from presentations import services as presentation_services

PDF = pdf_bytes("Supporting document")


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.fixture
def presentation(meeting, delegate_party):
    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        return presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Case", summary="S"
        )


def test_a_pdf_with_a_unicode_name_is_stored_outside_public_urls(presentation, delegate_party, settings):
    doc = services.upload(
        by=delegate_party,
        presentation=presentation,
        uploaded=SimpleUploadedFile("Rapport d’enquête – Zürich ✓.pdf", PDF),
    )
    assert doc.original_name == "Rapport d’enquête – Zürich ✓.pdf"
    assert doc.content_type == "application/pdf"
    assert doc.file.name == f"{doc.token.hex[:2]}/{doc.token.hex}"
    assert not settings.MEDIA_URL or "documents" not in settings.MEDIA_URL


def test_the_type_comes_from_the_content_not_the_name(presentation, delegate_party):
    with pytest.raises(RuleViolation, match="not accepted"):
        services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200),
        )
    doc = services.upload(
        by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("renamed.bin", docx_bytes())
    )
    assert doc.content_type.endswith("wordprocessingml.document")
    assert Document.objects.count() == 1


def test_too_large_and_empty_files_are_refused(presentation, delegate_party, settings):
    settings.DIEF_MAX_UPLOAD_BYTES = 100
    with pytest.raises(RuleViolation, match="larger than"):
        services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", PDF * 5))
    with pytest.raises(RuleViolation, match="empty"):
        services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", b""))
    assert not Document.objects.exists()


def test_path_and_control_characters_are_dropped_from_names():
    assert services.clean_name("../../etc/passwd") == "passwd"
    assert services.clean_name("C:\\Users\\x\\évaluation\x00.pdf") == "évaluation.pdf"
    assert services.clean_name("") == "document"


def test_only_the_presenting_state_or_the_secretariat_uploads(presentation, delegate_other_party, secretariat):
    with pytest.raises(RuleViolation):
        services.upload(by=delegate_other_party, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", PDF))
    services.upload(by=secretariat, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", PDF))


def test_download_checks_access_and_logs_who_read_it(
    client, presentation, delegate_party, secretariat, chair, delegate_other_party, outsider, president
):
    doc = services.upload(
        by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("Évaluation.pdf", PDF)
    )
    url = reverse("documents:download", args=[doc.token])
    for reader in (delegate_party, secretariat, chair):
        login_verified(client, reader)
        response = client.get(url)
        assert response.status_code == 200, reader
        pages = pdf_text(response.content)
        assert "Supporting document" in pages[0]
        assert "Download id " + response["X-Download-Id"] in pages[0]
        assert (
            "attachment" in response["Content-Disposition"] and "%C3%89valuation.pdf" in response["Content-Disposition"]
        )
    for stranger in (delegate_other_party, outsider, president):
        login_verified(client, stranger)
        assert client.get(url).status_code == 404, stranger
    assert sorted(DocumentAccess.objects.values_list("user__username", flat=True)) == [
        "chair",
        "delegate_party",
        "secretariat",
    ]


def test_involved_and_participating_states_read_documents(
    client, presentation, delegate_party, other_party, delegate_other_party, delegate_signatory, meeting
):
    doc = services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", PDF))
    url = reverse("documents:download", args=[doc.token])
    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        presentation_services.notify_involved_states(by=delegate_party, presentation=presentation, states=[other_party])
    presentation_services.register_delegation(by=delegate_signatory, meeting=meeting, members=[delegate_signatory])
    for reader in (delegate_other_party, delegate_signatory):
        login_verified(client, reader)
        assert client.get(url).status_code == 200


def test_upload_through_the_page_refuses_a_disguised_file_with_a_clear_message(client, presentation, delegate_party):
    login_verified(client, delegate_party)
    response = client.post(
        reverse("presentations:upload", args=[presentation.pk]),
        {"file": SimpleUploadedFile("invoice.pdf", b"#!/bin/sh\nrm -rf /\n")},
        follow=True,
    )
    assert response.status_code == 200 and "not accepted" in response.content.decode()
    assert not Document.objects.exists()


def test_the_same_file_uploaded_twice_is_one_document(presentation, delegate_party):
    first = services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", PDF))
    again = services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", PDF))
    assert first == again and Document.objects.count() == 1


def test_an_upload_over_the_limit_is_not_read_to_the_end_and_is_refused_clearly(
    client, presentation, delegate_party, settings
):
    settings.DIEF_MAX_UPLOAD_BYTES = 64 * 1024
    login_verified(client, delegate_party)
    big = SimpleUploadedFile("big.pdf", PDF + b"0" * (256 * 1024))
    response = client.post(reverse("presentations:upload", args=[presentation.pk]), {"file": big}, follow=True)
    assert "larger than" in response.content.decode()
    assert not Document.objects.exists()


def inflating_docx(megabytes: int, *, extra_parts: int = 0) -> bytes:
    """A DOCX built in memory whose document.xml inflates to ``megabytes`` MiB."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as part:
            part.write(b"<w:document>")
            for _ in range(megabytes):
                part.write(b" " * (1024 * 1024))
            part.write(b"</w:document>")
        for i in range(extra_parts):
            z.writestr(f"word/media/part{i}.xml", "<x/>")
    return buffer.getvalue()


def test_a_docx_that_inflates_to_100_mib_is_refused(presentation, delegate_party):
    bomb = inflating_docx(100)
    assert len(bomb) < 1024 * 1024
    with pytest.raises(RuleViolation, match="unpacks to more than"):
        services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("bomb.docx", bomb))
    assert not Document.objects.exists()


def test_a_package_lying_about_its_sizes_is_refused(presentation, delegate_party, settings):
    import struct

    settings.DIEF_MAX_UNPACKED_BYTES = 2 * 1024 * 1024
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", b" " * (3 * 1024 * 1024))
    data = bytearray(buffer.getvalue())
    # Declare 1 byte for document.xml, in its local header and in the central directory.
    for signature, size_offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        start = 0
        while (start := data.find(signature, start)) != -1:
            name_offset = 30 if signature == b"PK\x03\x04" else 46
            if data[start + name_offset : start + name_offset + 17] == b"word/document.xml":
                struct.pack_into("<I", data, start + size_offset, 1)
            start += 4
    with pytest.raises(RuleViolation):
        services.upload(
            by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("lie.docx", bytes(data))
        )
    assert not Document.objects.exists()


def test_a_package_with_too_many_parts_is_refused(presentation, delegate_party):
    with pytest.raises(RuleViolation, match="more than"):
        services.upload(
            by=delegate_party,
            presentation=presentation,
            uploaded=SimpleUploadedFile("many.docx", inflating_docx(0, extra_parts=services.MAX_PACKAGE_ENTRIES)),
        )


def test_an_ordinary_docx_is_still_accepted(presentation, delegate_party):
    doc = services.upload(
        by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("ok.docx", inflating_docx(2))
    )
    assert doc.content_type.endswith("wordprocessingml.document")


def test_a_document_is_looked_up_by_its_own_row_not_by_every_presentation_the_user_sees(delegate_party, secretariat):
    """Each way in is an EXISTS correlated with the document's row: looking one token up never
    builds the set of every presentation, meeting or record the user sees (an ``IN`` over it)."""
    from documents.queries import documents_for_user

    for user in (delegate_party, secretariat):
        user.is_verified = lambda: True
        sql = str(documents_for_user(user).filter(token="00000000-0000-0000-0000-000000000000").query)
        assert "EXISTS" in sql
        assert '"presentation_id" IN (SELECT' not in sql and '"meeting_id" IN (SELECT' not in sql
        assert '"record_id" IN (SELECT' not in sql


def test_a_download_writes_its_log_row_once_complete_with_the_served_files_digest(client, presentation, delegate_party):
    import hashlib

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents.models import DocumentAccess

    doc = services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("a.pdf", PDF))
    login_verified(client, delegate_party)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("documents:download", args=[doc.token]))
    writes = [q["sql"].split()[0] for q in queries.captured_queries if q["sql"].split()[0] in ("INSERT", "UPDATE")]
    assert writes == ["INSERT"]
    access = DocumentAccess.objects.get(download_id=response["X-Download-Id"])
    assert access.sha256 == hashlib.sha256(response.content).hexdigest() and access.marked
    assert f"{access.accessed_at:%Y-%m-%d %H:%M:%S}" in pdf_text(response.content)[0]
