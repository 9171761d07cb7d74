"""`dinghuo worker`: the background work that must not wait in a request.

Each round runs every job named in the DINGHUO_WORKER_JOBS setting (webhook deliveries, EDI
messages, …; core names no app above it), then the tasks queued through Django's Tasks API
on the database backend (imports). A job is a callable that does one bounded batch and
answers how much it did; several workers can run at once, because each job claims its work
with `SKIP LOCKED` (PostgreSQL) or a lease. When a round finds little or nothing to do, the worker
sleeps `--idle` seconds, so that a trickle of work is taken in batches.
SIGTERM or Ctrl+C ends it after the round it is in.
"""

import logging
import os
import signal
import time
from types import FrameType
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import close_old_connections
from django.utils.module_loading import import_string

from dinghuo.core import actors

log = logging.getLogger("dinghuo.worker")

TASKS_PER_ROUND = 5  # queued tasks are long (an import); jobs get their turn between them
# A round that did less than this much sleeps `--idle` before the next: a trickle of work is
# then taken in batches (fewer queries for each item) rather than one item a round, which
# would take CPU from the web workers; a backlog is worked through without pause.
BUSY_ROUND = 100


class Command(BaseCommand):
    help = "Deliver webhooks, move EDI messages and run queued tasks until stopped (or --once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="One round, then exit")
        parser.add_argument(
            "--idle", type=float, default=1.0, help="Seconds to sleep when there was nothing to do"
        )
        parser.add_argument(
            "--nice",
            type=int,
            default=None,
            help="CPU niceness to add (default: DINGHUO_WORKER_NICE, 10; 0 keeps it)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["idle"] < 0:
            raise CommandError("--idle must not be negative.")
        nice = settings.DINGHUO_WORKER_NICE if options["nice"] is None else options["nice"]
        if not 0 <= nice <= 19:
            raise CommandError("--nice must be between 0 and 19.")
        if nice and not options["once"]:  # one round from a shell or a test changes nothing
            # Background work yields the CPU to the web workers: on a small machine the
            # worker's sending would otherwise take its share from order placement.
            os.nice(nice)
        self.running = True
        if not options["once"]:
            signal.signal(signal.SIGTERM, self._stop)
            signal.signal(signal.SIGINT, self._stop)
        jobs = [(path, import_string(path)) for path in settings.DINGHUO_WORKER_JOBS]
        with actors.acting_as(actors.Actor("worker", label="worker", via="worker")):
            self._rounds(jobs, options)

    def _rounds(self, jobs: list[tuple[str, Any]], options: dict[str, Any]) -> None:
        while self.running:
            done = sum(_run(path, job) for path, job in jobs) + _run_queued_tasks()
            if options["once"]:
                self.stdout.write(f"done: {done}")
                return
            if done < BUSY_ROUND:
                time.sleep(options["idle"])

    def _stop(self, signum: int, frame: FrameType | None) -> None:
        self.running = False


def _run(path: str, job: Any) -> int:
    close_old_connections()
    try:
        return int(job())
    except Exception:  # one failing job must not stop the others or the loop
        log.exception("worker job %s failed", path)
        return 0


def _run_queued_tasks() -> int:
    """Run up to TASKS_PER_ROUND tasks queued on the database backend, if it is the one set."""
    backend = settings.TASKS["default"]["BACKEND"]
    if backend != "django_tasks_db.DatabaseBackend":
        return 0
    from django_tasks_db.management.commands.db_worker import Worker

    ran = 0
    for _ in range(TASKS_PER_ROUND):
        close_old_connections()
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=1,
            worker_id="dinghuo-worker",
            excluded_queue_names=[],
        )
        worker.run()
        if not worker._run_tasks:
            break
        ran += 1
    return ran
