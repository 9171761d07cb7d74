"""The `dinghuo` command line."""

import io

import pytest
from django.core.management import CommandError, call_command


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_the_dinghuo_entry_point_is_installed():
    import shutil
    import subprocess

    exe = shutil.which("dinghuo")
    assert exe, "the project must install a `dinghuo` command"
    done = subprocess.run([exe, "help", "apikey"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0
    assert "Create, list or revoke API keys" in done.stdout


def test_purge_forgets_only_old_idempotency_records(world):
    from datetime import timedelta

    from django.utils import timezone

    from dinghuo.core.models import IdempotencyRecord

    api = world.client()
    old = api.place(world.order_body(("A-1", 1)), key="old").json()
    api.place(world.order_body(("A-1", 1)), key="new")
    IdempotencyRecord.objects.filter(key="old").update(
        created_at=timezone.now() - timedelta(hours=49)
    )

    out, _ = run("purge_idempotency_keys")
    assert out == "Purged 1 idempotency records older than 48 h."
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["new"]
    again = api.place(world.order_body(("A-1", 1)), key="new")
    assert again["Idempotent-Replayed"] == "true"
    # A forgotten key is a new request.
    assert api.place(world.order_body(("A-1", 1)), key="old").json()["id"] != old["id"]
    with pytest.raises(CommandError, match="at least 1"):
        run("purge_idempotency_keys", "--hours", "0")


def failing_job() -> int:
    raise RuntimeError("this job is broken")


def test_housekeeping_expires_approvals_and_a_broken_job_stops_nothing(world, settings):
    from datetime import timedelta

    from dinghuo.core import clock
    from dinghuo.orders.models import Order
    from tests.orders.support import add_rule

    add_rule(world, "Everything needs approval")
    with clock.as_of(clock.now() - timedelta(days=5)):
        placed = world.client().place(world.order_body(("A-1", 3))).json()
    assert placed["status"] == "awaiting_approval"
    settings.DINGHUO_HOUSEKEEPING = [
        "tests.test_commands.failing_job",
        *settings.DINGHUO_HOUSEKEEPING,
    ]
    out, _ = run("housekeeping")
    assert "dinghuo.orders.services.expire_approvals: 1" in out
    assert Order.objects.get(pk=placed["id"]).status == "cancelled"
    with pytest.raises(CommandError):
        run("housekeeping", "--every", "-1")


def test_the_worker_gives_way_to_the_web_workers(tmp_path):
    """`dinghuo worker` lowers its own CPU priority (DINGHUO_WORKER_NICE, 10 by default;
    `--nice` for one run), so that order placement keeps the CPU on a shared machine."""
    import os
    import subprocess
    import sys
    import time

    base = os.getpriority(os.PRIO_PROCESS, 0)
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    for extra, expected in (([], min(base + 10, 19)), (["--nice", "3"], min(base + 3, 19))):
        worker = subprocess.Popen(
            [sys.executable, "-m", "dinghuo.cli", "worker", "--idle", "5", *extra],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            seen, deadline = base, time.monotonic() + 60
            while seen != expected and time.monotonic() < deadline and worker.poll() is None:
                time.sleep(0.1)
                seen = os.getpriority(os.PRIO_PROCESS, worker.pid)
            assert seen == expected
        finally:
            worker.kill()
            worker.wait(timeout=30)


@pytest.mark.parametrize("nice", ["-1", "20"])
def test_the_worker_refuses_a_niceness_out_of_range(nice):
    with pytest.raises(CommandError, match="between 0 and 19"):
        run("worker", "--once", "--nice", nice)
