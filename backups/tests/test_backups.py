"""Backups that restore: every row and every document byte come back; the key is needed."""

import io
import os

import pytest
from django.apps import apps
from django.core import serializers
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from backups.services import BackupError, make_backup, restore_backup
from dief import crypto
from dief.testing import tor_version
from documents import services as document_services
from documents.models import Document
from presentations.models import Presentation

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres") is False,
        reason="the backup and restore test runs on PostgreSQL (pg_dump / pg_restore); set DATABASE_URL",
    ),
]

PDF = b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n(backup test)\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _everything() -> str:
    """Every row of every model, serialised in a stable order."""
    out = io.StringIO()
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label):
        rows = model._base_manager.order_by("pk")
        serializers.serialize("json", rows, stream=out)
    return out.getvalue()


def _documents() -> dict[str, bytes]:
    result = {}
    for doc in Document.objects.all():
        with doc.file.open("rb") as f:
            result[str(doc.token)] = f.read()
    return result


@pytest.fixture
def filled():
    """The demo data (States, personas, a meeting with a presentation) plus one document."""
    tor_version()  # the ToR rows, in case an earlier transactional test flushed them
    call_command("import_states", verbosity=0)
    call_command("seed_demo", verbosity=0)
    presentation = Presentation.objects.get()
    document_services.upload(
        by=User.objects.get(username="delegate_fra"),
        presentation=presentation,
        uploaded=SimpleUploadedFile("a.pdf", PDF),
    )


def test_a_backup_restores_every_row_and_every_document_byte_for_byte(filled, tmp_path):
    before_rows, before_docs = _everything(), _documents()
    assert before_docs
    path = tmp_path / "dief.backup"
    make_backup(path)
    assert b"Backup case" not in path.read_bytes()

    # Drop everything: every table and every stored document.
    call_command("flush", interactive=False, verbosity=0)
    for doc_dir in (tmp_path / "documents").iterdir():
        for f in doc_dir.iterdir():
            f.unlink()
    assert not Document.objects.exists()

    restore_backup(path)
    connection.close()
    assert _everything() == before_rows
    assert _documents() == before_docs


def test_a_backup_cannot_be_restored_without_its_key(filled, tmp_path, settings):
    path = tmp_path / "dief.backup"
    make_backup(path)
    rows = _everything()
    settings.DIEF_BACKUP_KEYS = {"local": crypto.derive_key("another secret", "backups")}
    with pytest.raises(BackupError, match="cannot open"):
        restore_backup(path)
    assert _everything() == rows


def test_an_altered_backup_is_refused_and_changes_nothing(filled, tmp_path):
    path = tmp_path / "dief.backup"
    make_backup(path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    rows = _everything()
    with pytest.raises(BackupError):
        restore_backup(path)
    assert _everything() == rows
