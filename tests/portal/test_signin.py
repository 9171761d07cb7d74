"""Buyers sign in and out; pages know who the buyer is; the language choice is remembered."""

import re

import pytest
from django.contrib.auth.models import User
from django.http import HttpResponse
from django.test import Client
from django.urls import path

from dinghuo.config.urls import urlpatterns as site_urlpatterns
from dinghuo.portal.access import (
    Buyer,
    BuyerRequest,
    approver_required,
    buyer_of,
    buyer_required,
    company_admin_required,
)
from dinghuo.portal.signin import NOT_A_BUYER, TOO_MANY_ATTEMPTS, WRONG_CREDENTIALS
from tests.builders import World, add_buyer
from tests.catalogs import use_compiled_catalogs

PASSWORD = "a long and unusual passphrase"


@buyer_required
def _who(request: BuyerRequest) -> HttpResponse:
    buyer = request.buyer
    return HttpResponse(f"{buyer.name}|{buyer.company_name}|{buyer.role}|{buyer.company_id}")


@approver_required
def _approvers_only(request: BuyerRequest) -> HttpResponse:
    return HttpResponse("approver page")


@company_admin_required
def _admins_only(request: BuyerRequest) -> HttpResponse:
    return HttpResponse("admin page")


# The site's URLs and three pages behind each guard.
urlpatterns = [
    path("guarded/who/", _who),
    path("guarded/approvers/", _approvers_only),
    path("guarded/admins/", _admins_only),
    *site_urlpatterns,
]
pytestmark = pytest.mark.urls(__name__)


@pytest.fixture(scope="module", autouse=True)
def _catalogs() -> None:
    use_compiled_catalogs()


def _member(world: World, email: str = "ann@buyer-one.example", role: str = "buyer"):
    member, _ = add_buyer(world, email, role=role)
    member.user.first_name, member.user.last_name = "Ann", "Lee"
    member.user.set_password(PASSWORD)
    member.user.save()
    return member


def _sign_in(client: Client, email: str, password: str = PASSWORD, **extra: str):
    return client.post("/signin/", {"email": email, "password": password, **extra})


def _errors(response) -> list[str]:
    return re.findall(r'<ul class="form-errors"[^>]*>\s*<li>(.*?)</li>', response.content.decode())


# --- signing in --------------------------------------------------------------------------------


def test_the_sign_in_page_shows_a_form(client: Client) -> None:
    response = client.get("/signin/")
    assert response.status_code == 200
    body = response.content.decode()
    assert 'name="email"' in body and 'name="password"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_a_buyer_signs_in_with_email_in_any_case_and_lands_on_the_portal(
    client: Client, world: World
) -> None:
    member = _member(world)
    response = _sign_in(client, "ANN@Buyer-One.example")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert client.session["_auth_user_id"] == str(member.user.pk)
    assert client.get("/guarded/who/").content.decode() == (
        f"Ann Lee|Buyer One|buyer|{world.company.pk}"
    )


@pytest.mark.parametrize(
    ("email", "password"),
    [("ann@buyer-one.example", "wrong password"), ("nobody@buyer-one.example", PASSWORD)],
)
def test_a_wrong_password_and_an_unknown_email_get_the_same_answer(
    client: Client, world: World, email: str, password: str
) -> None:
    _member(world)
    response = _sign_in(client, email, password)
    assert response.status_code == 200
    assert _errors(response) == [str(WRONG_CREDENTIALS)]
    assert "_auth_user_id" not in client.session
    assert f'value="{email}"' in response.content.decode()  # the email is kept, not the password
    assert password not in response.content.decode()


def test_an_empty_form_gets_messages_next_to_the_fields(client: Client, db: None) -> None:
    response = client.post("/signin/", {"email": "not an email", "password": ""})
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('class="field-error"') == 2
    assert "Enter a valid email address." in body
    assert "This field is required." in body


def test_a_person_who_is_not_a_buyer_cannot_sign_in_here(client: Client, db: None) -> None:
    User.objects.create_user("staff@seller.example", "staff@seller.example", PASSWORD)
    response = _sign_in(client, "staff@seller.example")
    assert response.status_code == 200
    assert _errors(response) == [str(NOT_A_BUYER)]
    assert "_auth_user_id" not in client.session


