"""``manage.py import_customers FILE --user USERNAME``: the web import, for administrators with a file at hand."""

from __future__ import annotations

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError

from customers import imports


class Command(BaseCommand):
    help = (
        "Import a customer list (.xlsx or .csv) as draft cards, exactly as the import page does: every problem is "
        "listed by row and column, the valid rows are imported in one transaction and the import is recorded. "
        "Exits with an error if the file is refused."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="the .xlsx or .csv file to import")
        parser.add_argument("--user", required=True, help="login name of the importer (owner of the new cards)")
        parser.add_argument("--dry-run", action="store_true", help="check the file and list its problems only")

    def handle(self, *args, file, user, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        try:
            actor = get_user_model().objects.get(username=user, is_active=True)
        except get_user_model().DoesNotExist:
            raise CommandError(f"No active user {user!r}.") from None
        try:
            if dry_run:
                result = imports.import_preview(actor=actor, source=path, file_name=path.name)
            else:
                with path.open("rb") as fh:
                    record, _preview = imports.import_start(actor=actor, upload=File(fh, name=path.name))
                record, result = imports.import_confirm(actor=actor, record_id=record.pk)
        except PermissionDenied:
            raise CommandError(f"{user} may not open customer cards, so may not import them.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.report(result)
        if dry_run:
            self.stdout.write(f"Dry run: {result.valid_rows} of {result.rows_total} rows could be imported.")
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Import #{record.pk}: {record.imported_count} of {result.rows_total} rows imported as drafts."
                )
            )

    def report(self, result) -> None:
        if result.ignored_headers:
            self.stdout.write("Columns ignored: " + ", ".join(result.ignored_headers))
        for problem in result.problems:
            where = f"{problem.letter} {problem.column}" if problem.letter else "-"
            self.stdout.write(f"row {problem.row}, column {where}: {problem.message}")
        if result.problems:
            self.stdout.write(f"{result.problem_rows} rows with {len(result.problems)} problems were left out.")
