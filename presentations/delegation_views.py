"""The delegations of a meeting (ToR rules 6, 7): thin views over presentations.services.

Their URLs keep their names in the ``meetings`` namespace (``meetings:delegations``): dief/urls.py
mounts :data:`meeting_urlpatterns` under /meetings/ with meetings.urls.
"""

from django.contrib import messages
from django.db import connections
from django.db.models import Count, Exists, OuterRef, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import ParticipantRole, Role
from accounts.models import User
from dief.errors import RuleViolation
from dief.sql import column, table
from meetings.forms import DELEGATE_FIELDS, DelegationForm
from meetings.models import DelegationRegistration
from meetings.queries import can_manage_meetings, is_chair_in_office, meeting_fields_or_404, meeting_for_user_or_404
from meetings.small_counts import protect_column
from states.models import State
from states.names import StateRef, region_name, sorted_by_name

from . import services


def _privileged(user) -> bool:
    return can_manage_meetings(user) or is_chair_in_office(user)


#: What the delegations page reads of its meeting: its title and link, and its last day in its
#: time zone (whether delegations may still register).
PAGE_MEETING_FIELDS = ("pk", "title", "end_date", "procedural_time_zone")


def _page_meeting_or_404(user, pk):
    """The meeting ``pk`` as :func:`meetings.queries.meeting_for_user_or_404` gives it (the same
    users, the same 404s: an expert never reaches a meeting's delegations, ToR rules 8, 15),
    with only the columns the page shows and none of its ToR version or invitation."""
    if user.is_authenticated and user.role == Role.EXPERT:
        raise Http404
    return meeting_fields_or_404(user, pk, PAGE_MEETING_FIELDS)


def _by_region(registrations) -> list[tuple]:
    """Delegations and delegations with an enforcement officer per region, as the page may
    publish them: ``(region name, delegations, with officers)`` sorted by the region's name in
    the interface language, a count of one or two (and one that a total would reveal) hidden
    as the participation figures hide it (:mod:`meetings.small_counts`, ToR rules 7, 14)."""
    totals: dict[str, int] = {}
    officers: dict[str, int] = {}
    for region, _iso3, _name, with_officer in registrations:
        region = region or ""
        totals[region] = totals.get(region, 0) + 1
        officers[region] = officers.get(region, 0) + (1 if with_officer else 0)
    regions = sorted(totals)
    shown_totals, _total = protect_column(totals, regions, len(registrations))
    shown_officers, _officers = protect_column(officers, regions, sum(officers.values()))
    hidden = _("hidden")
    rows = [
        (
            region_name(r),
            hidden if shown_totals[r] is None else shown_totals[r],
            hidden if shown_officers[r] is None else shown_officers[r],
        )
        for r in regions
    ]
    return sorted_by_name(rows, lambda row: row[0])


def registration_rows(meeting_id: int) -> list[tuple]:
    """One row per State registered to the meeting: its region, ISO code and name, how many of
    its delegation's members are enforcement officers, the registration's id and the State's id,
    in no order. Written out (one join, the officers counted per registration through the
    members' index rather than by joining every meeting's members and grouping), as the ORM's
    answer (:func:`registration_rows_orm`, pinned by presentations/tests/test_delegation_rows.py),
    which costs more to build than to run on every visit of the delegations page."""
    through = DelegationRegistration.members.through
    sql = (
        f"SELECT s.{column(State, 'region')}, s.{column(State, 'iso3')}, s.{column(State, 'name')},"
        f" (SELECT COUNT(*) FROM {table(through)} mm"
        f" INNER JOIN {table(User)} u ON u.{column(User, 'id')} = mm.{column(through, 'user')}"
        f" WHERE mm.{column(through, 'delegationregistration')} = r.{column(DelegationRegistration, 'id')}"
        f" AND u.{column(User, 'participant_role')} = %s),"
        f" r.{column(DelegationRegistration, 'id')}, r.{column(DelegationRegistration, 'state')}"
        f" FROM {table(DelegationRegistration)} r"
        f" INNER JOIN {table(State)} s ON s.{column(State, 'id')} = r.{column(DelegationRegistration, 'state')}"
        f" WHERE r.{column(DelegationRegistration, 'meeting')} = %s"
    )
    with connections[DelegationRegistration.objects.db].cursor() as cursor:
        cursor.execute(sql, [ParticipantRole.ENFORCEMENT.value, meeting_id])
        return [tuple(row) for row in cursor.fetchall()]