def test_a_buyer_of_an_inactive_company_cannot_sign_in(client: Client, world: World) -> None:
    _member(world)
    world.company.is_active = False
    world.company.save()
    response = _sign_in(client, "ann@buyer-one.example")
    assert _errors(response) == [str(NOT_A_BUYER)]
    assert "_auth_user_id" not in client.session


def test_a_deactivated_user_cannot_sign_in(client: Client, world: World) -> None:
    member = _member(world)
    member.user.is_active = False
    member.user.save()
    assert _errors(_sign_in(client, "ann@buyer-one.example")) == [str(WRONG_CREDENTIALS)]


@pytest.mark.parametrize(
    ("wanted", "lands_on"),
    [
        ("/orders/?status=placed", "/orders/?status=placed"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/steal", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("", "/"),
    ],
)
def test_after_signing_in_only_a_next_url_on_this_site_is_followed(
    client: Client, world: World, wanted: str, lands_on: str
) -> None:
    _member(world)
    response = _sign_in(client, "ann@buyer-one.example", next=wanted)
    assert response.status_code == 302
    assert response["Location"] == lands_on


def test_repeated_failures_lock_the_email_for_a_while_but_not_other_people(
    client: Client, world: World, settings
) -> None:
    settings.SIGN_IN_FAILURES_PER_EMAIL = 3
    _member(world)
    _member(world, "bob@buyer-one.example")
    for _ in range(3):
        assert _errors(_sign_in(client, "ann@buyer-one.example", "guess")) == [
            str(WRONG_CREDENTIALS)
        ]
    # Now even the right password is not checked for this email…
    locked = _sign_in(client, "Ann@buyer-one.example")
    assert locked.status_code == 429
    assert _errors(locked) == [str(TOO_MANY_ATTEMPTS)]
    assert "_auth_user_id" not in client.session
    # …while another person signs in as usual.
    assert _sign_in(client, "bob@buyer-one.example").status_code == 302


def test_many_failures_from_one_address_stop_it_guessing(
    client: Client, world: World, settings
) -> None:
    settings.SIGN_IN_FAILURES_PER_ADDRESS = 2
    _member(world)
    _sign_in(client, "x1@buyer-one.example", "guess")
    _sign_in(client, "x2@buyer-one.example", "guess")
    assert _sign_in(client, "ann@buyer-one.example").status_code == 429


# --- CSRF and signing out ----------------------------------------------------------------------


def test_sign_in_refuses_a_post_without_the_csrf_token(world: World) -> None:
    _member(world)
    client = Client(enforce_csrf_checks=True)
    assert _sign_in(client, "ann@buyer-one.example").status_code == 403
    client.get("/signin/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = _sign_in(client, "ann@buyer-one.example", csrfmiddlewaretoken=token)
    assert response.status_code == 302


def test_sign_out_is_a_post_with_the_csrf_token(world: World) -> None:
    member = _member(world)
    client = Client(enforce_csrf_checks=True)
    client.force_login(member.user)
    assert client.get("/signout/").status_code == 405
    assert client.post("/signout/").status_code == 403
    assert client.get("/guarded/who/").status_code == 200  # still signed in
    client.get("/signin/")
    response = client.post("/signout/", {"csrfmiddlewaretoken": client.cookies["csrftoken"].value})
    assert response.status_code == 302
    assert response["Location"] == "/signin/"
    assert client.get("/guarded/who/").status_code == 302


# --- who may see a page ------------------------------------------------------------------------


def test_an_anonymous_visitor_is_sent_to_sign_in_and_back(client: Client, db: None) -> None:
    response = client.get("/guarded/who/?x=1")
    assert response.status_code == 302
    assert response["Location"] == "/signin/?next=/guarded/who/%3Fx%3D1"


def test_a_signed_in_person_who_is_not_a_buyer_is_refused(client: Client, db: None) -> None:
    staff = User.objects.create_user("staff@seller.example", is_staff=True)
    client.force_login(staff)
    assert client.get("/guarded/who/").status_code == 403


def test_a_buyer_whose_company_was_deactivated_is_refused_at_once(
    client: Client, world: World
) -> None:
    member = _member(world)
    client.force_login(member.user)
    assert client.get("/guarded/who/").status_code == 200
    world.company.is_active = False
    world.company.save()
    assert client.get("/guarded/who/").status_code == 403


@pytest.mark.parametrize(
    ("role", "approvers", "admins"),
    [("buyer", 403, 403), ("approver", 200, 403), ("admin", 200, 200)],
)
def test_role_pages_admit_only_their_roles(
    client: Client, world: World, role: str, approvers: int, admins: int
) -> None:
    client.force_login(_member(world, role=role).user)
    assert client.get("/guarded/approvers/").status_code == approvers
    assert client.get("/guarded/admins/").status_code == admins


def test_the_buyer_is_read_in_one_query(world: World, django_assert_num_queries) -> None:
    member = _member(world, role="approver")
    with django_assert_num_queries(1):
        buyer = buyer_of(member.user.pk)
    assert buyer == Buyer(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        company_user_id=member.pk,
        role="approver",
        name="Ann Lee",
        company_name="Buyer One",
        seller_name=world.tenant.name,
        languages=("en", "zh-hant", "zh-hans"),
    )
    assert buyer.is_approver and not buyer.is_company_admin


def test_a_buyer_without_a_name_is_shown_by_email(world: World) -> None:
    member = _member(world)
    member.user.first_name = member.user.last_name = ""
    member.user.save()
    buyer = buyer_of(member.user.pk)
    assert buyer is not None and buyer.name == "ann@buyer-one.example"


def test_a_buyer_is_never_one_of_another_tenant(world: World, other_world: World) -> None:
    member = _member(other_world, "ann@globex.example")
    buyer = buyer_of(member.user.pk)
    assert buyer is not None
    assert (buyer.tenant_id, buyer.company_id) == (other_world.tenant.pk, other_world.company.pk)


def test_the_layout_names_the_buyer_and_their_company(client: Client, world: World) -> None:
    member = _member(world)
    client.force_login(member.user)
    body = client.get("/signin/").content.decode()  # no buyer on an unguarded page
    assert 'data-testid="who"' not in body
    # Any guarded page of the portal shows them (the catalogue is the first page).
    body = client.get("/catalogue/").content.decode()
    assert re.search(r'data-testid="who">\s*<span class="who__name">Ann Lee</span>', body)
    assert '<span class="who__company">Buyer One</span>' in body


# --- languages -----------------------------------------------------------------------------------


def test_the_language_switch_is_remembered_in_a_cookie_and_on_the_session(
    client: Client, db: None
) -> None:
    response = client.post("/i18n/language/", {"language": "zh-hant", "next": "/signin/"})
    assert response.status_code == 302
    assert response["Location"] == "/signin/"
    assert client.cookies["django_language"].value == "zh-hant"
    assert client.session["language"] == "zh-hant"
    body = client.get("/signin/").content.decode()
    assert '<html lang="zh-hant">' in body
    assert "<h1>登入</h1>" in body
    assert client.get("/signin/").content.decode().count("電郵") >= 1

    client.post("/i18n/language/", {"language": "zh-hans", "next": "/signin/"})
    body = client.get("/signin/").content.decode()
    assert '<html lang="zh-hans">' in body and "<h1>登录</h1>" in body


def test_an_unknown_language_or_an_outside_next_changes_nothing_harmful(
    client: Client, db: None
) -> None:
    response = client.post("/i18n/language/", {"language": "xx", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert "django_language" not in client.cookies
    assert '<html lang="en">' in client.get("/signin/").content.decode()


def test_the_language_switch_needs_the_csrf_token(db: None) -> None:
    client = Client(enforce_csrf_checks=True)
    assert client.post("/i18n/language/", {"language": "zh-hant"}).status_code == 403
    assert client.get("/i18n/language/").status_code == 405


def test_the_language_survives_signing_in_and_out(client: Client, world: World) -> None:
    _member(world)
    client.post("/i18n/language/", {"language": "zh-hans", "next": "/signin/"})
    _sign_in(client, "ann@buyer-one.example")
    client.post("/signout/")
    assert "<h1>登录</h1>" in client.get("/signin/").content.decode()


def test_the_browser_language_is_used_until_one_is_chosen(client: Client, db: None) -> None:
    body = client.get("/signin/", headers={"accept-language": "zh-TW,zh;q=0.9"}).content.decode()
    assert '<html lang="zh-hant">' in body
