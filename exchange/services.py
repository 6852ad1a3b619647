"""State changes of the information exchange platform (ToR rules 13, 15, 16, 18-20).

Each function guards who, which state and which version, then writes once inside
``transaction.atomic()`` under a row lock; a failed guard raises :class:`RuleViolation`
citing the rule and changes nothing. Views, tasks and commands all call these.
"""

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm

from accounts.enums import Role
from accounts.models import User
from dief import clock
from dief.confidentiality import NATIONAL_AUTHORITY_MAX, Classification, normalise_types
from dief.errors import RuleViolation
from dief.permits import ALLOWED, Verdict, refuse
from documents import services as document_services
from documents.models import Document
from documents.queries import documents_for_user
from meetings.deadlines import lift_objections_close_at
from meetings.queries import is_chair_in_office, procedural_today
from notifications.enums import NotificationKind
from notifications.services import queue
from presentations.models import Presentation, PresentationGroupObjectPermission
from presentations.queries import presentations_for_user
from states.models import State

from .enums import (
    Audience,
    ConcernRaisedAs,
    ContactStatus,
    LiftStatus,
    OperationalUseAnswer,
    OperationalUsePurpose,
    WithholdingReason,
)
from .models import (
    ClassificationDecision,
    ContactReturn,
    DisclosureConcern,
    EnforcementContact,
    LiftObjection,
    LiftProposal,
    OperationalUseRequest,
    Record,
    RecordDocument,
    RecordGroupObjectPermission,
    Share,
    Withholding,
)
from .queries import VIEW_RECORD, acts_as_delegate, records_for_user

RULE18_FIELDS = (
    "diversion_details",
    "discovery_details",
    "discovery_timeliness",
    "ways_and_methods",
    "actors_involved",
    "investigation_status",
    "routes",
)


def _require_delegate(user) -> None:
    if not acts_as_delegate(user):
        raise RuleViolation(
            _("Only delegates of States Parties and signatory States use the platform (ToR rules 6, 13)."), "13"
        )


def create_once(model, *, owner: str, by, submission, create):
    """Run ``create()`` (which saves a ``model`` row carrying ``submission`` and ``by`` as
    ``owner``) once per form submission: a double click, a retry or a resent page with the same
    ``submission`` token (a UUID from the form, or None for a call without a form) returns the
    row already made. Two submissions with different tokens make two rows, whatever their text.
    The unique constraint on (owner, submission) decides a race: the loser's insert fails in
    its savepoint and it returns the winner's row. Call inside ``transaction.atomic()``."""
    if submission is None:
        return create()
    found = model.objects.filter(**{owner: by, "submission": submission}).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return create()
    except IntegrityError:
        found = model.objects.filter(**{owner: by, "submission": submission}).first()
        if found is None:
            raise
        return found


def _eligible_states(states):
    today = procedural_today()
    return [s for s in states if s.is_eligible(today)]


# --- Records (rules 13, 18, 19) ---------------------------------------------------------


@transaction.atomic
def share_record(
    *,
    by,
    title: str,
    audience: str,
    information_types,
    classification: int = Classification.CONFIDENTIAL,
    states=(),
    countries=(),
    presentation: Presentation | None = None,
    submission=None,
    **fields,
) -> Record:
    """ToR rules 13, 18, 19: ``by``'s State shares a record on the platform, to all eligible
    States or to the chosen ``states`` (eligible today), with the rule 18 ``fields``, one
    or more rule 19 ``information_types`` (letters a-g) and its classification (rule 15).
    A record linked to a presentation takes that presentation's classification at least.
    ``submission`` is the form's one-time token (:func:`create_once`): a double click or a
    retry returns the record already shared; two submissions make two records, even with the
    same title. Returns the :class:`Record`.
    """
    _require_delegate(by)
    title = (title or "").strip()
    if not title:
        raise RuleViolation(_("Give the record a title."), "18")
    types = normalise_types(information_types or ())
    if not types:
        raise RuleViolation(_("Choose at least one type of information (ToR rule 19)."), "19")
    if audience not in Audience.values:
        raise RuleViolation(_("Choose the States the record goes to (ToR rule 13)."), "13")
    if classification not in Classification.values or classification == Classification.LIFTED:
        raise RuleViolation(
            _("A record is shared as confidential; only a decision can lift it later (ToR rule 15)."), "15"
        )
    unknown = set(fields) - set(RULE18_FIELDS)
    if unknown:
        raise TypeError(f"unknown record fields: {sorted(unknown)}")
    chosen = _eligible_states(State.objects.filter(pk__in=[s.pk for s in states]).exclude(pk=by.state_id))
    if audience == Audience.CHOSEN and not chosen:
        raise RuleViolation(_("Choose at least one State Party or signatory State (ToR rule 13)."), "13")
    if presentation is not None:
        if not (
            presentation.presenting_state_id == by.state_id
            and presentations_for_user(by).filter(pk=presentation.pk).exists()
        ):
            raise RuleViolation(_("Only the presenting State links its presentation to a record (ToR rule 13)."), "13")
        classification = max(classification, presentation.classification)

    def create():
        now = clock.now()
        record = Record.objects.create(
            provider_state=by.state,
            created_by=by,
            created_at=now,
            updated_at=now,
            title=title,
            audience=audience,
            information_types=types,
            classification=classification,
            presentation=presentation,
            submission=submission,
            **{k: (v or "").strip() for k, v in fields.items()},
        )
        record.countries.set(countries)
        if audience == Audience.CHOSEN:
            assign_perm(VIEW_RECORD, Group.objects.filter(pk__in=[s.group_id for s in chosen]), record)
        return record

    return create_once(Record, owner="created_by", by=by, submission=submission, create=create)


