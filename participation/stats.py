"""Participation figures (ToR rule 7), computed in the database. No person is named here.

"Took part" means a registered delegation; "presented" means a registered (not withdrawn)
presentation at a meeting that has been held (its agenda adopted, or its last day past): before
that a registration is only an intention to present (ToR rule 11), counted apart.
"""

from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connections
from django.db.models import Count

from accounts.enums import ParticipantRole
from dief import clock
from dief.sql import column, table
from meetings.models import DelegationRegistration
from meetings.officers import OFFICER_ROLES as _OFFICER_ROLES
from meetings.small_counts import protect_column
from presentations.enums import PresentationStatus
from presentations.models import Presentation
from states.models import State
from states.names import StateRef

#: ToR rule 7: "representation by enforcement officers in its meetings is strongly encouraged";
#: the delegations page counts the same (licensing officers are in the per-role figures). A
#: delegation's stored ``includes_enforcement_officer`` says whether it has one (meetings.officers).
OFFICER_ROLES = _OFFICER_ROLES
UNKNOWN_REGION = "—"


@dataclass
class MeetingFigures:
    """The figures of one meeting; every count is a whole number of delegations or States."""

    meeting: object
    delegations: int = 0
    with_officer: int = 0  # delegations with an enforcement officer
    by_region: dict = field(default_factory=dict)  # region -> delegations
    officer_by_region: dict = field(default_factory=dict)  # region -> delegations with an officer
    delegates_by_role: dict = field(default_factory=dict)  # participant role -> delegates
    delegations_by_role: dict = field(default_factory=dict)  # participant role -> delegations with one
    presenting_by_region: dict = field(default_factory=dict)  # region -> presenting States
    presenting_states: list = field(default_factory=list)  # StateRef of each presenting State (detail only)
    held: bool = False  # agenda adopted or last day past: registrations are presentations given
    intending: int = 0  # States with a registered intention at a meeting not yet held (rule 11)

    @property
    def officer_share(self) -> float:
        """Share (0..1) of delegations with an enforcement officer."""
        return self.with_officer / self.delegations if self.delegations else 0.0

    @property
    def presenting(self) -> int:
        return sum(self.presenting_by_region.values())


def _region(value: str) -> str:
    return value or UNKNOWN_REGION


def figures(meetings, *, roles: bool = True) -> list[MeetingFigures]:
    """The :class:`MeetingFigures` of each meeting in ``meetings``: a queryset (taken by start
    date) or a list of meetings (taken in its order, e.g. one page of them). Without ``roles``
    the delegates by participant role are left empty (one query fewer, for pages that do not
    show them).

    Runs a fixed number of queries whatever the number of meetings, and reads the delegations
    and presentations of these meetings only.
    """
    meetings = list(meetings.order_by("start_date", "pk") if hasattr(meetings, "order_by") else meetings)
    by_id = {m.pk: MeetingFigures(meeting=m) for m in meetings}
    ids = list(by_id)
    delegation_rows, presenting = _read_figures(ids)
    for meeting_id, region, total, officers in delegation_rows:
        f = by_id[meeting_id]
        region = _region(region)
        f.delegations += total
        f.with_officer += officers
        f.by_region[region] = f.by_region.get(region, 0) + total
        f.officer_by_region[region] = f.officer_by_region.get(region, 0) + officers
    members = DelegationRegistration.members.through.objects
    role_rows = (
        members.filter(delegationregistration__meeting_id__in=ids)
        .values("delegationregistration__meeting_id", "user__participant_role")
        .annotate(
            delegates=Count("user_id", distinct=True), delegations=Count("delegationregistration_id", distinct=True)
        )
        if roles
        else ()
    )
    for row in role_rows:
        f = by_id[row["delegationregistration__meeting_id"]]
        role = row["user__participant_role"] or ParticipantRole.OTHER
        f.delegates_by_role[role] = f.delegates_by_role.get(role, 0) + row["delegates"]
        f.delegations_by_role[role] = f.delegations_by_role.get(role, 0) + row["delegations"]
    for f in by_id.values():
        m = f.meeting
        f.held = m.agenda_adopted_at is not None or m.end_date < clock.today_in(m.procedural_time_zone)
    for meeting_id, region, name, iso3 in presenting:
        f = by_id[meeting_id]
        if not f.held:
            f.intending += 1
            continue
        region = _region(region)
        f.presenting_by_region[region] = f.presenting_by_region.get(region, 0) + 1
        f.presenting_states.append(StateRef(iso3, name))
    return [by_id[m.pk] for m in meetings]


