"""Thin views over sponsorship.services and sponsorship.queries (ToR rule 24)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.security import object_for_user_or_404
from dief.actions import perform
from dief.errors import RuleViolation
from meetings.queries import meetings_for_user

from . import services
from .forms import DecisionForm, RequestForm
from .queries import sponsorship_requests_for_user


def _open_meetings(user):
    return [m.pk for m in meetings_for_user(user) if services.can_request(user, m)]


def request_list(request):
    user = request.user
    requests = sponsorship_requests_for_user(user).select_related("meeting", "state").order_by("-meeting__start_date")
    is_secretariat = user.is_authenticated and user.role == Role.SECRETARIAT
    if not (is_secretariat or user.is_delegate) or not meetings_for_user(user).exists():
        raise Http404
    form = None
    if user.is_delegate:
        meetings = (
            meetings_for_user(user)
            .filter(pk__in=_open_meetings(user))
            .exclude(sponsorship_requests__state_id=user.state_id)
        )
        form = RequestForm(request.POST or None, meetings=meetings.order_by("start_date"))
        if request.method == "POST" and form.is_valid():
            try:
                services.request_sponsorship(by=user, **form.cleaned_data)
            except RuleViolation as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Your State's request is received by the Secretariat (ToR rule 24)."))
                return redirect("sponsorship:list")
    return render(
        request,
        "sponsorship/request_list.html",
        {"requests": requests, "form": form, "is_secretariat": is_secretariat, "decision_form": DecisionForm()},
    )


@require_POST
def decide(request, pk):
    target = object_for_user_or_404(sponsorship_requests_for_user(request.user), pk=pk)

    def action(sponsorship_request):
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("A request is granted or declined (ToR rule 24)."), "24")
        services.decide_sponsorship(by=request.user, request=sponsorship_request, **form.cleaned_data)
        return _("The decision is recorded and the State is told (ToR rule 24).")

    return perform(request, action, target, "sponsorship:list")
