"""The import run in the worker (`dinghuo worker` runs tasks queued on the database)."""

from django_tasks import task

from dinghuo.bulk import importing


@task()
def run_import(run_id: int) -> None:
    """Check the run's file and, when asked and clean, apply it."""
    importing.run(run_id)
