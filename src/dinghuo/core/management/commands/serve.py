"""`dinghuo serve`: the production server (gunicorn, several workers)."""

import os
import sys
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dinghuo.core.serving import refuse_unsafe_serving


class Command(BaseCommand):
    help = (
        "Serve Dinghuo with gunicorn (WSGI, several sync workers, pooled PostgreSQL connections)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "0")) or None
        )
        parser.add_argument("--threads", type=int, default=1)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            refuse_unsafe_serving()
        except ImproperlyConfigured as refusal:
            raise CommandError(str(refusal)) from refusal
        if settings.DEBUG:
            self.stderr.write(
                "DEBUG is on: error pages show source code, settings and every URL. "
                "Never serve it to anyone but yourself."
            )
        # Sync workers are CPU-bound on the order path: one per core plus one keeps the cores
        # busy while a worker waits on the database (docs/performance.md: 3 on 2 cores).
        workers = options["workers"] or (os.cpu_count() or 1) + 1
        argv = [
            "gunicorn",
            "dinghuo.config.wsgi:application",
            "--config",
            "python:dinghuo.config.gunicorn",
            "--bind",
            options["bind"],
            "--workers",
            str(workers),
            "--threads",
            str(options["threads"]),
            "--access-logfile",
            "-" if os.environ.get("ACCESS_LOG") else "/dev/null",
            "--max-requests",
            "20000",
            "--max-requests-jitter",
            "2000",
        ]
        os.environ.setdefault("DB_POOL", "1")
        self.stdout.write(f"Serving on http://{options['bind']}/ with {workers} workers")
        sys.stdout.flush()
        os.execvp(sys.executable, [sys.executable, "-m", *argv])  # noqa: S606 (fixed argv)
