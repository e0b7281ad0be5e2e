from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from orgs.importing import UnitImportError, import_units
from orgs.models import Unit


class Command(BaseCommand):
    help = "Import units from a CSV or XLSX file (columns code, name, kind, parent_code)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--into",
            metavar="CODE",
            help="Import inside this unit's subtree (default: whole tree).",
        )
        parser.add_argument(
            "--allow-many-roots", action="store_true", help="Allow more than one top-level unit."
        )

    def handle(
        self, *args, file: Path, into: str | None, allow_many_roots: bool, **options
    ) -> None:
        try:
            data = file.read_bytes()
        except OSError as error:
            raise CommandError(f"Cannot read {file}: {error}") from None
        unit = None
        if into:
            unit = Unit.objects.filter(code=into).first()
            if unit is None:
                raise CommandError(f"No unit has the code {into!r}.")
        try:
            result = import_units(data, file.name, into=unit, allow_many_roots=allow_many_roots)
        except UnitImportError as error:
            for e in error.errors:
                self.stderr.write(f"row {e.row or '-'}, {e.column or '-'}: {e.message} [{e.code}]")
            raise CommandError(f"{len(error.errors)} error(s); nothing was imported.") from None
        self.stdout.write(
            f"{result.created} created, {result.updated} updated "
            f"({result.moved} moved), {result.unchanged} unchanged."
        )
