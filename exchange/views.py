"""Thin views over exchange.services and exchange.queries (ToR rules 13, 15, 16, 18-20)."""

from django.contrib import messages
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods, require_POST

from accounts.enums import Role
from accounts.models import User
from accounts.security import object_for_user_or_404
from dief.actions import perform
from dief.confidentiality import NATIONAL_AUTHORITY_MAX, Classification
from dief.errors import RuleViolation
from dief.pagination import paginate_lean
from documents import downloads
from documents.queries import documents_for_user
from documents.views import uploaded_file
from meetings.queries import is_chair_in_office, is_verified, procedural_today
from presentations.queries import presentations_for_user
from states.models import State
from states.queries import eligible_states

from . import services
from .enums import ContactStatus, LiftStatus, OperationalUseAnswer
from .forms import (
    ClassificationForm,
    ConcernAnswerForm,
    ConcernForm,
    ContactCorrectionForm,
    ContactForm,
    ContactReturnForm,
    OperationalUseAnswerForm,
    OperationalUseForm,
    RecordForm,
    RecordShareForm,
    SearchForm,
    ShareForm,
    WithholdForm,
)
from .models import (
    ClassificationDecision,
    ContactReturn,
    EnforcementContact,
    LiftProposal,
    OperationalUseRequest,
    RecordDocument,
    Share,
    Withholding,
)
from .pdf import record_pdf
from .queries import (
    SHARE_RELATED,
    chosen_states,
    concerns_for_user,
    contacts_for_user,
    is_delegate_of_eligible_state,
    lift_proposals_for_user,
    list_facets_and_total,
    records_for_user,
    search_records,
    share_suspension,
    shares_for_user,
    use_requests_for_user,
)

#: What "Shared with you" shows of a record.
SHARED_FIELDS = ("title", "classification", "provider_state")

#: What a row of the records list shows.
RECORD_LIST_FIELDS = (
    "title",
    "information_types",
    "classification",
    "created_at",
    "provider_state",
    "provider_state__name",
    "provider_state__iso3",
)


def _require_delegate(request):
    if not is_delegate_of_eligible_state(request.user):
        raise Http404


def _record_for(request, pk):
    return object_for_user_or_404(records_for_user(request.user).select_related("provider_state"), pk=pk)


def _authorities(user):
    return User.objects.filter(role=Role.NATIONAL_AUTHORITY, state_id=user.state_id, is_active=True).order_by(
        "last_name", "username"
    )


# --- Records --------------------------------------------------------------------------------------


def record_list(request):
    """Records the user sees, searched and filtered (ToR rules 18-19); facets count only those."""
    user = request.user
    can_share = is_delegate_of_eligible_state(user)
    if not (can_share or (is_verified(user) and user.role == Role.NATIONAL_AUTHORITY)):
        raise Http404
    # the country list names each State: its name and code are all it reads
    form = SearchForm(request.GET or None, countries=State.objects.only("pk", "name", "iso3"))
    filters = form.cleaned_data if form.is_valid() else {}
    records = search_records(
        request.user,
        text=filters.get("q") or "",
        information_type=filters.get("type") or "",
        country=filters.get("country"),
        status=filters.get("status") or "",
        since=filters.get("since"),
        until=filters.get("until"),
    )
    facets, total = list_facets_and_total(user, records, filtered=bool(filters) and any(filters.values()))
    # one LIMIT per page, none of the long texts of the records (the list shows none of them)
    page = paginate_lean(
        request,
        records.select_related("provider_state")
        .only(*RECORD_LIST_FIELDS)
        .prefetch_related(Prefetch("countries", queryset=State.objects.only("pk", "name", "iso3"))),
        total=total,  # counted with the facets: no record found, no query for the page
    )
    return render(
        request,
        "exchange/record_list.html",
        {
            "form": form,
            "records": page.object_list,
            "page_obj": page,
            "total": total,
            "facets": [(letter, label, facets[letter]) for letter, label in form.fields["type"].choices[1:]],
            "can_share": can_share,
        },
    )


