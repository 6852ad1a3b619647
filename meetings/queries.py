"""The one way to reach meetings: every view, list, export and task asks here (ToR rules 6, 14)."""

from django.conf import settings
from django.shortcuts import get_object_or_404

from accounts.access import granted_to_user_groups
from accounts.enums import Role
from dief import clock

from .models import ChairAppointment, Meeting, MeetingGroupObjectPermission

VIEW_MEETING = "meetings.view_meeting"


def is_verified(user) -> bool:
    """True if ``user`` is active and its session passed a second factor (django-otp)."""
    verified = getattr(user, "is_verified", None)
    return bool(user.is_authenticated and user.is_active and callable(verified) and verified())


def procedural_today():
    return clock.today_in(settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE)


def current_chair_appointment() -> ChairAppointment | None:
    """The Chair appointment in office today (ToR rule 4), or None."""
    return ChairAppointment.objects.in_office_on(procedural_today()).select_related("chair").first()


def is_chair_in_office(user) -> bool:
    """ToR rule 4: Chair rights last as long as the appointment's term, and only while the
    Chair is a delegate of an eligible State (never for a superuser).

    The answer is kept on the user object for the procedural day, so one request asks once."""
    today = procedural_today()
    cached = getattr(user, "_dief_chair_in_office", None)
    if cached is not None and cached[0] == today:
        return cached[1]
    answer = _is_chair_in_office(user, today)
    if user.is_authenticated:
        user._dief_chair_in_office = (today, answer)
    return answer


def _is_chair_in_office(user, today) -> bool:
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_superuser
        and user.role == Role.DELEGATE
        and user.state_id
        and user.state.is_eligible(today)
        and ChairAppointment.objects.in_office_on(today).filter(chair=user).exists()
    )


def meetings_for_user(user):
    """Meetings ``user`` may see, as a queryset; empty for anyone not verified by a second factor.

    Secretariat staff and delegates of a State eligible today see the meetings whose view
    permission was granted to their group (django-guardian, direct foreign-key tables; no
    global permission and no superuser shortcut count). The CSP President and the Chair in
    office see every meeting. Everybody else sees none, not even that a meeting exists
    (ToR rules 6, 14).
    """
    if not is_verified(user) or user.is_superuser or user.role == Role.ADMINISTRATOR:
        return Meeting.objects.none()
    if user.role == Role.CSP_PRESIDENT or is_chair_in_office(user):
        return Meeting.objects.all()
    if user.role in (Role.SECRETARIAT, Role.DELEGATE):
        if user.role == Role.DELEGATE and not (user.state_id and user.state.is_eligible(procedural_today())):
            return Meeting.objects.none()
        return granted_to_user_groups(Meeting.objects.all(), MeetingGroupObjectPermission, "view_meeting", user)
    return Meeting.objects.none()


def can_manage_meetings(user) -> bool:
    """Secretariat staff (ToR rules 5, 9, 10) with a verified session."""
    return is_verified(user) and user.role == Role.SECRETARIAT


def meeting_for_user_or_404(user, pk):
    """The meeting ``pk`` if ``user`` may see it (:func:`meetings_for_user`), else Http404
    (never 403: a meeting's existence is confidential). For the views of every app."""
    return get_object_or_404(meetings_for_user(user).select_related("tor_version", "invitation"), pk=pk)
