"""Operators' own two-step sign-in: set up on the console's page; with DINGHUO_OPERATORS_2FA
(on in production) neither the console nor the admin opens before it is set up, and it
cannot be turned off."""

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.backoffice.staffing import csrf_post
from tests.operators.support import operator_client
from tests.security.served import dinghuo, dinghuo_env
from tests.security.test_settings import _production
from tests.two_factor.support import enrol, totp

pytestmark = pytest.mark.django_db

PAGE = "/operator/two-step/"
OPERATOR_PASSWORD = "operator password 1"


def test_an_operator_sets_up_two_step_sign_in_and_the_admin_then_asks_for_the_code() -> None:
    client = operator_client()
    page = client.get(PAGE)
    assert page.status_code == 200 and 'data-testid="required"' not in page.content.decode()
    assert 'data-testid="operator-two-step"' in client.get("/operator/").content.decode()

    secret, _ = enrol(client, PAGE)

    assert TOTPDevice.objects.filter(user__username="root", confirmed=True).count() == 1
    fresh = Client(enforce_csrf_checks=True)
    asked = csrf_post(
        fresh,
        "/admin/login/",
        {"email": "root", "password": OPERATOR_PASSWORD, "next": "/operator/"},
    )
    assert asked["Location"] == "/admin/login/code/"
    assert fresh.get("/operator/")["Location"].startswith("/admin/login/")
    signed_in = csrf_post(fresh, "/admin/login/code/", {"code": totp(secret, steps_ahead=1)})
    assert signed_in["Location"] == "/operator/"
    assert fresh.get("/operator/").status_code == 200


def test_tenant_staff_and_buyers_do_not_find_the_page(world) -> None:
    from tests.backoffice.staffing import staff_client

    assert staff_client(world).client.get(PAGE).status_code == 404
    assert Client().get(PAGE)["Location"].startswith("/admin/login/")


def test_when_required_the_console_and_the_admin_wait_for_the_set_up(settings) -> None:
    settings.DINGHUO_OPERATORS_2FA = True
    client = operator_client()

    for door in ("/operator/", "/operator/tenants/new/", "/admin/", "/admin/auth/user/"):
        assert client.get(door)["Location"] == PAGE, door
    required = client.get(PAGE)
    assert required.status_code == 200 and 'data-testid="required"' in required.content.decode()

    secret, _ = enrol(client, PAGE)

    assert client.get("/operator/").status_code == 200
    assert client.get("/admin/").status_code == 200
    refused = csrf_post(client, PAGE, {"action": "off", "code": totp(secret, steps_ahead=1)})
    assert refused.status_code == 422
    assert TOTPDevice.objects.filter(confirmed=True).count() == 1


def test_when_required_an_operator_may_still_sign_out(settings) -> None:
    settings.DINGHUO_OPERATORS_2FA = True
    client = operator_client()
    out = client.post("/admin/logout/")
    assert out.status_code == 200
    assert "_auth_user_id" not in client.session


def test_when_required_a_session_without_the_code_is_signed_out(settings) -> None:
    settings.DINGHUO_OPERATORS_2FA = True
    client = operator_client()
    enrol(client, PAGE)
    again = Client()
    again.force_login(User.objects.get(username="root"))  # the password alone, somehow
    assert again.get("/operator/")["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in again.session


def test_the_rule_leaves_tenant_pages_alone_and_operators_alone_when_off(world, settings) -> None:
    settings.DINGHUO_OPERATORS_2FA = False
    assert operator_client().get("/operator/").status_code == 200


@pytest.mark.parametrize(
    ("production", "extra", "expected"),
    [(True, {}, "True"), (True, {"DINGHUO_OPERATORS_2FA": "0"}, "False"), (False, {}, "False")],
)
def test_production_requires_it_unless_turned_off(
    tmp_path: Path, production, extra, expected
) -> None:
    done = dinghuo(
        _production(tmp_path, **extra) if production else dinghuo_env(tmp_path),
        "shell",
        "-c",
        "from django.conf import settings; print(settings.DINGHUO_OPERATORS_2FA)",
    )
    assert done.stdout.strip().splitlines()[-1] == expected, done.stderr
