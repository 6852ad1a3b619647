"""State changes of non-state expert proposals (ToR rules 8 and 15).

Proposal and distribution, the silence procedure, objections and their withdrawal,
consultations, approval (by silence, by withdrawal, by procedural decision), the T-20
referral, the expert's account and confidentiality acknowledgement. Views, sweep handlers
and commands all call these. Each guard is a ``check_*`` function that raises
:class:`RuleViolation`; pages ask the same function to say why an action is not offered.
"""

import datetime
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from accounts.enrolment import send_enrolment_link
from accounts.enums import Role
from accounts.models import User
from accounts.services import create_user
from dief import clock
from dief.errors import RuleViolation
from enforcement.registry import on_deadline_passed, transition
from enforcement.services import schedule
from meetings.deadlines import meeting_deadline, passed_at, silence_procedure_deadline
from meetings.enums import DeadlineKey
from meetings.models import DelegationRegistration, Meeting
from meetings.queries import VIEW_MEETING, is_chair_in_office, procedural_today
from notifications.enums import NotificationKind
from notifications.services import queue
from presentations.enums import PresentationStatus
from presentations.models import Presentation
from presentations.queries import VIEW_PRESENTATION
from presentations.services import agenda_adopted, meeting_has_ended
from states.models import State

from . import registry
from .enums import OPEN_STATUSES, ApprovedHow, Expertise, ProceduralDecision, ProposalStatus
from .models import ConfidentialityAcknowledgement, ConsultationMessage, ExpertProposal, Objection

SILENCE_END = "expert_silence_end"

#: ToR rule 15: what an expert acknowledges before seeing anything. A new wording gets a new version.
CONFIDENTIALITY_TEXT_VERSION = "2024-1"


def confidentiality_text() -> str:
    """The confidentiality obligation an expert acknowledges (ToR rules 14 and 15), translated."""
    return _(
        "I take part in this meeting of the Diversion Information Exchange Forum as a non-state expert "
        "invited by a State for one presentation and its debate (ToR rule 8). Everything I see or hear "
        "in the Forum is confidential (ToR rule 14). I will keep it confidential, use it only for the "
        "purpose of my participation, and not disclose it to anyone without the agreement of the State "
        "that provided it and of the participants (ToR rule 15)."
    )


# --- who ------------------------------------------------------------------------------------


def _delegates(states):
    return User.objects.filter(is_active=True, role=Role.DELEGATE, state__in=states)


def _secretariat():
    return User.objects.filter(is_active=True, role=Role.SECRETARIAT)


def _parties_today():
    return State.objects.parties_on(procedural_today())


def _everyone_concerned(proposal: ExpertProposal) -> list:
    """States Parties' delegates, the proposing State's delegates and the Secretariat."""
    users = _delegates(_parties_today()) | _delegates(State.objects.filter(pk=proposal.proposing_state_id))
    return list(users.distinct()) + list(_secretariat())


def _require_delegate_of_eligible_state(user) -> None:
    if not (user.is_active and user.role == Role.DELEGATE and user.state_id):
        raise RuleViolation(_("Only delegates of States Parties and signatory States can do this (ToR rule 6)."), "6")
    if not user.state.is_eligible(procedural_today()):
        raise RuleViolation(_("Only States Parties and signatory States take part in the Forum (ToR rule 6)."), "6")


def _context(proposal: ExpertProposal, deadline=None) -> dict:
    """What an email about ``proposal`` may carry: the meeting (via the row), the kind of step,
    the deadline and a link. Never the expert's name or the case (ToR rule 14)."""
    ctx = {"path": reverse("experts:detail", args=[proposal.pk]), "rule": "8"}
    if deadline is not None:
        ctx.update(
            due_at=deadline.due_at.isoformat(),
            procedural_time_zone=deadline.time_zone,
            deadline_key=str(deadline.key),
        )
    return ctx


def silence_deadline(proposal: ExpertProposal):
    """The :class:`meetings.deadlines.Deadline` at which ``proposal``'s silence procedure ends."""
    return silence_procedure_deadline(proposal.meeting, proposal.distributed_at)


def _bump(proposal: ExpertProposal, fields: list[str]) -> None:
    proposal.version += 1
    proposal.save(update_fields=[*fields, "version"])


