"""Thin views over meetings.services and meetings.queries."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from dief import clock
from dief.actions import perform
from dief.errors import RuleViolation
from dief.pagination import paginate_lean

from . import services
from .deadlines import deadline_status, meeting_calendar
from .enums import DeadlineKey, DeadlineStatus
from .forms import (
    ChairAppointmentForm,
    ChairCommentsForm,
    ChairConsultationForm,
    ConveningDecisionForm,
    InvitationTextForm,
    MeetingDatesForm,
    MeetingForm,
    PointOfContactForm,
)
from .models import ChairAppointment
from .queries import (
    can_manage_meetings,
    chair_in_office_on_start,
    current_chair_appointment,
    is_chair_in_office,
    meeting_for_user_or_404,
    meeting_list_rows,
    meeting_page_or_404,
    open_flags,
    registration_closed_reason,
    sees_forum_offices,
)


def _meeting_for(request, pk, *, practical_details=False, related=()):
    """The meeting ``pk`` if the user may see it, else 404 (never 403: existence is confidential)."""
    return meeting_for_user_or_404(request.user, pk, practical_details=practical_details, related=related)


def _require_manager(request):
    if not can_manage_meetings(request.user):
        raise PermissionDenied


def meeting_list(request):
    # the columns the rows show; no COUNT of every meeting the user sees (a page and a flag)
    page = paginate_lean(request, meeting_list_rows(request.user))
    return render(
        request,
        "meetings/meeting_list.html",
        {
            "meetings": page.object_list,
            "page_obj": page,
            "can_manage": can_manage_meetings(request.user),
            "sees_chair": sees_forum_offices(request.user),
        },
    )


def meeting_create(request):
    _require_manager(request)
    form = MeetingForm(request.POST or None)
    short_notice = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            meeting = services.convene_meeting(by=request.user, **data)
        except RuleViolation as exc:
            form.add_error("short_notice_reason" if exc.rule == "9" else None, exc.message)
            short_notice = exc.rule == "9"
        else:
            messages.success(request, _("Meeting created. Its invitation is a draft until you send it."))
            return redirect("meetings:detail", pk=meeting.pk)
    short_notice = short_notice or "short_notice_reason" in form.errors
    return render(request, "meetings/meeting_form.html", {"form": form, "short_notice": short_notice})


def _calendar_rows(meeting, viewer_tz, *, with_summaries=True):
    from enforcement.registry import DUTIES

    now = clock.now()
    done = {key: duty.done_at(meeting) for key, duty in DUTIES.items() if duty.escalate}
    summaries = (
        {key: duty.summary(meeting) for key, duty in DUTIES.items() if duty.summary is not None}
        if with_summaries
        else {}
    )
    rows = []
    for d in meeting_calendar(meeting):
        status = deadline_status(d, done.get(d.key), now)
        rows.append(
            {
                "deadline": d,
                "status": status,
                "status_label": DeadlineStatus(status).label,
                "procedural": d.due_at_procedural,
                "viewer": d.due_at_in(viewer_tz),
                "summary": summaries.get(d.key, ""),
            }
        )
    return rows


def meeting_detail(request, pk):
    meeting = meeting_page_or_404(request.user, pk)
    user = request.user
    if user.role == Role.EXPERT:  # the practical details only: no convening, invitation or calendar (rules 8, 15)
        return render(request, "meetings/meeting_practical.html", {"meeting": meeting})
    chair_in_office = chair_in_office_on_start(meeting)
    can_manage = can_manage_meetings(user)
    may_convene = services.can_record_convening_decision(user, meeting)
    return render(
        request,
        "meetings/meeting_detail.html",
        {
            "meeting": meeting,
            "invitation": meeting.invitation,
            "calendar": _calendar_rows(meeting, user.time_zone, with_summaries=user.role != Role.EXPERT),
            "can_manage": can_manage,
            "sees_draft": can_manage or is_chair_in_office(user) or user.is_csp_president,
            "no_chair_flag": not chair_in_office,
            # the forms only for who is offered them (a form built and not shown costs its fields)
            "dates_form": (
                MeetingDatesForm(initial={"start_date": meeting.start_date, "end_date": meeting.end_date})
                if can_manage
                else None
            ),
            "flags": open_flags(meeting),
            "registration": registration_closed_reason(meeting) if user.is_delegate else None,
            "may_convene": may_convene,
            "convening_form": ConveningDecisionForm() if may_convene else None,
        },
    )


@require_POST
def meeting_convene(request, pk):
    """ToR rule 3: the CSP President records their own decision to convene the meeting."""
    meeting = _meeting_for(request, pk)
    form = ConveningDecisionForm(request.POST)

    def action(meeting):
        if not form.is_valid():
            raise RuleViolation(_("The decision could not be recorded."), "3")
        services.record_convening_decision(by=request.user, meeting=meeting, **form.cleaned_data)
        return _("Your decision to convene the meeting is recorded (ToR rule 3).")

    return perform(request, action, meeting, "meetings:detail", pk=meeting.pk)


@require_POST
def meeting_change_dates(request, pk):
    meeting = _meeting_for(request, pk)
    _require_manager(request)
    form = MeetingDatesForm(request.POST, meeting=meeting)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    else:
        try:
            services.change_meeting_dates(by=request.user, meeting=meeting, **form.cleaned_data)
        except RuleViolation as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The dates changed; every ToR deadline and reminder follows them."))
    return redirect("meetings:detail", pk=meeting.pk)


def meeting_calendar_view(request, pk):
    if request.user.is_authenticated and request.user.role == Role.EXPERT:
        raise Http404  # the practical details only (ToR rules 8, 15)
    meeting = meeting_page_or_404(request.user, pk)
    return render(
        request,
        "meetings/meeting_calendar.html",
        {"meeting": meeting, "calendar": _calendar_rows(meeting, request.user.time_zone)},
    )


def invitation_detail(request, pk):
    meeting = _meeting_for(request, pk)
    invitation = meeting.invitation
    user = request.user
    privileged = can_manage_meetings(user) or is_chair_in_office(user) or user.is_csp_president
    if not invitation.is_sent and not privileged:
        raise Http404
    can_manage = can_manage_meetings(user)
    now = clock.now()
    return render(
        request,
        "meetings/invitation_detail.html",
        {
            "meeting": meeting,
            "invitation": invitation,
            "can_manage": can_manage,
            "is_chair": is_chair_in_office(user),
            "text_form": InvitationTextForm(initial={"additional_text": invitation.additional_text}),
            "consult_form": ChairConsultationForm(
                initial={"consulted_on": clock.today_in(meeting.procedural_time_zone)}
            ),
            "chair_form": ChairCommentsForm(initial={"note": invitation.chair_consultation_note}),
            "may_consult": services.can_record_chair_consultation(user, meeting, now),
            "may_send": services.can_send_invitation(user, meeting, now),
            "deadline": next(d for d in meeting_calendar(meeting) if d.key == DeadlineKey.INVITATION),
            "now": now,
            "reach": services.invitation_reach(meeting) if can_manage else None,
            "contact_form": PointOfContactForm(),
        },
    )


@require_POST
def invitation_point_of_contact(request, pk, state_pk):
    """ToR rule 9: the Secretariat records a State's national point of contact."""
    from states.queries import eligible_states

    def action(meeting):
        state = get_object_or_404(eligible_states(clock.today_in(meeting.procedural_time_zone)), pk=state_pk)
        form = PointOfContactForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Give a valid email address for the national point of contact (ToR rule 9)."), "9")
        services.record_point_of_contact(by=request.user, state=state, email=form.cleaned_data["email"])
        return _("The national point of contact of %(state)s is recorded (ToR rule 9).") % {"state": state.local_name}

    return _manage_action(request, pk, action)


