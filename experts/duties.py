"""Who must act before the rule 8 deadlines, for reminders: at T-20, the proposing and
objecting States of every proposal still objected to."""

from functools import lru_cache

from django.db import connection
from django.db.models import Count
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.enums import Role
from accounts.models import User
from enforcement.registry import deadline_duty
from meetings.enums import DeadlineKey

from .enums import ProposalStatus
from .models import ExpertProposal, Objection


def states_to_resolve(meeting) -> set[int]:
    """Ids of the proposing and objecting States of the proposals of ``meeting`` still objected to."""
    open_objections = Objection.objects.filter(
        proposal__meeting=meeting, proposal__status=ProposalStatus.IN_CONSULTATION, withdrawn_at__isnull=True
    ).values_list("state_id", "proposal__proposing_state_id")
    return {pk for pair in open_objections for pk in pair}


def delegates_to_resolve(meeting):
    return User.objects.filter(is_active=True, role=Role.DELEGATE, state_id__in=states_to_resolve(meeting))


def objections_resolved_at(meeting):
    """None while a proposal of ``meeting`` is still objected to; otherwise the last decision's
    instant (or None when there was nothing to resolve)."""
    if ExpertProposal.objects.filter(meeting=meeting, status=ProposalStatus.IN_CONSULTATION).exists():
        return None
    last = (
        ExpertProposal.objects.filter(meeting=meeting, decided_at__isnull=False, objections__isnull=False)
        .order_by("-decided_at")
        .first()
    )
    return last.decided_at if last else None


def counts_by_status(meeting) -> dict[str, int]:
    """How many expert proposals ``meeting`` has in each status, whoever may see them: one
    query, kept on this meeting object (a page shows both summaries below from it, and the
    meeting's timeline asks it whether there is any silence procedure to look for).

    Written out, because the ORM query cost several times more to build than to run, on the
    meeting page and wherever a timeline is drawn (experts/tests/test_proposals.py pins it to
    :func:`orm_counts_by_status`)."""
    counts = getattr(meeting, "_dief_proposal_counts", None)
    if counts is None:
        with connection.cursor() as cursor:
            cursor.execute(_counts_sql(), [meeting.pk])
            counts = dict(cursor.fetchall())
        meeting._dief_proposal_counts = counts
    return counts


def orm_counts_by_status(meeting) -> dict[str, int]:
    """The counts of :func:`counts_by_status`, read through the ORM (not kept)."""
    return dict(ExpertProposal.objects.filter(meeting=meeting).values_list("status").annotate(n=Count("pk")).order_by())


@lru_cache(maxsize=1)
def _counts_sql() -> str:
    """The query of :func:`counts_by_status`, from the model's table and column names; its one
    parameter is the meeting's id."""
    q = connection.ops.quote_name
    opts = ExpertProposal._meta
    status, meeting = q(opts.get_field("status").column), q(opts.get_field("meeting").column)
    return f"SELECT {status}, COUNT(*) FROM {q(opts.db_table)} WHERE {meeting} = %s GROUP BY {status}"


def proposals_summary(meeting) -> str:
    """T-30 (ToR rule 8): how many expert proposals were made and how many are still pending."""
    counts = counts_by_status(meeting)
    total = sum(counts.values())
    if not total:
        return _("No expert proposed yet.")
    pending = counts.get(ProposalStatus.IN_SILENCE, 0) + counts.get(ProposalStatus.IN_CONSULTATION, 0)
    return ngettext(
        "%(total)s expert proposed; %(pending)s pending, %(approved)s approved.",
        "%(total)s experts proposed; %(pending)s pending, %(approved)s approved.",
        total,
    ) % {"total": total, "pending": pending, "approved": counts.get(ProposalStatus.APPROVED, 0)}


def objections_summary(meeting) -> str:
    """T-20 (ToR rule 8): how many proposals are still objected to, or were referred."""
    counts = counts_by_status(meeting)
    unresolved = counts.get(ProposalStatus.IN_CONSULTATION, 0)
    referred = counts.get(ProposalStatus.REFERRED, 0)
    if not unresolved and not referred:
        return _("No objection unresolved.")
    parts = []
    if unresolved:
        parts.append(
            ngettext("%(n)s proposal still objected to.", "%(n)s proposals still objected to.", unresolved)
            % {"n": unresolved}
        )
    if referred:
        parts.append(
            ngettext("%(n)s referred for a procedural decision.", "%(n)s referred for a procedural decision.", referred)
            % {"n": referred}
        )
    return " ".join(parts)


def nobody(meeting):
    """T-30 is a cut-off, nobody's obligation: no reminder goes out for it."""
    return User.objects.none()


def register():
    deadline_duty(
        DeadlineKey.EXPERT_PROPOSAL, who=nobody, done_at=lambda meeting: None, escalate=False, summary=proposals_summary
    )
    deadline_duty(
        DeadlineKey.EXPERT_OBJECTION_RESOLUTION,
        who=delegates_to_resolve,
        done_at=objections_resolved_at,
        escalate=False,
        summary=objections_summary,
    )
