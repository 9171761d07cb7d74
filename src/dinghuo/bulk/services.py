"""Import runs: start one (a file, its kind, dry run or apply) and apply one that was checked.
Each is one transaction that stores the run and queues the worker's task with it."""

from django.db import transaction

from dinghuo.bulk import files
from dinghuo.bulk.formats import IMPORTABLE
from dinghuo.bulk.models import ImportRun
from dinghuo.core import clock
from dinghuo.core.errors import Conflict, FieldError, ValidationFailed
from dinghuo.core.writes import locked_tenant_row


def _queue(run: ImportRun) -> None:
    from dinghuo.bulk import tasks  # the task module imports the worker's side

    tasks.run_import.enqueue(run.pk)


@transaction.atomic
def start_import(
    *,
    tenant_id: int,
    kind: str,
    file_name: str,
    content: bytes,
    mode: str = ImportRun.Mode.DRY_RUN,
    started_by: str = "",
) -> ImportRun:
    """Store the file as an import run and queue its check (and, in apply mode, its apply
    when the check finds nothing). 422 for an unknown kind or mode, an empty file or one
    larger than `files.MAX_FILE_BYTES`; the file's contents are judged by the worker."""
    errors = []
    if kind not in IMPORTABLE:
        errors.append(FieldError("kind", "unknown_import_kind", f"No import of {kind}"))
    if mode not in ImportRun.Mode.values:
        errors.append(FieldError("mode", "unknown_import_mode", "Mode is dry_run or apply"))
    if not content.strip():
        errors.append(FieldError("file", "file_empty", "Send a file with a heading row"))
    elif len(content) > files.MAX_FILE_BYTES:
        limit = files.MAX_FILE_BYTES // (1024 * 1024)
        errors.append(
            FieldError("file", "file_too_large", f"At most {limit} MB", {"max_mb": limit})
        )
    if errors:
        raise ValidationFailed("The file cannot be imported; see errors.", errors=errors)
    run = ImportRun.objects.create(
        tenant_id=tenant_id,
        kind=kind,
        mode=mode,
        file_name=(file_name or f"{kind}.csv")[-200:],
        content=content,
        started_by=started_by[:200],
        created_at=clock.now(),
    )
    _queue(run)
    return run


@transaction.atomic
def apply_import(*, tenant_id: int, run_id: int) -> ImportRun:
    """Apply a run whose dry run found no problem: the worker checks the file again against
    what the data is now, and writes it all or nothing. 409 `import_not_checked` unless the
    run is checked."""
    run = locked_tenant_row(
        ImportRun.objects.defer("content"), tenant_id, run_id, f"No import {run_id}."
    )
    if run.state != ImportRun.State.CHECKED:
        raise Conflict(
            "Only a checked import without problems can be applied.",
            code="import_not_checked",
            errors=[FieldError("state", "import_not_checked", f"The import is {run.state}")],
        )
    run.mode = ImportRun.Mode.APPLY
    run.state = ImportRun.State.WAITING
    run.finished_at = None
    run.save(update_fields=["mode", "state", "finished_at"])
    _queue(run)
    return run