# --- proposal and distribution --------------------------------------------------------------


def check_can_propose(user, presentation: Presentation, now: datetime.datetime) -> None:
    """ToR rule 8: a delegate of an eligible State proposes an expert for one of its own
    presentations of that meeting, until the end of T-30 and before the agenda is adopted.

    Raises :class:`RuleViolation` saying why not (and from when, where it is a date)."""
    _require_delegate_of_eligible_state(user)
    if presentation.presenting_state_id != user.state_id:
        raise RuleViolation(
            _("A State proposes experts only for its own presentations (ToR rule 8)."),
            "8",
        )
    if presentation.status != PresentationStatus.REGISTERED:
        raise RuleViolation(_("This presentation is withdrawn."), "11")
    meeting = presentation.meeting
    if agenda_adopted(meeting):
        raise RuleViolation(_("The agenda of this meeting is adopted: no expert can be proposed (ToR rule 8)."), "8")
    if meeting_has_ended(meeting):
        raise RuleViolation(_("This meeting has ended (ToR rule 8)."), "8")
    cutoff = meeting_deadline(meeting, DeadlineKey.EXPERT_PROPOSAL)
    if cutoff.has_passed(now):
        raise RuleViolation(
            _("Experts must be proposed at least %(days)s days before the meeting; that date has passed (ToR rule 8).")
            % {"days": cutoff.days_before},
            "8",
        )


@transaction.atomic
def propose_expert(
    *,
    by: User,
    presentation: Presentation,
    expert_name: str,
    expert_affiliation: str,
    expert_email: str,
    expertise: list[str],
    purpose: str,
) -> ExpertProposal:
    """ToR rule 8: propose a non-state expert for ``presentation`` and distribute the proposal at once.

    Distribution goes to the delegates of all States Parties and of the proposing State; the
    silence procedure opens at the same instant and ends at the end of the fifth calendar day
    after the day of distribution (procedural time zone), when the sweep approves the
    proposal if no State Party objected. A retry (same presentation and expert email, still
    open) returns the first proposal. Returns the :class:`ExpertProposal`; raises
    :class:`RuleViolation` and changes nothing.
    """
    presentation = (
        Presentation.objects.select_for_update().select_related("meeting__tor_version").get(pk=presentation.pk)
    )
    now = clock.now()
    check_can_propose(by, presentation, now)
    expertise = [e for e in dict.fromkeys(expertise or []) if e in Expertise.values]
    fields = {
        "expert_name": (expert_name or "").strip(),
        "expert_affiliation": (expert_affiliation or "").strip(),
        "expert_email": (expert_email or "").strip().lower(),
        "purpose": (purpose or "").strip(),
    }
    if not all(fields.values()) or not expertise:
        raise RuleViolation(
            _(
                "Give the expert's name, affiliation, email, specific expertise and the purpose of the "
                "participation (ToR rule 8)."
            ),
            "8",
        )
    same = ExpertProposal.objects.filter(
        presentation=presentation, expert_email=fields["expert_email"], status__in=OPEN_STATUSES
    ).first()
    if same is not None:  # a double click or a retry
        return same
    meeting = presentation.meeting
    silence = silence_procedure_deadline(meeting, now)
    proposal = ExpertProposal.objects.create(
        meeting=meeting,
        presentation=presentation,
        proposing_state_id=by.state_id,
        proposed_by=by,
        expertise=expertise,
        distributed_at=now,
        silence_ends_at=silence.due_at,
        **fields,
    )
    schedule(
        meeting,
        action=SILENCE_END,
        due_at=passed_at(silence),
        dedupe_key=f"expert:{proposal.pk}:silence_end",
        deadline_key=DeadlineKey.SILENCE_PROCEDURE,
        subject_id=proposal.pk,
    )
    queue(
        f"expert:{proposal.pk}:distributed",
        _everyone_concerned(proposal),
        NotificationKind.EXPERT_PROPOSAL,
        meeting=meeting,
        subject_id=proposal.pk,
        context=_context(proposal, silence),
    )
    return proposal


def _locked(proposal: ExpertProposal) -> ExpertProposal:
    return (
        ExpertProposal.objects.select_for_update(of=("self",))
        .select_related("meeting__tor_version", "proposing_state")
        .get(pk=proposal.pk)
    )


