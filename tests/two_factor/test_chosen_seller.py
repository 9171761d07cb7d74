"""The seller a person chose (or an invitation's link chose for them) survives the second
step of signing in: after their code they land in that seller, not in the chooser or in the
seller they joined first."""

from base64 import b32encode

from django.contrib.auth.models import User
from django.test import Client

from dinghuo.accounts.rules import CHOSEN_TENANT
from dinghuo.backoffice.models import StaffMember
from dinghuo.customers.models import CompanyUser
from dinghuo.two_factor import services
from tests.accounts.support import PASSWORD, link_in, only_mail_to, post, run_worker
from tests.accounts.test_invitations import invite
from tests.backoffice.staffing import PASSWORD as STAFF_PASSWORD
from tests.backoffice.staffing import csrf_post, make_staff
from tests.two_factor.support import totp


def _enrolled(user: User) -> str:
    device = services.begin_enrolment(user_id=user.pk)
    secret = b32encode(device.bin_key).decode()
    assert services.confirm_enrolment(user_id=user.pk, code=totp(secret)) is not None
    return secret


def test_an_invited_buyer_lands_in_the_inviting_seller_after_the_code(
    world, other_world, inbox, django_capture_on_commit_callbacks
):
    # Mei buys from Globex already, with two-step sign-in; Acme invites her.
    mei = User.objects.create_user(
        username="mei@buyer.test", email="mei@buyer.test", password=PASSWORD
    )
    CompanyUser.objects.create(tenant=other_world.tenant, company=other_world.company, user=mei)
    secret = _enrolled(mei)
    invite(world, django_capture_on_commit_callbacks)
    run_worker()
    client = Client(enforce_csrf_checks=True)
    assert post(client, link_in(only_mail_to(inbox, "mei@buyer.test")), {"password": PASSWORD})[
        "Location"
    ].startswith("/")

    # The link signed her in with her password alone: the next page asks for the code.
    asked = client.get("/catalogue/")
    assert asked["Location"] == "/signin/?next=/catalogue/"
    assert "_auth_user_id" not in client.session
    password = post(
        client, "/signin/", {"email": "mei@buyer.test", "password": PASSWORD, "next": "/catalogue/"}
    )
    assert password["Location"] == "/signin/code/"
    signed_in = post(client, "/signin/code/", {"code": totp(secret, steps_ahead=1)})
    assert signed_in["Location"] == "/catalogue/"

    page = client.get("/catalogue/")
    assert page.status_code == 200
    assert "Acme Wholesale · switch seller" in page.content.decode()


def test_staff_of_two_sellers_land_in_the_chosen_one_after_the_code(world, other_world):
    member = make_staff(world)
    StaffMember.objects.create(tenant=other_world.tenant, user=member.user, role="owner")
    secret = _enrolled(member.user)
    client = Client(enforce_csrf_checks=True)
    # Signed in without the code, with Globex chosen (as the back office's invitation link does).
    client.force_login(member.user)
    session = client.session
    session[CHOSEN_TENANT] = other_world.tenant.pk
    session.save()

    assert client.get("/staff/")["Location"] == "/staff/signin/?next=/staff/"
    csrf_post(client, "/staff/signin/", {"email": "sam@seller.test", "password": STAFF_PASSWORD})
    assert (
        csrf_post(client, "/staff/signin/code/", {"code": totp(secret, steps_ahead=1)})["Location"]
        == "/staff/"
    )

    page = client.get("/staff/")
    assert page.status_code == 200
    assert "Globex Wholesale" in page.content.decode()
    assert "Acme Wholesale" not in page.content.decode()