def record_create(request):
    _require_delegate(request)
    user = request.user
    presentation = None
    pid = request.GET.get("presentation", "")
    if pid.isdigit() and len(pid) < 10:
        presentation = object_for_user_or_404(
            presentations_for_user(user).filter(presenting_state_id=user.state_id), pk=int(pid)
        )
    states = eligible_states(procedural_today()).exclude(pk=user.state_id)
    initial = {}
    if presentation is not None:
        initial = {
            "title": presentation.title,
            "information_types": list(presentation.information_types),
            "classification": max(presentation.classification, Classification.CONFIDENTIAL),
            **{f: getattr(presentation, f) for f in services.RULE18_FIELDS},
        }
    form = RecordForm(request.POST or None, states=states, countries=State.objects.all(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        try:
            record = services.share_record(
                by=user,
                title=data.pop("title"),
                audience=data.pop("audience"),
                information_types=data.pop("information_types"),
                classification=data.pop("classification"),
                states=data.pop("states") or [],
                countries=data.pop("countries") or [],
                presentation=presentation,
                submission=data.pop("submission"),
                **data,
            )
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The record is shared on the platform (ToR rule 13)."))
            return redirect("exchange:detail", pk=record.pk)
    return render(
        request,
        "exchange/record_form.html",
        {
            "form": form,
            "presentation": presentation,
            "withhold_form": WithholdForm(),
            "withholding": Withholding.objects.filter(presentation=presentation).first() if presentation else None,
        },
    )


def _with_suspension(shares) -> list:
    """``shares`` (record shares with their ``live_document_shares``) as a list, each share
    carrying ``suspension``: why it gives its recipient nothing now, or "" (ToR rules 15, 16)."""
    shares = list(shares)
    for share in shares:
        share.suspension = share_suspension(share)
        for ds in share.live_document_shares:
            ds.suspension = share_suspension(ds)
    return shares


def record_detail(request, pk):
    record = _record_for(request, pk)
    user = request.user
    is_provider = services.is_provider(user, record)
    is_delegate = is_delegate_of_eligible_state(user)
    context = {
        "record": record,
        "is_provider": is_provider,
        "is_delegate": is_delegate,
        # ToR rule 13: only the provider sees which States it chose; a recipient learns only
        # that its own State is among them.
        "chosen_states": chosen_states(record) if is_provider else None,
        "own_state_chosen": record.provider_state_id != user.state_id,
        "countries": record.countries.all(),
        "documents": documents_for_user(user).filter(record_link__record=record),
        "use_requests": use_requests_for_user(user).filter(record=record).select_related("requesting_state"),
        "shares": _with_suspension(
            shares_for_user(user)
            .filter(record=record, revoked_at__isnull=True)
            .select_related(*SHARE_RELATED)
            .prefetch_related(
                Prefetch(
                    "document_shares",
                    queryset=Share.objects.filter(revoked_at__isnull=True).select_related(*SHARE_RELATED),
                    to_attr="live_document_shares",
                )
            )
        ),
        "can_share_with_authority": is_delegate and record.classification <= NATIONAL_AUTHORITY_MAX,
        "share_form": _record_share_form(user, record) if is_delegate else None,
        "document_share_form": ShareForm(recipients=_authorities(user), auto_id="id_document_%s")
        if is_delegate
        else None,
        **_use_form(user, record),
        "answer_form": OperationalUseAnswerForm(),
        "presentation": presentations_for_user(user).filter(pk=record.presentation_id).first()
        if record.presentation_id
        else None,
    }
    return render(request, "exchange/record_detail.html", context)


def _record_share_form(user, record):
    """The form to share ``record`` with a national authority user of ``user``'s State who does
    not hold it yet (ToR rule 16); None when every one of them does."""
    holders = Share.objects.filter(record=record, revoked_at__isnull=True).values("recipient_id")
    recipients = _authorities(user).exclude(pk__in=holders)
    if not recipients.exists():
        return None
    return RecordShareForm(recipients=recipients, documents=services.shareable_documents(user, record))


def _use_form(user, record) -> dict:
    """ToR rule 16: the request form offers only the purposes the user's State has no pending
    request for; ``use_pending`` says a request awaits the provider's answer."""
    pending = set(
        OperationalUseRequest.objects.filter(
            record=record, requesting_state_id=user.state_id, answer=OperationalUseAnswer.PENDING
        ).values_list("purpose", flat=True)
    )
    form = OperationalUseForm()
    field = form.fields["purpose"]
    field.choices = [(value, label) for value, label in field.choices if value not in pending]
    return {"use_pending": bool(pending), "use_form": form if field.choices else None}


def record_pdf_download(request, pk):
    """The record as a PDF, stamped for this download and logged (ToR rule 15)."""
    record = _record_for(request, pk)
    try:
        return downloads.serve(
            request,
            data=record_pdf(record),
            filename=f"dief-record-{record.pk}.pdf",
            content_type=downloads.PDF,
            classification=record.classification,
            object_kind="record",
            object_id=record.pk,
        )
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("exchange:detail", pk=record.pk)


@require_POST
def record_upload(request, pk):
    record = _record_for(request, pk)

    def action(record):
        level = request.POST.get("classification", "")
        services.add_record_document(
            by=request.user,
            record=record,
            uploaded=uploaded_file(request),
            classification=int(level) if level.isdigit() and int(level) in Classification.values else None,
        )
        return _("Document added.")

    return perform(request, action, record, "exchange:detail", pk=record.pk)


@require_http_methods(["GET", "POST"])
def record_delete(request, pk):
    """ToR rule 13: the provider withdraws its record. GET asks for confirmation (it deletes
    the record and its documents for good); POST withdraws it."""
    record = _record_for(request, pk)
    if request.method == "GET":
        if not services.is_provider(request.user, record):
            messages.error(request, _("Only the provider withdraws its record (ToR rule 13)."))
            return redirect("exchange:detail", pk=record.pk)
        return render(
            request,
            "confirm.html",
            {
                "title": _("Withdraw this record?"),
                "what_happens": _(
                    "The record, its documents and every share of it are deleted from the platform for good; "
                    "no participant can open it any more and it cannot be restored (ToR rule 13)."
                ),
                "subject": record.title,
                "action_url": reverse("exchange:delete", args=[record.pk]),
                "button": _("Withdraw this record"),
                "cancel_url": reverse("exchange:detail", args=[record.pk]),
            },
        )
    try:
        services.delete_record(by=request.user, record=record)
    except RuleViolation as exc:
        messages.error(request, exc.message)
        return redirect("exchange:detail", pk=record.pk)
    messages.success(request, _("The record is withdrawn from the platform."))
    return redirect("exchange:list")


@require_POST
def withhold(request, pk):
    presentation = object_for_user_or_404(presentations_for_user(request.user), pk=pk)

    def action(presentation):
        form = WithholdForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Give one of the reasons of ToR rule 13."), "13")
        services.withhold(by=request.user, presentation=presentation, reason=form.cleaned_data["reason"])
        return _("Recorded: your State does not share this presentation on the platform (ToR rule 13).")

    return perform(request, action, presentation, "presentations:detail", pk=presentation.pk)


# --- Classification (rule 15) ------------------------------------------------------------------

KINDS = {"record": records_for_user, "presentation": presentations_for_user, "document": documents_for_user}


def _target(request, kind, pk):
    if kind not in KINDS:
        raise Http404
    target = object_for_user_or_404(KINDS[kind](request.user), pk=pk)
    # A non-state expert reads its presentation, not the participants' decisions on it (rule 15).
    if request.user.role == Role.EXPERT:
        raise Http404
    return target


def classification(request, kind, pk):
    """The classification of a record, presentation or document, its decisions and any open
    proposal to lift it; the provider's forms; the participants' objection button."""
    target = _target(request, kind, pk)
    lookup = {kind: target}
    proposals = list(LiftProposal.objects.filter(**lookup).prefetch_related("objections__state"))
    is_provider = services.is_provider(request.user, target)
    stricter = [(c.value, c.label) for c in Classification if c > target.classification]
    looser = [(c.value, c.label) for c in Classification if c < target.classification]
    open_proposal = next((p for p in proposals if p.status == LiftStatus.OPEN), None)
    # An objecting State received the information: only the provider sees which States
    # objected; another participant sees its own State's objection and how many others
    # (ToR rules 13, 15).
    for proposal in proposals:
        objections = list(proposal.objections.all())
        if is_provider:
            proposal.objecting_states = [o.state for o in objections]
            proposal.other_objections = 0
        else:
            proposal.objecting_states = [o.state for o in objections if o.state_id == request.user.state_id]
            proposal.other_objections = len(objections) - len(proposal.objecting_states)
    return render(
        request,
        "exchange/classification.html",
        {
            "kind": kind,
            "target": target,
            "marking": Classification.short(target.classification),
            "decisions": ClassificationDecision.objects.filter(**lookup),
            "proposals": proposals,
            "open_proposal": open_proposal,
            "is_provider": is_provider,
            "stricter": stricter,
            "looser": looser if open_proposal is None else [],
            "can_object": open_proposal is not None
            and not is_provider
            and is_delegate_of_eligible_state(request.user)
            and not any(o.state_id == request.user.state_id for o in open_proposal.objections.all()),
        },
    )


def _classification_action(request, kind, pk, service, done):
    target = _target(request, kind, pk)

    def action(target):
        form = ClassificationForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Choose a classification (ToR rule 15)."), "15")
        service(by=request.user, target=target, **form.cleaned_data)
        return done

    return perform(request, action, target, "exchange:classification", kind=kind, pk=target.pk)


@require_POST
def tighten(request, kind, pk):
    return _classification_action(
        request, kind, pk, services.tighten_classification, _("The classification is now stricter (ToR rule 15).")
    )


@require_POST
def propose_lift(request, kind, pk):
    return _classification_action(
        request,
        kind,
        pk,
        services.propose_lift,
        _("Your proposal to lift the classification is open to the participants' objections (ToR rule 15)."),
    )


def _proposal_for(request, pk):
    proposal = object_for_user_or_404(
        lift_proposals_for_user(request.user).select_related("record", "presentation", "document"), pk=pk
    )
    kind = "record" if proposal.record_id else "presentation" if proposal.presentation_id else "document"
    return proposal, kind


@require_POST
def object_to_lift(request, pk):
    proposal, kind = _proposal_for(request, pk)

    def action(proposal):
        services.object_to_lift(by=request.user, proposal=proposal)
        return _("Your objection is recorded: the classification stays (ToR rule 15).")

    return perform(request, action, proposal, "exchange:classification", kind=kind, pk=proposal.target.pk)


@require_POST
def decide_lift(request, pk):
    proposal, kind = _proposal_for(request, pk)

    def action(proposal):
        if not services.is_provider(request.user, proposal.target):
            raise RuleViolation(_("Only the provider records the decision (ToR rule 15)."), "15")
        result = services.decide_lift(proposal=proposal, by=request.user)
        if result.status == LiftStatus.LIFTED:
            return _("No participant objected: the classification is lifted (ToR rule 15).")
        return _("The classification changed meanwhile: the proposal is superseded (ToR rule 15).")

    return perform(request, action, proposal, "exchange:classification", kind=kind, pk=proposal.target.pk)


# --- National authority users (rule 16) ------------------------------------------------------------


@require_POST
def share_record(request, pk):
    record = _record_for(request, pk)
    return _share(request, record=record, back=("exchange:detail", {"pk": record.pk}))


@require_POST
def share_document(request, pk):
    document = object_for_user_or_404(documents_for_user(request.user), pk=pk)
    link = RecordDocument.objects.filter(document=document).first()
    if link is not None:
        back = ("exchange:detail", {"pk": link.record_id})
    elif document.presentation_id:
        back = ("presentations:detail", {"pk": document.presentation_id})
    else:
        back = ("exchange:shares", {})
    return _share(request, document=document, back=back)


def _share(request, *, back, record=None, document=None):
    _require_delegate(request)
    if record is not None:
        form = RecordShareForm(
            request.POST,
            recipients=_authorities(request.user),
            documents=services.shareable_documents(request.user, record),
        )
    else:
        form = ShareForm(request.POST, recipients=_authorities(request.user))

    def action(_target):
        if not form.is_valid():
            raise RuleViolation(_("Choose a national authority user of your State (ToR rule 16)."), "16")
        recipient = form.cleaned_data["recipient"]
        chosen = list(form.cleaned_data.get("documents") or ())
        services.share_with_authority(
            by=request.user, recipient=recipient, record=record, document=document, documents=chosen
        )
        name = recipient.get_full_name() or recipient.username
        if chosen:
            return ngettext(
                "Shared with %(name)s, with %(n)d document (ToR rule 16).",
                "Shared with %(name)s, with %(n)d documents (ToR rule 16).",
                len(chosen),
            ) % {"name": name, "n": len(chosen)}
        return _("Shared with %(name)s (ToR rule 16).") % {"name": name}

    return perform(request, action, record or document, back[0], **back[1])


@require_POST
def revoke_share(request, pk):
    share = object_for_user_or_404(shares_for_user(request.user), pk=pk)

    def action(share):
        services.revoke_share(by=request.user, share=share)
        return _("The share is revoked; it ends with the recipient's next request (ToR rule 16).")

    return perform(request, action, share, "exchange:shares")


def shares(request):
    """A delegate: the shares its State made (to revoke them). A national authority user:
    exactly what was shared with it and is still live (ToR rule 16)."""
    user = request.user
    if is_delegate_of_eligible_state(user):
        page = paginate_lean(
            request, shares_for_user(user).select_related("shared_by", *SHARE_RELATED).order_by("-shared_at", "-pk")
        )
        for share in page.object_list:
            share.suspension = "" if share.revoked_at else share_suspension(share)
        return render(
            request, "exchange/shares.html", {"rows": page.object_list, "page_obj": page, "as_delegate": True}
        )
    if is_verified(user) and user.role == Role.NATIONAL_AUTHORITY:
        # two lists, each a page of its own (?page= for the records, ?documents= for the documents)
        records = paginate_lean(request, records_for_user(user).select_related("provider_state").only(*SHARED_FIELDS))
        documents = paginate_lean(
            request,
            documents_for_user(user)
            .filter(pk__in=Share.objects.filter(recipient=user, revoked_at__isnull=True).values("document_id"))
            .order_by("-uploaded_at", "-pk"),
            param="documents",
        )
        return render(
            request,
            "exchange/shares.html",
            {
                "as_delegate": False,
                "records": records.object_list,
                "records_page": records,
                "documents": documents.object_list,
                "documents_page": documents,
            },
        )
    raise Http404


# --- Operational use (rule 16) ----------------------------------------------------------------------


@require_POST
def request_use(request, pk):
    record = _record_for(request, pk)

    def action(record):
        form = OperationalUseForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Say what the use is for (ToR rule 16)."), "16")
        services.request_operational_use(by=request.user, record=record, **form.cleaned_data)
        return _("Your request is sent to the provider (ToR rule 16).")

    return perform(request, action, record, "exchange:detail", pk=record.pk)


@require_POST
def answer_use(request, pk):
    use_request = object_for_user_or_404(use_requests_for_user(request.user), pk=pk)

    def action(use_request):
        form = OperationalUseAnswerForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Agree or refuse (ToR rule 16)."), "16")
        services.answer_operational_use(by=request.user, request=use_request, **form.cleaned_data)
        return _("Your answer is recorded (ToR rule 16).")

    return perform(request, action, use_request, "exchange:detail", pk=use_request.record_id)


# --- Disclosure concerns (rule 15) --------------------------------------------------------------------


def _can_raise(user) -> bool:
    return (
        is_delegate_of_eligible_state(user)
        or (is_verified(user) and user.role == Role.SECRETARIAT and not user.is_superuser)
        or is_chair_in_office(user)
    )


def concern_list(request):
    user = request.user
    if not _can_raise(user):
        raise Http404
    states = eligible_states(procedural_today())
    if user.state_id and not is_chair_in_office(user):
        states = states.exclude(pk=user.state_id)
    form = ConcernForm(request.POST or None, states=states)
    if request.method == "POST" and form.is_valid():
        try:
            concern = services.raise_concern(by=user, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The concern is raised bilaterally (ToR rule 15)."))
            return redirect("exchange:concern", pk=concern.pk)
    concerns = concerns_for_user(user).select_related("raising_state", "concerned_state")
    return render(request, "exchange/concern_list.html", {"form": form, "concerns": concerns})


def concern_detail(request, pk):
    concern = object_for_user_or_404(
        concerns_for_user(request.user).select_related("raising_state", "concerned_state", "raised_by"), pk=pk
    )
    can_answer = (
        is_verified(request.user)
        and services.is_concerned_participant(request.user, concern)
        and concern.answered_at is None
    )
    return render(
        request,
        "exchange/concern_detail.html",
        {"concern": concern, "can_answer": can_answer, "form": ConcernAnswerForm()},
    )


@require_POST
def concern_answer(request, pk):
    concern = object_for_user_or_404(concerns_for_user(request.user), pk=pk)

    def action(concern):
        form = ConcernAnswerForm(request.POST)
        if not form.is_valid():
            raise RuleViolation(_("Give an explanation (ToR rule 15)."), "15")
        services.answer_concern(by=request.user, concern=concern, **form.cleaned_data)
        return _("Your answer is recorded (ToR rule 15).")

    return perform(request, action, concern, "exchange:concern", pk=concern.pk)


# --- Enforcement contacts (rule 20) --------------------------------------------------------------------


def contacts(request):
    """ToR rule 20: the directory (verified entries) and the entries of one's own State with
    their status and any return for correction; the Secretariat sees and acts on every entry."""
    user = request.user
    visible = contacts_for_user(user)
    is_secretariat = is_verified(user) and user.role == Role.SECRETARIAT and not user.is_superuser
    if not (is_secretariat or is_delegate_of_eligible_state(user)):
        raise Http404
    form = None
    if is_delegate_of_eligible_state(user):
        current = EnforcementContact.objects.filter(state_id=user.state_id).exclude(status=ContactStatus.SUPERSEDED)
        form = ContactForm(request.POST or None, current=current)
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            try:
                services.submit_contact(by=user, **form.cleaned_data)
            except RuleViolation as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Submitted to the Secretariat for verification (ToR rule 20)."))
                return redirect("exchange:contacts")
    entries = visible.select_related("state").prefetch_related(
        Prefetch("returns", queryset=ContactReturn.objects.order_by("-returned_at", "-pk"), to_attr="return_history")
    )
    rows = []
    for entry in entries:
        own = is_secretariat or entry.state_id == user.state_id
        rows.append(
            {
                "entry": entry,
                "own": own,
                "last_return": entry.return_history[0] if own and entry.return_history else None,
                "can_verify": services.can_verify_contact(user, entry),
                "can_return": services.can_return_contact(user, entry),
                "can_correct": services.can_correct_contact(user, entry),
            }
        )
    return render(
        request,
        "exchange/contacts.html",
        {"rows": rows, "form": form, "is_secretariat": is_secretariat, "return_form": ContactReturnForm()},
    )


@require_POST
def verify_contact(request, pk):
    contact = object_for_user_or_404(contacts_for_user(request.user), pk=pk)

    def action(contact):
        services.verify_contact(by=request.user, contact=contact)
        return _("Verified and circulated to the eligible States (ToR rule 20).")

    return perform(request, action, contact, "exchange:contacts")


@require_POST
def return_contact(request, pk):
    contact = object_for_user_or_404(contacts_for_user(request.user), pk=pk)

    def action(contact):
        form = ContactReturnForm(request.POST)
        services.return_contact(
            by=request.user, contact=contact, reason=form.cleaned_data["reason"] if form.is_valid() else ""
        )
        return _("Returned to its State for correction; it does not circulate (ToR rule 20).")

    return perform(request, action, contact, "exchange:contacts")


def correct_contact(request, pk):
    """ToR rule 20: the State corrects an entry the Secretariat returned, seeing the reason."""
    contact = object_for_user_or_404(contacts_for_user(request.user), pk=pk)
    user = request.user
    if not (is_delegate_of_eligible_state(user) and contact.state_id == user.state_id):
        raise Http404
    verdict = services.can_correct_contact(user, contact)
    form = ContactCorrectionForm(
        request.POST or None, initial={"authority": contact.authority, "details": contact.contact}
    )
    if request.method == "POST" and verdict and form.is_valid():
        try:
            services.correct_contact(by=user, contact=contact, **form.cleaned_data)
        except RuleViolation as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Corrected and submitted again to the Secretariat for verification (ToR rule 20).")
            )
            return redirect("exchange:contacts")
    elif request.method == "POST" and not verdict:
        messages.error(request, verdict.reason)
        return redirect("exchange:contacts")
    return render(
        request,
        "exchange/contact_correct.html",
        {"contact": contact, "form": form, "verdict": verdict, "returns": contact.returns.all()},
    )
