import uuid

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.security import object_for_user_or_404
from dief.errors import RuleViolation
from dief.pagination import paginate_lean

from . import downloads
from .models import DocumentAccess
from .queries import document_for_user_or_404, documents_for_user, sees_download_log


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
    """Serve a document to someone who may read it: logged, and stamped if it is a PDF."""
    document = document_for_user_or_404(request.user, token)
    with document.file.open("rb") as handle:
        data = handle.read()
    try:
        return downloads.serve(
            request,
            data=data,
            filename=document.original_name,
            content_type=document.content_type,
            classification=document.classification,
            document=document,
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("home")


def download_log(request, token):
    """Every download of a document, a page at a time, for those who may see its log: the
    provider's delegates and the Secretariat (ToR rules 14, 15)."""
    document = object_for_user_or_404(documents_for_user(request.user).select_related("uploaded_by"), token=token)
    if not sees_download_log(request.user, document):
        raise Http404
    page = paginate_lean(
        request,
        DocumentAccess.objects.filter(document=document).select_related("user__state").order_by("-accessed_at", "-pk"),
    )
    return render(
        request, "documents/download_log.html", {"document": document, "log": page.object_list, "page_obj": page}
    )


def download_lookup(request):
    """The Secretariat resolves a download id found on a copy to its access-log row (ToR
    rule 15): who, which State, from where, what, which file, when. Nothing of the content."""
    user = request.user
    if not (user.is_active and user.role == Role.SECRETARIAT and not user.is_superuser):
        raise Http404
    query = request.GET.get("id", "").strip()[:64]
    access = None
    searched = bool(query)
    try:
        download_id = uuid.UUID(query)
    except ValueError:  # not a download id: nothing found, never a 500
        download_id = None
    if download_id is not None:
        access = DocumentAccess.objects.select_related("user", "state").filter(download_id=download_id).first()
    return render(request, "documents/download_lookup.html", {"q": query, "access": access, "searched": searched})
