"""Plugging the platform into the lower apps' registries (no upward import)."""

from documents.registry import document_scope
from notifications.enums import NotificationKind
from notifications.registry import entitlement

from .models import Share
from .queries import concerns_for_user, contacts_for_user, record_documents_scope
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
