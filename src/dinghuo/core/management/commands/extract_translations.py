"""`dinghuo extract_translations`: update the .po catalogs from the templates and the code."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from dinghuo.core.management import catalogs


class Command(BaseCommand):
    help = (
        "Find every msgid of the templates ({% translate %}, {% blocktranslate %}) and of the "
        "gettext calls in src/dinghuo, and update the zh_Hant and zh_Hans .po files: new "
        "msgids are added untranslated, unused ones dropped, translations kept. Uses Babel "
        "and Django's templatize; no system gettext needed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fill-from",
            metavar="PATH",
            help=(
                "a .po file per language whose translations fill untranslated entries; "
                "'{language}' in the path becomes zh_Hant / zh_Hans"
            ),
        )

    def handle(self, *args: Any, **options: Any) -> None:
        report = catalogs.update_catalogs(options.get("fill_from"))
        for language, (total, untranslated) in report.items():
            self.stdout.write(
                f"{catalogs.po_path(language)}: {total} msgids, {untranslated} untranslated"
            )
