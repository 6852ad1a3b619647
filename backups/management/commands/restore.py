from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupError, restore_backup


class Command(BaseCommand):
    help = "Replace the database and the stored documents with those of an encrypted backup."

    def add_arguments(self, parser):
        parser.add_argument("path", help="a file written by 'manage.py backup'")
        parser.add_argument("--yes", action="store_true", help="do not ask for confirmation")

    def handle(self, *args, path, yes=False, **options):
        if not yes and input("This replaces every row and document. Type 'restore' to go on: ") != "restore":
            raise CommandError("Nothing restored.")
        try:
            manifest = restore_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the backup of {manifest['created_at']}: database and {len(manifest['documents'])} documents."
        )