# --- objections -----------------------------------------------------------------------------


def check_can_object(user, proposal: ExpertProposal, now: datetime.datetime) -> None:
    """ToR rule 8: during the silence procedure a delegate of a State Party (not the
    proposing State) may object, once per State. Raises :class:`RuleViolation` saying why not."""
    _require_delegate_of_eligible_state(user)
    if not user.state.is_party(procedural_today()):
        raise RuleViolation(
            _("Only States Parties may object to an expert proposal; your State is a signatory State (ToR rule 8)."),
            "8",
        )
    if user.state_id == proposal.proposing_state_id:
        raise RuleViolation(_("Your State made this proposal (ToR rule 8)."), "8")
    if proposal.status not in (ProposalStatus.IN_SILENCE, ProposalStatus.IN_CONSULTATION) or now > (
        proposal.silence_ends_at
    ):
        raise RuleViolation(
            _("The silence procedure on this proposal has ended: objections are no longer possible (ToR rule 8)."),
            "8",
        )
    if proposal.objections.filter(state_id=user.state_id).exists():
        raise RuleViolation(
            _("Your State has already objected to this proposal; one objection per State (ToR rule 8)."), "8"
        )


def object_to_proposal(*, by: User, proposal: ExpertProposal, reason: str) -> Objection:
    """ToR rule 8: a State Party objects to ``proposal`` during its silence procedure.

    The check of the silence end and the write are one step under the proposal's row lock,
    which the sweep that ends the silence also takes: an objection is either recorded
    before the end (and the proposal is not approved by silence) or refused as late. The
    proposing and objecting States are told and start consulting. Returns the
    :class:`Objection`; raises :class:`RuleViolation` and changes nothing.
    """
    reason = (reason or "").strip()
    if not reason:
        raise RuleViolation(_("Give the reason for your State's objection (ToR rule 8)."), "8")
    with transaction.atomic():
        proposal = _locked(proposal)
        check_can_object(by, proposal, clock.now())
        objection = Objection.objects.create(
            proposal=proposal, state_id=by.state_id, reason=reason, objected_by=by, objected_at=clock.now()
        )
        if proposal.status == ProposalStatus.IN_SILENCE:
            proposal.status = ProposalStatus.IN_CONSULTATION
        _bump(proposal, ["status"])
        resolution = meeting_deadline(proposal.meeting, DeadlineKey.EXPERT_OBJECTION_RESOLUTION)
        queue(
            f"expert:{proposal.pk}:objection:{by.state_id}",
            list(_delegates([proposal.proposing_state_id, by.state_id])) + list(_secretariat()),
            NotificationKind.EXPERT_OBJECTION,
            meeting=proposal.meeting,
            subject_id=proposal.pk,
            context=_context(proposal, resolution),
        )
        return objection


def check_can_withdraw(user, objection: Objection) -> None:
    """ToR rule 8: the objecting State withdraws its objection until the proposal is referred."""
    _require_delegate_of_eligible_state(user)
    if user.state_id != objection.state_id:
        raise RuleViolation(_("Only the objecting State can withdraw its objection (ToR rule 8)."), "8")
    if objection.withdrawn_at is not None:
        raise RuleViolation(_("This objection is already withdrawn (ToR rule 8)."), "8")
    if objection.proposal.status not in (ProposalStatus.IN_SILENCE, ProposalStatus.IN_CONSULTATION):
        raise RuleViolation(
            _(
                "This proposal has been referred to the States Parties participating in the meeting or decided; "
                "the procedural decision settles it (ToR rule 8)."
            ),
            "8",
        )


def withdraw_objection(*, by: User, objection: Objection) -> ExpertProposal:
    """ToR rule 8: withdraw an objection. When no objection remains after the silence
    procedure has ended, the proposal is approved; before its end, the silence procedure
    simply runs on. Returns the proposal; raises :class:`RuleViolation`."""
    with transaction.atomic():
        proposal = _locked(objection.proposal)
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        objection.proposal = proposal
        check_can_withdraw(by, objection)
        now = clock.now()
        objection.withdrawn_at, objection.withdrawn_by = now, by
        objection.save(update_fields=["withdrawn_at", "withdrawn_by"])
        if not proposal.objections.filter(withdrawn_at__isnull=True).exists():
            if now > proposal.silence_ends_at:
                _approve(proposal, now, ApprovedHow.OBJECTIONS_WITHDRAWN)
            else:
                proposal.status = ProposalStatus.IN_SILENCE
                _bump(proposal, ["status"])
        else:
            _bump(proposal, [])
        return proposal