def _manage_action(request, pk, action):
    meeting = _meeting_for(request, pk)
    _require_manager(request)
    return perform(request, action, meeting, "meetings:invitation", pk=meeting.pk)


@require_POST
def invitation_update(request, pk):
    form = InvitationTextForm(request.POST)

    def action(meeting):
        if not form.is_valid():
            raise RuleViolation(_("The text could not be saved."))
        services.update_invitation_text(
            by=request.user, meeting=meeting, additional_text=form.cleaned_data["additional_text"]
        )
        return _("Draft invitation saved.")

    return _manage_action(request, pk, action)


@require_POST
def invitation_consult(request, pk):
    """ToR rule 9: the Chair records their own consultation and comments; the Secretariat one
    held outside the application (the service tells them apart)."""
    by_chair = is_chair_in_office(request.user)
    form = ChairCommentsForm(request.POST) if by_chair else ChairConsultationForm(request.POST)

    def action(meeting):
        if not form.is_valid():
            raise RuleViolation(_("Give the date of the consultation."))
        services.record_chair_consultation(
            by=request.user,
            meeting=meeting,
            note=form.cleaned_data["note"],
            consulted_on=form.cleaned_data.get("consulted_on"),
        )
        if by_chair:
            return _("Your consultation and comments are recorded (ToR rule 9).")
        return _("The Chair's consultation is recorded (ToR rule 9).")

    meeting = _meeting_for(request, pk)
    return perform(request, action, meeting, "meetings:invitation", pk=meeting.pk)


