from celery import shared_task

from notifications.services import send_pending

from . import services


@shared_task(acks_late=True, ignore_result=True)
def sweep():
    """Beat's one periodic task: apply what has come due, then send the outbox.

    Takes nothing and keeps no state: running it twice, at once or after a broker wipe,
    applies and sends everything exactly once (the database decides).
    """
    applied = services.sweep()
    sent = send_pending()
    services.record_sweep_run(applied, sent)
    return {"applied": applied, "sent": sent}
