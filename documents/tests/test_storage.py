"""Documents are encrypted at rest, come back byte for byte, and keys rotate."""

import datetime
import hashlib
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from dief import crypto
from dief.testing import login_verified
from documents import services
from presentations import services as presentation_services

SECRET_TEXT = b"Diversion via the port of Zeebrugge, consignment 4471"
PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n(" + SECRET_TEXT + b")\ntrailer << /Root 1 0 R >>\n%%EOF\n"
NAME = "Rapport confidentiel Zeebrugge.pdf"


@pytest.fixture
def presentation(meeting, delegate_party):
    with time_machine.travel(datetime.datetime(2099, 1, 5, 9, 0, tzinfo=datetime.UTC), tick=False):
        return presentation_services.register_presentation(
            by=delegate_party, meeting=meeting, kind="case", title="Case", summary="S"
        )


def _stored_files(tmp_path: Path):
    return [p for p in (tmp_path / "documents").rglob("*") if p.is_file()]


def test_the_stored_bytes_reveal_neither_the_text_nor_the_name(presentation, delegate_party, tmp_path):
    services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile(NAME, PDF))
    (stored,) = _stored_files(tmp_path)
    raw = stored.read_bytes()
    assert SECRET_TEXT not in raw and b"%PDF" not in raw and b"Zeebrugge" not in raw
    assert "Zeebrugge" not in str(stored) and "confidentiel" not in str(stored)


def test_a_download_returns_the_original_bytes(client, presentation, delegate_party):
    # A PDF is stamped for each download (documents.downloads); any other type comes back as stored.
    from documents.tests.test_documents import docx_bytes

    original = docx_bytes()
    doc = services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile("a.docx", original))
    login_verified(client, delegate_party)
    response = client.get(reverse("documents:download", args=[doc.token]))
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert response.status_code == 200
    assert hashlib.sha256(body).hexdigest() == doc.sha256 == hashlib.sha256(original).hexdigest()


def test_rotating_the_key_re_encrypts_every_file_and_old_keys_can_go(
    presentation, delegate_party, settings, django_capture_on_commit_callbacks
):
    old = {"old": crypto.derive_key("a", "documents")}
    settings.DIEF_DOCUMENT_KEYS = old
    doc = services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile(NAME, PDF))
    assert doc.file.storage.key_id(doc.file.name) == "old"

    settings.DIEF_DOCUMENT_KEYS = {"new": crypto.derive_key("b", "documents"), **old}
    with django_capture_on_commit_callbacks(execute=True):
        call_command("rotate_document_key")
    doc.refresh_from_db()
    assert doc.file.storage.key_id(doc.file.name) == "new"

    settings.DIEF_DOCUMENT_KEYS = {"new": crypto.derive_key("b", "documents")}
    with doc.file.open("rb") as f:
        assert f.read() == PDF
    # the old object is deleted once the row points at the new one
    assert doc.file.storage.inner.listdir(doc.file.name.split("/")[0])[1] == [doc.file.name.split("/")[1]]


def test_a_file_whose_key_is_gone_cannot_be_read(presentation, delegate_party, settings):
    doc = services.upload(by=delegate_party, presentation=presentation, uploaded=SimpleUploadedFile(NAME, PDF))
    settings.DIEF_DOCUMENT_KEYS = {"other": crypto.derive_key("z", "documents")}
    with pytest.raises(crypto.DecryptionError):
        doc.file.open("rb")