def _provider_state_id(target) -> int | None:
    """The provider of a record, a presentation or a document (ToR rules 15, 16)."""
    if isinstance(target, Record):
        return target.provider_state_id
    if isinstance(target, Presentation):
        return target.presenting_state_id
    if isinstance(target, Document):
        if target.presentation_id:
            return target.presentation.presenting_state_id
        link = RecordDocument.objects.filter(document=target).select_related("record").first()
        return link.record.provider_state_id if link else None
    raise TypeError(type(target))


def is_provider(user, target) -> bool:
    return acts_as_delegate(user) and _provider_state_id(target) == user.state_id


def sees(user, target) -> bool:
    """True if ``target`` is in ``user``'s ``*_for_user()`` queryset."""
    if isinstance(target, Record):
        return records_for_user(user).filter(pk=target.pk).exists()
    if isinstance(target, Presentation):
        return presentations_for_user(user).filter(pk=target.pk).exists()
    if isinstance(target, Document):
        return documents_for_user(user).filter(pk=target.pk).exists()
    raise TypeError(type(target))


@transaction.atomic
def add_record_document(*, by, record: Record, uploaded, classification: int | None = None) -> Document:
    """The provider adds a document to its record, with a classification no less strict than
    the record's (ToR rule 15). Returns the :class:`Document`."""
    if not is_provider(by, record):
        raise RuleViolation(_("Only the provider adds documents to its record (ToR rule 15)."), "15")
    record = Record.objects.select_for_update().get(pk=record.pk)
    level = max(classification if classification is not None else record.classification, record.classification)
    same = RecordDocument.objects.filter(record=record, document__sha256__isnull=False).select_related("document")
    document = document_services.upload(by=by, uploaded=uploaded, classification=level, standalone=True)
    for link in same:
        if link.document.sha256 == document.sha256 and link.document_id != document.pk:  # a retry
            document.file.delete(save=False)
            document.delete()
            return link.document
    RecordDocument.objects.get_or_create(record=record, document=document)
    return document


@transaction.atomic
def withhold(*, by, presentation: Presentation, reason: str) -> Withholding:
    """ToR rule 13: the presenting State records that it does not share a presentation's
    information on the platform, for national security or because sharing would hamper
    ongoing or pending enforcement proceedings."""
    if not (acts_as_delegate(by) and presentation.presenting_state_id == by.state_id):
        raise RuleViolation(_("Only the presenting State decides what it shares (ToR rule 13)."), "13")
    if reason not in WithholdingReason.values:
        raise RuleViolation(
            _("Give one of the reasons of ToR rule 13: national security, or ongoing enforcement proceedings."), "13"
        )
    withholding, _created = Withholding.objects.get_or_create(
        presentation=presentation,
        defaults={"state": by.state, "reason": reason, "recorded_by": by, "recorded_at": clock.now()},
    )
    return withholding


def delete_record(*, by, record: Record) -> None:
    """The provider withdraws its record. Its permission rows go with it (direct foreign
    keys, cascade), so no later record can inherit them."""
    if not is_provider(by, record):
        raise RuleViolation(_("Only the provider withdraws its record (ToR rule 13)."), "13")
    with transaction.atomic():
        for link in record.record_documents.select_related("document"):
            link.document.delete()
        record.delete()


# --- Classification (rule 15) ------------------------------------------------------------


def _locked(target):
    return type(target).objects.select_for_update().get(pk=target.pk)


