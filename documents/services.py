"""Uploading supporting documents: size limit, real type check, Unicode names kept."""

import hashlib
import unicodedata
import zipfile

import filetype
from django.conf import settings
from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

from accounts.enums import Role
from dief import clock
from dief.confidentiality import Classification
from dief.errors import RuleViolation

from .models import Document

#: What the Forum exchanges: office documents, PDF and pictures. The type is read from the
#: content (magic numbers), never from the file name.
ALLOWED_TYPES = {
    "application/pdf": "pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": "pptx",
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
    "image/png": "png",
    "image/jpeg": "jpg",
}
#: The part every genuine package of each zip-based type holds.
PACKAGE_MAIN_PART = {
    "docx": "word/document.xml",
    "xlsx": "xl/workbook.xml",
    "pptx": "ppt/presentation.xml",
    "odt": "content.xml",
    "ods": "content.xml",
    "odp": "content.xml",
}
#: Entries that have no business inside a document package.
FORBIDDEN_IN_PACKAGE = (
    *(".exe", ".dll", ".js", ".jse", ".vbs", ".vbe", ".bat", ".cmd", ".ps1", ".scr", ".com", ".msi", ".jar"),
    *(".hta", ".lnk", ".sh", ".wsf", ".wsh", ".html", ".htm", ".xhtml", ".svg", ".py", ".pl", ".bin", ".ocx"),
    *(".cpl", ".reg", ".vba"),
)


def _suspicious_entry(name: str) -> bool:
    """A package entry that escapes its folder, hides its extension, or is a program or a macro."""
    clean = name.strip().strip(".").lower()
    parts = name.replace("\\", "/").split("/")
    return (
        name != name.strip()
        or name.startswith(("/", "\\"))
        or ".." in parts
        or clean.endswith(FORBIDDEN_IN_PACKAGE)
        or "vbaproject" in clean
    )


MAX_PACKAGE_ENTRIES = 5000


def refuse_if_too_large(request) -> None:
    """Raise the size refusal when the upload handler skipped a file for its size."""
    from .uploads import TOO_LARGE

    if getattr(request, TOO_LARGE, False):
        raise RuleViolation(_("The file is larger than %(max)s.") % {"max": filesizeformat(max_upload_bytes())})


def max_upload_bytes() -> int:
    return getattr(settings, "DIEF_MAX_UPLOAD_BYTES", 20 * 1024 * 1024)


def clean_name(name: str) -> str:
    """Keep the uploader's Unicode file name, without paths or control characters."""
    name = unicodedata.normalize("NFC", name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(c for c in name if unicodedata.category(c)[0] != "C").strip().lstrip(".")
    return (name or "document")[:255]


def detect_type(uploaded) -> str | None:
    """The MIME type read from the file's content, or None if it is not an allowed type.

    Zip-based documents must also be genuine packages: their main part present, no
    executable or script inside, a sane number of entries.
    """
    uploaded.seek(0)
    head = uploaded.read(8192)
    uploaded.seek(0)
    kind = filetype.guess(head)
    mime = kind.mime if kind else None
    if mime not in ALLOWED_TYPES:
        return None
    main_part = PACKAGE_MAIN_PART.get(ALLOWED_TYPES[mime])
    if main_part is not None:
        try:
            with zipfile.ZipFile(uploaded) as package:
                names = package.namelist()
        except (zipfile.BadZipFile, OSError, ValueError):
            return None
        finally:
            uploaded.seek(0)
        if main_part not in names or len(names) > MAX_PACKAGE_ENTRIES or any(_suspicious_entry(n) for n in names):
            return None
    return mime


def stored_name(name: str, mime: str) -> str:
    """The uploader's name with the extension of the type actually detected, so that a
    download never opens as something else ("run.bat" holding a PDF becomes "run.pdf")."""
    stem = clean_name(name)
    if "." in stem:
        stem = stem.rsplit(".", 1)[0].rstrip(" .\u3000") or "document"
    return f"{stem[:240]}.{ALLOWED_TYPES[mime]}"


def can_upload_to_presentation(user, presentation) -> bool:
    return user.is_active and (
        user.role == Role.SECRETARIAT
        or (user.role == Role.DELEGATE and user.state_id == presentation.presenting_state_id)
    )


@transaction.atomic
def upload(
    *, by, uploaded, presentation=None, agenda=None, classification=Classification.CONFIDENTIAL, standalone=False
) -> Document:
    """Store ``uploaded`` (a Django UploadedFile) for a presentation or an agenda, or, with
    ``standalone=True``, for a higher app that links to it and has checked who may add it (an
    information record). ``classification`` is the provider's (ToR rule 15).

    Refuses files over ``DIEF_MAX_UPLOAD_BYTES`` and files whose content is not an allowed
    type, whatever their name says. Stored under a random name outside any public URL.
    Returns the :class:`Document`; raises :class:`RuleViolation` and stores nothing.
    """
    if presentation is not None and not can_upload_to_presentation(by, presentation):
        raise RuleViolation(_("Only the presenting State or the Secretariat adds documents to a presentation."), "12")
    if presentation is None and agenda is None and not standalone:
        raise RuleViolation(_("A document belongs to a presentation or an agenda."))
    if classification not in Classification.values:
        raise RuleViolation(_("Choose a classification (ToR rule 15)."), "15")
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
    same = None
    if not standalone:
        same = Document.objects.filter(presentation=presentation, agenda=agenda, sha256=digest.hexdigest()).first()
    if same is not None:  # a double click or a retry: the document is there already
        return same
    document = Document(
        presentation=presentation,
        agenda=agenda,
        original_name=stored_name(uploaded.name, mime),
        content_type=mime,
        size=uploaded.size,
        sha256=digest.hexdigest(),
        uploaded_by=by,
        uploaded_at=clock.now(),
        classification=classification,
    )
    document.file.save("upload", File(uploaded), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # the same file, uploaded at the same instant by a second request
        document.file.delete(save=False)
        return Document.objects.get(presentation=presentation, agenda=agenda, sha256=document.sha256)
    return document