# --- consultation ---------------------------------------------------------------------------


def is_party_to_consultation(user, objection: Objection) -> bool:
    """True for the Secretariat and the delegates of the proposing and objecting States."""
    if not (user.is_authenticated and user.is_active):
        return False
    if user.role == Role.SECRETARIAT:
        return True
    return user.role == Role.DELEGATE and user.state_id in (objection.state_id, objection.proposal.proposing_state_id)


def check_can_write(user, objection: Objection) -> None:
    """ToR rule 8: the two States and the Secretariat consult while the proposal is open."""
    if not is_party_to_consultation(user, objection):
        raise RuleViolation(_("Only the proposing and objecting States and the Secretariat consult (ToR rule 8)."), "8")
    if objection.proposal.status not in OPEN_STATUSES:
        raise RuleViolation(_("This proposal is decided; the consultation is closed (ToR rule 8)."), "8")


@transaction.atomic
def post_consultation_message(*, by: User, objection: Objection, text: str) -> ConsultationMessage:
    """ToR rule 8: a message in the consultation between the proposing and the objecting State."""
    text = (text or "").strip()
    if not text:
        raise RuleViolation(_("Write a message (ToR rule 8)."), "8")
    _locked(objection.proposal)
    objection = Objection.objects.select_related("proposal__meeting").get(pk=objection.pk)
    check_can_write(by, objection)
    message = ConsultationMessage.objects.create(
        objection=objection,
        author=by,
        author_state_id=by.state_id if by.role == Role.DELEGATE else None,
        sent_at=clock.now(),
        text=text,
    )
    others = _delegates([objection.state_id, objection.proposal.proposing_state_id]).exclude(
        state_id=by.state_id if by.role == Role.DELEGATE else None
    )
    ctx = _context(objection.proposal)
    ctx["path"] = reverse("experts:consultation", args=[objection.pk])
    ctx["objection_id"] = objection.pk
    queue(
        f"expert:{objection.proposal_id}:consultation:{message.pk}",
        others,
        NotificationKind.EXPERT_CONSULTATION,
        meeting=objection.proposal.meeting,
        subject_id=objection.proposal.pk,
        context=ctx,
    )
    return message


# --- approval, referral, decision -----------------------------------------------------------


def _approve(proposal: ExpertProposal, now: datetime.datetime, how: str) -> None:
    """Approve the locked ``proposal``, tell everyone concerned, remind the inviting State of
    the confidentiality obligation (ToR rule 15) and open the expert's account."""
    proposal.status, proposal.decided_at, proposal.approved_how = ProposalStatus.APPROVED, now, how
    _bump(proposal, ["status", "decided_at", "approved_how"])
    queue(
        f"expert:{proposal.pk}:approved",
        _everyone_concerned(proposal),
        NotificationKind.EXPERT_APPROVED,
        meeting=proposal.meeting,
        subject_id=proposal.pk,
        context=_context(proposal),
    )
    queue(
        f"expert:{proposal.pk}:confidentiality",
        _delegates([proposal.proposing_state_id]),
        NotificationKind.EXPERT_CONFIDENTIALITY,
        meeting=proposal.meeting,
        subject_id=proposal.pk,
        context=_context(proposal),
    )
    _open_expert_account(proposal)


def _open_expert_account(proposal: ExpertProposal) -> None:
    """The expert's account: an existing expert account with that email, or a new one with
    no usable password; an enrolment link goes to the expert's email (no password set by
    anyone else). Access comes only with the acknowledgement (ToR rule 15)."""
    user = User.objects.filter(role=Role.EXPERT, email__iexact=proposal.expert_email).first()
    if user is None:
        user = create_user(
            f"expert-{proposal.pk}",
            None,
            role=Role.EXPERT,
            state=proposal.proposing_state,
            email=proposal.expert_email,
            first_name=proposal.expert_name[:150],
            time_zone=proposal.meeting.procedural_time_zone,
        )
        send_enrolment_link(user, by=proposal.proposed_by)
    proposal.expert_user = user
    proposal.save(update_fields=["expert_user"])


