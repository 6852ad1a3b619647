from django.http import FileResponse
from django.shortcuts import get_object_or_404

from dief import clock

from .models import DocumentAccess
from .queries import documents_for_user


def download(request, token):
    """Serve a document to someone who may read it, and log who read what and when."""
    document = get_object_or_404(documents_for_user(request.user), token=token)
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
