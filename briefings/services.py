"""State changes of briefings (ToR rule 22) and follow-up arrangements (rule 21).

Every change locks the briefing row first, so a State's decision and the Chair's recording
of agreement are serialised: whichever comes second sees the first.
"""

import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.enums import Role
from accounts.models import User
from dief import clock
from dief.errors import RuleViolation
from enforcement import registry
from enforcement.services import schedule
from meetings.deadlines import decision_period_ends_at
from meetings.models import Meeting
from meetings.queries import current_chair_appointment, is_chair_in_office, procedural_today
from notifications.enums import NotificationKind
from notifications.services import queue
from states.models import State
from states.names import state_names

from . import attribution
from .enums import ArrangementStatus, BriefingBody, BriefingStatus, Decision
from .models import Briefing, BriefingDecision, FollowUpArrangement
from .queries import case_presenting_state_ids, participating_state_ids

END_DECISION_PERIOD = "briefing_decision_period_end"
MAX_OUTLINE = 20_000


# --- helpers -------------------------------------------------------------------------------


def meeting_has_ended(meeting: Meeting) -> bool:
    """True once the meeting's last day is over in its procedural time zone."""
    return clock.today_in(meeting.procedural_time_zone) > meeting.end_date


def _require_chair(user) -> None:
    if not is_chair_in_office(user):
        raise RuleViolation(_("Only the Chair in office drafts and steers a briefing (ToR rule 22)."), "22")


def _require_state_delegate(user) -> None:
    if not (user.is_active and user.role == Role.DELEGATE and user.state_id):
        raise RuleViolation(_("Only delegates of the States that took part decide on a briefing (ToR rule 22)."), "22")
    if not user.state.is_eligible(procedural_today()):
        raise RuleViolation(_("Only States Parties and signatory States take part in the Forum (ToR rule 6)."), "6")


def _lock(briefing: Briefing) -> Briefing:
    return Briefing.objects.select_for_update().select_related("meeting").get(pk=briefing.pk)


def _delegates(state_ids):
    return User.objects.filter(is_active=True, role=Role.DELEGATE, state_id__in=list(state_ids))


def _chair_users():
    appointment = current_chair_appointment()
    return [appointment.chair] if appointment and appointment.chair.is_active else []


def _notify(briefing: Briefing, step: str, recipients, kind: str, **context) -> None:
    queue(
        f"briefing:{briefing.pk}:{step}",
        recipients,
        kind,
        meeting=briefing.meeting,
        subject_id=briefing.pk,
        context={"path": reverse("briefings:detail", args=[briefing.pk]), **context},
    )


def _clean_text(text: str) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise RuleViolation(_("Write the outline of the briefing (ToR rule 22)."), "22")
    if len(text) > MAX_OUTLINE:
        raise RuleViolation(_("The outline is too long: at most 20,000 characters (ToR rule 22)."), "22")
    return text


def _check_presentations(meeting: Meeting, presentations) -> list:
    presentations = list(presentations or [])
    if any(p.meeting_id != meeting.pk for p in presentations):
        raise RuleViolation(_("A briefing draws only on presentations given at its meeting (ToR rule 22)."), "22")
    return presentations


def rescan(briefing: Briefing) -> None:
    """Record which States the current text names (English, French, Spanish names; ISO codes)."""
    briefing.identified = attribution.scan(briefing.text, State.objects.all())


# --- predicates ----------------------------------------------------------------------------


def current_decisions(briefing: Briefing) -> dict[int, BriefingDecision]:
    """State id -> its decision on the current version."""
    return {d.state_id: d for d in briefing.decisions.filter(version=briefing.version).select_related("state")}


