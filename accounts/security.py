"""The security log: second-factor results and denied access, for the Secretariat to read.

Other apps call :func:`record_security_event` and :func:`object_for_user_or_404`; what they
pass is kinds, object types and ids, never content.
"""

import re

from django.http import Http404

from dief import clock

from .enums import SecurityEventKind
from .models import SecurityEvent

_ALLOWED_DETAIL_TYPES = (int, bool, type(None))
_CODE = re.compile(r"[A-Za-z0-9_.:-]{1,64}")


def _client_ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


def record_security_event(request, kind: str, *, user=None, **details) -> SecurityEvent:
    """Write one security log line for ``request`` (its user, address and path) of ``kind``
    (a :class:`SecurityEventKind`). ``details`` are ids, counts, flags or short codes such as
    an object type or a method (no spaces, 64 characters at most); any other text is refused
    (ValueError), so no content leaks in.
    ``user`` overrides the request's user. Returns the row."""
    for key, value in details.items():
        if not (isinstance(value, _ALLOWED_DETAIL_TYPES) or (isinstance(value, str) and _CODE.fullmatch(value))):
            raise ValueError(f"security log detail {key!r} must be an id, a flag or a short code")
    if user is None and request is not None and getattr(request, "user", None) is not None:
        user = request.user if request.user.is_authenticated else None
    return SecurityEvent.objects.create(
        at=clock.now(),
        kind=SecurityEventKind(kind),
        user=user,
        ip_address=_client_ip(request),
        path=(request.path[:200] if request is not None else ""),
        details=details,
    )


class DeniedAccess(Http404):
    """A 404 for an object that exists but is outside the user's ``*_for_user()`` queryset:
    :class:`SecurityLogMiddleware` writes it to the security log (type and id only), then
    Django answers the ordinary 404 (existence stays confidential)."""

    def __init__(self, object_type: str, object_id: int):
        super().__init__()
        self.object_type = object_type
        self.object_id = object_id


def object_for_user_or_404(queryset, **lookup):
    """``queryset.get(**lookup)``, where ``queryset`` is an ``*_for_user()`` queryset; a miss
    raises Http404, and :class:`DeniedAccess` (a 404 the security log records) when the object
    exists."""
    try:
        return queryset.get(**lookup)
    except queryset.model.DoesNotExist:
        existing = queryset.model._base_manager.filter(**lookup).values_list("pk", flat=True).first()
        if existing is not None:
            raise DeniedAccess(queryset.model._meta.label, existing) from None
        raise Http404 from None


class SecurityLogMiddleware:
    """Writes a :class:`DeniedAccess` raised by a view to the security log."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, DeniedAccess):
            record_security_event(
                request,
                SecurityEventKind.ACCESS_DENIED,
                object_type=exception.object_type,
                object_id=exception.object_id,
            )
        return None


def mask_secret(value: str) -> str:
    """What the audit trail shows for a password hash (django-auditlog's mask): only that it
    was set or removed, no part of the hash."""
    if not value or value == "None":
        return ""
    return "********"
