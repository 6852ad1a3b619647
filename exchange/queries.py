"""The one way to reach the platform's objects (ToR rules 13, 15, 16, 20). Every view,
search, facet, download and task asks here; an object outside these querysets is a 404."""

import datetime

from django.core.exceptions import ObjectDoesNotExist
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

from accounts.enums import Role
from dief.confidentiality import NATIONAL_AUTHORITY_MAX, InformationType
from dief.sql import column, table
from documents.queries import documents_for_user
from meetings.queries import is_chair_in_office, is_verified, procedural_today
from presentations.models import PresentationGroupObjectPermission
from presentations.queries import presentations_for_user
from states.models import State

from .enums import Audience, ContactStatus
from .models import (
    DisclosureConcern,
    EnforcementContact,
    LiftProposal,
    OperationalUseRequest,
    Record,
    RecordGroupObjectPermission,
    Share,
)

VIEW_RECORD = "view_record"


def _eligible_state_id(user) -> int | None:
    """``user``'s State if it is eligible today (ToR rule 6), else None."""
    if user.state_id and user.state.is_eligible(procedural_today()):
        return user.state_id
    return None


def records_seen_by_state(state):
    """Records the delegates of ``state`` see: its own, those to all eligible States, and
    those whose view permission went to its group (django-guardian direct foreign keys; no
    global permission, no user permission and no superuser counts)."""
    granted = RecordGroupObjectPermission.objects.filter(
        group_id=state.group_id, permission__codename=VIEW_RECORD
    ).values("content_object_id")
    return Record.objects.filter(Q(audience=Audience.ALL_ELIGIBLE) | Q(provider_state=state) | Q(pk__in=granted))


def chosen_states(record):
    """The States ``record`` was shared with (audience "chosen", ToR rule 13), as a queryset.
    Only the provider is shown this list; a recipient learns only that its own State is
    among them. Callers check that the user is the provider."""
    return State.objects.filter(
        group__recordgroupobjectpermission__content_object=record,
        group__recordgroupobjectpermission__permission__codename=VIEW_RECORD,
    ).distinct()


def acts_as_delegate(user) -> bool:
    """True if ``user`` is an active delegate of a State eligible today (ToR rule 6); says
    nothing of a session (services and tasks ask this)."""
    return bool(
        user.is_authenticated
        and user.is_active
        and not user.is_superuser
        and user.role == Role.DELEGATE
        and _eligible_state_id(user) is not None
    )


def is_delegate_of_eligible_state(user) -> bool:
    """:func:`acts_as_delegate` with a session verified by a second factor (views ask this)."""
    return is_verified(user) and acts_as_delegate(user)


def records_for_user(user):
    """Information records ``user`` may see, as a queryset (ToR rules 13, 16).

    A delegate of a State eligible today sees what its State sees
    (:func:`records_seen_by_state`). A national authority user sees the records its own
    State's delegates shared with it by name, while the share is active, the classification
    lets them reach national authorities (rule 16) and its State still sees them. The
    Secretariat, the Chair as such, the CSP President, experts, superusers and everybody
    without a verified session see none.
    """
    if not is_verified(user) or user.is_superuser:
        return Record.objects.none()
    state_id = _eligible_state_id(user)
    if state_id is None:
        return Record.objects.none()
    if user.role == Role.DELEGATE:
        return records_seen_by_state(user.state)
    if user.role == Role.NATIONAL_AUTHORITY:
        shared = Share.objects.filter(
            recipient=user, state_id=state_id, revoked_at__isnull=True, record__isnull=False
        ).values("record_id")
        return records_seen_by_state(user.state).filter(pk__in=shared, classification__lte=NATIONAL_AUTHORITY_MAX)
    return Record.objects.none()


def document_visible_to_state_q(state) -> Q:
    """Documents the delegates of ``state`` reach through a record or a presentation."""
    presentations = PresentationGroupObjectPermission.objects.filter(group_id=state.group_id).values(
        "content_object_id"
    )
    return Q(record_link__record__in=records_seen_by_state(state)) | Q(presentation__in=presentations)


def record_documents_scope(user) -> Q:
    """The documents ``user`` reaches on the platform: a delegate, those of the records it
    sees; a national authority user, the documents shared with it by name (ToR rule 16)."""
    nothing = Q(pk__in=[])
    if not is_verified(user) or user.is_superuser:
        return nothing
    if user.role == Role.DELEGATE:
        if _eligible_state_id(user) is None:
            return nothing
        # correlated with the document's row: a look-up by token checks that one document
        return Q(Exists(records_for_user(user).filter(pk=OuterRef("record_link__record_id"))))
    if user.role == Role.NATIONAL_AUTHORITY and _eligible_state_id(user) is not None:
        shared = Share.objects.filter(
            recipient=user, state_id=user.state_id, revoked_at__isnull=True, document__isnull=False
        ).values("document_id")
        return (
            Q(pk__in=shared, classification__lte=NATIONAL_AUTHORITY_MAX)
            & document_reach_follows_parent_q()
            & document_visible_to_state_q(user.state)
        )
    return nothing


