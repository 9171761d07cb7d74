"""A tenant's rule: staff, or everyone, must use two-step sign-in. People it covers who have
not set it up are taken to set it up right after the password and can do nothing else."""

from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from dinghuo.two_factor import queries, services
from dinghuo.two_factor.models import Requirement, SignInPolicy
from tests.backoffice.staffing import PASSWORD, csrf_post, make_staff, staff_client
from tests.portal.ordering import sign_in as buyer_signs_in
from tests.two_factor.support import enrol, totp

SETTINGS = "/staff/settings/sign-in/"


def test_staff_set_the_tenants_rule_on_the_sign_in_settings_page(world):
    staff = staff_client(world)
    page = staff.client.get(SETTINGS)
    assert page.status_code == 200
    assert 'value="nobody"' in page.content.decode() and "checked" in page.content.decode()
    assert csrf_post(staff.client, SETTINGS, {"requires": "everyone"})["Location"] == SETTINGS
    assert queries.requirement(world.tenant.pk) == Requirement.EVERYONE


def test_an_unknown_rule_is_refused_and_changes_nothing(world):
    staff = staff_client(world)
    enrol(staff.client, "/staff/account/two-step/")
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.STAFF)
    refused = csrf_post(staff.client, SETTINGS, {"requires": "admins"})
    assert refused.status_code == 422
    assert list(SignInPolicy.objects.values_list("requires", flat=True)) == ["staff"]


def test_staff_the_rule_covers_must_set_it_up_after_the_password(world):
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.STAFF)
    make_staff(world)
    client = Client(enforce_csrf_checks=True)
    signed = csrf_post(client, "/staff/signin/", {"email": "sam@seller.test", "password": PASSWORD})
    assert signed.status_code == 302
    for page in ("/staff/", "/staff/orders/", SETTINGS, "/staff/signin/code/"):
        assert client.get(page)["Location"] == "/staff/account/two-step/"
    required = client.get("/staff/account/two-step/")
    assert required.status_code == 200 and 'data-testid="required"' in required.content.decode()
    # Changing the rule is one of the things they cannot do.
    assert csrf_post(client, SETTINGS, {"requires": "nobody"}).status_code == 302
    assert queries.requirement(world.tenant.pk) == Requirement.STAFF

    secret, _ = enrol(client, "/staff/account/two-step/")
    assert client.get("/staff/orders/").status_code == 200
    # Now it cannot be turned off while the rule stands.
    refused = csrf_post(
        client, "/staff/account/two-step/", {"action": "off", "code": totp(secret, steps_ahead=1)}
    )
    assert refused.status_code == 422
    assert TOTPDevice.objects.filter(confirmed=True).count() == 1


def test_a_rule_for_staff_leaves_buyers_alone(world):
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.STAFF)
    buyer = buyer_signs_in(world)
    assert buyer.client.get("/catalogue/").status_code == 200


def test_a_rule_for_everyone_covers_buyers_within_a_minute(world):
    import time
    from unittest import mock

    buyer = buyer_signs_in(world)
    assert buyer.client.get("/catalogue/").status_code == 200
    services.set_requirement(tenant_id=world.tenant.pk, requires=Requirement.EVERYONE)
    # A signed-in person found clear is asked again a minute later, not on every page.
    assert buyer.client.get("/catalogue/").status_code == 200
    later = time.time() + 60
    with mock.patch("dinghuo.two_factor.middleware.time.time", return_value=later):
        assert buyer.client.get("/catalogue/")["Location"] == "/account/two-step/"
    assert buyer.client.get("/orders/")["Location"] == "/account/two-step/"
    enrol(buyer.client, "/account/two-step/")
    assert buyer.client.get("/catalogue/").status_code == 200


def test_another_tenants_rule_does_not_apply(world):
    from tests.builders import build_world

    other = build_world("other")
    services.set_requirement(tenant_id=other.tenant.pk, requires=Requirement.EVERYONE)
    staff = staff_client(world)
    assert staff.client.get("/staff/").status_code == 200
    assert queries.standing(staff.member.user.pk) == queries.Standing(False, None)


def test_a_switched_off_membership_does_not_make_a_buyer_the_rule_covers(world):
    from dinghuo.customers.models import CompanyUser
    from tests.builders import add_buyer, build_world

    other = build_world("other")
    services.set_requirement(tenant_id=other.tenant.pk, requires=Requirement.EVERYONE)
    member, _ = add_buyer(other, "ann@buyer.test", "buyer")
    user_id = member.user_id
    assert queries.standing(user_id) == queries.Standing(False, "buyer")

    # The seller switched her membership off: that seller's rule no longer covers her, and
    # she reaches her other seller's pages without being sent to set up two-step sign-in.
    CompanyUser.objects.filter(pk=member.pk).update(is_active=False)
    assert queries.standing(user_id) == queries.Standing(False, None)
    CompanyUser.objects.create(
        tenant=world.tenant, company=world.company, user_id=user_id, role="buyer"
    )
    client = Client()
    client.force_login(member.user)
    assert client.get("/catalogue/").status_code == 200