@transaction.atomic
def tighten_classification(*, by, target, classification: int, version: int):
    """ToR rule 15: only the provider makes its classification stricter. ``version`` is the
    classification version the provider saw; a decision on an older one is refused. Takes
    effect on the next request. Returns the target."""
    if not is_provider(by, target):
        raise RuleViolation(_("Only the provider changes its classification (ToR rule 15)."), "15")
    target = _locked(target)
    if target.classification_version != version:
        raise RuleViolation(_("The classification changed since you read it; look at it again (ToR rule 15)."), "15")
    if classification not in Classification.values or classification <= target.classification:
        raise RuleViolation(
            _("The provider can only make its classification stricter; lifting it needs a decision (ToR rule 15)."),
            "15",
        )
    _apply(target, classification, by=by)
    return target


def _apply(target, classification: int, *, by=None, proposal=None) -> None:
    previous = target.classification
    version = target.classification_version
    target.classification = classification
    target.classification_version = version + 1
    target.save(update_fields=["classification", "classification_version"])
    kind = {Record: "record", Presentation: "presentation", Document: "document"}[type(target)]
    ClassificationDecision.objects.create(
        **{kind: target},
        decided_by=by,
        decided_at=clock.now(),
        version=version,
        from_classification=previous,
        to_classification=classification,
        proposal=proposal,
    )
    LiftProposal.objects.filter(**{kind: target}, status=LiftStatus.OPEN).exclude(
        pk=getattr(proposal, "pk", None)
    ).update(status=LiftStatus.SUPERSEDED, decided_at=clock.now())


@transaction.atomic
def propose_lift(*, by, target, classification: int, version: int) -> LiftProposal:
    """ToR rule 15: the provider agrees to lift (loosen) its classification; the participants
    may object until :func:`meetings.deadlines.lift_objections_close_at`. Names the version."""
    if not is_provider(by, target):
        raise RuleViolation(_("Only the provider proposes to lift its classification (ToR rule 15)."), "15")
    target = _locked(target)
    if target.classification_version != version:
        raise RuleViolation(_("The classification changed since you read it; look at it again (ToR rule 15)."), "15")
    if classification not in Classification.values or classification >= target.classification:
        raise RuleViolation(_("Lifting makes the classification less strict (ToR rule 15)."), "15")
    kind = {Record: "record", Presentation: "presentation", Document: "document"}[type(target)]
    open_one = LiftProposal.objects.filter(**{kind: target}, status=LiftStatus.OPEN).first()
    if open_one is not None:
        if open_one.version == version and open_one.to_classification == classification:
            return open_one  # a retry
        raise RuleViolation(_("A proposal to lift this classification is already open (ToR rule 15)."), "15")
    now = clock.now()
    proposal = LiftProposal.objects.create(
        **{kind: target},
        provider_state=by.state,
        proposed_by=by,
        proposed_at=now,
        version=version,
        from_classification=target.classification,
        to_classification=classification,
        objections_close_at=lift_objections_close_at(now, settings.DIEF_DEFAULT_PROCEDURAL_TIME_ZONE),
    )
    recipients = User.objects.filter(
        is_active=True, is_superuser=False, role=Role.DELEGATE, state__in=_states_reached(target)
    ).exclude(state_id=by.state_id)
    queue(
        f"lift:{proposal.pk}:proposed",
        list(recipients),
        NotificationKind.LIFT_PROPOSED,
        subject_id=proposal.pk,
        context={"path": reverse("exchange:classification", args=[kind, target.pk])},
    )
    return proposal


def _states_reached(target):
    """The States whose delegates see ``target`` (a record, a presentation or a document), as a
    queryset, before the eligibility check each recipient's query makes at sending: who may
    object to lifting its classification (ToR rule 15)."""
    if isinstance(target, Document):
        link = RecordDocument.objects.filter(document=target).select_related("record").first()
        if link is not None:
            return _states_reached(link.record)
        if target.presentation_id:
            return _states_reached(target.presentation)
        return State.objects.none()
    if isinstance(target, Presentation):
        groups = PresentationGroupObjectPermission.objects.filter(content_object=target).values("group_id")
        return State.objects.filter(group_id__in=groups)
    if target.audience == Audience.ALL_ELIGIBLE:
        return State.objects.all()
    groups = RecordGroupObjectPermission.objects.filter(content_object=target, permission__codename=VIEW_RECORD)
    return State.objects.filter(Q(pk=target.provider_state_id) | Q(group_id__in=groups.values("group_id")))