def blockers(briefing: Briefing, *, silence_counts: bool = False) -> list[str]:
    """Why the outline cannot be recorded as agreed now, as translated sentences citing rule 22
    (empty list: it can). Reads the decisions on the current version. ``silence_counts`` is
    True only when a decision period on this version has ended."""
    reasons = []
    if briefing.status != BriefingStatus.DRAFT:
        return [_("Only a draft outline can be agreed (ToR rule 22).")]
    decisions = current_decisions(briefing)
    participants = participating_state_ids(briefing.meeting)
    if any(d.decision == Decision.OBJECT for d in decisions.values()):
        reasons.append(_("A State objects: one objection blocks the consensus (ToR rule 22)."))
    waiting = participants - {s for s, d in decisions.items() if d.decision == Decision.AGREE}
    if waiting and not silence_counts:
        names = state_names(State.objects.filter(pk__in=waiting))
        if briefing.decision_period_open:
            reasons.append(
                _(
                    "Not every State that took part has agreed yet: %(states)s. Their silence counts as agreement "
                    "when the decision period ends (ToR rule 22)."
                )
                % {"states": names}
            )
        else:
            reasons.append(
                _(
                    "Not every State that took part has agreed yet: %(states)s. Silence is agreement only in a "
                    "decision period the Chair opened (ToR rule 22)."
                )
                % {"states": names}
            )
    consented = {s for s, d in decisions.items() if d.decision == Decision.AGREE and d.consents_to_attribution}
    identified = briefing.identified_state_ids()
    unreachable = identified - participants - case_presenting_state_ids(briefing)
    if unreachable:
        names = state_names(State.objects.filter(pk__in=unreachable))
        reasons.append(
            _(
                "The outline could identify %(states)s, which did not take part in the meeting and cannot consent "
                "in the Forum: remove what identifies them (ToR rule 22)."
            )
            % {"states": names}
        )
    missing = identified - consented - unreachable
    if missing:
        names = state_names(State.objects.filter(pk__in=missing))
        reasons.append(
            _("The outline could identify %(states)s: each must consent before it can be agreed (ToR rule 22).")
            % {"states": names}
        )
    unknown = briefing.unknown_names()
    if unknown:
        reasons.append(
            _("The outline names %(names)s, which cannot consent in the Forum: remove the name (ToR rule 22).")
            % {"names": ", ".join(unknown)}
        )
    return reasons


def can_decide(user, briefing: Briefing) -> bool:
    """A delegate of a State that took part, or of an identified State that presented a case
    the outline draws on, may decide on an open draft (ToR rule 22)."""
    if briefing.status != BriefingStatus.DRAFT or not user.is_delegate:
        return False
    if user.state_id in participating_state_ids(briefing.meeting):
        return True
    return user.state_id in briefing.identified_state_ids() and user.state_id in case_presenting_state_ids(briefing)


def can_veto(user, briefing: Briefing) -> bool:
    """ToR rule 22: a State that presented a case the outline draws on may veto it until delivery."""
    return (
        briefing.status in (BriefingStatus.DRAFT, BriefingStatus.AGREED)
        and user.is_delegate
        and user.state_id in case_presenting_state_ids(briefing)
    )


# --- briefings -----------------------------------------------------------------------------


@transaction.atomic
def draft_briefing(
    *, by: User, meeting: Meeting, text: str, presentations=(), marked_states=(), supersedes: Briefing | None = None
) -> Briefing:
    """ToR rule 22: the Chair drafts the outline of a briefing on ``meeting``, once it has ended.

    ``presentations`` are those the outline draws on (links for the participants, never part of
    the delivered text); ``marked_states`` those the Chair sees the outline could identify.
    Returns the new :class:`Briefing` (or, on a double submission, the identical open draft);
    raises :class:`RuleViolation` and changes nothing.
    """
    _require_chair(by)
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if not meeting_has_ended(meeting):
        raise RuleViolation(_("A briefing is drafted after the meeting (ToR rule 22)."), "22")
    text = _clean_text(text)
    presentations = _check_presentations(meeting, presentations)
    same = Briefing.objects.filter(meeting=meeting, text=text, status=BriefingStatus.DRAFT).first()
    if same is not None:
        return same
    if supersedes is not None and supersedes.status != BriefingStatus.VETOED:
        raise RuleViolation(_("Only a vetoed outline is replaced by a new draft (ToR rule 22)."), "22")
    now = clock.now()
    briefing = Briefing(meeting=meeting, text=text, drafted_by=by, drafted_at=now, edited_at=now, supersedes=supersedes)
    rescan(briefing)
    briefing.save()
    briefing.presentations.set(presentations)
    briefing.marked_states.set(marked_states)
    _notify(briefing, "v1:drafted", _delegates(participating_state_ids(meeting)), NotificationKind.BRIEFING_DRAFTED)
    return briefing


