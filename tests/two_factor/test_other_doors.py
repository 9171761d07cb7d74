"""The other doors: the Django admin asks for the code too; API keys (machine credentials)
are not affected; a PunchOut session is vouched for by the procurement system."""

from base64 import b32encode

from django.contrib.auth.models import User
from django.test import Client

from dinghuo.two_factor import services
from tests.backoffice.staffing import csrf_post
from tests.builders import add_buyer
from tests.two_factor.support import totp

ADMIN_PASSWORD = "admin pass phrase 1"


def _enrolled(user: User) -> str:
    """Two-step sign-in set up through the services (operators of a deployment are not staff
    of a tenant and have no back-office page); returns the secret."""
    device = services.begin_enrolment(user_id=user.pk)
    secret = b32encode(device.bin_key).decode()
    assert services.confirm_enrolment(user_id=user.pk, code=totp(secret)) is not None
    return secret


def _operator_enrolled() -> tuple[User, str]:
    user = User.objects.create_superuser("root", "root@example.com", ADMIN_PASSWORD)
    return user, _enrolled(user)


def _admin_password(client: Client, email: str = "root@example.com") -> object:
    return csrf_post(
        client, "/admin/login/", {"email": email, "password": ADMIN_PASSWORD, "next": "/admin/"}
    )


def test_the_admin_asks_for_the_code_of_people_with_two_step_sign_in(db):
    _, secret = _operator_enrolled()
    client = Client(enforce_csrf_checks=True)
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    asked = _admin_password(client)
    assert asked["Location"] == "/admin/login/code/"
    assert client.get("/admin/")["Location"] == "/admin/login/?next=/admin/"
    assert client.get("/admin/auth/user/").status_code == 302
    signed_in = csrf_post(client, "/admin/login/code/", {"code": totp(secret, steps_ahead=1)})
    assert signed_in["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admins_password_alone_no_longer_opens_it(db):
    # A session signed in some other way without the code (force_login stands for any).
    user, _ = _operator_enrolled()
    client = Client()
    client.force_login(user)
    assert client.get("/admin/auth/user/")["Location"].startswith("/admin/login/")
    assert "_auth_user_id" not in client.session


def test_operators_without_two_step_sign_in_use_the_admin_with_their_password(db):
    User.objects.create_superuser("root", "root@example.com", ADMIN_PASSWORD)
    client = Client(enforce_csrf_checks=True)
    assert _admin_password(client)["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_the_admin_door_counts_failures_with_the_other_doors(db):
    User.objects.create_superuser("root", "root@example.com", ADMIN_PASSWORD)
    client = Client(enforce_csrf_checks=True)
    for _ in range(10):
        csrf_post(client, "/admin/login/", {"email": "root@example.com", "password": "wrong"})
    locked = _admin_password(client)
    assert locked.status_code == 429
    assert client.get("/admin/").status_code == 302


def test_people_who_may_not_use_the_admin_are_refused_there(world):
    from tests.backoffice.staffing import PASSWORD, make_staff

    make_staff(world)  # staff of a tenant, not an operator (is_staff is the admin's notion)
    client = Client(enforce_csrf_checks=True)
    refused = csrf_post(client, "/admin/login/", {"email": "sam@seller.test", "password": PASSWORD})
    assert refused.status_code == 200
    assert "This account may not use the master data pages." in refused.content.decode()
    assert "_auth_user_id" not in client.session


def test_api_keys_are_not_affected(world):
    member, api = add_buyer(world, "ann@buyer.test")
    _enrolled(member.user)
    # The buyer's API key (a machine credential) still works: no session, no second step.
    assert api.get("/my/orders").status_code == 200


def test_a_punchout_session_is_vouched_for_by_the_procurement_system(world):
    from urllib.parse import urlsplit

    from dinghuo.two_factor.models import Requirement
    from tests.punchout.documents import connect, post, setup_request
    from tests.punchout.test_setup import SETUP, start_page

    # The buyer the connection signs in has two-step sign-in, and the tenant requires it of
    # everyone: the procurement system signed them in and proves itself with the secret.
    suite = connect(world)
    _enrolled(suite.buyer.user)
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.EVERYONE)
    url = start_page(post(Client(), SETUP, setup_request(suite)))
    browser = Client()
    assert browser.get(urlsplit(url).path)["Location"] == "/catalogue/"
    assert browser.get("/catalogue/").status_code == 200
    assert browser.get("/cart/").status_code == 200


def test_operators_may_sign_in_to_the_admin_with_their_username(db):
    User.objects.create_superuser("staff", "ops@example.com", ADMIN_PASSWORD)
    client = Client(enforce_csrf_checks=True)
    assert _admin_password(client, "staff")["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
