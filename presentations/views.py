"""Thin views over presentations.services and presentations.queries."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from dief.actions import perform
from dief.errors import RuleViolation
from documents import services as document_services
from documents.views import uploaded_file
from meetings.deadlines import meeting_deadline
from meetings.enums import DeadlineKey
from meetings.queries import is_chair_in_office, meetings_for_user, procedural_today
from states.queries import eligible_states

from . import services
from .enums import Consent
from .forms import (
    DocumentForm,
    InvolvedStatesForm,
    PresentationForm,
    PresentationInformationForm,
    ReplyForm,
    RightOfReplyForm,
)
from .models import InvolvedState
from .queries import presentations_for_user


def _presentation_for(request, pk):
    return get_object_or_404(
        presentations_for_user(request.user).select_related("meeting__tor_version", "presenting_state"), pk=pk
    )


def presentation_list(request):
    presentations = (
        presentations_for_user(request.user)
        .select_related("meeting", "presenting_state")
        .annotate(n_involved=Count("involved_states", distinct=True), n_replies=Count("replies", distinct=True))
        .order_by("-meeting__start_date", "registered_at")
    )
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    if query:
        presentations = presentations.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    meeting_id = request.GET.get("meeting", "")
    if meeting_id.isdigit() and len(meeting_id) < 10:
        presentations = presentations.filter(meeting_id=int(meeting_id))
    return render(
        request,
        "presentations/presentation_list.html",
        {
            "presentations": presentations,
            "q": query,
            "can_register": request.user.is_delegate and request.user.state.is_eligible(procedural_today()),
        },
    )


def presentation_create(request):
    if not services.can_register_somewhere(request.user):
        raise PermissionDenied
    meetings = meetings_for_user(request.user).filter(agenda_adopted_at__isnull=True)
    form = PresentationForm(request.POST or None, meetings=meetings, initial={"meeting": request.GET.get("meeting")})
    if request.method == "POST" and form.is_valid():
        try:
            presentation = services.register_presentation(by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Your State's intention to present is registered (ToR rule 11)."))
            return redirect("presentations:detail", pk=presentation.pk)
    return render(request, "presentations/presentation_form.html", {"form": form})


def presentation_detail(request, pk):
    presentation = _presentation_for(request, pk)
    user = request.user
    involved = list(presentation.involved_states.select_related("state"))
    involved_ids = {i.state_id for i in involved}
    replies = list(presentation.replies.select_related("state"))
    replied_ids = {r.state_id for r in replies}
    is_presenting = user.is_delegate and user.state_id == presentation.presenting_state_id
    is_involved = user.is_delegate and user.state_id in involved_ids
    candidates = eligible_states(procedural_today()).exclude(pk__in=involved_ids | {presentation.presenting_state_id})
    context = {
        "presentation": presentation,
        "meeting": presentation.meeting,
        "involved": involved,
        "replies": replies,
        "documents": presentation.documents.order_by("uploaded_at"),
        "is_presenting": is_presenting,
        "can_reply": is_involved and user.state_id not in replied_ids,
        "is_involved": is_involved,
        "is_chair": is_chair_in_office(user),
        "can_upload": document_services.can_upload_to_presentation(user, presentation),
        "can_be_scheduled": services.can_be_scheduled(presentation),
        "notify_form": InvolvedStatesForm(states=candidates),
        "reply_form": ReplyForm(),
        "ror_form": RightOfReplyForm(),
        "ror_refusal": services.right_of_reply_refusal(presentation),
        "document_form": DocumentForm(),
        "information_form": PresentationInformationForm(
            initial={
                "information_types": list(presentation.information_types),
                "countries": list(presentation.countries.values_list("pk", flat=True)),
                **{f: getattr(presentation, f) for f in services.TYPED_FIELDS},
            }
        )
        if is_presenting
        else None,
        "notice_deadline": meeting_deadline(presentation.meeting, DeadlineKey.INVOLVED_STATE_NOTICE),
        "response_deadline": meeting_deadline(presentation.meeting, DeadlineKey.INVOLVED_STATE_RESPONSE),
        "consent_pending": presentation.consent_legally_required and any(i.consent != Consent.GIVEN for i in involved),
    }
    return render(request, "presentations/presentation_detail.html", context)


def _act(request, pk, action):
    presentation = _presentation_for(request, pk)
    return perform(request, action, presentation, "presentations:detail", pk=presentation.pk)


@require_POST
def notify(request, pk):
    def action(presentation):
        form = InvolvedStatesForm(request.POST, states=eligible_states(procedural_today()))
        if not form.is_valid():
            raise RuleViolation(_("Choose at least one State Party or signatory State (ToR rule 12)."), "12")
        response_due = meeting_deadline(presentation.meeting, DeadlineKey.INVOLVED_STATE_RESPONSE)
        created = services.notify_involved_states(
            by=request.user, presentation=presentation, states=form.cleaned_data["states"]
        )
        n = len(created)
        return ngettext(
            "%(n)s involved State notified; its response is requested by %(date)s (ToR rule 12).",
            "%(n)s involved States notified; their response is requested by %(date)s (ToR rule 12).",
            n,
        ) % {"n": n, "date": date_format(response_due.due_date, "DATE_FORMAT")}

    return _act(request, pk, action)


@require_POST
def reply(request, pk):
    def action(presentation):
        form = ReplyForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Write the response of your State (ToR rule 12)."), "12")
        result = services.submit_reply(
            by=request.user,
            presentation=presentation,
            text=form.cleaned_data["text"],
            consent=form.cleaned_data["consent"],
        )
        if result.late:
            return _(
                "Your response is attached to the presentation; it came after the response date and is marked "
                "late (ToR rule 12)."
            )
        return _("Your response is attached to the presentation (ToR rule 12).")

    return _act(request, pk, action)


@require_POST
def right_of_reply(request, pk, involved_pk):
    def action(presentation):
        involved = get_object_or_404(InvolvedState, pk=involved_pk, presentation=presentation)
        form = RightOfReplyForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("The right of reply is either given or waived (ToR rule 12)."), "12")
        services.record_right_of_reply(by=request.user, involved=involved, decision=form.cleaned_data["decision"])
        return _("The right of reply is recorded (ToR rule 12).")

    return _act(request, pk, action)


@require_POST
def describe(request, pk):
    def action(presentation):
        form = PresentationInformationForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Check the fields of the information (ToR rules 18, 19)."), "18")
        services.describe_presentation(by=request.user, presentation=presentation, **form.cleaned_data)
        return _("The information of the presentation is recorded (ToR rules 18, 19).")

    return _act(request, pk, action)


@require_POST
def upload(request, pk):
    def action(presentation):
        level = request.POST.get("classification", "")
        level = int(level) if level.isdigit() and len(level) < 3 else presentation.classification
        document_services.upload(
            by=request.user,
            uploaded=uploaded_file(request),
            presentation=presentation,
            classification=max(level, presentation.classification),
        )
        return _("Document added.")

    return _act(request, pk, action)
