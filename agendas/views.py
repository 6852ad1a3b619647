"""The agenda pages (thin views over agendas.services)."""

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dief import clock
from dief.actions import perform
from dief.errors import RuleViolation
from documents import services as document_services
from documents.views import uploaded_file
from meetings.queries import can_manage_meetings, is_chair_in_office
from meetings.views import _meeting_for
from presentations.forms import DocumentForm
from presentations.queries import presentations_for_user

from . import services as agenda_services
from .forms import AgendaItemForm, ChangesForm, ReleaseForm
from .models import AgendaItem
from .queries import released_items_for_user


def _privileged(user) -> bool:
    return can_manage_meetings(user) or is_chair_in_office(user)


def agenda_detail(request, pk):
    meeting = _meeting_for(request, pk)
    agenda = agenda_services.agenda_of(meeting)
    privileged = _privileged(request.user)
    if not agenda.is_distributed and not privileged:
        raise Http404
    visible_presentations = presentations_for_user(request.user).filter(meeting=meeting)
    return render(
        request,
        "agendas/agenda_detail.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "items": agenda.items.select_related("presentation"),
            "versions": agenda.versions.order_by("-number"),
            "documents": agenda.documents.order_by("uploaded_at"),
            "visible_presentation_ids": set(visible_presentations.values_list("pk", flat=True)),
            "can_manage": can_manage_meetings(request.user),
            "is_chair": is_chair_in_office(request.user),
            "at_meeting": clock.today_in(meeting.procedural_time_zone) >= meeting.start_date,
            "item_form": AgendaItemForm(presentations=meeting.presentations.filter(status="registered")),
            "changes_form": ChangesForm(),
            "release_form": ReleaseForm(),
            "document_form": DocumentForm(),
        },
    )


def _agenda_action(request, pk, action):
    meeting = _meeting_for(request, pk)
    return perform(request, action, meeting, "meetings:agenda", pk=meeting.pk)


@require_POST
def agenda_add_item(request, pk):
    def action(meeting):
        form = AgendaItemForm(request.POST, presentations=meeting.presentations.all())
        if not form.is_valid():
            raise RuleViolation(_("Give the item a title."))
        agenda_services.add_item(
            by=request.user,
            meeting=meeting,
            title=form.cleaned_data["title"],
            presentation=form.cleaned_data["presentation"],
            changes=form.cleaned_data["changes"],
        )
        if (
            agenda_services.agenda_of(meeting).status == "draft"
            and agenda_services.agenda_of(meeting).items.count() > 1
        ):
            return _("Item added. The draft agenda needs the Chair's approval (again, if it had it) (ToR rule 10).")
        return _("Item added.")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_remove_item(request, pk, item_pk):
    def action(meeting):
        item = get_object_or_404(AgendaItem, pk=item_pk, agenda__meeting=meeting)
        form = ChangesForm(request.POST)
        form.is_valid()
        agenda_services.remove_item(by=request.user, item=item, changes=form.cleaned_data.get("changes", ""))
        return _("Item removed.")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_approve(request, pk):
    def action(meeting):
        agenda_services.approve(by=request.user, meeting=meeting)
        return _("You approved the draft agenda (ToR rule 10).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_distribute(request, pk):
    def action(meeting):
        agenda = agenda_services.distribute(by=request.user, meeting=meeting)
        if agenda.distributed_late:
            return _("Draft agenda distributed after the deadline of ToR rule 10: recorded as late.")
        return _("Draft agenda distributed to all eligible States (ToR rule 10).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_adopt(request, pk):
    def action(meeting):
        agenda_services.adopt(by=request.user, meeting=meeting)
        return _("Adoption of the agenda recorded; registrations are closed (ToR rule 11).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_release_item(request, pk, item_pk):
    def action(meeting):
        item = get_object_or_404(AgendaItem, pk=item_pk, agenda__meeting=meeting)
        form = ReleaseForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Record the participants' decision that releases this item (ToR rule 14)."), "14")
        agenda_services.release_item(by=request.user, item=item, decision=form.cleaned_data["decision"])
        return _("The release of the item is recorded (ToR rule 14).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_upload(request, pk):
    def action(meeting):
        document_services.upload(
            by=request.user, uploaded=uploaded_file(request), agenda=agenda_services.agenda_of(meeting)
        )
        return _("Document added.")

    return _agenda_action(request, pk, action)


def released_items(request):
    """ToR rule 14: what the participants released, and nothing more."""
    items = released_items_for_user(request.user).order_by("-released_at")
    return render(request, "agendas/released_items.html", {"items": items})