@transaction.atomic
def object_to_lift(*, by, proposal: LiftProposal) -> LiftObjection:
    """ToR rule 15: any participant's objection blocks lifting. A participant is a delegate
    of a State, other than the provider, that sees the information."""
    proposal = LiftProposal.objects.select_for_update().get(pk=proposal.pk)
    if not acts_as_delegate(by) or by.state_id == proposal.provider_state_id or not sees(by, proposal.target):
        raise RuleViolation(_("Only participants who received the information may object (ToR rule 15)."), "15")
    if proposal.status == LiftStatus.BLOCKED:
        existing = proposal.objections.filter(state_id=by.state_id).first()
        if existing:
            return existing
    if proposal.status != LiftStatus.OPEN or clock.now() > proposal.objections_close_at:
        raise RuleViolation(_("Objections to this proposal are closed (ToR rule 15)."), "15")
    objection, _created = LiftObjection.objects.get_or_create(
        proposal=proposal, state=by.state, defaults={"objected_by": by, "objected_at": clock.now()}
    )
    proposal.status = LiftStatus.BLOCKED
    proposal.decided_at = clock.now()
    proposal.save(update_fields=["status", "decided_at"])
    return objection


@transaction.atomic
def decide_lift(*, proposal: LiftProposal, by=None) -> LiftProposal:
    """ToR rule 15: once objections close with none, the classification is lifted, provided it
    is still the version the proposal named; otherwise the proposal is superseded. Safe to
    run twice (row lock, status check). Returns the proposal."""
    proposal = LiftProposal.objects.select_for_update().get(pk=proposal.pk)
    if proposal.status != LiftStatus.OPEN:
        return proposal
    if clock.now() <= proposal.objections_close_at:
        raise RuleViolation(_("Participants may still object until the period ends (ToR rule 15)."), "15")
    target = _locked(proposal.target)
    if target.classification_version != proposal.version:
        proposal.status = LiftStatus.SUPERSEDED
    else:
        _apply(target, proposal.to_classification, by=by, proposal=proposal)
        proposal.status = LiftStatus.LIFTED
    proposal.decided_at = clock.now()
    proposal.save(update_fields=["status", "decided_at"])
    return proposal


def decide_due_lifts(now=None, batch: int = 100) -> int:
    """ToR rule 15: decide every open proposal whose objection period has ended (one indexed
    query when none is due). Rows are claimed with ``skip_locked``, so two workers never decide
    one twice. Returns how many were decided (lifted or superseded)."""
    now = now or clock.now()
    decided = 0
    open_and_due = LiftProposal.objects.filter(status=LiftStatus.OPEN, objections_close_at__lt=now)
    if not open_and_due.exists():  # the one sweep runs this every minute: one query when none is due
        return 0
    with transaction.atomic():
        due = list(
            LiftProposal.objects.select_for_update(skip_locked=True)
            .filter(status=LiftStatus.OPEN, objections_close_at__lt=now)
            .order_by("objections_close_at", "pk")[:batch]
        )
        for proposal in due:
            decide_lift(proposal=proposal)
            decided += 1
    return decided


# --- National authority users (rule 16) ----------------------------------------------------


def shareable_documents(user, record: Record):
    """The documents of ``record`` that ``user`` (a delegate) sees and may pass on to its
    State's national authority users: those whose classification allows it (ToR rules 15,
    16). A queryset."""
    return (
        documents_for_user(user)
        .filter(record_link__record=record, classification__lte=NATIONAL_AUTHORITY_MAX)
        .order_by("original_name", "pk")
    )


