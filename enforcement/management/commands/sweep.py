from django.core.management.base import BaseCommand

from enforcement.services import record_sweep_run, sweep
from notifications.services import send_pending


class Command(BaseCommand):
    help = "Apply every ToR deadline transition that has come due and send the outbox (for cron)."

    def handle(self, *args, **options):
        applied = sweep()
        sent = send_pending()
        record_sweep_run(applied, sent)
        self.stdout.write(f"{applied} transitions applied, {sent} notifications sent.")
