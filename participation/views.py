"""Participation in pictures (ToR rule 7): per meeting and across meetings, with a CSV."""

import csv

from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _

from accounts.enums import ParticipantRole
from dief.pagination import paginate

from . import charts, stats
from .queries import participation_meetings_for_user, sees_detail


def _roles(f: stats.MeetingFigures):
    return [
        (label, f.delegates_by_role.get(value, 0), f.delegations_by_role.get(value, 0))
        for value, label in ParticipantRole.choices
    ]


def meeting_participation(request, pk):
    meeting = get_object_or_404(participation_meetings_for_user(request.user), pk=pk)
    (f,) = stats.figures(type(meeting).objects.filter(pk=meeting.pk))
    regions = sorted(f.by_region)
    officer_share_by_region = [
        (r, f.officer_by_region.get(r, 0) / f.by_region[r] if f.by_region[r] else 0.0) for r in regions
    ]
    roles = _roles(f)
    context = {
        "meeting": meeting,
        "f": f,
        "detail": sees_detail(request.user),
        "by_region_chart": charts.bar_chart([(r, f.by_region[r]) for r in regions]),
        "by_region_rows": [(r, f.by_region[r], f.officer_by_region.get(r, 0)) for r in regions],
        "officer_chart": charts.bar_chart(officer_share_by_region, maximum=1, fmt=charts.percent),
        "officer_share": charts.percent(f.officer_share),
        "roles_chart": charts.bar_chart([(label, n) for label, n, _d in roles]),
        "roles": roles,
        "presenting_chart": charts.bar_chart(sorted(f.presenting_by_region.items())),
        "presenting_rows": sorted(f.presenting_by_region.items()),
    }
    return render(request, "participation/meeting.html", context)


#: Meetings on one page of the overview: six years at two meetings a year (ToR rule 3).
OVERVIEW_PAGE_SIZE = 12


def overview(request):
    """The trend over the latest meetings (``OVERVIEW_PAGE_SIZE`` a page, ``?page=2`` the ones
    before), oldest first on the page; figures are read for the shown meetings only."""
    if not request.user.is_authenticated:
        raise Http404
    meetings = participation_meetings_for_user(request.user).order_by("-start_date", "-pk")
    page = paginate(request, meetings, per_page=OVERVIEW_PAGE_SIZE)
    if not page.paginator.count:
        raise Http404
    figures = stats.figures(list(page.object_list)[::-1])
    label = lambda f: f"{f.meeting.title} ({f.meeting.start_date:%Y-%m})"  # noqa: E731 - a short local label
    context = {
        "figures": figures,
        "page_obj": page,
        "delegations_chart": charts.bar_chart([(label(f), f.delegations) for f in figures]),
        "share_chart": charts.bar_chart([(label(f), f.officer_share) for f in figures], maximum=1, fmt=charts.percent),
        "presenting_chart": charts.bar_chart([(label(f), f.presenting) for f in figures]),
        "rows": [(f, label(f), charts.percent(f.officer_share)) for f in figures],
    }
    return render(request, "participation/overview.html", context)


CSV_COLUMNS = (
    "meeting_start_date",
    "region",
    "delegations",
    "delegations_with_enforcement_or_licensing_officer",
    "presenting_states",
)


def export_csv(request):
    """Counts per meeting and region; no State, no person, no meeting title (ToR rules 7, 14)."""
    meetings = participation_meetings_for_user(request.user)
    if not (request.user.is_authenticated and meetings.exists()):
        raise Http404
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="dief-participation.csv"'
    response["Cache-Control"] = "no-store"
    writer = csv.writer(response)
    roles = [value for value, _label in ParticipantRole.choices]
    writer.writerow([*CSV_COLUMNS, *(f"delegates_{r}" for r in roles)])
    for f in stats.figures(meetings):
        regions = sorted(set(f.by_region) | set(f.presenting_by_region))
        for region in regions:
            writer.writerow(
                [
                    f.meeting.start_date.isoformat(),
                    region,
                    f.by_region.get(region, 0),
                    f.officer_by_region.get(region, 0),
                    f.presenting_by_region.get(region, 0),
                    *([""] * len(roles)),
                ]
            )
        writer.writerow(
            [
                f.meeting.start_date.isoformat(),
                _("all regions"),
                f.delegations,
                f.with_officer,
                f.presenting,
                *(f.delegates_by_role.get(r, 0) for r in roles),
            ]
        )
    return response
