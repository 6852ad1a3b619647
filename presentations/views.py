"""Thin views over presentations.services and presentations.queries."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.forms import Media
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.formats import date_format
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.security import object_for_user_or_404
from dief import clock
from dief.actions import perform
from dief.errors import RuleViolation
from dief.pagination import paginate_lean
from documents import queries as document_queries
from documents import services as document_services
from documents.views import language_version_fields, uploaded_file
from meetings.deadlines import meeting_deadline
from meetings.enums import DeadlineKey
from meetings.queries import in_list_order, is_chair_in_office, meetings_for_user, procedural_today
from states.queries import eligible_states

from . import services
from .enums import ConsentStanding
from .forms import (
    ConsentForm,
    DocumentForm,
    InvolvedStatesForm,
    PresentationForm,
    PresentationInformationForm,
    ReplyForm,
    RightOfReplyForm,
)
from .models import InvolvedState
from .queries import ListRows, presentation_page_or_404, presentations_for_user


def _presentation_for(request, pk):
    return object_for_user_or_404(
        presentations_for_user(request.user).select_related("meeting__tor_version", "presenting_state"),
        pk=pk,
    )


def presentation_list(request):
    visible = presentations_for_user(request.user)
    query = request.GET.get("q", "").replace("\x00", "").strip()[:200]
    if query:
        visible = visible.filter(Q(title__icontains=query) | Q(summary__icontains=query))
    meeting_id = request.GET.get("meeting", "")
    if meeting_id.isdigit() and len(meeting_id) < 10:
        visible = visible.filter(meeting_id=int(meeting_id))
    # one LIMIT, no COUNT over every presentation the user sees; rows of what the list shows
    # (none of the long texts of the case, ToR rule 18)
    page = paginate_lean(request, ListRows(visible, procedural_today()))
    return render(
        request,
        "presentations/presentation_list.html",
        {
            "presentations": page.object_list,
            "page_obj": page,
            "q": query,
            "can_register": request.user.is_delegate and request.user.state.is_eligible(procedural_today()),
        },
    )


def presentation_create(request):
    """ToR rule 11: the form lists the meetings open for registration; those the user sees
    that are closed are listed with the reason, and a forced choice of one of them is refused
    by the service with that reason (never a bare "select a valid choice")."""
    if not services.can_register_somewhere(request.user):
        raise PermissionDenied
    now = clock.now()
    visible = in_list_order(meetings_for_user(request.user))
    open_meetings, closed = [], []
    for meeting in visible:
        verdict = services.registration_closed_reason(meeting)
        if verdict:
            open_meetings.append(meeting)
        elif not services.meeting_has_ended(meeting):
            closed.append((meeting, verdict))
    requested = request.GET.get("meeting", "")
    requested_closed = next((v for m, v in closed if str(m.pk) == requested), None)
    if requested_closed is None and requested.isdigit() and len(requested) < 10:
        past = next((m for m in visible if m.pk == int(requested) and m not in open_meetings), None)
        requested_closed = services.can_register(request.user, past, now) if past is not None else None
    form = PresentationForm(
        request.POST or None,
        meetings=meetings_for_user(request.user),
        open_meetings=open_meetings,
        initial={"meeting": requested},
    )
    if request.method == "POST" and form.is_valid():
        try:
            presentation = services.register_presentation(by=request.user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error("meeting" if exc.rule == "11" else None, exc.message)
        else:
            messages.success(request, _("Your State's intention to present is registered (ToR rule 11)."))
            return redirect("presentations:detail", pk=presentation.pk)
    return render(
        request,
        "presentations/presentation_form.html",
        {"form": form, "open_meetings": open_meetings, "closed": closed, "requested_closed": requested_closed},
    )


def _notify_media():
    """The media of :class:`InvolvedStatesForm` (its widgets' scripts, as ``form.media``
    gives them) without building the form and its list of eligible States."""
    media = Media()
    for field in InvolvedStatesForm.base_fields.values():
        media += field.widget.media
    return media


def presentation_detail(request, pk):
    user = request.user
    presentation, involved = presentation_page_or_404(user, pk)
    now = clock.now()
    involved_ids = {i.state_id for i in involved}
    # only an involved State replies (ToR rule 12; services.submit_reply), and an involved State
    # is never removed: with none, there is no reply to read
    replies = list(presentation.replies.select_related("state")) if involved else []
    is_presenting = user.is_delegate and user.state_id == presentation.presenting_state_id
    is_involved = user.is_delegate and user.state_id in involved_ids
    # ToR rule 23: each document in the reader's language when there is a version in it; the
    # download logs this reader sees (rules 14-15) read with the documents
    read, logs = document_queries.presentation_documents(user, presentation)
    documents = document_services.for_reader(read, request.LANGUAGE_CODE)
    for entry in documents:
        # None: not for this viewer (rules 14-15); else the latest downloads, and whether there are more
        entry.document.download_log, entry.document.download_log_more = logs.get(entry.document.pk, (None, False))
    standing = services.consent_standing(presentation, involved)
    own = next((i for i in involved if i.state_id == user.state_id), None) if is_involved else None
    context = {
        "presentation": presentation,
        "meeting": presentation.meeting,
        "involved": involved,
        "replies": replies,
        "documents": documents,
        "is_presenting": is_presenting,
        "is_involved": is_involved,
        "own_involvement": own,
        # Each answer is worked out only if the page shows it (to the presenting or an
        # involved State, the Chair): the others cost no query.
        "may_notify": SimpleLazyObject(lambda: services.can_notify_involved_states(user, presentation, now)),
        "may_reply": SimpleLazyObject(lambda: services.can_reply(user, presentation, now)),
        "may_consent": SimpleLazyObject(lambda: services.can_set_consent(user, presentation, now)),
        "may_record_ror": SimpleLazyObject(lambda: services.can_record_right_of_reply(user, presentation, now)),
        "is_chair": is_chair_in_office(user),
        "can_upload": SimpleLazyObject(lambda: document_services.can_upload_to_presentation(user, presentation)),
        "consent_standing": standing,
        "consent_standing_label": ConsentStanding(standing).label,
        "can_be_scheduled": services.can_be_scheduled(presentation, standing),
        # the picker of the presenting State only: nobody else's page builds it
        "notify_form": SimpleLazyObject(
            lambda: InvolvedStatesForm(
                states=eligible_states(procedural_today()).exclude(
                    pk__in=involved_ids | {presentation.presenting_state_id}
                )
            )
        ),
        # its scripts (the picker's): a class's, the same whether the form is shown or not
        "notify_media": _notify_media(),
        # the others built only for a page that shows them
        "reply_form": SimpleLazyObject(ReplyForm),
        "consent_form": SimpleLazyObject(ConsentForm),
        "ror_form": SimpleLazyObject(RightOfReplyForm),
        "document_form": SimpleLazyObject(lambda: DocumentForm(originals=[entry.original for entry in documents])),
        "notice_deadline": meeting_deadline(presentation.meeting, DeadlineKey.INVOLVED_STATE_NOTICE),
        "response_deadline": meeting_deadline(presentation.meeting, DeadlineKey.INVOLVED_STATE_RESPONSE),
    }
    return render(request, "presentations/presentation_detail.html", context)


def presentation_information(request, pk):
    """The presenting State describes its presentation on a page of its own (ToR rules 18, 19):
    the form, with its list of every State, costs the presentation's page nothing. It posts to
    :func:`describe`."""
    presentation = _presentation_for(request, pk)
    user = request.user
    if not (user.is_delegate and user.state_id == presentation.presenting_state_id):
        raise Http404
    form = PresentationInformationForm(
        initial={
            "information_types": list(presentation.information_types),
            "countries": list(
                presentation.countries.through.objects.filter(presentation=presentation).values_list(
                    "state_id", flat=True
                )
            ),
            **{f: getattr(presentation, f) for f in services.TYPED_FIELDS},
        }
    )
    return render(
        request,
        "presentations/presentation_information.html",
        {"presentation": presentation, "information_form": form},
    )


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
        result = services.submit_reply(by=request.user, presentation=presentation, text=form.cleaned_data["text"])
        if result.late:
            return _(
                "Your response is attached to the presentation; it came after the response date and is marked "
                "late (ToR rule 12)."
            )
        return _("Your response is attached to the presentation (ToR rule 12).")

    return _act(request, pk, action)


@require_POST
def consent(request, pk):
    def action(presentation):
        form = ConsentForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Say whether your State consents or withholds its consent (ToR rule 12)."), "12")
        given = form.cleaned_data["consent"]
        services.set_consent(by=request.user, presentation=presentation, consent=given)
        if given:
            return _("Your State's consent is recorded; you may change it until the agenda is adopted (ToR rule 12).")
        return _(
            "Your State withholds its consent; the presentation cannot be scheduled. You may change this until "
            "the agenda is adopted (ToR rule 12)."
        )

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
            **language_version_fields(request),
            classification=max(level, presentation.classification),
        )
        return _("Document added.")

    return _act(request, pk, action)