@transaction.atomic
def share_with_authority(
    *, by, recipient, record: Record | None = None, document: Document | None = None, documents=()
) -> Share:
    """ToR rule 16: a delegate shares a record or a document it sees with a named national
    authority user of its own State, if the classification allows it.

    With a record, ``documents`` (documents of that record, from
    :func:`shareable_documents`) are shared in the same step and transaction: each gets its
    own share tied to the record's (``with_record``), so revoking the record's share revokes
    them too. A document already shared on its own with that user stays as it is. Raises
    :class:`RuleViolation` and shares nothing if any of them may not be shared. Returns the
    active :class:`Share` of the record or document (the same one on a retry)."""
    _require_delegate(by)
    target = record or document
    if target is None or (record is not None and document is not None) or (document is not None and documents):
        raise RuleViolation(_("Share one record or one document."), "16")
    if not sees(by, target):
        raise RuleViolation(_("You can share only what your State received (ToR rule 16)."), "16")
    if not (recipient.is_active and recipient.role == Role.NATIONAL_AUTHORITY and recipient.state_id == by.state_id):
        raise RuleViolation(_("Share only with national authority users of your own State (ToR rule 16)."), "16")
    target = _locked(target)
    if target.classification > NATIONAL_AUTHORITY_MAX:
        raise RuleViolation(
            _("The provider's classification keeps this information among the delegates (ToR rules 15, 16)."), "16"
        )
    chosen = []
    if record is not None and documents:
        wanted = {d.pk for d in documents}
        chosen = list(
            Document.objects.select_for_update().filter(
                pk__in=shareable_documents(by, target).filter(pk__in=wanted).values("pk")
            )
        )
        if {d.pk for d in chosen} != wanted or any(d.classification > NATIONAL_AUTHORITY_MAX for d in chosen):
            raise RuleViolation(
                _(
                    "Share only documents of this record that your State received and whose classification "
                    "allows national authority users (ToR rules 15, 16)."
                ),
                "16",
            )
    lookup = {"record": target} if record is not None else {"document": target}
    share = Share.objects.filter(**lookup, recipient=recipient, revoked_at__isnull=True).first()
    created = share is None
    if created:
        share = Share.objects.create(**lookup, recipient=recipient, state=by.state, shared_by=by, shared_at=clock.now())
    already = set(
        Share.objects.filter(document__in=chosen, recipient=recipient, revoked_at__isnull=True).values_list(
            "document_id", flat=True
        )
    )
    for doc in chosen:
        if doc.pk not in already:
            Share.objects.create(
                document=doc,
                recipient=recipient,
                state=by.state,
                shared_by=by,
                shared_at=share.shared_at,
                with_record=share,
            )
    if created:
        from .tasks import notify_share

        share_id = share.pk
        transaction.on_commit(lambda: notify_share.delay(share_id))
    return share


@transaction.atomic
def revoke_share(*, by, share: Share) -> Share:
    """A delegate of the sharing State ends a share; it takes effect on the recipient's next
    request (ToR rule 16). Revoking a record's share also revokes the shares of the documents
    shared with it (``with_record``). Idempotent. Returns the share."""
    if not (acts_as_delegate(by) and by.state_id == share.state_id):
        raise RuleViolation(_("Only delegates of the State that shared it revoke a share (ToR rule 16)."), "16")
    share = Share.objects.select_for_update().get(pk=share.pk)
    now = clock.now()
    if share.revoked_at is None:
        share.revoked_at = now
        share.revoked_by = by
        share.save(update_fields=["revoked_at", "revoked_by"])
    share.document_shares.filter(revoked_at__isnull=True).update(revoked_at=now, revoked_by=by)
    return share


# --- Operational use (rule 16) --------------------------------------------------------------


@transaction.atomic
def request_operational_use(
    *, by, record: Record, purpose: str, explanation: str = "", submission=None
) -> OperationalUseRequest:
    """ToR rule 16: before any operational use of a record, a State asks its provider.
    ``submission`` is the form's one-time token (:func:`create_once`). Returns the request."""
    _require_delegate(by)
    if not sees(by, record) or record.provider_state_id == by.state_id:
        raise RuleViolation(_("Ask the provider of a record your State received (ToR rule 16)."), "16")
    if purpose not in OperationalUsePurpose.values:
        raise RuleViolation(
            _("Say what the use is for: export assessment, enforcement proceedings or other (ToR rule 16)."), "16"
        )

    def create():
        request = OperationalUseRequest.objects.create(
            record=record,
            requesting_state=by.state,
            requested_by=by,
            requested_at=clock.now(),
            purpose=purpose,
            explanation=(explanation or "").strip(),
            submission=submission,
        )
        _notify_use(request, "requested", record.provider_state_id, NotificationKind.USE_REQUESTED)
        return request

    return create_once(OperationalUseRequest, owner="requested_by", by=by, submission=submission, create=create)


def _notify_use(request: OperationalUseRequest, step: str, state_id: int, kind: str) -> None:
    """Queue a notice of ``step`` of an operational-use request to the active delegates of
    ``state_id`` (the provider for a request, the requesting State for an answer), in this
    transaction. No content: the email names the event and links to the record (ToR rules 16,
    17); whether each recipient may still see the request is asked again at sending."""
    recipients = User.objects.filter(is_active=True, is_superuser=False, role=Role.DELEGATE, state_id=state_id)
    queue(
        f"use:{request.pk}:{step}",
        list(recipients),
        kind,
        subject_id=request.pk,
        context={"path": reverse("exchange:detail", args=[request.record_id]) + "#use"},
    )