def _refer(proposal: ExpertProposal, now: datetime.datetime) -> None:
    proposal.status, proposal.referred_at = ProposalStatus.REFERRED, now
    _bump(proposal, ["status", "referred_at"])
    for hook in registry.ON_REFERRED:
        hook(proposal, now)
    recipients = _delegates(
        _parties_today().filter(
            pk__in=DelegationRegistration.objects.filter(meeting_id=proposal.meeting_id).values("state_id")
        )
    ) | _delegates(State.objects.filter(pk=proposal.proposing_state_id))
    chair = [u for u in User.objects.filter(chair_appointments__isnull=False).distinct() if is_chair_in_office(u)]
    queue(
        f"expert:{proposal.pk}:referred",
        list(recipients.distinct()) + list(_secretariat()) + chair,
        NotificationKind.EXPERT_REFERRED,
        meeting=proposal.meeting,
        subject_id=proposal.pk,
        context=_context(proposal),
    )


@transition(SILENCE_END)
def end_silence_procedure(row, now: datetime.datetime) -> str:
    """Sweep handler, ToR rule 8: at the first sweep after the silence end, approve a proposal
    no State Party objected to; an objected one that is still unresolved after T-20 is
    referred at once. Runs once per proposal (the sweep's claim); idempotent anyway."""
    proposal = ExpertProposal.objects.filter(pk=row.subject_id).first()
    if proposal is None:
        return "no such proposal"
    proposal = _locked(proposal)
    if now <= proposal.silence_ends_at:
        return "not yet"
    if proposal.status == ProposalStatus.IN_SILENCE:
        if proposal.objections.filter(withdrawn_at__isnull=True).exists():  # defensive: status says otherwise
            proposal.status = ProposalStatus.IN_CONSULTATION
            _bump(proposal, ["status"])
            return "objected"
        _approve(proposal, now, ApprovedHow.SILENCE)
        return "approved by silence"
    if proposal.status == ProposalStatus.IN_CONSULTATION:
        if meeting_deadline(proposal.meeting, DeadlineKey.EXPERT_OBJECTION_RESOLUTION).has_passed(now):
            _refer(proposal, now)
            return "referred"
        return "in consultation"
    return f"already {proposal.status}"


@on_deadline_passed(DeadlineKey.EXPERT_OBJECTION_RESOLUTION)
def refer_unresolved(meeting: Meeting, deadline, now: datetime.datetime) -> None:
    """ToR rule 8: at the first sweep after T-20, refer every proposal of ``meeting`` still
    objected to (silence ended, objection not withdrawn) to the participating States Parties."""
    ids = list(
        ExpertProposal.objects.filter(
            meeting=meeting, status=ProposalStatus.IN_CONSULTATION, silence_ends_at__lt=now
        ).values_list("pk", flat=True)
    )
    for pk in ids:
        proposal = (
            ExpertProposal.objects.select_for_update(of=("self",)).select_related("meeting__tor_version").get(pk=pk)
        )
        if proposal.status == ProposalStatus.IN_CONSULTATION:
            _refer(proposal, now)


def check_can_decide(user, proposal: ExpertProposal, now: datetime.datetime) -> None:
    """ToR rule 8: the Chair in office records the procedural decision on a referred proposal,
    at the meeting (between its first and last day, procedural time zone)."""
    if not is_chair_in_office(user):
        raise RuleViolation(_("Only the Chair in office records the procedural decision (ToR rule 8)."), "8")
    if proposal.status != ProposalStatus.REFERRED:
        raise RuleViolation(
            _("Only a proposal referred to the meeting awaits a procedural decision (ToR rule 8)."), "8"
        )
    meeting = proposal.meeting
    today = now.astimezone(ZoneInfo(meeting.procedural_time_zone)).date()
    if today < meeting.start_date:
        raise RuleViolation(
            _("The procedural decision is taken at the meeting, from %(date)s (ToR rule 8).")
            % {"date": meeting.start_date.isoformat()},
            "8",
        )
    if today > meeting.end_date:
        raise RuleViolation(_("This meeting has ended (ToR rule 8)."), "8")


