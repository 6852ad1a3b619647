"""Project-wide error views."""

from django.shortcuts import render
from django.views.csrf import csrf_failure as django_csrf_failure

from documents.uploads import TOO_LARGE


def csrf_failure(request, reason=""):
    """An upload stopped for its size leaves no form to check: say so instead of "CSRF"."""
    if getattr(request, TOO_LARGE, False):
        from documents.services import max_upload_bytes

        return render(request, "upload_too_large.html", {"max": max_upload_bytes()}, status=413)
    return django_csrf_failure(request, reason=reason)