@transaction.atomic
def answer_operational_use(*, by, request: OperationalUseRequest, answer: str, note: str = "") -> OperationalUseRequest:
    """ToR rule 16: the provider answers once; the answer is recorded."""
    request = OperationalUseRequest.objects.select_for_update().select_related("record").get(pk=request.pk)
    if not is_provider(by, request.record):
        raise RuleViolation(_("Only the provider answers a request for operational use (ToR rule 16)."), "16")
    if answer not in (OperationalUseAnswer.AGREED, OperationalUseAnswer.REFUSED):
        raise RuleViolation(_("Agree or refuse (ToR rule 16)."), "16")
    if request.answer:
        if request.answer == answer:
            return request
        raise RuleViolation(_("This request is answered already (ToR rule 16)."), "16")
    request.answer = answer
    request.answer_note = (note or "").strip()
    request.answered_by = by
    request.answered_at = clock.now()
    request.save(update_fields=["answer", "answer_note", "answered_by", "answered_at"])
    _notify_use(request, "answered", request.requesting_state_id, NotificationKind.USE_ANSWERED)
    return request


# --- Disclosure concerns (rule 15) ------------------------------------------------------------


@transaction.atomic
def raise_concern(
    *, by, concerned_state: State, description: str, record: Record | None = None, submission=None
) -> DisclosureConcern:
    """ToR rule 15: a participant, the Chair or the Secretariat raises a suspected
    unauthorised disclosure, bilaterally, with another participant (an eligible State).
    ``submission`` is the form's one-time token (:func:`create_once`): a double click raises
    one concern, two separate submissions raise two even with the same text. Returns the
    :class:`DisclosureConcern`."""
    if by.is_active and by.role == Role.SECRETARIAT and not by.is_superuser:
        raised_as, raising_state = ConcernRaisedAs.SECRETARIAT, None
    elif is_chair_in_office(by):
        raised_as, raising_state = ConcernRaisedAs.CHAIR, None
    elif acts_as_delegate(by):
        raised_as, raising_state = ConcernRaisedAs.PARTICIPANT, by.state
    else:
        raise RuleViolation(
            _("A participant, the Chair or the Secretariat raises a disclosure concern (ToR rule 15)."), "15"
        )
    if not concerned_state.is_eligible(procedural_today()) or concerned_state.pk == getattr(raising_state, "pk", None):
        raise RuleViolation(_("Raise the concern with another participating State (ToR rule 15)."), "15")
    if record is not None and not sees(by, record):
        raise RuleViolation(_("Refer only to a record you can see (ToR rule 15)."), "15")
    description = (description or "").strip()
    if not description:
        raise RuleViolation(_("Say what is suspected (ToR rule 15)."), "15")

    def create():
        concern = DisclosureConcern.objects.create(
            raised_by=by,
            raised_as=raised_as,
            raising_state=raising_state,
            concerned_state=concerned_state,
            record=record,
            description=description,
            raised_at=clock.now(),
            submission=submission,
        )
        _notify_concern(concern, "raised", concern_parties(concern, side="concerned"), NotificationKind.CONCERN_RAISED)
        return concern

    return create_once(DisclosureConcern, owner="raised_by", by=by, submission=submission, create=create)


@transaction.atomic
def is_concerned_participant(user, concern: DisclosureConcern) -> bool:
    """ToR rule 15: True if ``user`` is an active delegate of the eligible State the concern was
    raised with (who alone answers it). Pages and :func:`answer_concern` ask this."""
    return acts_as_delegate(user) and user.state_id == concern.concerned_state_id


def answer_concern(*, by, concern: DisclosureConcern, explanation: str, remedial_measures: str) -> DisclosureConcern:
    """ToR rule 15: the participant concerned explains and states its remedial measures, once."""
    concern = DisclosureConcern.objects.select_for_update().get(pk=concern.pk)
    if not is_concerned_participant(by, concern):
        raise RuleViolation(_("Only the participant the concern was raised with answers it (ToR rule 15)."), "15")
    if concern.answered_at is not None:
        raise RuleViolation(_("This concern is answered already (ToR rule 15)."), "15")
    explanation = (explanation or "").strip()
    if not explanation:
        raise RuleViolation(_("Give an explanation (ToR rule 15)."), "15")
    concern.explanation = explanation
    concern.remedial_measures = (remedial_measures or "").strip()
    concern.answered_by = by
    concern.answered_at = clock.now()
    concern.save(update_fields=["explanation", "remedial_measures", "answered_by", "answered_at"])
    parties = [u for u in concern_parties(concern) if u.pk != by.pk]
    _notify_concern(concern, "answered", parties, NotificationKind.CONCERN_ANSWERED)
    return concern


