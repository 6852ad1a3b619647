"""Thin tasks: ids in, refetch, re-check access for the user they act for, call a service."""

from celery import shared_task
from django.db import transaction

from notifications.enums import NotificationKind
from notifications.services import queue

from . import services
from .models import Share
from .queries import records_for_user


def share_is_live(share: Share) -> bool:
    """True if ``share``'s recipient still reaches what was shared, now: not revoked, the
    classification still allows national authorities, its State still sees it (ToR rule 16)."""
    from documents.queries import documents_for_user

    if share.revoked_at is not None:
        return False
    if share.record_id:
        return records_for_user(share.recipient).filter(pk=share.record_id).exists()
    return documents_for_user(share.recipient).filter(pk=share.document_id).exists()


@shared_task(acks_late=True, max_retries=3, ignore_result=True)
def notify_share(share_id: int) -> bool:
    """Tell a national authority user that something was shared with it (no content, ToR
    rule 16). Access is checked again at the moment of queueing, under a lock on the share:
    a share revoked or a classification tightened after the task was queued sends nothing.
    Returns True if a notification was queued."""
    with transaction.atomic():
        share = Share.objects.select_for_update().select_related("recipient").filter(pk=share_id).first()
        if share is None:
            return False
        # The task acts for the recipient: it asks the same queries as the recipient's next
        # request would (no session here, so the second factor is not what is checked).
        share.recipient.is_verified = lambda: True
        if not share_is_live(share):
            return False
        queue(f"share:{share.pk}", [share.recipient], NotificationKind.INFORMATION_SHARED, subject_id=share.pk)
        return True


@shared_task(acks_late=True, ignore_result=True)
def decide_due_lifts() -> int:
    """Beat, every sweep interval: apply the rule 15 decisions whose objection period ended."""
    return services.decide_due_lifts()
