from django.core.management.base import BaseCommand, CommandError

from states.registry import states_changed
from states.services import BUNDLED_CSV, StatesFileError, import_states


class Command(BaseCommand):
    help = "Import or re-import the list of ATT States (keeps every reference to an existing State)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", default=str(BUNDLED_CSV), help="CSV file (default: bundled copy)")

    def handle(self, *args, path, **options):
        try:
            summary = import_states(path)
        except (StatesFileError, OSError) as exc:
            raise CommandError(str(exc)) from exc
        states_changed()
        self.stdout.write(
            f"States: {summary.created} created, {summary.updated} updated, {summary.unchanged} unchanged."
        )