def concern_parties(concern: DisclosureConcern, side: str = "both") -> list:
    """The people on ``side`` ("raising", "concerned" or "both") of a disclosure concern (ToR
    rule 15): the raising State's delegates, the Chair who raised it, or the Secretariat's
    officers; and the delegates of the State it was raised with. Active users only; whether
    each may still read it is asked again when a notice is sent."""
    users = User.objects.filter(is_active=True, is_superuser=False)
    parties = []
    if side in ("raising", "both"):
        if concern.raised_as == ConcernRaisedAs.PARTICIPANT:
            parties += list(users.filter(role=Role.DELEGATE, state_id=concern.raising_state_id))
        elif concern.raised_as == ConcernRaisedAs.CHAIR:
            parties += list(users.filter(pk=concern.raised_by_id))
        else:
            parties += list(users.filter(role=Role.SECRETARIAT))
    if side in ("concerned", "both"):
        parties += list(users.filter(role=Role.DELEGATE, state_id=concern.concerned_state_id))
    return list({u.pk: u for u in parties}.values())


def _notify_concern(concern: DisclosureConcern, step: str, recipients, kind: str) -> None:
    """Queue a notice of ``step`` to ``recipients`` in the outbox, in this transaction. The
    email names the kind of event and links to the concern; it carries nothing of the concern
    (ToR rules 15, 17)."""
    queue(
        f"concern:{concern.pk}:{step}",
        recipients,
        kind,
        subject_id=concern.pk,
        context={"path": reverse("exchange:concern", args=[concern.pk])},
    )


# --- Enforcement contacts (rule 20) -------------------------------------------------------------
#
# An entry is submitted by a State, then either verified by the Secretariat (which circulates
# it to the eligible States) or returned for correction with a reason; the State corrects a
# returned entry, which makes it submitted again. A newer entry that replaces an older one of
# the same State supersedes it when verified, so the older one circulates until then.

MAX_CONTACT_AUTHORITY = 200


def _acts_as_secretariat(user) -> bool:
    return bool(user.is_active and user.role == Role.SECRETARIAT and not user.is_superuser)


def _clean_contact(authority: str, contact: str) -> tuple[str, str]:
    authority, contact = (authority or "").replace("\x00", "").strip(), (contact or "").replace("\x00", "").strip()
    if not authority or not contact:
        raise RuleViolation(_("Give the authority and its contact details (ToR rule 20)."), "20")
    return authority[:MAX_CONTACT_AUTHORITY], contact


def can_verify_contact(user, contact: EnforcementContact) -> Verdict:
    """ToR rule 20: the Secretariat verifies a submitted entry (or a verified one again, which
    renews its date); a returned entry waits for the State's correction, a superseded one is
    history. Returns a :class:`Verdict`."""
    if not _acts_as_secretariat(user):
        return refuse(_("The Secretariat verifies enforcement contacts (ToR rule 20)."), "20")
    if contact.status == ContactStatus.RETURNED:
        return refuse(
            _("This entry was returned for correction: it awaits its State's correction (ToR rule 20)."), "20"
        )
    if contact.status == ContactStatus.SUPERSEDED:
        return refuse(_("A newer entry of its State superseded this one (ToR rule 20)."), "20")
    return ALLOWED


def can_return_contact(user, contact: EnforcementContact) -> Verdict:
    """ToR rule 20: the Secretariat returns a submitted or verified entry for correction (a
    verified one then stops circulating until corrected and verified). Returns a :class:`Verdict`."""
    if not _acts_as_secretariat(user):
        return refuse(_("The Secretariat returns enforcement contacts for correction (ToR rule 20)."), "20")
    if contact.status == ContactStatus.RETURNED:
        return refuse(_("This entry is already returned for correction (ToR rule 20)."), "20")
    if contact.status == ContactStatus.SUPERSEDED:
        return refuse(_("A newer entry of its State superseded this one (ToR rule 20)."), "20")
    return ALLOWED


def can_correct_contact(user, contact: EnforcementContact) -> Verdict:
    """ToR rule 20: a delegate of the entry's State corrects it once the Secretariat returned
    it. Returns a :class:`Verdict`."""
    if contact.status != ContactStatus.RETURNED:
        return refuse(
            _(
                "Only an entry the Secretariat returned for correction is corrected; submit a new entry "
                "instead (ToR rule 20)."
            ),
            "20",
        )
    if not (user.state_id == contact.state_id and acts_as_delegate(user)):
        return refuse(_("Only the State that submitted an entry corrects it (ToR rule 20)."), "20")
    return ALLOWED


