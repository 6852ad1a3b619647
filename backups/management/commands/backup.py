from django.core.management.base import BaseCommand, CommandError

from backups.services import BackupError, backup_filename, make_backup


class Command(BaseCommand):
    help = "Write an encrypted backup of the database and the stored documents (DIEF_BACKUP_KEYS)."

    def add_arguments(self, parser):
        parser.add_argument("path", nargs="?", help="output file (default: dief-<UTC time>.backup)")

    def handle(self, *args, path=None, **options):
        path = path or backup_filename()
        try:
            manifest = make_backup(path)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Backup written to {path}: database and {len(manifest['documents'])} documents.")
