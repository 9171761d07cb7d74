"""Staff sign in at /staff/signin/ with their email; buyers and strangers are kept out."""

from django.test import Client

from dinghuo.backoffice.models import StaffMember
from tests.backoffice.staffing import PASSWORD, csrf_post, make_staff, staff_client, texts
from tests.portal.ordering import sign_in as buyer_signs_in


def _sign_in(client: Client, email: str, password: str = PASSWORD, next_url: str = "") -> object:
    return csrf_post(
        client, "/staff/signin/", {"email": email, "password": password, "next": next_url}
    )


def test_staff_sign_in_with_their_email_in_any_case_and_land_on_the_dashboard(world):
    make_staff(world, "Sam@Seller.test")
    client = Client(enforce_csrf_checks=True)
    response = _sign_in(client, "sam@SELLER.test")
    assert response.status_code == 302
    assert response["Location"] == "/staff/"
    page = client.get("/staff/")
    assert page.status_code == 200
    assert "Sam Staff" in texts(page)
    assert world.tenant.name in texts(page)


def test_a_staff_user_named_otherwise_signs_in_with_the_email_of_their_account(world):
    # The demo's staff user is called "staff" and has an email address.
    member = make_staff(world, "staff")
    member.user.email = "ops@seller.test"
    member.user.save()
    client = Client(enforce_csrf_checks=True)
    assert _sign_in(client, "ops@seller.test").status_code == 302


def test_sign_in_goes_back_to_the_page_asked_for_but_never_off_the_back_office(world):
    make_staff(world)
    client = Client(enforce_csrf_checks=True)
    assert client.get("/staff/orders/")["Location"] == "/staff/signin/?next=/staff/orders/"
    assert _sign_in(client, "sam@seller.test", next_url="/staff/orders/")["Location"] == (
        "/staff/orders/"
    )
    other = Client(enforce_csrf_checks=True)
    assert _sign_in(other, "sam@seller.test", next_url="https://evil.example/")["Location"] == (
        "/staff/"
    )


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(world):
    make_staff(world)
    client = Client(enforce_csrf_checks=True)
    response = _sign_in(client, "sam@seller.test", "wrong")
    assert response.status_code == 200
    assert "The email or the password is not right." in texts(response)
    assert client.get("/staff/").status_code == 302


def test_a_buyer_cannot_sign_in_here_nor_open_a_staff_page(world):
    buyer = buyer_signs_in(world, "ann@buyer.test")
    buyer.member.user.set_password(PASSWORD)
    buyer.member.user.save()
    buyer.client.force_login(buyer.member.user)  # a new password ends older sessions
    client = Client(enforce_csrf_checks=True)
    response = _sign_in(client, "ann@buyer.test")
    assert response.status_code == 200
    assert "not staff of a seller here" in texts(response)
    # Signed in on the portal, the back office still refuses them.
    assert buyer.client.get("/staff/").status_code == 403
    assert buyer.client.get("/staff/orders/").status_code == 403


def test_staff_taken_off_the_back_office_are_refused_at_once(world):
    staff = staff_client(world)
    assert staff.client.get("/staff/").status_code == 200
    StaffMember.objects.filter(pk=staff.member.pk).update(is_active=False)
    assert staff.client.get("/staff/").status_code == 403
    fresh = Client(enforce_csrf_checks=True)
    assert "not staff of a seller here" in texts(_sign_in(fresh, "sam@seller.test"))


def test_too_many_failures_stop_password_checks(world, settings):
    settings.SIGN_IN_FAILURES_PER_EMAIL = 2
    make_staff(world)
    client = Client(enforce_csrf_checks=True)
    for _ in range(2):
        _sign_in(client, "sam@seller.test", "wrong")
    response = _sign_in(client, "sam@seller.test")  # the right password, too late
    assert response.status_code == 429
    assert client.get("/staff/").status_code == 302


def test_sign_in_needs_the_csrf_token_and_sign_out_is_post_only(world):
    make_staff(world)
    client = Client(enforce_csrf_checks=True)
    forged = client.post("/staff/signin/", {"email": "sam@seller.test", "password": PASSWORD})
    assert forged.status_code == 403
    assert _sign_in(client, "sam@seller.test").status_code == 302
    assert client.get("/staff/signout/").status_code == 405
    assert csrf_post(client, "/staff/signout/")["Location"] == "/staff/signin/"
    assert client.get("/staff/").status_code == 302
