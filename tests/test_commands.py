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
