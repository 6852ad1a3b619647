"""The agenda pages (thin views over agendas.services)."""

from django.http import Http404
from django.shortcuts import render
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from dief.actions import perform
from dief.errors import RuleViolation
from dief.pagination import paginate_lean
from documents import services as document_services
from documents.views import language_version_fields, uploaded_file
from meetings.queries import (
    agenda_page_meeting_or_404,
    can_manage_meetings,
    is_chair_in_office,
    meeting_for_user_or_404,
)
from presentations.forms import DocumentForm
from presentations.queries import presentations_for_user

from . import services as agenda_services
from .forms import AgendaItemForm, ChangesForm, ConsultationForm, ReleaseForm
from .queries import released_items_for_user


def _privileged(user) -> bool:
    return can_manage_meetings(user) or is_chair_in_office(user)


def _steps(agenda, versions) -> list[dict]:
    """Each recorded step of the agenda with its own time: drafted, approved, distributed (the
    original), each Rev., adopted."""
    if agenda is None:
        return []
    steps = []
    if agenda.created_at:
        steps.append({"label": _("drafted"), "at": agenda.created_at})
    if agenda.approved_at:
        steps.append({"label": _("approved by the Chair"), "at": agenda.approved_at})
    for version in sorted(versions, key=lambda v: v.number):
        label = _("distributed (original)") if version.number == 0 else version.label
        steps.append({"label": label, "at": version.created_at, "changes": version.changes})
    if agenda.adopted_at:
        steps.append({"label": _("adopted"), "at": agenda.adopted_at})
    return steps


def agenda_detail(request, pk):
    """The agenda (GET: reads only, never creates a row)."""
    meeting = agenda_page_meeting_or_404(request.user, pk)  # with its agenda and whether a Chair is in office
    agenda = agenda_services.agenda_read_with(meeting)
    privileged = _privileged(request.user)
    if not (agenda and agenda.is_distributed) and not privileged:
        raise Http404
    versions = list(agenda.versions.order_by("-number")) if agenda else []
    refusals = agenda_services.refusals(request.user, meeting, agenda)
    items = list(agenda.items.select_related("presentation")) if agenda else []
    # which items' presentations the user may open: asked only when an item has one
    linked = [item.presentation_id for item in items if item.presentation_id]
    visible_presentation_ids = (
        set(presentations_for_user(request.user).filter(meeting=meeting, pk__in=linked).values_list("pk", flat=True))
        if linked
        else set()
    )
    return render(
        request,
        "agendas/agenda_detail.html",
        {
            "meeting": meeting,
            "agenda": agenda,
            "edition": agenda.edition if agenda else 0,
            "items": items,
            "versions": versions,
            "current_version": versions[0] if versions else None,
            "steps": _steps(agenda, versions),
            "documents": document_services.for_reader(agenda.documents.all(), request.LANGUAGE_CODE) if agenda else [],
            "consultations": agenda.consultations.select_related("chair__chair", "recorded_by") if agenda else [],
            "visible_presentation_ids": visible_presentation_ids,
            "privileged": privileged,
            "can_manage": can_manage_meetings(request.user),
            "is_chair": is_chair_in_office(request.user),
            "refusals": refusals,
            # each form built (and its choices read) only if the page shows it to this user
            "item_form": SimpleLazyObject(
                lambda: AgendaItemForm(
                    presentations=meeting.presentations.filter(status="registered").only("pk", "title", "meeting_id")
                )
            ),
            "consultation_form": SimpleLazyObject(ConsultationForm),
            "document_form": SimpleLazyObject(
                lambda: DocumentForm(originals=agenda.documents.filter(version_of__isnull=True) if agenda else [])
            ),
        },
    )


def _agenda_action(request, pk, action):
    meeting = meeting_for_user_or_404(request.user, pk)
    return perform(request, action, meeting, "meetings:agenda", pk=meeting.pk)


