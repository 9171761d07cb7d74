"""The `dinghuo` command line."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dinghuo.core.models import ApiKey
from dinghuo.customers.services import create_company_user


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue().strip(), err.getvalue().strip()


def test_apikey_create_list_revoke(world):
    token, note = run(
        "apikey", "create", "--tenant", world.tenant.slug, "--scopes", "read,write", "--name", "erp"
    )
    assert token.startswith("dh_")
    assert "shown only this once" in note
    key = ApiKey.objects.get(name="erp")
    assert key.scope_set == {"read", "write"}
    assert token not in key.secret_hash
    headers = {"Authorization": f"Bearer {token}"}
    assert Client().get("/api/v1/orders", headers=headers).status_code == 200

    listing, _ = run("apikey", "list", "--tenant", world.tenant.slug)
    assert key.prefix in listing and "active" in listing
    assert token not in listing

    revoked, _ = run("apikey", "revoke", key.prefix)
    assert revoked == f"Revoked {key.prefix}."
    assert Client().get("/api/v1/orders", headers=headers).status_code == 401


def test_apikey_refuses_unknown_tenant_and_scope(world):
    with pytest.raises(CommandError, match="No tenant"):
        run("apikey", "create", "--tenant", "nobody")
    with pytest.raises(CommandError, match="Scopes"):
        run("apikey", "create", "--tenant", world.tenant.slug, "--scopes", "admin")
    with pytest.raises(CommandError, match="No API key"):
        run("apikey", "revoke", "nope")


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


def test_apikey_create_for_a_company_user(world):
    member = create_company_user(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        email="amy@buyer.test",
        name="Amy",
        role="buyer",
    )

    token, note = run(
        "apikey", "create", "--tenant", world.tenant.slug, "--company-user", str(member.pk)
    )

    key = ApiKey.objects.get(company_user=member)
    assert f"user {member.pk} of {world.tenant.slug}" in note
    headers = {"Authorization": f"Bearer {token}"}
    mine = Client().get("/api/v1/my/company", headers=headers)
    assert (mine.status_code, mine.json()["me"]["id"]) == (200, member.pk)
    assert Client().get("/api/v1/orders", headers=headers).status_code == 403
    listing, _ = run("apikey", "list", "--tenant", world.tenant.slug)
    assert f"{key.prefix}" in listing and f"buyer {member.pk}" in listing


def test_apikey_refuses_an_unknown_company_user(world, other_world):
    theirs = create_company_user(
        tenant_id=other_world.tenant.pk,
        company_id=other_world.company.pk,
        email="x@other.test",
        name="X",
        role="buyer",
    )
    for user_id in ("999999", str(theirs.pk)):
        with pytest.raises(CommandError, match="No company user"):
            run("apikey", "create", "--tenant", world.tenant.slug, "--company-user", user_id)
    assert not ApiKey.objects.filter(company_user__isnull=False).exists()


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
