from django.http import FileResponse
from django.utils.translation import gettext as _

from accounts.security import object_for_user_or_404
from dief import clock
from dief.errors import RuleViolation

from .models import DocumentAccess
from .queries import documents_for_user


def uploaded_file(request):
    """The file a document form posted, or a :class:`RuleViolation` saying why there is none
    (too large, or none chosen). Shared by every upload view."""
    from presentations.forms import DocumentForm

    from . import services

    form = DocumentForm(request.POST, request.FILES)
    services.refuse_if_too_large(request)
    form.is_valid()  # the language fields are read by language_version_fields
    uploaded = form.cleaned_data.get("file")
    if not uploaded:
        raise RuleViolation(_("Choose a file to upload."))
    return uploaded


def language_version_fields(request) -> dict:
    """The language and the original a document form posted (ToR rule 23), as keyword
    arguments of :func:`documents.services.upload`; the original must be readable by the user."""
    language = request.POST.get("language", "")[:8]
    raw = request.POST.get("version_of", "").strip()
    version_of = None
    if raw:
        if not raw.isdigit() or len(raw) > 12:
            raise RuleViolation(_("A language version belongs to a document of the same item (ToR rule 23)."), "23")
        version_of = documents_for_user(request.user).filter(pk=int(raw)).first()
        if version_of is None:
            raise RuleViolation(_("A language version belongs to a document of the same item (ToR rule 23)."), "23")
    return {"language": language, "version_of": version_of}


def download(request, token):
    """Serve a document to someone who may read it, and log who read what and when."""
    document = object_for_user_or_404(documents_for_user(request.user), token=token)
    DocumentAccess.objects.create(document=document, user=request.user, accessed_at=clock.now())
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=document.original_name,
        content_type=document.content_type,
    )
    response["Cache-Control"] = "private, no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