@transaction.atomic
def record_procedural_decision(*, by: User, proposal: ExpertProposal, decision: str, version: int) -> ExpertProposal:
    """ToR rule 8: record the procedural decision of the participating States Parties on a
    referred proposal: approved or not approved, and nothing else (ToR rule 17: no minutes).

    ``version`` is the proposal version the Chair saw; a stale one is refused (a second
    click records nothing twice). Returns the proposal; raises :class:`RuleViolation`."""
    proposal = _locked(proposal)
    now = clock.now()
    if decision not in ProceduralDecision.values:
        raise RuleViolation(_("The procedural decision is either approved or not approved (ToR rule 8)."), "8")
    check_can_decide(by, proposal, now)
    if proposal.version != version:
        raise RuleViolation(
            _("This proposal changed since you opened it; check it and decide again (ToR rule 8)."), "8"
        )
    proposal.procedural_decision, proposal.decision_recorded_by = decision, by
    proposal.save(update_fields=["procedural_decision", "decision_recorded_by"])
    if decision == ProceduralDecision.APPROVED:
        _approve(proposal, now, ApprovedHow.PROCEDURAL_DECISION)
    else:
        proposal.status, proposal.decided_at = ProposalStatus.NOT_APPROVED, now
        _bump(proposal, ["status", "decided_at"])
        queue(
            f"expert:{proposal.pk}:not_approved",
            _everyone_concerned(proposal),
            NotificationKind.EXPERT_NOT_APPROVED,
            meeting=proposal.meeting,
            subject_id=proposal.pk,
            context=_context(proposal),
        )
    return proposal


# --- the expert -----------------------------------------------------------------------------


def check_can_acknowledge(user, proposal: ExpertProposal) -> None:
    if not (user.is_active and user.role == Role.EXPERT and proposal.expert_user_id == user.pk):
        raise RuleViolation(_("Only the invited expert acknowledges this obligation (ToR rule 15)."), "15")
    if proposal.status != ProposalStatus.APPROVED:
        raise RuleViolation(_("This invitation is not approved (ToR rule 8)."), "8")
    if meeting_has_ended(proposal.meeting):
        raise RuleViolation(_("This meeting has ended (ToR rule 15)."), "15")


@transaction.atomic
def acknowledge_confidentiality(
    *, by: User, proposal: ExpertProposal, text_version: str
) -> ConfidentialityAcknowledgement:
    """ToR rule 15: the expert acknowledges the confidentiality obligation (text, version and
    time recorded); only then does the expert see the meeting's practical details, the
    presentation and its documents (view permissions to the expert's own user). A second
    acknowledgement returns the first."""
    proposal = _locked(proposal)
    check_can_acknowledge(by, proposal)
    if text_version != CONFIDENTIALITY_TEXT_VERSION:
        raise RuleViolation(_("The text of the obligation changed; read it again (ToR rule 15)."), "15")
    existing = ConfidentialityAcknowledgement.objects.filter(proposal=proposal).first()
    if existing is not None:
        return existing
    ack = ConfidentialityAcknowledgement.objects.create(
        proposal=proposal,
        expert=by,
        text_version=text_version,
        text=confidentiality_text(),
        acknowledged_at=clock.now(),
    )
    assign_perm(VIEW_MEETING, by, proposal.meeting)
    assign_perm(VIEW_PRESENTATION, by, proposal.presentation)
    return ack


def pending_acknowledgements(user):
    """Approved invitations of expert ``user`` not yet acknowledged, for meetings not ended."""
    if not (user.is_authenticated and user.role == Role.EXPERT):
        return ExpertProposal.objects.none()
    proposals = ExpertProposal.objects.filter(
        expert_user=user, status=ProposalStatus.APPROVED, acknowledgement__isnull=True
    ).select_related("meeting")
    return [p for p in proposals if not meeting_has_ended(p.meeting)]


def unresolved_proposals(meeting: Meeting):
    """Proposals of ``meeting`` still objected to (ToR rule 8), for the T-20 duty."""
    return ExpertProposal.objects.filter(meeting=meeting, status=ProposalStatus.IN_CONSULTATION)
