"""`dinghuo person export <email> [--out file.zip]` | `dinghuo person erase <email> --yes`:
what is stored about a person, and erasing them on request (personal data)."""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinghuo.privacy import exporting, services


class Command(BaseCommand):
    help = "Export everything stored about a person as a ZIP of JSON files, or erase them."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        export = sub.add_parser("export", help="Write the person's data as a ZIP")
        export.add_argument("email")
        export.add_argument("--out", help="The ZIP file to write (default: person-<id>.zip)")
        erase = sub.add_parser("erase", help="Anonymise the person everywhere; cannot be undone")
        erase.add_argument("email")
        erase.add_argument("--yes", action="store_true", help="Confirm: erasing cannot be undone")

    def handle(self, *args: Any, **options: Any) -> None:
        found = (
            get_user_model()
            .objects.filter(email__iexact=options["email"])
            .values_list("pk", flat=True)
        )
        ids = list(found[:2])
        if len(ids) != 1:
            raise CommandError("No one (or more than one person) has this e-mail address.")
        if options["action"] == "export":
            out = Path(options["out"] or f"person-{ids[0]}.zip")
            out.write_bytes(exporting.export_person(user_id=ids[0]))
            self.stdout.write(f"Wrote {out}.")
            return
        if not options["yes"]:
            raise CommandError("Erasing cannot be undone: add --yes to confirm.")
        done = services.erase_person(user_id=ids[0])
        self.stdout.write(
            f"Erased: {done.fields_rewritten} fields rewritten; they can no longer sign in."
        )
