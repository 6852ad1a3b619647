"""Participation in pictures (ToR rule 7): per meeting and across meetings, with a CSV."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.enums import ParticipantRole
from accounts.security import object_for_user_or_404
from dief.pagination import paginate_lean
from states.names import region_name, sorted_by_name

from . import charts, stats
from .queries import participation_meetings_for_user, sees_detail


def _roles(f: stats.MeetingFigures):
    return [
        (label, f.delegates_by_role.get(value, 0), f.delegations_by_role.get(value, 0))
        for value, label in ParticipantRole.choices
    ]


def _shown(value, hidden):
    return hidden if value is None else value


def _named_rows(rows) -> list[tuple]:
    """Protected rows ``(region, ...)`` with the region named in the interface language and
    sorted by that name."""
    ordered = sorted_by_name(rows, lambda row: region_name(row[0]))
    return [(region_name(row[0]), *row[1:]) for row in ordered]


def meeting_participation(request, pk):
    meeting = object_for_user_or_404(participation_meetings_for_user(request.user), pk=pk)
    (f,) = stats.figures(type(meeting).objects.filter(pk=meeting.pk))
    p = stats.protect(f)  # small counts per region hidden, as in the CSV (ToR rules 7, 14)
    hidden = _("hidden")
    regional = _named_rows([row for row in p.rows if row[0] in f.by_region])
    by_region = [(r, d) for r, d, _o, _p in regional]
    officer_share_by_region = [
        (r, None if d is None or o is None else (o / d if d else 0.0)) for r, d, o, _p in regional
    ]
    presenting = [(r, n) for r, _d, _o, n in _named_rows([row for row in p.rows if row[0] in f.presenting_by_region])]
    roles = _roles(f)
    share = None if p.delegations is None or p.with_officer is None else f.officer_share
    context = {
        "meeting": meeting,
        "f": f,
        "totals": {
            "delegations": _shown(p.delegations, hidden),
            "with_officer": _shown(p.with_officer, hidden),
            "presenting": _shown(p.presenting, hidden),
        },
        "detail": sees_detail(request.user),
        "by_region_chart": charts.bar_chart(by_region, hidden=hidden),
        "by_region_rows": [(r, _shown(d, hidden), _shown(o, hidden)) for r, d, o, _p in regional],
        "officer_chart": charts.bar_chart(officer_share_by_region, maximum=1, fmt=charts.percent, hidden=hidden),
        "officer_share": hidden if share is None else charts.percent(share),
        "roles_chart": charts.bar_chart([(label, n) for label, n, _d in roles]),
        "roles": roles,
        "presenting_chart": charts.bar_chart(presenting, hidden=hidden),
        "presenting_rows": [(r, _shown(n, hidden)) for r, n in presenting],
    }
    return render(request, "participation/meeting.html", context)


#: Meetings on one page of the overview: six years at two meetings a year (ToR rule 3).
OVERVIEW_PAGE_SIZE = 12
#: What the overview reads of a meeting: its label and link, and whether it has been held
#: (:func:`participation.stats.figures`).
OVERVIEW_MEETING_FIELDS = ("pk", "title", "start_date", "end_date", "procedural_time_zone", "agenda_adopted_at")


def overview(request):
    """The trend over the latest meetings (``OVERVIEW_PAGE_SIZE`` a page, ``?page=2`` the ones
    before), oldest first on the page; figures are read for the shown meetings only, and the
    meetings are not counted (a page and one meeting more tell whether earlier ones exist)."""
    if not request.user.is_authenticated:
        raise Http404
    meetings = (
        participation_meetings_for_user(request.user).order_by("-start_date", "-pk").only(*OVERVIEW_MEETING_FIELDS)
    )
    page = paginate_lean(request, meetings, per_page=OVERVIEW_PAGE_SIZE)
    if not page.object_list:
        raise Http404
    figures = stats.figures(page.object_list[::-1], roles=False)
    label = lambda f: f"{f.meeting.title} ({f.meeting.start_date:%Y-%m})"  # noqa: E731 - a short local label
    hidden = _("hidden")
    # The totals as the meeting's page and the CSV publish them: a total that would reveal a
    # small regional count is hidden here too (ToR rules 7, 14).
    protected = [(f, stats.protect(f)) for f in figures]

    def share(f, p):
        return None if p.delegations is None or p.with_officer is None else f.officer_share

    context = {
        "figures": figures,
        "page_obj": page,
        "per_page": OVERVIEW_PAGE_SIZE,
        "delegations_chart": charts.bar_chart([(label(f), p.delegations) for f, p in protected], hidden=hidden),
        "share_chart": charts.bar_chart(
            [(label(f), share(f, p)) for f, p in protected], maximum=1, fmt=charts.percent, hidden=hidden
        ),
        "presenting_chart": charts.bar_chart([(label(f), p.presenting) for f, p in protected], hidden=hidden),
        "rows": [
            (
                f,
                label(f),
                _shown(p.delegations, hidden),
                _shown(p.with_officer, hidden),
                hidden if share(f, p) is None else charts.percent(share(f, p)),
                _shown(p.presenting, hidden),
            )
            for f, p in protected
        ],
    }
    return render(request, "participation/overview.html", context)


CSV_COLUMNS = (
    "meeting_start_date",
    "region",
    "delegations",
    "delegations_with_enforcement_officer",
    "presenting_states",
)


def export_csv(request):
    """Counts per meeting and region; no State, no person, no meeting title (ToR rules 7, 14).
    A count of one or two in a region, and any count that would reveal one, reads "hidden"
    (:func:`participation.stats.protect`), exactly as on the meeting's page."""
    meetings = participation_meetings_for_user(request.user)
    if not (request.user.is_authenticated and meetings.exists()):
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dief-participation.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    roles = [value for value, _label in ParticipantRole.choices]
    writer.writerow([*CSV_COLUMNS, *(f"delegates_{r}" for r in roles)])
    hidden = _("hidden")
    for f in stats.figures(meetings):
        p = stats.protect(f)  # small counts per region hidden, as on the page (ToR rules 7, 14)
        for region, delegations, officers, presenting in _named_rows(p.rows):
            writer.writerow(
                [
                    f.meeting.start_date.isoformat(),
                    region,
                    _shown(delegations, hidden),
                    _shown(officers, hidden),
                    _shown(presenting, hidden),
                    *([""] * len(roles)),
                ]
            )
        writer.writerow(
            [
                f.meeting.start_date.isoformat(),
                _("all regions"),
                _shown(p.delegations, hidden),
                _shown(p.with_officer, hidden),
                _shown(p.presenting, hidden),
                *(f.delegates_by_role.get(r, 0) for r in roles),
            ]
        )
    return response
