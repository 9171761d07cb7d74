"""`dinghuo staff add|list|remove`: make people staff of a tenant from the command line."""

import io
from unittest import mock

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client

from dinghuo.backoffice.models import StaffMember
from tests.backoffice.staffing import csrf_post


def _run(*args: str, stdin: str = "") -> str:
    out = io.StringIO()
    with mock.patch("sys.stdin", io.StringIO(stdin)):
        call_command("staff", *args, stdout=out)
    return out.getvalue()


def test_adding_a_new_person_creates_their_user_and_prints_a_password_once(world):
    out = _run("add", "--tenant", "acme", "--email", "kai@seller.test", "--first-name", "Kai")
    password = out.split("Password (shown once): ")[1].strip()
    member = StaffMember.objects.get(user__email="kai@seller.test")
    assert member.tenant_id == world.tenant.pk and member.is_active
    client = Client(enforce_csrf_checks=True)
    response = csrf_post(
        client, "/staff/signin/", {"email": "kai@seller.test", "password": password}
    )
    assert response.status_code == 302


def test_an_existing_user_keeps_their_password_and_is_listed_then_removed(world):
    User.objects.create_user("staff", "ops@seller.test", "secret-pass-123")
    out = _run("add", "--tenant", "acme", "--email", "OPS@seller.test")
    assert "Password" not in out
    assert "ops@seller.test" in _run("list", "--tenant", "acme")
    _run("remove", "--tenant", "acme", "--email", "ops@seller.test")
    assert not StaffMember.objects.get(user__username="staff").is_active
    assert "removed" in _run("list", "--tenant", "acme")
    _run("add", "--tenant", "acme", "--email", "ops@seller.test")  # back again
    assert StaffMember.objects.get(user__username="staff").is_active


def test_a_person_may_be_staff_of_several_tenants_one_row_each(world, other_world):
    from dinghuo.backoffice.models import StaffMember

    _run("add", "--tenant", "acme", "--email", "kai@seller.test")
    _run("add", "--tenant", "globex", "--email", "kai@seller.test")
    rows = StaffMember.objects.filter(user__email="kai@seller.test")
    assert sorted(rows.values_list("tenant__slug", flat=True)) == ["acme", "globex"]
    with pytest.raises(CommandError, match="No tenant"):
        _run("add", "--tenant", "nowhere", "--email", "kai@seller.test")


def test_the_password_can_come_from_standard_input(world):
    _run(
        "add",
        "--tenant",
        "acme",
        "--email",
        "lee@seller.test",
        "--password-stdin",
        stdin="a long password here\n",
    )
    assert User.objects.get(username="lee@seller.test").check_password("a long password here")


def test_a_person_is_added_with_the_role_given_and_owner_by_default(world):
    _run("add", "--tenant", "acme", "--email", "kim@seller.test", "--role", "warehouse")
    _run("add", "--tenant", "acme", "--email", "olga@seller.test")
    roles = dict(StaffMember.objects.values_list("user__email", "role"))
    assert roles == {"kim@seller.test": "warehouse", "olga@seller.test": "owner"}
    listed = _run("list", "--tenant", "acme").splitlines()
    assert listed[0].split() == ["kim@seller.test", "warehouse", "active"]
    with pytest.raises(CommandError):
        _run("add", "--tenant", "acme", "--email", "x@seller.test", "--role", "admin")
    assert not StaffMember.objects.filter(user__email="x@seller.test").exists()