@transaction.atomic
def edit_briefing(
    *, by: User, briefing: Briefing, text: str, seen_version: int, presentations=(), marked_states=()
) -> Briefing:
    """ToR rule 22: the Chair edits an open draft. A change of the text makes a new version:
    every decision taken so far was on the old text and no longer counts, and an open
    decision period ends with it. ``seen_version`` is the version the Chair edited; a newer
    one is refused. Returns the briefing."""
    _require_chair(by)
    briefing = _lock(briefing)
    if briefing.status != BriefingStatus.DRAFT:
        raise RuleViolation(_("Only a draft outline can be edited (ToR rule 22)."), "22")
    if seen_version != briefing.version:
        raise RuleViolation(_("The outline changed since you opened it: reload it and edit again (ToR rule 22)."), "22")
    text = _clean_text(text)
    briefing.presentations.set(_check_presentations(briefing.meeting, presentations))
    briefing.marked_states.set(marked_states)
    if text != briefing.text:
        reset = briefing.decisions.filter(version=briefing.version).exists()
        briefing.text = text
        briefing.version += 1
        briefing.edited_at = clock.now()
        briefing.decision_period_ends_at = briefing.decision_period_last_day = briefing.decision_period_version = None
        rescan(briefing)
        briefing.save()
        _notify(
            briefing,
            f"v{briefing.version}:revised",
            _delegates(participating_state_ids(briefing.meeting)),
            NotificationKind.BRIEFING_REVISED,
            decisions_reset=reset,
        )
    return briefing


@transaction.atomic
def decide(*, by: User, briefing: Briefing, decision: str, version: int, reason: str = "", consent: bool = False):
    """ToR rule 22: ``by``'s State agrees to or objects to ``version`` of the outline.

    An objection needs a reason; agreeing again withdraws the State's objection. A State the
    outline could identify must also consent to being identifiable (``consent``) to agree.
    A decision on a version that is no longer current is refused (each decision names the
    version it was taken on). Returns the :class:`BriefingDecision`.
    """
    _require_state_delegate(by)
    briefing = _lock(briefing)
    if briefing.status != BriefingStatus.DRAFT:
        raise RuleViolation(_("The decision on this outline is closed (ToR rule 22)."), "22")
    if not can_decide(by, briefing):
        raise RuleViolation(
            _("Only the States that took part in the meeting decide on its briefing (ToR rule 22)."), "22"
        )
    if version != briefing.version:
        raise RuleViolation(
            _("The outline changed since you read it: read the new version and decide on it (ToR rule 22)."), "22"
        )
    if decision not in Decision.values:
        raise RuleViolation(_("A State agrees or objects (ToR rule 22)."), "22")
    reason = (reason or "").strip()[:2000]
    if decision == Decision.OBJECT and not reason:
        raise RuleViolation(_("Give the reason for your State's objection (ToR rule 22)."), "22")
    identified = by.state_id in briefing.identified_state_ids()
    if decision == Decision.AGREE and identified and not consent:
        raise RuleViolation(
            _("The outline could identify your State: agree only together with your State's consent (ToR rule 22)."),
            "22",
        )
    row = BriefingDecision.objects.filter(briefing=briefing, state_id=by.state_id, version=briefing.version).first()
    previous = row.decision if row else None
    if row and row.decision == decision and row.reason == reason and row.consents_to_attribution == consent:
        return row  # a double submission
    row = row or BriefingDecision(briefing=briefing, state_id=by.state_id, version=briefing.version)
    row.decision = decision
    row.reason = reason if decision == Decision.OBJECT else ""
    row.consents_to_attribution = bool(consent and identified and decision == Decision.AGREE)
    row.decided_by = by
    row.decided_at = clock.now()
    row.save()
    chair = _chair_users()
    if decision == Decision.OBJECT and previous != Decision.OBJECT:
        _notify(
            briefing,
            f"v{briefing.version}:objection:{by.state_id}:{row.decided_at.timestamp()}",
            chair,
            NotificationKind.BRIEFING_OBJECTION,
        )
    elif decision == Decision.AGREE and previous == Decision.OBJECT:
        _notify(
            briefing,
            f"v{briefing.version}:withdrawn:{by.state_id}:{row.decided_at.timestamp()}",
            chair,
            NotificationKind.BRIEFING_OBJECTION_WITHDRAWN,
        )
    return row