@require_POST
def invitation_send(request, pk):
    def action(meeting):
        if not request.POST.get("confirm"):
            raise RuleViolation(_("Tick the confirmation to send the invitation (ToR rule 9)."), "9")
        invitation = services.send_invitation(by=request.user, meeting=meeting)
        if invitation.sent_late:
            return _("Invitation sent, after the deadline of ToR rule 9: it is recorded as late.")
        return _("Invitation sent to the delegates of every eligible State (ToR rule 9).")

    return _manage_action(request, pk, action)


def chair_appointments(request):
    """ToR rule 4: the CSP President appoints the Chair; the Forum's participants see who is Chair
    (:func:`meetings.queries.sees_forum_offices`), nobody else: a 404 (ToR rule 6)."""
    if not sees_forum_offices(request.user):
        raise Http404
    form = ChairAppointmentForm(request.POST or None) if request.user.is_csp_president else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.appoint_chair(by=request.user, **form.cleaned_data)
            except RuleViolation as exc:
                form.add_error(None, exc.message)
            else:
                if form.cleaned_data.get("succeed_current"):
                    messages.success(
                        request,
                        _(
                            "The successor is appointed (ToR rule 4). Once the Secretariat confirms it, the "
                            "current term ends the day before the successor takes office."
                        ),
                    )
                else:
                    messages.success(
                        request,
                        _(
                            "The Chair is appointed (ToR rule 4); the appointment takes effect once the "
                            "Secretariat confirms it."
                        ),
                    )
                return redirect("meetings:chair")
    appointments = ChairAppointment.objects.select_related(
        "chair__state", "appointed_by", "confirmed_by", "ended_early_by"
    ).order_by("-appointed_on")
    return render(
        request,
        "meetings/chair_appointments.html",
        {"form": form, "appointments": appointments, "current": current_chair_appointment()},
    )


def _chair_action(request, pk, action):
    if not (request.user.is_secretariat or request.user.is_csp_president):
        raise Http404
    appointment = get_object_or_404(ChairAppointment, pk=pk)
    return perform(request, lambda a: action(by=request.user, appointment=a), appointment, "meetings:chair")


@require_POST
def chair_confirm(request, pk):
    """A Secretariat officer confirms the President's appointment of the Chair (ToR rule 4)."""
    return _chair_action(request, pk, services.confirm_chair_appointment)


@require_POST
def chair_withdraw(request, pk):
    """An appointment not confirmed yet is withdrawn (ToR rule 4)."""
    return _chair_action(request, pk, services.withdraw_chair_appointment)
