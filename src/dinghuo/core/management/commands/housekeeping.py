"""`dinghuo housekeeping [--every SECONDS]`: the time-driven work of the platform.

Expiring approvals and quotes and forgetting old idempotency answers happen because time
passes, not because someone asks; `dinghuo serve` runs this loop beside the web workers
(set HOUSEKEEPING=0 to run it elsewhere, e.g. from cron without --every).
The jobs are listed in the DINGHUO_HOUSEKEEPING setting, so core names no app above it.
"""

import logging
import time
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string

log = logging.getLogger("dinghuo.housekeeping")


class Command(BaseCommand):
    help = "Run the housekeeping jobs once, or every --every seconds until stopped."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="Seconds between rounds")

    def handle(self, *args: Any, **options: Any) -> None:
        every = options["every"]
        if every < 0:
            raise CommandError("--every must not be negative.")
        jobs = [(path, import_string(path)) for path in settings.DINGHUO_HOUSEKEEPING]
        while True:
            for path, job in jobs:
                close_old_connections()
                try:
                    done = job()
                except Exception:  # one failing job must not stop the others or the loop
                    log.exception("housekeeping job %s failed", path)
                    continue
                if done or not every:
                    self.stdout.write(f"{path}: {done}")
            if not every:
                return
            time.sleep(every)
