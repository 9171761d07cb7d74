"""A worker that dies in the middle of an import: the run is claimed again after 15 quiet
minutes and finishes; the dead claim's late writes change nothing; a file that kills three
workers is marked failed instead of being tried forever."""

from datetime import timedelta

import pytest
from django.utils import timezone

from dinghuo.bulk import importing, jobs
from dinghuo.bulk.models import ImportRun
from dinghuo.catalog.models import Product
from dinghuo.core import clock
from tests.bulk.helpers import csv_bytes, run_worker, upload

pytestmark = pytest.mark.django_db(transaction=True)

HEAD = ["Product code", "Product name (English)", "SKU code", "SKU name (English)"]
FILE = csv_bytes([HEAD, ["P-NEW", "New product", "N-1", "New item"]])


def _started(world, mode: str = "apply") -> ImportRun:
    r = upload(world, "products", FILE, mode=mode)
    assert r.status_code == 202, r.content[:300]
    return ImportRun.objects.get(pk=r.json()["id"])


def _dies_after_claiming(run: ImportRun) -> ImportRun:
    """A worker takes the run and is killed before it writes anything."""
    claimed = importing.claim(run.pk)
    assert claimed is not None and claimed.state == ImportRun.State.CHECKING
    return claimed


def _recover_at(moment) -> int:
    with clock.as_of(moment):
        return jobs.recover_stalled_imports()


def test_a_run_left_by_a_dead_worker_is_queued_again_after_15_quiet_minutes(world):
    dead = _dies_after_claiming(_started(world))
    assert dead.beat_at is not None
    assert _recover_at(dead.beat_at + timedelta(minutes=14, seconds=59)) == 0
    assert ImportRun.objects.get(pk=dead.pk).state == ImportRun.State.CHECKING
    assert _recover_at(dead.beat_at + timedelta(minutes=15, seconds=1)) == 1
    assert ImportRun.objects.get(pk=dead.pk).state == ImportRun.State.WAITING
    run_worker()  # the queued task runs the file again, from the start
    done = ImportRun.objects.get(pk=dead.pk)
    assert (done.state, done.attempt, done.problem_count) == (ImportRun.State.APPLIED, 2, 0)
    assert Product.objects.filter(tenant=world.tenant, code="P-NEW").count() == 1


def test_the_dead_claims_late_work_is_dropped(world):
    dead = _dies_after_claiming(_started(world))
    _recover_at(dead.beat_at + timedelta(minutes=16))
    run_worker()
    after = ImportRun.objects.get(pk=dead.pk)
    # The first worker was only stalled, not dead: it carries on with its old claim.
    with pytest.raises(importing._Superseded):
        importing._run(dead)
    again = ImportRun.objects.get(pk=dead.pk)
    assert (again.state, again.attempt, again.finished_at) == (
        ImportRun.State.APPLIED,
        2,
        after.finished_at,
    )
    assert Product.objects.filter(tenant=world.tenant, code="P-NEW").count() == 1


def test_a_file_that_kills_three_workers_is_marked_failed(world):
    run = _started(world)
    moment = timezone.now()
    for attempt in (1, 2, 3):
        with clock.as_of(moment):
            dead = _dies_after_claiming(ImportRun.objects.get(pk=run.pk))
        assert dead.attempt == attempt
        moment += timedelta(minutes=16)
        assert _recover_at(moment) == 1
    failed = ImportRun.objects.get(pk=run.pk)
    assert (failed.state, failed.attempt) == (ImportRun.State.BROKEN, 3)
    assert failed.finished_at == moment
    assert not Product.objects.filter(tenant=world.tenant, code="P-NEW").exists()


def test_finished_and_waiting_runs_are_left_alone(world):
    finished = _started(world, mode="dry_run")
    run_worker()
    waiting = _started(world)  # not claimed yet
    later = timezone.now() + timedelta(days=1)
    assert _recover_at(later) == 0
    assert ImportRun.objects.get(pk=finished.pk).state == ImportRun.State.CHECKED
    assert ImportRun.objects.get(pk=waiting.pk).state == ImportRun.State.WAITING
