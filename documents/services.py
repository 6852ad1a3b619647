"""Uploading supporting documents: size limit, real type check, Unicode names kept."""

import hashlib
import unicodedata
import zipfile
from dataclasses import dataclass

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


#: An office document holds a few hundred parts at most; a package with more is refused.
MAX_PACKAGE_ENTRIES = 1000
_INFLATE_CHUNK = 1024 * 1024


def max_unpacked_bytes() -> int:
    """What an OOXML/ODF package may inflate to, all parts together (``DIEF_MAX_UNPACKED_BYTES``)."""
    return getattr(settings, "DIEF_MAX_UNPACKED_BYTES", 50 * 1024 * 1024)


def refuse_zip_bomb(package: zipfile.ZipFile) -> None:
    """Raise :class:`RuleViolation` if ``package`` has more than ``MAX_PACKAGE_ENTRIES`` parts or
    inflates to more than :func:`max_unpacked_bytes`. The sizes the package declares are checked
    first, then every part is inflated in chunks and counted (a package can lie about its sizes),
    stopping as soon as the bound is passed; nothing is kept in memory."""
    infos = package.infolist()
    if len(infos) > MAX_PACKAGE_ENTRIES:
        raise RuleViolation(
            _("The document holds more than %(count)s parts; it is refused.") % {"count": MAX_PACKAGE_ENTRIES}
        )
    limit = max_unpacked_bytes()
    too_big = RuleViolation(
        _("The document unpacks to more than %(max)s; it is refused.") % {"max": filesizeformat(limit)}
    )
    if sum(i.file_size for i in infos) > limit:
        raise too_big
    total = 0
    for info in infos:
        with package.open(info) as part:
            while chunk := part.read(_INFLATE_CHUNK):
                total += len(chunk)
                if total > limit:
                    raise too_big


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
    executable or script inside. Raises :class:`RuleViolation` for a package with too many
    parts or that inflates past the bound (:func:`refuse_zip_bomb`).
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
                if main_part not in names or any(_suspicious_entry(n) for n in names):
                    return None
                refuse_zip_bomb(package)
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, ValueError, EOFError):
            return None
        finally:
            uploaded.seek(0)
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


def _check_language(language: str, version_of, presentation, agenda) -> None:
    """ToR rule 23: a language version is in English, French or Spanish, of an original of the
    same presentation or agenda, and each language once."""
    if language and language not in dict(settings.LANGUAGES):
        raise RuleViolation(_("Documents carry versions in English, French and Spanish (ToR rule 23)."), "23")
    if version_of is None:
        return
    if not language:
        raise RuleViolation(_("Say in which language this version is (ToR rule 23)."), "23")
    if version_of.version_of_id is not None or (
        version_of.presentation_id != getattr(presentation, "pk", None)
        or version_of.agenda_id != getattr(agenda, "pk", None)
    ):
        raise RuleViolation(_("A language version belongs to a document of the same item (ToR rule 23)."), "23")
    if version_of.language == language or version_of.language_versions.filter(language=language).exists():
        raise RuleViolation(_("This document already has a version in that language (ToR rule 23)."), "23")


@transaction.atomic
def upload(
    *,
    by,
    uploaded,
    presentation=None,
    agenda=None,
    language: str = "",
    version_of=None,
    classification=Classification.CONFIDENTIAL,
    standalone=False,
) -> Document:
    """Store ``uploaded`` (a Django UploadedFile) for a presentation or an agenda, or, with
    ``standalone=True``, for a higher app that links to it and has checked who may add it (an
    information record). ``classification`` is the provider's (ToR rule 15); ``language`` and
    ``version_of`` make it a language version of another document (ToR rule 23).

    Refuses files over ``DIEF_MAX_UPLOAD_BYTES`` and files whose content is not an allowed
    type, whatever their name says. Stored under a random name outside any public URL.
    ``language`` ("en", "fr", "es" or "") is the document's language; with ``version_of``
    (a :class:`Document` of the same presentation or agenda) it is that document's version
    in ``language`` (ToR rule 23). Returns the :class:`Document`; raises
    :class:`RuleViolation` and stores nothing.
    """
    if presentation is not None and not can_upload_to_presentation(by, presentation):
        raise RuleViolation(_("Only the presenting State or the Secretariat adds documents to a presentation."), "12")
    if presentation is None and agenda is None and not standalone:
        raise RuleViolation(_("A document belongs to a presentation or an agenda."))
    if classification not in Classification.values:
        raise RuleViolation(_("Choose a classification (ToR rule 15)."), "15")
    if agenda is not None and not (by.is_active and by.role == Role.SECRETARIAT):
        raise RuleViolation(_("The Secretariat adds the agenda's supporting documents (ToR rule 10)."), "10")
    _check_language(language, version_of, presentation, agenda)
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
        language=language,
        version_of=version_of,
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


@dataclass(frozen=True)
class ReaderDocument:
    """What a reader gets of one document: the version in the reader's language when there is
    one (else the original), and which languages exist (ToR rule 23)."""

    original: Document
    document: Document
    languages: tuple  # ((code, label, Document), ...) in the order of settings.LANGUAGES


def for_reader(documents, language: str) -> list[ReaderDocument]:
    """Group ``documents`` (a queryset the reader may see, or a list of them in upload order)
    into originals with their language versions, and pick for each the version in ``language``.
    One query whatever the count: the versions of an original are among ``documents`` (the
    same item's)."""
    rows = documents if isinstance(documents, list) else list(documents.order_by("uploaded_at", "pk"))
    originals = [d for d in rows if d.version_of_id is None]
    original_ids = {d.pk for d in originals}
    versions = {}
    for v in rows:
        if v.version_of_id in original_ids:
            versions.setdefault(v.version_of_id, []).append(v)
    out = []
    for original in originals:
        by_language = {v.language: v for v in versions.get(original.pk, [])}
        if original.language:
            by_language.setdefault(original.language, original)
        languages = tuple((code, label, by_language[code]) for code, label in settings.LANGUAGES if code in by_language)
        out.append(ReaderDocument(original, by_language.get(language, original), languages))
    return out
