"""`dinghuo compile_translations`: build the .mo of the pages' catalogs with Babel."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dinghuo.core.management import catalogs


class Command(BaseCommand):
    help = (
        "Compile src/dinghuo/locale/*/LC_MESSAGES/django.po into .mo files with Babel "
        "(no system gettext needed). `make run` and scripts/test.sh run it first."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        problems = catalogs.compile_catalogs()
        if problems:
            raise CommandError("Catalogs not compiled:\n  " + "\n  ".join(problems))
        if options["verbosity"] > 0:
            languages = ", ".join(catalogs.LANGUAGES)
            self.stdout.write(f"Compiled the catalogs of {languages} in {catalogs.locale_dir()}.")
