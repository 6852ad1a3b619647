"""Where documents are kept: any Django storage (local disk, or an S3-compatible bucket through
django-storages), with every file encrypted by the application before it leaves the process.

A stored object holds only ciphertext (AES-256-GCM, ``dief.crypto``) under a random name (see
``documents.models``): read straight from the disk or the bucket it reveals neither the content
nor the original name. Reading through this storage returns the original bytes.
"""

from __future__ import annotations

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.db import models
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from dief import crypto


def document_keys() -> dict[str, bytes]:
    """The configured document keys, current first (``DIEF_DOCUMENT_KEYS``)."""
    return dict(settings.DIEF_DOCUMENT_KEYS)


def current_key() -> tuple[str, bytes]:
    """The id and key that encrypt new files."""
    key_id, key = next(iter(settings.DIEF_DOCUMENT_KEYS.items()))
    return key_id, key


@deconstructible
class EncryptedStorage(Storage):
    """Wraps another storage backend; encrypts on save, decrypts on open.

    ``inner`` is a ``{"BACKEND": ..., "OPTIONS": {...}}`` mapping like an entry of ``STORAGES``.
    """

    def __init__(self, inner: dict | None = None):
        self.inner_config = inner or {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(settings.VAR_DIR / "documents")},
        }
        self.inner = import_string(self.inner_config["BACKEND"])(**self.inner_config.get("OPTIONS", {}))

    # Writing and reading
    def _save(self, name, content):
        if hasattr(content, "seek"):
            content.seek(0)
        plaintext = content.read()
        key_id, key = current_key()
        return self.inner.save(name, ContentFile(crypto.encrypt_blob(plaintext, key_id, key)))

    def _open(self, name, mode="rb"):
        if "w" in mode or "a" in mode:
            raise ValueError("encrypted documents are written through save(), never opened for writing")
        with self.inner.open(name, "rb") as stored:
            blob = stored.read()
        file = ContentFile(crypto.decrypt_blob(blob, document_keys()), name=name)
        return file

    def read_stored(self, name: str) -> bytes:
        """The stored (encrypted) bytes, as they are on the disk or in the bucket."""
        with self.inner.open(name, "rb") as stored:
            return stored.read()

    def write_stored(self, name: str, blob: bytes) -> str:
        """Store already-encrypted bytes as they are (restoring a backup); returns the name."""
        return self.inner.save(name, ContentFile(blob))

    def key_id(self, name: str) -> str:
        """The id of the key the stored file was encrypted with."""
        with self.inner.open(name, "rb") as stored:
            return crypto.key_id_of(stored.read(300))

    # Everything else is the inner backend's business.
    def delete(self, name):
        return self.inner.delete(name)

    def exists(self, name):
        return self.inner.exists(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def size(self, name):
        return len(self._open(name).read())

    def url(self, name):
        raise NotImplementedError("documents have no URL: they are served by the download view only")

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.inner.generate_filename(filename)

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)


def encrypted_file_fields():
    """Yield (model, field name) for every FileField kept in the encrypting storage."""
    for model in apps.get_models():
        for field in model._meta.get_fields():
            if isinstance(field, models.FileField) and isinstance(field.storage, EncryptedStorage):
                yield model, field.name
