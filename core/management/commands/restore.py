"""``manage.py restore ARCHIVE [--noinput]``: put a backup's database in place of this
site's and write its files back into the storage (core/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, restore


class Command(BaseCommand):
    help = "Replace this site's database and files with those of a backup archive."

    def add_arguments(self, parser):
        parser.add_argument("archive", help="An archive written by manage.py backup.")
        parser.add_argument(
            "--noinput",
            "--no-input",
            action="store_false",
            dest="interactive",
            help="Do not ask for confirmation.",
        )

    def handle(self, *args, **options):
        archive = Path(options["archive"])
        if options["interactive"]:
            answer = input(
                f"This replaces every row of the database with those of {archive}. "
                "Type 'yes' to go on: "
            )
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled.")
        try:
            manifest = restore(archive)
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"Restored the {manifest['vendor']} database of {manifest['created_at']} "
            f"and {manifest['files']} files."
        )
