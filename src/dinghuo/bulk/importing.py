"""An import run at work in the worker: read the file, check every row, then write (or,
for a dry run, write and roll back, so that the services' own checks are run too).

Progress: rows read are saved every `_PROGRESS_EVERY` rows (outside the write transaction,
so a page sees them); the writes are one transaction, all or nothing. A run is claimed by a
conditional update (waiting → checking), so a task delivered twice runs it once.
"""

import logging
from typing import Any

from django.db import transaction

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


def run(run_id: int) -> None:
    """Check the run's file and, in apply mode and without problems, apply it."""
    claimed = ImportRun.objects.filter(pk=run_id, state=State.WAITING).update(
        state=State.CHECKING, rows_done=0, problems=[], problem_count=0, summary={}
    )
    if not claimed:
        return
    found = ImportRun.objects.get(pk=run_id)
    try:
        _run(found)
    except Exception:  # the run must say it failed; nothing was written (one transaction)
        log.exception("import run %s failed", run_id)
        ImportRun.objects.filter(pk=run_id).update(state=State.BROKEN, finished_at=clock.now())


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
    applied = _write(work, kind.import_rows, apply=applying)
    if work.problems:
        _finish(found, State.REFUSED, work.problems, {})  # counts of a refused file mislead
    else:
        _finish(found, State.APPLIED if applied else State.CHECKED, [], work.counts)


def _write(work: Importing, import_rows: Any, *, apply: bool) -> bool:
    """Run the kind's writes in one transaction; keep them only when applying without a
    problem. Answers whether they were kept."""
    importer = actors.as_import(actors.current(), work.file_name)
    try:
        with transaction.atomic(), actors.acting_as(importer):
            import_rows(work)
            if work.problems or not apply:
                raise _RollBack
    except _RollBack:
        return False
    return True


def _progress(found: ImportRun, **fields: Any) -> None:
    ImportRun.objects.filter(pk=found.pk).update(**fields)


def _finish(
    found: ImportRun, state: str, problems: list[CellProblem], counts: dict[str, int]
) -> None:
    ordered = sorted(problems, key=lambda p: (p.row, p.column))
    ImportRun.objects.filter(pk=found.pk).update(
        state=state,
        problems=[p.as_dict() for p in ordered[:MAX_PROBLEMS_KEPT]],
        problem_count=len(problems),
        summary=counts,
        finished_at=clock.now(),
    )
