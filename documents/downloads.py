"""Every download is logged and, for a PDF, marked (ToR rules 14, 15).

A PDF is stamped on each page with the recipient's name and State, the UTC time, the
classification and a download id; the id resolves to exactly one :class:`DocumentAccess`
row. Other files are served as attachments that no cache keeps. The log holds access events
only, never content (ToR rule 17).
"""

import hashlib

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import override

from dief import clock
from dief.confidentiality import Classification
from dief.errors import RuleViolation
from states.names import state_name

from .models import DocumentAccess
from .stamping import UnreadablePdf, stamp_pdf

PDF = "application/pdf"


def client_ip(request) -> str | None:
    """The address the request came from (``REMOTE_ADDR``: the proxy in front sets it)."""
    return request.META.get("REMOTE_ADDR") or None


def stamp_lines(access: DocumentAccess, user) -> list[str]:
    """The marking of one download (ToR rule 15), in the recipient's language (``user.language``,
    English when none), as a list of lines: classification, recipient and UTC time, download id.
    The id stays the same in every language (the Secretariat looks it up)."""
    with override(getattr(user, "language", "") or "en"):
        state = state_name(user.state) if user.state_id else str(_("no State"))
        return [
            _("%(marking)s - ToR rule 15") % {"marking": Classification.short(access.classification)},
            _("Downloaded by %(name)s (%(state)s) at %(when)s UTC")
            % {
                "name": user.get_full_name() or user.username,
                "state": state,
                "when": f"{access.accessed_at:%Y-%m-%d %H:%M:%S}",
            },
            _("Download id %(id)s") % {"id": access.download_id},
        ]


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    from django.utils.http import content_disposition_header

    response["Content-Disposition"] = content_disposition_header(True, filename)
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response


def serve(
    request,
    *,
    data: bytes,
    filename: str,
    content_type: str,
    classification: int,
    document=None,
    object_kind: str = "document",
    object_id: int | None = None,
) -> HttpResponse:
    """Log the download of ``data`` by ``request.user`` and return the response.

    A PDF comes back stamped on every page; its SHA-256 (of the stamped file, unique to this
    download) is logged. Raises :class:`RuleViolation` and logs nothing when a PDF cannot be
    read to be stamped (it is never served unmarked). The log row is written once, complete,
    after the stamping (its download id and time are set before, and stamped).
    """
    user = request.user
    access = DocumentAccess(
        document=document,
        object_kind=object_kind,
        object_id=object_id if object_id is not None else getattr(document, "pk", None),
        user=user,
        state_id=user.state_id,
        ip_address=client_ip(request),
        classification=classification,
        marked=content_type == PDF,
        accessed_at=clock.now(),
    )
    if content_type == PDF:
        try:
            data = stamp_pdf(data, stamp_lines(access, user))
        except UnreadablePdf as exc:
            raise RuleViolation(
                _("This PDF cannot be marked for download, so it is not served (ToR rule 15).")
            ) from exc
    access.sha256 = hashlib.sha256(data).hexdigest()
    access.save(force_insert=True)
    response = _attachment(data, filename, content_type)
    response["X-Download-Id"] = str(access.download_id)
    return response
