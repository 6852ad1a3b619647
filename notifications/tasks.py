from celery import shared_task
from django.conf import settings

from . import services


@shared_task(acks_late=True, max_retries=3, ignore_result=True)
def send_pending_notifications():
    """Send whatever the outbox holds, looping until it is empty or most of the task's time
    limit is spent (the next sweep goes on from there); safe to run twice or at once on
    several workers, which share the rows (``skip_locked``)."""
    return services.drain(seconds=0.8 * settings.CELERY_TASK_SOFT_TIME_LIMIT)