@transaction.atomic
def submit_contact(
    *, by, authority: str, contact: str, replaces: EnforcementContact | None = None, submission=None
) -> EnforcementContact:
    """ToR rule 20: a State submits an enforcement authority's contact for verification.

    ``replaces`` is an entry of the same State that the new one supersedes once verified (it
    circulates until then). ``submission`` is the form's one-time token (:func:`create_once`);
    an entry identical to a current one its State already submitted is that entry. Returns the
    :class:`EnforcementContact`; raises :class:`RuleViolation` (rule 20) otherwise."""
    _require_delegate(by)
    authority, contact = _clean_contact(authority, contact)
    if replaces is not None:
        replaces = EnforcementContact.objects.select_for_update().get(pk=replaces.pk)
        if replaces.state_id != by.state_id or replaces.status == ContactStatus.SUPERSEDED:
            raise RuleViolation(_("A new entry replaces only a current entry of your own State (ToR rule 20)."), "20")

    def create():
        same = (
            EnforcementContact.objects.filter(state=by.state, authority=authority, contact=contact)
            .exclude(status=ContactStatus.SUPERSEDED)
            .first()
        )
        if same is not None:
            return same
        return EnforcementContact.objects.create(
            state=by.state,
            authority=authority,
            contact=contact,
            replaces=replaces,
            submitted_by=by,
            submitted_at=clock.now(),
            submission=submission,
        )

    return create_once(EnforcementContact, owner="submitted_by", by=by, submission=submission, create=create)


@transaction.atomic
def verify_contact(*, by, contact: EnforcementContact) -> EnforcementContact:
    """ToR rule 20: the Secretariat verifies an entry, which circulates it to the eligible
    States; verifying again later renews the date shown. The entry it replaces, if any, is
    superseded in the same step. Returns the entry; raises :class:`RuleViolation` otherwise."""
    contact = EnforcementContact.objects.select_for_update().get(pk=contact.pk)
    can_verify_contact(by, contact).enforce()
    now = clock.now()
    contact.status = ContactStatus.VERIFIED
    contact.verified_by = by
    contact.verified_at = now
    contact.save(update_fields=["status", "verified_by", "verified_at"])
    if contact.replaces_id:
        EnforcementContact.objects.filter(pk=contact.replaces_id).exclude(status=ContactStatus.SUPERSEDED).update(
            status=ContactStatus.SUPERSEDED, superseded_at=now
        )
    return contact


@transaction.atomic
def return_contact(*, by, contact: EnforcementContact, reason: str) -> ContactReturn:
    """ToR rule 20: the Secretariat returns an entry to its State for correction, with a reason.

    The entry stops circulating; the reason is recorded and shown to the State's delegates,
    who get an outbox notice naming only the kind of event. A second click is refused (already
    returned). Returns the :class:`ContactReturn`; raises :class:`RuleViolation` otherwise."""
    contact = EnforcementContact.objects.select_for_update().get(pk=contact.pk)
    can_return_contact(by, contact).enforce()
    reason = (reason or "").replace("\x00", "").strip()
    if not reason:
        raise RuleViolation(_("Say why the entry is returned, so its State can correct it (ToR rule 20)."), "20")
    returned = ContactReturn.objects.create(contact=contact, reason=reason, returned_by=by, returned_at=clock.now())
    contact.status = ContactStatus.RETURNED
    contact.save(update_fields=["status"])
    queue(
        f"contact:{contact.pk}:returned:{returned.pk}",
        User.objects.filter(is_active=True, role=Role.DELEGATE, state_id=contact.state_id),
        NotificationKind.CONTACT_RETURNED,
        subject_id=contact.pk,
        context={"path": reverse("exchange:correct_contact", args=[contact.pk])},
    )
    return returned


@transaction.atomic
def correct_contact(*, by, contact: EnforcementContact, authority: str, details: str) -> EnforcementContact:
    """ToR rule 20: a delegate of the entry's State corrects a returned entry, which goes back
    to the Secretariat for verification (the return and its reason stay recorded). Returns the
    entry; raises :class:`RuleViolation` otherwise (not returned, not its State, empty)."""
    contact = EnforcementContact.objects.select_for_update().get(pk=contact.pk)
    can_correct_contact(by, contact).enforce()
    contact.authority, contact.contact = _clean_contact(authority, details)
    now = clock.now()
    contact.status = ContactStatus.SUBMITTED
    contact.submitted_by = by
    contact.submitted_at = now
    contact.save(update_fields=["authority", "contact", "status", "submitted_by", "submitted_at"])
    contact.returns.filter(corrected_at__isnull=True).update(corrected_by=by, corrected_at=now)
    return contact