@transaction.atomic
def open_decision_period(*, by: User, briefing: Briefing, last_day: datetime.date) -> Briefing:
    """ToR rule 22: the Chair opens a decision period on the current version: at the end of
    ``last_day`` (procedural time zone) silence counts as agreement. The sweep closes it."""
    _require_chair(by)
    briefing = _lock(briefing)
    if briefing.status != BriefingStatus.DRAFT:
        raise RuleViolation(_("A decision period is opened on a draft outline only (ToR rule 22)."), "22")
    if briefing.decision_period_open:
        raise RuleViolation(_("A decision period on this version is already open (ToR rule 22)."), "22")
    if last_day <= clock.today_in(briefing.meeting.procedural_time_zone):
        raise RuleViolation(_("The last day of a decision period is after today (ToR rule 22)."), "22")
    if last_day > clock.today_in(briefing.meeting.procedural_time_zone) + datetime.timedelta(days=90):
        raise RuleViolation(_("A decision period lasts at most 90 days (ToR rule 22)."), "22")
    ends_at = decision_period_ends_at(last_day, briefing.meeting.procedural_time_zone)
    briefing.decision_period_last_day = last_day
    briefing.decision_period_ends_at = ends_at
    briefing.decision_period_version = briefing.version
    briefing.save(update_fields=["decision_period_last_day", "decision_period_ends_at", "decision_period_version"])
    schedule(
        briefing.meeting,
        action=END_DECISION_PERIOD,
        due_at=ends_at,
        dedupe_key=f"briefing:{briefing.pk}:v{briefing.version}:period",
        subject_id=briefing.pk,
        params={"version": briefing.version},
    )
    _notify(
        briefing,
        f"v{briefing.version}:period",
        _delegates(participating_state_ids(briefing.meeting)),
        NotificationKind.BRIEFING_DECISION_PERIOD,
        due_at=ends_at.isoformat(),
        procedural_time_zone=briefing.meeting.procedural_time_zone,
    )
    return briefing


def _agree(briefing: Briefing, *, now, by: User | None, by_silence: bool) -> None:
    briefing.status = BriefingStatus.AGREED
    briefing.agreed_at = now
    briefing.agreed_version = briefing.version
    briefing.agreed_by_silence = by_silence
    briefing.agreement_recorded_by = by
    briefing.save()
    recipients = set(_delegates(participating_state_ids(briefing.meeting))) | set(_chair_users())
    _notify(briefing, f"v{briefing.version}:agreed", recipients, NotificationKind.BRIEFING_AGREED)


@transaction.atomic
def record_agreement(*, by: User, briefing: Briefing) -> Briefing:
    """ToR rule 22: the Chair records that the participating States agreed the current version
    by consensus: no objection, every State that took part agreed (or a decision period
    ended in silence), every identified State consented. Raises :class:`RuleViolation`."""
    _require_chair(by)
    briefing = _lock(briefing)
    reasons = blockers(briefing)
    if reasons:
        raise RuleViolation(" ".join(str(r) for r in reasons), "22")
    _agree(briefing, now=clock.now(), by=by, by_silence=False)
    return briefing


