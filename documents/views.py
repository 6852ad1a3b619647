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
    if not form.is_valid():
        raise RuleViolation(_("Choose a file to upload."))
    return form.cleaned_data["file"]


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
