"""Thin views over briefings.services and briefings.queries (ToR rules 21, 22)."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.enums import Role
from accounts.security import object_for_user_or_404
from dief import clock
from dief.actions import perform
from dief.errors import RuleViolation
from dief.pagination import PAGE_SIZE, LeanPage, page_number, paginate_lean
from meetings.queries import is_chair_in_office, procedural_today, sees_forum_offices
from presentations.queries import presentations_for_user
from states.models import State
from states.names import sorted_by_name, sorted_states, territory_name
from states.queries import eligible_states

from . import export, list_read, services
from .enums import BriefingStatus, Decision
from .forms import ArrangementForm, ArrangementStatusForm, BriefingForm, DecisionForm, DeliveryForm, PeriodForm
from .queries import (
    arrangements_for_user,
    briefings_for_user,
    case_presenting_state_ids,
    meetings_with_briefing_access,
    participating_state_ids,
)


def _briefing_for(request, pk):
    return object_for_user_or_404(briefings_for_user(request.user).select_related("meeting"), pk=pk)


def _meeting_for(request, pk):
    return object_for_user_or_404(meetings_with_briefing_access(request.user), pk=pk)


def _offered_in_menu(user) -> bool:
    """The Secretariat and delegates of a State eligible today, to whom the menu offers this list
    (ToR rule 6): for them it opens, empty when there is nothing of theirs."""
    return user.role in (Role.SECRETARIAT, Role.DELEGATE) and sees_forum_offices(user)


def _list_pages(request, user):
    """The three lists of :func:`briefing_list` as :func:`dief.pagination.paginate_lean` pages
    them, read in one statement (:mod:`briefings.list_read`); None for a page number past the
    end of its list (the ORM then finds the last page)."""
    numbers = [page_number(request, param) for param in ("page", "arrangements", "meetings")]
    lists = list_read.read_lists(user, tuple((n - 1) * PAGE_SIZE for n in numbers), PAGE_SIZE, clock.today_in("UTC"))
    if any(n > 1 and not rows for n, rows in zip(numbers, lists, strict=True)):
        return None
    return [
        LeanPage(rows, n, PAGE_SIZE, request.GET, param)
        for rows, n, param in zip(lists, numbers, ("page", "arrangements", "meetings"), strict=True)
    ]


def briefing_list(request):
    """Three lists, each read a page at a time with one LIMIT and no COUNT (``?page=`` the
    outlines, ``?meetings=`` the meetings that have ended, ``?arrangements=`` the arrangements);
    for Secretariat staff and delegates the three in one written-out statement."""
    user = request.user
    pages = _list_pages(request, user) if list_read.reads_lists(user) else None
    if pages is not None:
        briefings, arrangements, maybe_ended = pages
    else:
        # Each list reads only the columns the page shows (and the status of the ended meetings).
        briefings = paginate_lean(
            request,
            briefings_for_user(user)
            .select_related("meeting")
            .only("pk", "version", "status", "meeting__title")
            .order_by("-meeting__start_date", "-pk"),
        )
        arrangements = paginate_lean(
            request,
            arrangements_for_user(user)
            .select_related("meeting")
            .only("pk", "status", "meeting__title")
            .prefetch_related("states"),
            param="arrangements",
        )
        maybe_ended = paginate_lean(
            request,
            meetings_with_briefing_access(user)
            .order_by("-start_date", "-pk")
            .filter(end_date__lte=clock.today_in("UTC"))
            .only("pk", "title", "end_date", "procedural_time_zone"),
            param="meetings",
        )
    # Ended in its own procedural time zone: a meeting whose last day is before yesterday (UTC)
    # has ended everywhere, one that ends after today (UTC) nowhere; the page drops the few of
    # the last two days that have not ended yet where they are held.
    today = {}  # per procedural time zone
    ended = []
    for meeting in maybe_ended.object_list:
        zone = meeting.procedural_time_zone
        if zone not in today:
            today[zone] = clock.today_in(zone)
        if today[zone] > meeting.end_date:  # as services.meeting_has_ended
            ended.append(meeting)
    if not (
        _offered_in_menu(user)
        or briefings.object_list
        or arrangements.object_list
        or maybe_ended.object_list
        or meetings_with_briefing_access(user).exists()
    ):
        raise Http404
    return render(
        request,
        "briefings/briefing_list.html",
        {
            "briefings": briefings.object_list,
            "briefings_page": briefings,
            "arrangements": arrangements.object_list,
            "arrangements_page": arrangements,
            "ended_meetings": ended,
            "ended_page": maybe_ended,
            "is_chair": is_chair_in_office(user),
            "is_delegate": user.is_delegate,
        },
    )


def _briefing_form(meeting, data=None, initial=None):
    return BriefingForm(
        data,
        initial=initial,
        presentations=meeting.presentations.order_by("registered_at"),
        states=State.objects.all(),
    )


def briefing_create(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk)
    if not is_chair_in_office(request.user):
        raise Http404
    supersedes = None
    if request.GET.get("replaces", "").isdigit() or request.POST.get("replaces", "").isdigit():
        supersedes = object_for_user_or_404(
            briefings_for_user(request.user), pk=int(request.GET.get("replaces") or request.POST.get("replaces"))
        )
    form = _briefing_form(meeting, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            briefing = services.draft_briefing(
                by=request.user,
                meeting=meeting,
                text=form.cleaned_data["text"],
                presentations=form.cleaned_data["presentations"],
                marked_states=form.cleaned_data["marked_states"],
                supersedes=supersedes,
            )
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("The outline is drafted; the States that took part decide on it (ToR rule 22).")
            )
            return redirect("briefings:detail", pk=briefing.pk)
    return render(
        request,
        "briefings/briefing_form.html",
        {"form": form, "meeting": meeting, "supersedes": supersedes, "has_ended": services.meeting_has_ended(meeting)},
    )


def briefing_edit(request, pk):
    briefing = _briefing_for(request, pk)
    if not is_chair_in_office(request.user):
        raise Http404
    if briefing.status != BriefingStatus.DRAFT:
        messages.error(request, _("Only a draft outline can be edited (ToR rule 22)."))
        return redirect("briefings:detail", pk=briefing.pk)
    initial = {
        "text": briefing.text,
        "presentations": list(briefing.presentations.all()),
        "marked_states": list(briefing.marked_states.all()),
        "seen_version": briefing.version,
    }
    form = _briefing_form(briefing.meeting, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_briefing(
                by=request.user,
                briefing=briefing,
                text=form.cleaned_data["text"],
                seen_version=form.cleaned_data["seen_version"] or 0,
                presentations=form.cleaned_data["presentations"],
                marked_states=form.cleaned_data["marked_states"],
            )
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The outline is saved (ToR rule 22)."))
            return redirect("briefings:detail", pk=briefing.pk)
    return render(
        request, "briefings/briefing_form.html", {"form": form, "meeting": briefing.meeting, "briefing": briefing}
    )


def briefing_detail(request, pk):
    briefing = _briefing_for(request, pk)
    user = request.user
    participants = participating_state_ids(briefing.meeting)
    decisions = services.current_decisions(briefing)
    states = sorted_states(State.objects.filter(pk__in=participants | set(decisions)))
    rows = [{"state": s, "decision": decisions.get(s.pk), "took_part": s.pk in participants} for s in states]
    identified_ids = briefing.identified_state_ids()
    own = decisions.get(user.state_id) if user.is_delegate else None
    context = {
        "briefing": briefing,
        "meeting": briefing.meeting,
        "rows": rows,
        "identified": sorted_states(State.objects.filter(pk__in=identified_ids)),
        "unknown_names": briefing.unknown_names(),
        "found": sorted_by_name(
            [{**i, "name": territory_name(i["code"], i["name"])} for i in briefing.identified], lambda i: i["name"]
        ),
        "linked": presentations_for_user(user).filter(pk__in=briefing.presentations.values("pk")),
        "is_chair": is_chair_in_office(user),
        "can_decide": services.can_decide(user, briefing),
        "can_veto": services.can_veto(user, briefing),
        "own": own,
        "own_identified": user.is_delegate and user.state_id in identified_ids,
        "blockers": services.blockers(briefing) if briefing.status == BriefingStatus.DRAFT else [],
        "decision_form": DecisionForm(
            initial={"version": briefing.version, "decision": own.decision if own else Decision.AGREE}
        ),
        "period_form": PeriodForm(),
        "delivery_form": DeliveryForm(
            initial={"delivered_on": procedural_today(), "delivered_by": user.get_full_name()}
        ),
        "veto_states": sorted_states(State.objects.filter(pk__in=case_presenting_state_ids(briefing))),
        "exportable": briefing.status in (BriefingStatus.AGREED, BriefingStatus.DELIVERED),
        "statuses": BriefingStatus,
    }
    return render(request, "briefings/briefing_detail.html", context)


def _act(request, pk, action):
    briefing = _briefing_for(request, pk)
    return perform(request, action, briefing, "briefings:detail", pk=briefing.pk)


@require_POST
def decide(request, pk):
    def action(briefing):
        form = DecisionForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("A State agrees or objects (ToR rule 22)."), "22")
        row = services.decide(
            by=request.user,
            briefing=briefing,
            decision=form.cleaned_data["decision"],
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
            consent=form.cleaned_data["consent"],
        )
        if row.decision == Decision.OBJECT:
            return _("Your State's objection is recorded: it blocks the consensus (ToR rule 22).")
        return _("Your State's agreement with version %(version)s is recorded (ToR rule 22).") % {
            "version": row.version
        }

    return _act(request, pk, action)


@require_POST
def veto(request, pk):
    def action(briefing):
        if request.POST.get("confirm") != "yes":
            raise RuleViolation(_("Confirm the veto: it ends this draft (ToR rule 22)."), "22")
        services.veto(by=request.user, briefing=briefing)
        return _("Your State vetoed the outline; this draft is ended (ToR rule 22).")

    return _act(request, pk, action)


@require_POST
def open_period(request, pk):
    def action(briefing):
        form = PeriodForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Give the last day of the decision period (ToR rule 22)."), "22")
        services.open_decision_period(by=request.user, briefing=briefing, last_day=form.cleaned_data["last_day"])
        return _("The decision period is open; at its end silence counts as agreement (ToR rule 22).")

    return _act(request, pk, action)


@require_POST
def agree(request, pk):
    def action(briefing):
        services.record_agreement(by=request.user, briefing=briefing)
        return _("The outline is agreed by consensus (ToR rule 22).")

    return _act(request, pk, action)


@require_POST
def deliver(request, pk):
    def action(briefing):
        form = DeliveryForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Give the body, the date and who delivered the briefing (ToR rule 22)."), "22")
        services.record_delivery(
            by=request.user,
            briefing=briefing,
            body=form.cleaned_data["body"],
            delivered_on=form.cleaned_data["delivered_on"],
            delivered_by=form.cleaned_data["delivered_by"],
        )
        return _("The delivery of the briefing is recorded (ToR rule 22).")

    return _act(request, pk, action)


def export_briefing(request, pk, fmt):
    briefing = _briefing_for(request, pk)
    try:
        if fmt == "pdf":
            response = HttpResponse(export.as_pdf(briefing), content_type="application/pdf")
        else:
            response = HttpResponse(export.as_text(briefing), content_type="text/plain; charset=utf-8")
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("briefings:detail", pk=briefing.pk)
    response["Content-Disposition"] = f'attachment; filename="dief-briefing-{briefing.pk}.{fmt}"'
    response["Cache-Control"] = "no-store"
    return response


# --- follow-up arrangements (ToR rule 21) ----------------------------------------------------


def arrangement_create(request, meeting_pk):
    meeting = _meeting_for(request, meeting_pk)
    if not (request.user.is_delegate and request.user.state_id in participating_state_ids(meeting)):
        raise Http404
    states = eligible_states(procedural_today()).exclude(pk=request.user.state_id)
    form = ArrangementForm(request.POST or None, states=states)
    if request.method == "POST" and form.is_valid():
        try:
            arrangement = services.record_arrangement(
                by=request.user,
                meeting=meeting,
                other_states=form.cleaned_data["other_states"],
                what=form.cleaned_data["what"],
                contact_route=form.cleaned_data["contact_route"],
                add_secretariat=form.cleaned_data["add_secretariat"],
            )
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The follow-up arrangement is recorded (ToR rule 21)."))
            return redirect("briefings:arrangement", pk=arrangement.pk)
    return render(request, "briefings/arrangement_form.html", {"form": form, "meeting": meeting})


def _arrangement_for(request, pk):
    return object_for_user_or_404(arrangements_for_user(request.user).select_related("meeting"), pk=pk)


def arrangement_detail(request, pk):
    arrangement = _arrangement_for(request, pk)
    is_party = request.user.is_delegate and arrangement.states.filter(pk=request.user.state_id).exists()
    return render(
        request,
        "briefings/arrangement_detail.html",
        {
            "arrangement": arrangement,
            "states": sorted_states(arrangement.states.all()),
            "is_party": is_party,
            "status_form": ArrangementStatusForm(initial={"status": arrangement.status}),
        },
    )


@require_POST
def arrangement_status(request, pk):
    arrangement = _arrangement_for(request, pk)

    def action(target):
        form = ArrangementStatusForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Choose a status for the arrangement (ToR rule 21)."), "21")
        services.set_arrangement_status(by=request.user, arrangement=target, status=form.cleaned_data["status"])
        return _("The status of the arrangement is recorded (ToR rule 21).")

    return perform(request, action, arrangement, "briefings:arrangement", pk=arrangement.pk)


@require_POST
def arrangement_add_secretariat(request, pk):
    arrangement = _arrangement_for(request, pk)

    def action(target):
        services.add_secretariat(by=request.user, arrangement=target)
        return _("The Secretariat now sees this arrangement (ToR rule 21).")

    return perform(request, action, arrangement, "briefings:arrangement", pk=arrangement.pk)
