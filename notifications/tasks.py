from celery import shared_task

from . import services


@shared_task(acks_late=True, max_retries=3, ignore_result=True)
def send_pending_notifications():
    """Send whatever the outbox holds; safe to run twice or at once on two workers."""
    return services.send_pending()