@lru_cache(maxsize=64)
def _figures_sql(alias: str, meetings: int) -> str:
    """The one statement behind :func:`_read_figures` on database ``alias`` for ``meetings``
    meeting ids (built once per process for each)."""
    q = connections[alias].ops.quote_name
    d, s, p = DelegationRegistration, State, Presentation
    ids = ", ".join(["%s"] * meetings)
    return (
        f"SELECT 0 AS {q('kind')}, d.{column(d, 'meeting')}, s.{column(s, 'region')}, COUNT(*),"
        f" SUM(CASE WHEN d.{column(d, 'includes_enforcement_officer')} THEN 1 ELSE 0 END),"
        f" CAST(NULL AS BIGINT), NULL, NULL AS {q('name')}"
        f" FROM {table(d)} d INNER JOIN {table(s)} s ON s.{column(s, 'id')} = d.{column(d, 'state')}"
        f" WHERE d.{column(d, 'meeting')} IN ({ids})"
        f" GROUP BY d.{column(d, 'meeting')}, s.{column(s, 'region')}"
        " UNION ALL"
        f" SELECT DISTINCT 1, p.{column(p, 'meeting')}, s.{column(s, 'region')},"
        " CAST(NULL AS BIGINT), CAST(NULL AS BIGINT),"
        f" p.{column(p, 'presenting_state')}, s.{column(s, 'iso3')}, s.{column(s, 'name')}"
        f" FROM {table(p)} p INNER JOIN {table(s)} s ON s.{column(s, 'id')} = p.{column(p, 'presenting_state')}"
        f" WHERE p.{column(p, 'meeting')} IN ({ids}) AND NOT (p.{column(p, 'status')} = %s)"
        f" ORDER BY {q('kind')}, {q('name')}"
    )


def _read_figures(ids: list) -> tuple[list, list]:
    """For the meetings ``ids``, in one statement: the delegations per meeting and region, with
    how many include an enforcement officer (as each delegation stores it, see meetings.officers)
    ``(meeting id, region, delegations, with an officer)``,
    and each State presenting at a meeting (a withdrawn presentation does not count) ``(meeting
    id, region, name, ISO code)``, by name. Exactly what the ORM answers for
    ``DelegationRegistration.objects.filter(meeting_id__in=ids).values("meeting_id",
    "state__region")`` counted as before and for the presentations' distinct presenting States
    (participation/tests/test_figures_read.py pins both); the ORM spent more on building them
    than the database on running them."""
    if not ids:
        return [], []
    connection = connections[DelegationRegistration.objects.db]
    with connection.cursor() as cursor:
        cursor.execute(
            _figures_sql(connection.alias, len(ids)),
            [*ids, *ids, PresentationStatus.WITHDRAWN],
        )
        rows = cursor.fetchall()
    delegations = [
        (meeting_id, region, total, officers) for kind, meeting_id, region, total, officers, *_ in rows if kind == 0
    ]
    presenting = [
        (meeting_id, region, name, iso3) for kind, meeting_id, region, _t, _o, _s, iso3, name in rows if kind == 1
    ]
    return delegations, presenting


def role_labels() -> list[tuple[str, str]]:
    return list(ParticipantRole.choices)


# --- Small-cell suppression (ToR rules 7, 14): meetings.small_counts, shared with the
# delegations page. ``protect`` applies it to the three regional columns of one meeting.


@dataclass
class ProtectedFigures:
    """What may be published of one meeting's regional figures; None marks a hidden count.

    ``rows`` are (region, delegations, delegations with an officer, presenting States)."""

    rows: list
    delegations: int | None
    with_officer: int | None
    presenting: int | None


def protect(f: MeetingFigures) -> ProtectedFigures:
    """``f``'s regional figures with small cells hidden (see above); the same for every
    reader and in every form (page, chart, CSV)."""
    regions = sorted(set(f.by_region) | set(f.presenting_by_region))
    delegations, delegations_total = protect_column(f.by_region, regions, f.delegations)
    officers, officers_total = protect_column(f.officer_by_region, regions, f.with_officer)
    presenting, presenting_total = protect_column(f.presenting_by_region, regions, f.presenting)
    return ProtectedFigures(
        rows=[(r, delegations[r], officers[r], presenting[r]) for r in regions],
        delegations=delegations_total,
        with_officer=officers_total,
        presenting=presenting_total,
    )