@registry.transition(END_DECISION_PERIOD)
def end_decision_period(row, now) -> str:
    """The sweep's end of a decision period: no objection (and every consent given) = agreed."""
    briefing = Briefing.objects.select_for_update().select_related("meeting").filter(pk=row.subject_id).first()
    if briefing is None or briefing.status != BriefingStatus.DRAFT:
        return "briefing no longer open"
    if briefing.version != row.params.get("version") or not briefing.decision_period_open:
        return "superseded by a newer version"
    reasons = blockers(briefing, silence_counts=True)
    if reasons:
        _notify(briefing, f"v{briefing.version}:period_ended", _chair_users(), NotificationKind.BRIEFING_OBJECTION)
        return "not agreed: " + "; ".join(str(r) for r in reasons)[:150]
    _agree(briefing, now=now, by=None, by_silence=True)
    return "agreed: no objection"


@transaction.atomic
def veto(*, by: User, briefing: Briefing) -> Briefing:
    """ToR rule 22: a State that presented a case the outline draws on vetoes it, attribution
    or not. The draft ends; a new draft starts a new decision."""
    _require_state_delegate(by)
    briefing = _lock(briefing)
    if briefing.status == BriefingStatus.VETOED:
        return briefing
    if not can_veto(by, briefing):
        raise RuleViolation(
            _("Only a State that presented a case this outline draws on can veto it, before delivery (ToR rule 22)."),
            "22",
        )
    briefing.status = BriefingStatus.VETOED
    briefing.vetoed_at = clock.now()
    briefing.vetoed_by_state_id = by.state_id
    briefing.save(update_fields=["status", "vetoed_at", "vetoed_by_state"])
    recipients = set(_delegates(participating_state_ids(briefing.meeting))) | set(_chair_users())
    _notify(briefing, "vetoed", recipients, NotificationKind.BRIEFING_VETOED)
    return briefing


@transaction.atomic
def record_delivery(*, by: User, briefing: Briefing, body: str, delivered_on: datetime.date, delivered_by: str):
    """ToR rule 22: the Chair records the delivery of the agreed briefing: to which body
    (WGETI or CSP), on which date, by whom."""
    _require_chair(by)
    briefing = _lock(briefing)
    if briefing.status == BriefingStatus.DELIVERED:
        raise RuleViolation(_("The delivery of this briefing is already recorded (ToR rule 22)."), "22")
    if briefing.status != BriefingStatus.AGREED:
        raise RuleViolation(_("Only an agreed outline is delivered (ToR rule 22)."), "22")
    if body not in BriefingBody.values:
        raise RuleViolation(_("A briefing is delivered to the WGETI or the CSP (ToR rule 22)."), "22")
    if delivered_on is None or delivered_on > procedural_today() or delivered_on < briefing.meeting.end_date:
        raise RuleViolation(_("The date of delivery is after the meeting and not in the future (ToR rule 22)."), "22")
    delivered_by = (delivered_by or "").strip()[:200] or (by.get_full_name() or by.username)
    briefing.status = BriefingStatus.DELIVERED
    briefing.delivered_to = body
    briefing.delivered_on = delivered_on
    briefing.delivered_by = delivered_by
    briefing.delivery_recorded_by = by
    briefing.delivery_recorded_at = clock.now()
    briefing.save()
    _notify(
        briefing,
        "delivered",
        _delegates(participating_state_ids(briefing.meeting)),
        NotificationKind.BRIEFING_DELIVERED,
    )
    return briefing


def deliverable_text(briefing: Briefing) -> str:
    """The agreed text, the only part of a briefing that may leave the Forum (ToR rule 22).

    Re-checks, on the agreed text itself, that every State it names consented on that
    version. Returns the text; raises :class:`RuleViolation` otherwise.
    """
    if briefing.status not in (BriefingStatus.AGREED, BriefingStatus.DELIVERED):
        raise RuleViolation(_("Only an agreed outline may leave the Forum (ToR rule 22)."), "22")
    found = attribution.scan(briefing.text, State.objects.all())
    consented = set(
        briefing.decisions.filter(
            version=briefing.agreed_version, decision=Decision.AGREE, consents_to_attribution=True
        ).values_list("state_id", flat=True)
    )
    if (
        any(not f["state_id"] or f["state_id"] not in consented for f in found)
        or briefing.version != briefing.agreed_version
    ):
        raise RuleViolation(
            _("The text names a State that did not consent: it cannot leave the Forum (ToR rule 22)."), "22"
        )
    return briefing.text


