"""Plugging the platform into the lower apps' registries (no upward import)."""

from documents.registry import document_scope
from notifications.enums import NotificationKind
from notifications.registry import entitlement

from .enums import LiftStatus
from .models import Share
from .queries import (
    concerns_for_user,
    contacts_for_user,
    lift_proposals_for_user,
    record_documents_scope,
    use_requests_for_user,
)
from .tasks import share_is_live

document_scope(record_documents_scope)


@entitlement(NotificationKind.INFORMATION_SHARED)
def still_shared(notification) -> bool:
    """ToR rule 16: the notice of a share leaves only while the share is still live."""
    share = Share.objects.select_related("recipient").filter(pk=notification.subject_id).first()
    if share is None:
        return False
    share.recipient.is_verified = lambda: True  # acting for the recipient, as the task does
    return share_is_live(share)


@entitlement(NotificationKind.CONCERN_RAISED, NotificationKind.CONCERN_ANSWERED)
def still_party_to_concern(notification) -> bool:
    """ToR rule 15: a notice of a disclosure concern leaves only while its recipient still
    sees the concern (a party to it, in its role and State, eligible today)."""
    user = notification.recipient
    user.is_verified = lambda: True  # acting for the recipient, as the share notice does
    return concerns_for_user(user).filter(pk=notification.subject_id).exists()


@entitlement(NotificationKind.CONTACT_RETURNED)
def still_sees_contact(notification) -> bool:
    """ToR rule 20: the notice that an entry was returned leaves only while its recipient is
    still a delegate of that entry's State who sees it (eligible today)."""
    user = notification.recipient
    user.is_verified = lambda: True  # acting for the recipient, as the concern notice does
    return contacts_for_user(user).filter(pk=notification.subject_id, state_id=user.state_id).exists()
@entitlement(NotificationKind.USE_REQUESTED, NotificationKind.USE_ANSWERED)
def still_party_to_use_request(notification) -> bool:
    """ToR rule 16: a notice of an operational-use request or its answer leaves only while its
    recipient still sees the request (a delegate of the requesting or the providing State, eligible
    today, whose State still sees the record)."""
    user = notification.recipient
    user.is_verified = lambda: True  # acting for the recipient, as the share notice does
    return use_requests_for_user(user).filter(pk=notification.subject_id).exists()


@entitlement(NotificationKind.LIFT_PROPOSED)
def still_may_object_to_lift(notification) -> bool:
    """ToR rule 15: a notice that a provider proposes to lift a classification leaves only while
    the proposal is open and its recipient still sees it and is not of the provider's State."""
    user = notification.recipient
    user.is_verified = lambda: True  # acting for the recipient, as the share notice does
    return (
        lift_proposals_for_user(user)
        .filter(pk=notification.subject_id, status=LiftStatus.OPEN)
        .exclude(provider_state_id=user.state_id)
        .exists()
    )
