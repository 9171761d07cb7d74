"""`dinghuo purge_idempotency_keys [--hours 48]`: forget old stored answers (run it daily)."""

from datetime import timedelta
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinghuo.core.services import IDEMPOTENCY_RETENTION, purge_idempotency_records


class Command(BaseCommand):
    help = "Delete stored answers to create requests older than --hours (default 48)."

    def add_arguments(self, parser: CommandParser) -> None:
        default = int(IDEMPOTENCY_RETENTION.total_seconds() // 3600)
        parser.add_argument("--hours", type=int, default=default)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["hours"] < 1:
            raise CommandError("--hours must be at least 1.")
        purged = purge_idempotency_records(older_than=timedelta(hours=options["hours"]))
        self.stdout.write(f"Purged {purged} idempotency records older than {options['hours']} h.")
