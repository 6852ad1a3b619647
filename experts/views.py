"""Thin views over experts.services and experts.queries (ToR rules 8, 15)."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.enums import Role
from accounts.security import object_for_user_or_404
from dief import clock
from dief.actions import perform
from dief.errors import RuleViolation
from meetings.deadlines import meeting_deadline
from meetings.enums import DeadlineKey
from meetings.queries import meeting_for_user_or_404
from presentations.queries import presentations_for_user

from . import services
from .forms import AcknowledgementForm, DecisionForm, MessageForm, ObjectionForm, ProposalForm
from .queries import consultations_for_user, proposals_for_user


def _refusal(check, *args) -> str:
    """The message of the guard ``check(*args)`` if it refuses now, else an empty string."""
    try:
        check(*args)
    except RuleViolation as exc:
        return str(exc.message)
    return ""


def _times(deadline, user) -> dict:
    return {
        "deadline": deadline,
        "procedural": deadline.due_at_procedural,
        "viewer": deadline.due_at_in(user.time_zone),
    }


def _proposal_for(request, pk):
    return object_for_user_or_404(
        proposals_for_user(request.user).select_related(
            "meeting__tor_version", "presentation", "proposing_state", "expert_user"
        ),
        pk=pk,
    )


def propose(request, presentation_pk):
    presentation = object_for_user_or_404(
        presentations_for_user(request.user).select_related("meeting__tor_version", "presenting_state"),
        pk=presentation_pk,
    )
    refusal = _refusal(services.check_can_propose, request.user, presentation, clock.now())
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and not refusal and form.is_valid():
        try:
            proposal = services.propose_expert(by=request.user, presentation=presentation, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("The proposal is distributed to all States Parties; the silence procedure is open (ToR rule 8)."),
            )
            return redirect("experts:detail", pk=proposal.pk)
    elif request.method == "POST" and refusal:
        messages.error(request, refusal)
    cutoff = meeting_deadline(presentation.meeting, DeadlineKey.EXPERT_PROPOSAL)
    return render(
        request,
        "experts/proposal_form.html",
        {
            "presentation": presentation,
            "meeting": presentation.meeting,
            "form": form,
            "refusal": refusal,
            "cutoff": _times(cutoff, request.user),
        },
    )


def proposal_list(request, meeting_pk):
    # An expert sees its presentation and nothing else of the meeting (ToR rule 15).
    meeting = meeting_for_user_or_404(request.user, meeting_pk)
    proposals = (
        proposals_for_user(request.user)
        .filter(meeting=meeting)
        .select_related("proposing_state", "presentation", "meeting__tor_version")
        .order_by("distributed_at", "pk")
    )
    rows = [(p, _times(services.silence_deadline(p), request.user)) for p in proposals]
    return render(request, "experts/proposal_list.html", {"meeting": meeting, "rows": rows})


def proposal_detail(request, pk):
    proposal = _proposal_for(request, pk)
    user, now = request.user, clock.now()
    objections = list(proposal.objections.select_related("state"))
    visible_threads = set(consultations_for_user(user).filter(proposal=proposal).values_list("pk", flat=True))
    own = next((o for o in objections if user.role == Role.DELEGATE and o.state_id == user.state_id), None)
    context = {
        "proposal": proposal,
        "meeting": proposal.meeting,
        "silence": _times(services.silence_deadline(proposal), user),
        "resolution": _times(meeting_deadline(proposal.meeting, DeadlineKey.EXPERT_OBJECTION_RESOLUTION), user),
        "objections": [(o, o.pk in visible_threads) for o in objections],
        "object_refusal": _refusal(services.check_can_object, user, proposal, now),
        "own_objection": own,
        "withdraw_refusal": _refusal(services.check_can_withdraw, user, own) if own else "",
        "decide_refusal": _refusal(services.check_can_decide, user, proposal, now),
        "decision_form": DecisionForm(initial={"version": proposal.version}),
        "is_referred": proposal.status == "referred",
        # Never a link to what the viewer cannot open (a State Party that does not take part sees
        # the proposal, distributed to all, but not the presentation, ToR rules 8, 14).
        "sees_presentation": presentations_for_user(user).filter(pk=proposal.presentation_id).exists(),
    }
    return render(request, "experts/proposal_detail.html", context)


def object_view(request, pk):
    proposal = _proposal_for(request, pk)
    refusal = _refusal(services.check_can_object, request.user, proposal, clock.now())
    form = ObjectionForm(request.POST or None)
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
            return redirect("experts:detail", pk=proposal.pk)
        if form.is_valid():
            try:
                services.object_to_proposal(by=request.user, proposal=proposal, reason=form.cleaned_data["reason"])
            except RuleViolation as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request,
                    _(
                        "Your State's objection is recorded; the proposing State is told and you can consult "
                        "(ToR rule 8)."
                    ),
                )
            return redirect("experts:detail", pk=proposal.pk)
    return render(
        request,
        "experts/objection_form.html",
        {
            "proposal": proposal,
            "meeting": proposal.meeting,
            "form": form,
            "refusal": refusal,
            "silence": _times(services.silence_deadline(proposal), request.user),
        },
    )


@require_http_methods(["GET", "POST"])
def withdraw(request, pk):
    """ToR rule 8: a State withdraws its objection. GET asks for confirmation (the proposal may
    be approved at once); POST withdraws it."""
    objection = object_for_user_or_404(consultations_for_user(request.user).select_related("proposal"), pk=pk)
    if request.method == "GET":
        refusal = _refusal(services.check_can_withdraw, request.user, objection)
        if refusal:
            messages.error(request, refusal)
            return redirect("experts:detail", pk=objection.proposal_id)
        return render(
            request,
            "confirm.html",
            {
                "title": _("Withdraw your State's objection?"),
                "what_happens": _(
                    "Your State's objection ends; if no other objection remains, the proposal is approved at "
                    "once (ToR rule 8)."
                ),
                "action_url": reverse("experts:withdraw", args=[objection.pk]),
                "button": _("Withdraw the objection"),
                "cancel_url": reverse("experts:detail", args=[objection.proposal_id]),
            },
        )

    def action(objection):
        proposal = services.withdraw_objection(by=request.user, objection=objection)
        if proposal.status == "approved":
            return _("Your objection is withdrawn; no objection remains and the proposal is approved (ToR rule 8).")
        return _("Your objection is withdrawn (ToR rule 8).")

    return perform(request, action, objection, "experts:detail", pk=objection.proposal_id)


def consultation(request, pk):
    objection = object_for_user_or_404(
        consultations_for_user(request.user).select_related("proposal__meeting", "proposal__proposing_state", "state"),
        pk=pk,
    )
    form = MessageForm(request.POST or None)
    refusal = _refusal(services.check_can_write, request.user, objection)
    if request.method == "POST":
        if refusal:
            messages.error(request, refusal)
        elif form.is_valid():
            try:
                services.post_consultation_message(by=request.user, objection=objection, text=form.cleaned_data["text"])
            except RuleViolation as exc:
                messages.error(request, exc.message)
            else:
                return redirect("experts:consultation", pk=objection.pk)
    return render(
        request,
        "experts/consultation.html",
        {
            "objection": objection,
            "proposal": objection.proposal,
            "meeting": objection.proposal.meeting,
            "thread": objection.messages.select_related("author", "author_state"),
            "form": form,
            "refusal": refusal,
        },
    )


@require_POST
def decision(request, pk):
    proposal = _proposal_for(request, pk)

    def action(proposal):
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("The procedural decision is either approved or not approved (ToR rule 8)."), "8")
        services.record_procedural_decision(
            by=request.user,
            proposal=proposal,
            decision=form.cleaned_data["decision"],
            version=form.cleaned_data["version"],
        )
        return _("The procedural decision is recorded (ToR rule 8).")

    return perform(request, action, proposal, "experts:detail", pk=proposal.pk)


def acknowledge(request):
    """ToR rule 15: the expert's page; it shows the obligation and nothing of the meeting."""
    if request.user.role != Role.EXPERT:
        raise Http404
    pending = services.pending_acknowledgements(request.user)
    form = AcknowledgementForm(request.POST or None, initial={"text_version": services.CONFIDENTIALITY_TEXT_VERSION})
    if request.method == "POST" and pending:
        if form.is_valid():
            try:
                services.acknowledge_confidentiality(
                    by=request.user, proposal=pending[0], text_version=form.cleaned_data["text_version"]
                )
            except RuleViolation as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Your acknowledgement is recorded (ToR rule 15)."))
                return redirect("meetings:detail", pk=pending[0].meeting_id)
    return render(
        request,
        "experts/acknowledge.html",
        {
            "pending": pending,
            "form": form,
            "text": services.confidentiality_text(),
            "text_version": services.CONFIDENTIALITY_TEXT_VERSION,
        },
    )