def document_reach_follows_parent_q() -> Q:
    """Documents whose record or presentation lets national authority users reach them: a
    document's reach follows its parent's classification, whatever its own share says (ToR
    rules 15, 16). A document without such a parent passes."""
    return (Q(record_link__isnull=True) | Q(record_link__record__classification__lte=NATIONAL_AUTHORITY_MAX)) & (
        Q(presentation__isnull=True) | Q(presentation__classification__lte=NATIONAL_AUTHORITY_MAX)
    )


def share_suspension(share) -> str:
    """Why the active ``share`` (a :class:`Share`) gives its recipient nothing now, as a
    translated sentence citing the rule, or ``""`` when it works. The same conditions as
    :func:`records_for_user` and :func:`record_documents_scope` for a national authority user
    (ToR rules 15, 16); a share that works again once the condition ends (a lifted
    classification) is suspended, not revoked. Load ``recipient``, ``record``,
    ``document__record_link__record`` and ``document__presentation`` with the share to read no
    more rows."""
    recipient = share.recipient
    if not (recipient.is_active and recipient.role == Role.NATIONAL_AUTHORITY and recipient.state_id == share.state_id):
        return str(
            _("Suspended: the recipient is no longer an active national authority user of your State (ToR rule 16).")
        )
    if share.record_id:
        if share.record.classification > NATIONAL_AUTHORITY_MAX:
            return str(_("Suspended: the provider restricted the record to delegates (ToR rules 15, 16)."))
        return ""
    document = share.document
    if document.classification > NATIONAL_AUTHORITY_MAX:
        return str(_("Suspended: the provider restricted the document to delegates (ToR rules 15, 16)."))
    try:
        link = document.record_link
    except ObjectDoesNotExist:
        link = None
    if link is not None and link.record.classification > NATIONAL_AUTHORITY_MAX:
        return str(_("Suspended: the provider restricted the document's record to delegates (ToR rules 15, 16)."))
    if document.presentation_id and document.presentation.classification > NATIONAL_AUTHORITY_MAX:
        return str(
            _("Suspended: the presenting State restricted the document's presentation to delegates (ToR rules 15, 16).")
        )
    return ""


SHARE_RELATED = ("recipient", "record", "document__record_link__record", "document__presentation")


def search_records(user, *, text="", information_type="", country=None, status="", since=None, until=None):
    """Records ``user`` may see that match every given filter (ToR rules 18-19).

    ``text``: PostgreSQL full-text search in English, French and Spanish (any of the three
    matches); on SQLite a case-insensitive substring search. ``since``/``until`` are dates
    (inclusive) on the sharing date, UTC. Returns a queryset.
    """
    records = records_for_user(user)
    if information_type in InformationType.values:
        records = records.filter(information_types__contains=information_type)
    if country is not None:
        records = records.filter(countries=country)
    if status:
        records = records.filter(investigation_status=status)
    if isinstance(since, datetime.date):
        records = records.filter(created_at__date__gte=since)
    if isinstance(until, datetime.date):
        records = records.filter(created_at__date__lte=until)
    text = text.strip()
    if text:
        records = records.filter(_text_match(text))
    return records


TEXT_FIELDS = (
    "title",
    "diversion_details",
    "discovery_details",
    "discovery_timeliness",
    "ways_and_methods",
    "actors_involved",
    "routes",
)
SEARCH_CONFIGS = ("english", "french", "spanish")


def search_vector(config: str):
    """The text search vector of a record in one of :data:`SEARCH_CONFIGS` (PostgreSQL). The
    GIN indexes ``record_fts_<config>`` (migration ``0004_full_text_indexes``) are built on
    exactly this expression, so a search uses them; ``test_search_index`` checks both agree."""
    from django.contrib.postgres.search import SearchVector

    return SearchVector(*TEXT_FIELDS, config=config)


def _text_match(text: str) -> Q:
    if connection.vendor == "postgresql":
        from django.contrib.postgres.search import SearchQuery

        match = Q()
        for config in SEARCH_CONFIGS:
            query = SearchQuery(text, config=config, search_type="websearch")
            ids = Record.objects.alias(v=search_vector(config)).filter(v=query).values("pk")
            match |= Q(pk__in=ids)
        return match
    match = Q()
    for field in TEXT_FIELDS:
        match |= Q(**{f"{field}__icontains": text})
    return match


def type_facets(records) -> dict[str, int]:
    """How many of ``records`` (already limited to what the user sees) carry each rule 19
    type, in one query: counts never include a hidden record."""
    return facets_and_total(records)[0]