def _seen(request):
    """The edition of the agenda the user's decision was taken on (hidden field "edition")."""
    return request.POST.get("edition")


def _changes(request) -> str:
    form = ChangesForm(request.POST)
    form.is_valid()
    return form.cleaned_data.get("changes", "")


@require_POST
def agenda_add_item(request, pk):
    def action(meeting):
        form = AgendaItemForm(request.POST, presentations=meeting.presentations.all())
        if not form.is_valid():
            raise RuleViolation(_("Give the item a title."))
        item = agenda_services.add_item(
            by=request.user,
            meeting=meeting,
            title=form.cleaned_data["title"],
            presentation=form.cleaned_data["presentation"],
            changes=form.cleaned_data["changes"],
        )
        if item.agenda.status == "draft" and item.agenda.items.count() > 1:
            return _("Item added. The draft agenda needs the Chair's approval (again, if it had it) (ToR rule 10).")
        return _("Item added.")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_remove_item(request, pk, item_pk):
    def action(meeting):
        if agenda_services.remove_item(by=request.user, meeting=meeting, item_pk=item_pk, changes=_changes(request)):
            return _("Item removed.")
        return _("This item was already removed.")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_move_item(request, pk, item_pk, direction):
    def action(meeting):
        agenda_services.move_item(
            by=request.user,
            meeting=meeting,
            item_pk=item_pk,
            direction=direction,
            seen=_seen(request),
            changes=_changes(request),
        )
        return _("Item moved up.") if direction == agenda_services.UP else _("Item moved down.")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_approve(request, pk):
    def action(meeting):
        agenda_services.approve(by=request.user, meeting=meeting, seen=_seen(request))
        return _("You approved the draft agenda (ToR rule 10).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_distribute(request, pk):
    def action(meeting):
        agenda = agenda_services.distribute(by=request.user, meeting=meeting, seen=_seen(request))
        if agenda.distributed_late:
            return _("Draft agenda distributed after the deadline of ToR rule 10: recorded as late.")
        return _("Draft agenda distributed to all eligible States (ToR rule 10).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_adopt(request, pk):
    def action(meeting):
        agenda_services.adopt(by=request.user, meeting=meeting, seen=_seen(request))
        return _("Adoption of the agenda recorded; registrations are closed (ToR rule 11).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_release_item(request, pk, item_pk):
    def action(meeting):
        form = ReleaseForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Record the participants' decision that releases this item (ToR rule 14)."), "14")
        agenda_services.release_item(
            by=request.user,
            meeting=meeting,
            item_pk=item_pk,
            decision=form.cleaned_data["decision"],
            seen=_seen(request),
        )
        return _("The release of the item is recorded (ToR rule 14).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_consult(request, pk):
    def action(meeting):
        form = ConsultationForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Give a valid date of the consultation (ToR rule 10)."), "10")
        consultation = agenda_services.record_consultation(
            by=request.user,
            meeting=meeting,
            comments=form.cleaned_data["comments"],
            consulted_on=form.cleaned_data["consulted_on"],
        )
        if consultation.on_paper:
            return _("The consultation of the Chair made on paper is recorded (ToR rule 10).")
        return _("Your consultation on the draft agenda is recorded (ToR rule 10).")

    return _agenda_action(request, pk, action)


@require_POST
def agenda_upload(request, pk):
    def action(meeting):
        document_services.upload(
            by=request.user,
            uploaded=uploaded_file(request),
            agenda=agenda_services.agenda_of(meeting),
            **language_version_fields(request),
        )
        return _("Document added.")

    return _agenda_action(request, pk, action)


def released_items(request):
    """ToR rule 14: what the participants released, and nothing more; latest first, a page at
    a time (``?page=``)."""
    page = paginate_lean(request, released_items_for_user(request.user).order_by("-released_at", "-pk"))
    return render(request, "agendas/released_items.html", {"items": page.object_list, "page_obj": page})
