"""A person a tenant's rule sends to set up two-step sign-in can still do what they need
first: set it up, sign out, change their password, see their sessions and switch language;
every other page sends them back to the set-up page."""

import pytest
from django.test import Client

from dinghuo.two_factor import services
from dinghuo.two_factor.models import Requirement
from tests.backoffice.staffing import PASSWORD, csrf_post, make_staff
from tests.portal.ordering import sign_in as buyer_signs_in

STAFF_SET_UP = "/staff/account/two-step/"


@pytest.fixture
def covered_staff(world) -> Client:
    """Sam, staff of a tenant that requires two-step sign-in, signed in with a password only."""
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.STAFF)
    make_staff(world)
    client = Client(enforce_csrf_checks=True)
    signed = csrf_post(client, "/staff/signin/", {"email": "sam@seller.test", "password": PASSWORD})
    assert signed["Location"] == "/staff/"
    return client


def test_the_set_up_page_the_password_and_the_sessions_open(covered_staff):
    for page in (STAFF_SET_UP, "/account/password/", "/account/sessions/"):
        answer = covered_staff.get(page)
        assert answer.status_code == 200, page


def test_a_new_password_can_be_chosen_before_setting_it_up(covered_staff):
    changed = csrf_post(
        covered_staff,
        "/account/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "another-Long-passphrase-77",
            "new_password2": "another-Long-passphrase-77",
        },
    )
    assert changed.status_code == 302
    assert changed["Location"] != STAFF_SET_UP


def test_signing_out_and_the_language_switch_are_allowed(covered_staff):
    switched = csrf_post(covered_staff, "/i18n/language/", {"language": "zh-hant", "next": "/"})
    assert switched["Location"] == "/"
    out = csrf_post(covered_staff, "/staff/signout/")
    assert out["Location"] == "/staff/signin/"
    assert "_auth_user_id" not in covered_staff.session


def test_every_other_page_sends_them_to_set_it_up(covered_staff):
    for page in ("/staff/", "/staff/orders/", "/staff/account/mail/", "/catalogue/"):
        assert covered_staff.get(page)["Location"] == STAFF_SET_UP, page


def test_a_covered_buyer_reaches_the_same_pages(world):
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.EVERYONE)
    buyer = buyer_signs_in(world).client
    for page in ("/account/two-step/", "/account/password/", "/account/sessions/"):
        assert buyer.get(page).status_code == 200, page
    assert buyer.get("/orders/")["Location"] == "/account/two-step/"
    assert csrf_post(buyer, "/signout/").status_code == 302
    assert "_auth_user_id" not in buyer.session
