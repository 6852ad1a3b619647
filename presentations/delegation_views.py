"""The delegations of a meeting (ToR rules 6, 7): thin views over presentations.services.

Their URLs keep their names in the ``meetings`` namespace (``meetings:delegations``): dief/urls.py
mounts :data:`meeting_urlpatterns` under /meetings/ with meetings.urls.
"""

from django.contrib import messages
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import ParticipantRole, Role
from accounts.models import User
from dief.errors import RuleViolation
from meetings.forms import DelegationForm
from meetings.models import DelegationRegistration
from meetings.queries import can_manage_meetings, is_chair_in_office, meeting_for_user_or_404

from . import services


def _privileged(user) -> bool:
    return can_manage_meetings(user) or is_chair_in_office(user)


def delegations(request, pk):
    """Delegations registered to a meeting (ToR rule 7), with enforcement officers by region."""
    meeting = meeting_for_user_or_404(request.user, pk)
    user = request.user
    regs = (
        DelegationRegistration.objects.filter(meeting=meeting)
        .select_related("state")
        .annotate(
            has_enforcement=Exists(
                User.objects.filter(delegations=OuterRef("pk"), participant_role=ParticipantRole.ENFORCEMENT)
            )
        )
    )
    by_region = (
        regs.values("state__region")
        .annotate(total=Count("pk"), with_enforcement=Count("pk", filter=Q(has_enforcement=True)))
        .order_by("state__region")
    )
    own = regs.filter(state_id=user.state_id).first() if user.is_delegate else None
    form = None
    may_register = services.can_register_delegation(user, meeting) if user.is_delegate else None
    if may_register:
        delegates = (
            User.objects.filter(role=Role.DELEGATE, state_id=user.state_id, is_active=True)
            .only("pk", "username", "first_name", "last_name", "participant_role")
            .order_by("last_name")
        )
        members = own.members.values_list("pk", flat=True) if own else [user.pk]
        form = DelegationForm(delegates=delegates, initial={"members": list(members)})
    return render(
        request,
        "meetings/delegations.html",
        {
            "meeting": meeting,
            "registrations": regs,
            "by_region": by_region,
            "own": own,
            "form": form,
            "may_register": may_register,
            "show_states": _privileged(user),
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
