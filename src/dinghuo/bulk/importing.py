"""An import run at work in the worker: read the file, check every row, then write (or,
for a dry run, write and roll back, so that the services' own checks are run too).

Progress: rows read are saved every `_PROGRESS_EVERY` rows (outside the write transaction,
so a page sees them); the writes are one transaction, all or nothing. A run is claimed by a
conditional update (waiting → checking), so a task delivered twice runs it once. Each claim
numbers itself (`attempt`) and beats (`beat_at`) with each progress; if its worker dies,
`jobs.recover_stalled_imports` claims the run again, and every later write of the dead claim
finds its number gone and is dropped (its file writes roll back).
"""

import logging
from typing import Any

from django.db import transaction
from django.db.models import F, QuerySet

from dinghuo.bulk import files
from dinghuo.bulk.formats import KINDS
from dinghuo.bulk.formats.common import Importing
from dinghuo.bulk.layout import CellProblem
from dinghuo.bulk.models import ImportRun
from dinghuo.core import actors, clock

log = logging.getLogger("dinghuo.bulk")

MAX_PROBLEMS_KEPT = 10_000  # all are counted; a file this wrong needs fixing at its source
_PROGRESS_EVERY = 2_000
State = ImportRun.State


class _RollBack(Exception):
    """Undo the writes of a dry run, or of a run with problems."""


class _Superseded(Exception):
    """Another claim took the run over (this worker was thought dead): stop, write nothing."""


def claim(run_id: int) -> ImportRun | None:
    """Take a waiting run for this worker (waiting → checking, a new attempt), or None when
    another worker has it or it is not waiting."""
    claimed = ImportRun.objects.filter(pk=run_id, state=State.WAITING).update(
        state=State.CHECKING,
        rows_done=0,
        problems=[],
        problem_count=0,
        summary={},
        attempt=F("attempt") + 1,
        beat_at=clock.now(),
    )
    return ImportRun.objects.get(pk=run_id) if claimed else None


def run(run_id: int) -> None:
    """Check the run's file and, in apply mode and without problems, apply it."""
    found = claim(run_id)
    if found is None:
        return
    try:
        _run(found)
    except _Superseded:
        log.warning("import run %s was taken over by another worker", run_id)
    except Exception:  # the run must say it failed; nothing was written (one transaction)
        log.exception("import run %s failed", run_id)
        _mine(found).update(state=State.BROKEN, finished_at=clock.now())


def _mine(found: ImportRun) -> QuerySet[ImportRun]:
    """The run, as long as this claim still holds it."""
    return ImportRun.objects.filter(pk=found.pk, attempt=found.attempt)


def _run(found: ImportRun) -> None:
    kind = KINDS[found.kind]
    assert kind.import_rows is not None
    try:
        table = files.read_table(found.file_name, bytes(found.content))
    except files.FileRefused as refused:
        _finish(found, State.REFUSED, [CellProblem(0, "", refused.code, refused.extra)], {})
        return
    if not table.rows:
        _finish(found, State.REFUSED, [CellProblem(0, "", "file_empty")], {})
        return
    matched, problems = kind.layout.match(table.rows[0][1])
    if problems:
        _finish(found, State.REFUSED, problems, {})
        return
    _progress(found, rows_total=len(table.rows) - 1)
    applying = found.mode == ImportRun.Mode.APPLY
    work = Importing(found.tenant_id, kind.layout, matched, [], found.file_name, applying)
    for done, (number, raw) in enumerate(table.rows[1:], start=1):
        values, row_problems = kind.layout.read_row(number, raw, matched)
        if row_problems:
            work.problems += row_problems
            work.rejected.append((number, values))
        else:
            work.rows.append((number, values))
        if done % _PROGRESS_EVERY == 0:
            _progress(found, rows_done=done)
    _progress(found, rows_done=len(table.rows) - 1, state=State.APPLYING)
    applied = _write(found, work, kind.import_rows, apply=applying)
    if work.problems:
        _finish(found, State.REFUSED, work.problems, {})  # counts of a refused file mislead
    else:
        _finish(found, State.APPLIED if applied else State.CHECKED, [], work.counts)


def _write(found: ImportRun, work: Importing, import_rows: Any, *, apply: bool) -> bool:
    """Run the kind's writes in one transaction; keep them only when applying without a
    problem and while this claim still holds the run. Answers whether they were kept."""
    importer = actors.as_import(actors.current(), work.file_name)
    try:
        with transaction.atomic(), actors.acting_as(importer):
            import_rows(work)
            if work.problems or not apply:
                raise _RollBack
            if not _mine(found).select_for_update().exists():
                raise _Superseded
    except _RollBack:
        return False
    return True


def _progress(found: ImportRun, **fields: Any) -> None:
    """Save progress and beat; stop when another claim took the run over."""
    if not _mine(found).update(beat_at=clock.now(), **fields):
        raise _Superseded


def _finish(
    found: ImportRun, state: str, problems: list[CellProblem], counts: dict[str, int]
) -> None:
    ordered = sorted(problems, key=lambda p: (p.row, p.column))
    _mine(found).update(
        state=state,
        problems=[p.as_dict() for p in ordered[:MAX_PROBLEMS_KEPT]],
        problem_count=len(problems),
        summary=counts,
        finished_at=clock.now(),
    )