# --- follow-up arrangements ----------------------------------------------------------------


@transaction.atomic
def record_arrangement(
    *, by: User, meeting: Meeting, other_states, what: str, contact_route: str, add_secretariat: bool = False
) -> FollowUpArrangement:
    """ToR rule 21: after a meeting, a delegate records a follow-up arrangement between its
    State and ``other_states`` (eligible States). Returns the arrangement."""
    _require_state_delegate(by)
    if not meeting_has_ended(meeting):
        raise RuleViolation(_("Follow-up arrangements are made after the meeting (ToR rule 21)."), "21")
    if by.state_id not in participating_state_ids(meeting):
        raise RuleViolation(_("Only a State that took part in the meeting records its follow-up (ToR rule 21)."), "21")
    today = procedural_today()
    others = [s for s in other_states if s.pk != by.state_id]
    if not others:
        raise RuleViolation(_("Name at least one other State party to the arrangement (ToR rule 21)."), "21")
    if any(not s.is_eligible(today) for s in others):
        raise RuleViolation(
            _("Only States Parties and signatory States are party to an arrangement (ToR rules 6, 21)."), "21"
        )
    what, contact_route = (what or "").strip(), (contact_route or "").strip()
    if not what or not contact_route:
        raise RuleViolation(_("Say what is arranged and the contact route (ToR rule 21)."), "21")
    now = clock.now()
    same = FollowUpArrangement.objects.filter(
        meeting=meeting, created_by=by, what=what, contact_route=contact_route
    ).first()
    if same is not None:
        return same
    arrangement = FollowUpArrangement.objects.create(
        meeting=meeting,
        what=what[:5000],
        contact_route=contact_route[:300],
        created_by=by,
        created_at=now,
        updated_at=now,
        secretariat_added_at=now if add_secretariat else None,
    )
    arrangement.states.set([by.state, *others])
    queue(
        f"arrangement:{arrangement.pk}:recorded",
        _delegates([s.pk for s in others]),
        NotificationKind.ARRANGEMENT_RECORDED,
        meeting=meeting,
        subject_id=arrangement.pk,
        context={"path": reverse("briefings:arrangement", args=[arrangement.pk])},
    )
    return arrangement


def _require_party(user, arrangement: FollowUpArrangement) -> None:
    _require_state_delegate(user)
    if not arrangement.states.filter(pk=user.state_id).exists():
        raise RuleViolation(_("Only the States party to an arrangement change it (ToR rule 21)."), "21")


@transaction.atomic
def set_arrangement_status(*, by: User, arrangement: FollowUpArrangement, status: str) -> FollowUpArrangement:
    """ToR rule 21: a party records where the arrangement stands."""
    _require_party(by, arrangement)
    if status not in ArrangementStatus.values:
        raise RuleViolation(_("Choose a status for the arrangement (ToR rule 21)."), "21")
    arrangement = FollowUpArrangement.objects.select_for_update().get(pk=arrangement.pk)
    arrangement.status = status
    arrangement.updated_at = clock.now()
    arrangement.save(update_fields=["status", "updated_at"])
    return arrangement


@transaction.atomic
def add_secretariat(*, by: User, arrangement: FollowUpArrangement) -> FollowUpArrangement:
    """ToR rule 21: a party lets the Secretariat see the arrangement (it cannot be undone)."""
    _require_party(by, arrangement)
    arrangement = FollowUpArrangement.objects.select_for_update().get(pk=arrangement.pk)
    if arrangement.secretariat_added_at is None:
        arrangement.secretariat_added_at = clock.now()
        arrangement.save(update_fields=["secretariat_added_at"])
    return arrangement
