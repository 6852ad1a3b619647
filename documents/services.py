"""Uploading supporting documents: size limit, real type check, Unicode names kept."""

import hashlib
import unicodedata

import filetype
from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.enums import Role
from dief import clock
from dief.errors import RuleViolation

from .models import Document

#: What the Forum exchanges: office documents, PDF and pictures. The type is read from the
#: content (magic numbers), never from the file name.
ALLOWED_TYPES = {
    "application/pdf": "PDF",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "Word",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "Excel",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "PowerPoint",
    "application/vnd.oasis.opendocument.text": "OpenDocument text",
    "application/vnd.oasis.opendocument.spreadsheet": "OpenDocument spreadsheet",
    "application/vnd.oasis.opendocument.presentation": "OpenDocument presentation",
    "image/png": "PNG",
    "image/jpeg": "JPEG",
}


def max_upload_bytes() -> int:
    return getattr(settings, "DIEF_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


def clean_name(name: str) -> str:
    """Keep the uploader's Unicode file name, without paths or control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return (name or "document")[:255]


def detect_type(uploaded) -> str | None:
    """The MIME type read from the file's content, or None if it is not an allowed type."""
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    return mime if mime in ALLOWED_TYPES else None


def can_upload_to_presentation(user, presentation) -> bool:
    return user.is_active and (
        user.role == Role.SECRETARIAT
        or (user.role == Role.DELEGATE and user.state_id == presentation.presenting_state_id)
    )


@transaction.atomic
def upload(*, by, uploaded, presentation=None, agenda=None) -> Document:
    """Store ``uploaded`` (a Django UploadedFile) for a presentation or an agenda.

    Refuses files over ``DIEF_MAX_UPLOAD_BYTES`` and files whose content is not an allowed
    type, whatever their name says. Stored under a random name outside any public URL.
    Returns the :class:`Document`; raises :class:`RuleViolation` and stores nothing.
    """
    if presentation is not None and not can_upload_to_presentation(by, presentation):
        raise RuleViolation(_("Only the presenting State or the Secretariat adds documents to a presentation."), "12")
    if agenda is not None and not (by.is_active and by.role == Role.SECRETARIAT):
        raise RuleViolation(_("The Secretariat adds the agenda's supporting documents (ToR rule 10)."), "10")
    if uploaded.size > max_upload_bytes():
        raise RuleViolation(_("The file is larger than %(max)s.") % {"max": filesizeformat(max_upload_bytes())})
    if uploaded.size == 0:
        raise RuleViolation(_("The file is empty."))
    mime = detect_type(uploaded)
    if mime is None:
        raise RuleViolation(
            _("This kind of file is not accepted. Send PDF, Word, Excel, PowerPoint, OpenDocument, PNG or JPEG.")
        )
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    document = Document(
        presentation=presentation,
        agenda=agenda,
        original_name=clean_name(uploaded.name),
        content_type=mime,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=clock.now(),
    )
    document.file.save("upload", File(uploaded), save=False)
    document.save()
    return document
