"""Signing in with two-step sign-in: the password, then a code from the app or a recovery
code. Until the code, the session is not signed in; wrong codes count as failed sign-ins."""

import pytest
from django.conf import settings
from django.test import Client
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from dinghuo.two_factor.codes import RECOVERY_CODES
from tests.backoffice.staffing import PASSWORD, csrf_post, make_staff, staff_client
from tests.two_factor.support import enrol, totp

PAGE = "/staff/account/two-step/"
CODE_PAGE = "/staff/signin/code/"
WRONG_CODE = "This code is not right."
TOO_MANY = "Too many failed attempts. Wait a few minutes and try again."


@pytest.fixture
def enrolled(world):
    """Sam, staff with two-step sign-in: (their secret, their recovery codes)."""
    staff = staff_client(world)
    secret, codes = enrol(staff.client, PAGE)
    return secret, codes


def _password(client: Client, next_url: str = "") -> object:
    return csrf_post(
        client,
        "/staff/signin/",
        {"email": "sam@seller.test", "password": PASSWORD, "next": next_url},
    )


def _code(client: Client, code: str) -> object:
    return csrf_post(client, CODE_PAGE, {"code": code})


def test_after_the_password_a_code_from_the_app_signs_staff_in(world, enrolled):
    secret, _ = enrolled
    client = Client(enforce_csrf_checks=True)
    answer = _password(client, next_url="/staff/orders/")
    assert answer.status_code == 302 and answer["Location"] == CODE_PAGE
    asked = client.get(CODE_PAGE)
    assert asked.status_code == 200 and 'data-testid="sign-in-code"' in asked.content.decode()

    signed_in = _code(client, totp(secret, steps_ahead=1))
    assert signed_in.status_code == 302 and signed_in["Location"] == "/staff/orders/"
    assert client.get("/staff/orders/").status_code == 200


def test_a_half_signed_in_session_reaches_no_page(world, enrolled):
    client = Client(enforce_csrf_checks=True)
    _password(client)
    assert client.get("/staff/")["Location"] == "/staff/signin/?next=/staff/"
    assert client.get("/staff/orders/")["Location"] == "/staff/signin/?next=/staff/orders/"
    assert client.get(PAGE)["Location"].startswith("/staff/signin/")
    assert client.get("/catalogue/")["Location"].startswith("/signin/")
    assert client.get("/admin/")["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session


def test_a_code_cannot_be_used_twice(world, enrolled):
    secret, _ = enrolled
    code = totp(secret, steps_ahead=1)
    first = Client(enforce_csrf_checks=True)
    _password(first)
    assert _code(first, code)["Location"] == "/staff/"

    second = Client(enforce_csrf_checks=True)
    _password(second)
    replayed = _code(second, code)
    assert replayed.status_code == 200 and WRONG_CODE in replayed.content.decode()
    assert second.get("/staff/").status_code == 302


def test_a_code_of_another_time_is_refused(world, enrolled):
    # One step (30 s) either side of the server's clock is accepted: three steps off is not.
    secret, _ = enrolled
    client = Client(enforce_csrf_checks=True)
    _password(client)
    for steps in (-3, 3):
        refused = _code(client, totp(secret, steps_ahead=steps))
        assert WRONG_CODE in refused.content.decode()
    assert client.get("/staff/").status_code == 302


def test_a_recovery_code_signs_in_once(world, enrolled):
    _, codes = enrolled
    client = Client(enforce_csrf_checks=True)
    _password(client)
    # Typed as people do: upper case, with spaces.
    typed = codes[3].replace("-", " ").upper()
    assert _code(client, typed)["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
    assert StaticToken.objects.count() == RECOVERY_CODES - 1

    again = Client(enforce_csrf_checks=True)
    _password(again)
    refused = _code(again, codes[3])
    assert WRONG_CODE in refused.content.decode()
    assert again.get("/staff/").status_code == 302
    assert StaticToken.objects.count() == RECOVERY_CODES - 1


def test_wrong_codes_lock_out_like_wrong_passwords(world, enrolled):
    secret, _ = enrolled
    limit = settings.SIGN_IN_FAILURES_PER_EMAIL
    assert limit == 10
    client = Client(enforce_csrf_checks=True)
    _password(client)
    for _ in range(limit - 1):
        assert WRONG_CODE in _code(client, "000000").content.decode()
    # One below the limit, the right code still works.
    assert _code(client, totp(secret, steps_ahead=1))["Location"] == "/staff/"


def test_the_tenth_wrong_code_locks_out_the_code_and_the_password(world, enrolled):
    secret, _ = enrolled
    last_step = TOTPDevice.objects.get().last_t
    client = Client(enforce_csrf_checks=True)
    _password(client)
    for _ in range(settings.SIGN_IN_FAILURES_PER_EMAIL):
        _code(client, "000000")
    locked = _code(client, totp(secret, steps_ahead=1))
    assert locked.status_code == 429 and TOO_MANY in locked.content.decode()
    assert client.get("/staff/").status_code == 302
    # The right code was not even checked: it is still unused.
    assert TOTPDevice.objects.get().last_t == last_step
    other = Client(enforce_csrf_checks=True)
    refused = _password(other)
    assert refused.status_code == 429 and TOO_MANY in refused.content.decode()


def test_a_right_password_does_not_reset_the_count_of_wrong_codes(world, enrolled):
    client = Client(enforce_csrf_checks=True)
    for _ in range(settings.SIGN_IN_FAILURES_PER_EMAIL):
        _password(client)
        _code(client, "000000")
    assert _password(client).status_code == 429


def test_the_code_page_without_a_password_first_sends_to_sign_in(world, enrolled):
    client = Client(enforce_csrf_checks=True)
    assert client.get(CODE_PAGE)["Location"] == "/staff/signin/"
    assert _code(client, "000000")["Location"] == "/staff/signin/"


def test_a_session_signed_in_without_the_second_step_is_signed_out(world, enrolled):
    # Another way in (a future door, a test's force_login) that skipped the code.
    client = Client()
    client.force_login(make_staff(world, "sam2@seller.test").user)
    assert client.get("/staff/").status_code == 200
    sam = TOTPDevice.objects.get().user
    client.force_login(sam)
    assert client.get("/staff/orders/")["Location"] == "/staff/signin/?next=/staff/orders/"
    assert "_auth_user_id" not in client.session
    assert client.get("/catalogue/")["Location"].startswith("/signin/")


def test_people_without_two_step_sign_in_sign_in_with_the_password_alone(world):
    make_staff(world)
    client = Client(enforce_csrf_checks=True)
    assert _password(client)["Location"] == "/staff/"
    assert client.get("/staff/").status_code == 200
