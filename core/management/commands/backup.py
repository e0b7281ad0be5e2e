"""``manage.py backup [--output-dir DIR]``: the database, the originals and the media in
one dated archive (core/backup.py; docs/deployment.md, "Backup and restore")."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Write the database, the activities' originals and the media into a dated archive."

    def add_arguments(self, parser):
        parser.add_argument(
            "--output-dir",
            default=str(Path(settings.VAR_DIR) / "backups"),
            help="Folder for the archive (default: KINDSTEPS_VAR_DIR/backups).",
        )

    def handle(self, *args, **options):
        try:
            path = backup(Path(options["output_dir"]))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