def facets_and_total(records) -> tuple[dict[str, int], int]:
    """:func:`type_facets` of ``records`` and how many they are, in the same one query: the
    records counted per set of types (their letters, at most one row per combination of the
    rule 19 types), each type's count the sum over the sets that contain it."""
    facets = dict.fromkeys(InformationType.values, 0)
    total = 0
    for letters, n in records.order_by().values_list("information_types").annotate(n=Count("pk")):
        total += n
        for letter in facets:
            if letter in letters:
                facets[letter] += n
    return facets, total


def list_facets_and_total(user, records, *, filtered: bool) -> tuple[dict[str, int], int]:
    """:func:`facets_and_total` of ``records``, the records list's search of ``user``'s records
    (:func:`search_records`, ``filtered`` when any filter was given). A delegate's list without
    filters, which every visit opens, is written out (:func:`_state_facet_rows`): the records
    its State sees (:func:`records_seen_by_state`, as :func:`records_for_user` gives them to a
    delegate), counted per set of types (exchange/tests/test_facets.py pins it to the ORM's)."""
    if filtered or not (
        is_verified(user)
        and not user.is_superuser
        and user.role == Role.DELEGATE
        and _eligible_state_id(user) is not None
    ):
        return facets_and_total(records)
    facets = dict.fromkeys(InformationType.values, 0)
    total = 0
    for letters, n in _state_facet_rows(user.state):
        total += n
        for letter in facets:
            if letter in letters:
                facets[letter] += n
    return facets, total


def _state_facet_rows(state) -> list[tuple[str, int]]:
    """``(information types, how many)`` of the records ``state`` sees
    (:func:`records_seen_by_state`), one row per set of types."""
    from django.contrib.auth.models import Permission

    grant = RecordGroupObjectPermission
    sql = (
        f"SELECT r.{column(Record, 'information_types')}, COUNT(*) FROM {table(Record)} r"
        f" WHERE r.{column(Record, 'audience')} = %s OR r.{column(Record, 'provider_state')} = %s"
        f" OR r.{column(Record, 'id')} IN (SELECT g.{column(grant, 'content_object')} FROM {table(grant)} g"
        f" INNER JOIN {table(Permission)} p ON p.{column(Permission, 'id')} = g.{column(grant, 'permission')}"
        f" WHERE g.{column(grant, 'group')} = %s AND p.{column(Permission, 'codename')} = %s)"
        f" GROUP BY r.{column(Record, 'information_types')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [Audience.ALL_ELIGIBLE.value, state.pk, state.group_id, VIEW_RECORD])
        return cursor.fetchall()


def use_requests_for_user(user):
    """ToR rule 16: operational-use requests are seen by the requesting and the providing
    State only, and only on records the user still sees."""
    if not is_delegate_of_eligible_state(user):
        return OperationalUseRequest.objects.none()
    return OperationalUseRequest.objects.filter(
        Q(requesting_state_id=user.state_id) | Q(record__provider_state_id=user.state_id),
        record__in=records_for_user(user),
    )


def concerns_for_user(user):
    """ToR rule 15: a disclosure concern is seen by the party that raised it (the raising
    State's delegates, the Chair who raised it, or the Secretariat) and the participant it
    was raised with. Nobody else, not even the Chair or the Secretariat as such."""
    if not is_verified(user) or user.is_superuser:
        return DisclosureConcern.objects.none()
    if user.role == Role.SECRETARIAT:
        return DisclosureConcern.objects.filter(raised_as="secretariat")
    if is_delegate_of_eligible_state(user):
        mine = Q(raising_state_id=user.state_id, raised_as="participant") | Q(concerned_state_id=user.state_id)
        if is_chair_in_office(user):
            mine |= Q(raised_as="chair", raised_by=user)
        return DisclosureConcern.objects.filter(mine)
    return DisclosureConcern.objects.none()


def contacts_for_user(user):
    """ToR rule 20: the Secretariat sees every submission; a delegate of an eligible State
    sees the verified, circulated entries and its own State's submissions."""
    if not is_verified(user) or user.is_superuser:
        return EnforcementContact.objects.none()
    if user.role == Role.SECRETARIAT:
        return EnforcementContact.objects.all()
    if is_delegate_of_eligible_state(user):
        return EnforcementContact.objects.filter(Q(status=ContactStatus.VERIFIED) | Q(state_id=user.state_id))
    return EnforcementContact.objects.none()


def shares_for_user(user):
    """Shares a delegate's State made (to see and revoke them)."""
    if not is_delegate_of_eligible_state(user):
        return Share.objects.none()
    return Share.objects.filter(state_id=user.state_id)


def lift_proposals_for_user(user):
    """Proposals to lift a classification (ToR rule 15) on a record, presentation or document
    ``user`` sees; none for a non-state expert, who reads its presentation but takes no part
    in the participants' decisions on it."""
    if not is_verified(user) or user.is_superuser or user.role == Role.EXPERT:
        return LiftProposal.objects.none()
    return LiftProposal.objects.filter(
        Q(record__in=records_for_user(user).values("pk"))
        | Q(presentation__in=presentations_for_user(user).values("pk"))
        | Q(document__in=documents_for_user(user).values("pk"))
    )
