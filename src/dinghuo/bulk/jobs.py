"""The import job of `dinghuo worker` (settings.DINGHUO_WORKER_JOBS): give a run whose worker
died back to the queue. Each round is one bounded batch; several workers may run it at once."""

import logging
from datetime import timedelta

from django.db import transaction

from dinghuo.bulk.models import ImportRun
from dinghuo.core import clock

log = logging.getLogger("dinghuo.bulk")

# A live run beats at least every 2,000 rows and before its writes; the longest quiet
# stretch is the one write transaction of a 100,000-row file (a few minutes on a loaded
# machine), well inside this.
STALLED_AFTER = timedelta(minutes=15)
MAX_ATTEMPTS = 3  # a file that kills three workers in a row is not tried a fourth time
RUNS_PER_ROUND = 20
_AT_WORK = (ImportRun.State.CHECKING, ImportRun.State.APPLYING)


def recover_stalled_imports() -> int:
    """Queue again each run whose worker stopped beating (or mark it failed after
    MAX_ATTEMPTS); answers how many runs it moved."""
    quiet_since = clock.now() - STALLED_AFTER
    stalled = list(
        ImportRun.objects.filter(state__in=_AT_WORK, beat_at__lt=quiet_since)
        .order_by("beat_at")
        .values_list("pk", "attempt")[:RUNS_PER_ROUND]
    )
    return sum(_recover(pk, attempt) for pk, attempt in stalled)


@transaction.atomic
def _recover(run_id: int, attempt: int) -> int:
    from dinghuo.bulk import tasks  # the task module imports the worker's side

    same_claim = ImportRun.objects.filter(pk=run_id, attempt=attempt, state__in=_AT_WORK)
    if attempt >= MAX_ATTEMPTS:
        moved = same_claim.update(state=ImportRun.State.BROKEN, finished_at=clock.now())
        if moved:
            log.error("import run %s stalled %s times: marked failed", run_id, attempt)
        return moved
    moved = same_claim.update(state=ImportRun.State.WAITING)
    if moved:
        log.warning("import run %s stalled (worker gone?): queued again", run_id)
        tasks.run_import.enqueue(run_id)
    return moved