def registration_rows_orm(meeting_id: int) -> list[tuple]:
    """:func:`registration_rows` as the ORM reads them."""
    return list(
        DelegationRegistration.objects.filter(meeting_id=meeting_id)
        .order_by()
        .annotate(officers=Count("members", filter=Q(members__participant_role=ParticipantRole.ENFORCEMENT)))
        .values_list("state__region", "state__iso3", "state__name", "officers", "pk", "state_id")
    )


def delegate_rows(state_id: int, registration_id: int | None) -> list[tuple]:
    """The active delegates of the State ``state_id`` by family name, as the delegation form's
    checkboxes show them (``DELEGATE_FIELDS``), each with whether it is a member of the
    registration ``registration_id`` (False for all without one). Written out, as the ORM's
    answer (:func:`delegate_rows_orm`, pinned by presentations/tests/test_delegation_rows.py)."""
    through = DelegationRegistration.members.through
    shown = ", ".join(f"u.{column(User, name)}" for name in ("id", *DELEGATE_FIELDS[1:]))
    sql = (
        f"SELECT {shown}, EXISTS (SELECT 1 FROM {table(through)} mm"
        f" WHERE mm.{column(through, 'delegationregistration')} = %s"
        f" AND mm.{column(through, 'user')} = u.{column(User, 'id')})"
        f" FROM {table(User)} u WHERE u.{column(User, 'is_active')} = %s AND u.{column(User, 'role')} = %s"
        f" AND u.{column(User, 'state')} = %s ORDER BY u.{column(User, 'last_name')}"
    )
    with connections[User.objects.db].cursor() as cursor:
        cursor.execute(sql, [registration_id, True, Role.DELEGATE.value, state_id])
        return [(*row[:-1], bool(row[-1])) for row in cursor.fetchall()]


def delegate_rows_orm(state_id: int, registration_id: int | None) -> list[tuple]:
    """:func:`delegate_rows` as the ORM reads them."""
    registered = DelegationRegistration.members.through.objects.filter(
        delegationregistration_id=registration_id, user_id=OuterRef("pk")
    )
    delegates = User.objects.filter(role=Role.DELEGATE, state_id=state_id, is_active=True).order_by("last_name")
    return list(delegates.annotate(member=Exists(registered)).values_list(*DELEGATE_FIELDS, "member"))


def delegations(request, pk):
    """Delegations registered to a meeting (ToR rule 7), with enforcement officers by region."""
    meeting = _page_meeting_or_404(request.user, pk)
    user = request.user
    # One row per registered State: its region, its name (for the Secretariat and the Chair)
    # and how many of its members are enforcement officers (one join, no subquery per row);
    # the user's own State's registration is among them.
    rows = registration_rows(meeting.pk)
    registrations = [row[:4] for row in rows]
    form = None
    may_register = services.can_register_delegation(user, meeting) if user.is_delegate else None
    # the pk of the user's State's registration, if any
    own = next((pk for *_row, pk, state_id in rows if state_id == user.state_id), None) if user.is_delegate else None
    if may_register:
        delegates = User.objects.filter(role=Role.DELEGATE, state_id=user.state_id, is_active=True).order_by(
            "last_name"
        )
        # whether each delegate is a member of the registered delegation, in the same query
        choices = delegate_rows(user.state_id, own)
        ticked = [row[0] for row in choices if row[-1]] if own else [user.pk]
        form = DelegationForm(delegates=delegates, rows=choices, initial={"members": ticked})
    show_states = _privileged(user)
    return render(
        request,
        "meetings/delegations.html",
        {
            "meeting": meeting,
            "by_region": _by_region(registrations),
            "registered": len(registrations),
            "states": (
                sorted_by_name(
                    [(StateRef(iso3, name), bool(officers)) for _r, iso3, name, officers in registrations],
                    lambda row: str(row[0]),
                )
                if show_states
                else None
            ),
            "own": own,
            "form": form,
            "may_register": may_register,
            "show_states": show_states,
        },
    )


@require_POST
def delegation_register(request, pk):
    meeting = meeting_for_user_or_404(request.user, pk)
    user = request.user
    delegates = User.objects.filter(role=Role.DELEGATE, state_id=user.state_id, is_active=True)
    form = DelegationForm(request.POST, delegates=delegates)
    try:
        if not form.is_valid():
            raise RuleViolation(_("Name at least one delegate of your State (ToR rule 7)."), "7")
        services.register_delegation(by=user, meeting=meeting, members=form.cleaned_data["members"])
    except RuleViolation as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your State's delegation is registered (ToR rules 6, 7)."))
    return redirect("meetings:delegations", pk=meeting.pk)


meeting_urlpatterns = [
    path("<int:pk>/delegations/", delegations, name="delegations"),
    path("<int:pk>/delegations/register/", delegation_register, name="delegation_register"),
]
