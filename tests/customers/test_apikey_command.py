"""`dinghuo apikey`: staff keys, and keys for a company user (through the customers
services)."""

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


def test_a_staff_key_carries_the_role_given(world):
    token, _ = run(
        "apikey", "create", "--tenant", world.tenant.slug, "--scopes", "read,write",
        "--name", "wms", "--role", "warehouse",
    )  # fmt: skip
    assert ApiKey.objects.get(name="wms").role == "warehouse"
    headers = {"Authorization": f"Bearer {token}"}
    refused = Client().get("/api/v1/orders", headers=headers)
    assert refused.status_code == 403 and refused.json()["code"] == "role_forbids"
    assert refused["Content-Type"] == "application/problem+json"
    assert Client().get("/api/v1/stock", headers=headers).status_code == 200
    listing, _ = run("apikey", "list", "--tenant", world.tenant.slug)
    assert "warehouse" in listing
