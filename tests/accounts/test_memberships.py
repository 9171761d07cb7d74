"""One address buys from several sellers: a membership each, one password, a seller chosen
after signing in and switched in the header; nothing tells one seller of another."""

from django.contrib.auth.models import User
from django.test import Client

from dinghuo.customers.models import CompanyUser
from tests.accounts.support import PASSWORD, link_in, only_mail_to, post, run_worker, text_of
from tests.builders import add_buyer


def test_an_invitation_to_an_existing_account_adds_a_membership(
    world, other_world, inbox, django_capture_on_commit_callbacks
):
    mei = User.objects.create_user(username="mei@buyer.test", email="mei@buyer.test",
                                   password=PASSWORD, first_name="Mei")  # fmt: skip
    CompanyUser.objects.create(tenant=other_world.tenant, company=other_world.company, user=mei)
    fresh = world.client().post(
        f"/companies/{world.company.pk}/users", {"email": "nobody@buyer.test", "name": "N"}
    )

    with django_capture_on_commit_callbacks(execute=True):
        r = world.client().post(
            f"/companies/{world.company.pk}/users", {"email": "MEI@buyer.test", "name": "M"}
        )

    assert r.status_code == 201
    # The same answer as for an address nobody has: no password here yet.
    assert set(r.json()) == set(fresh.json())
    assert r.json()["has_password"] is fresh.json()["has_password"] is False
    assert User.objects.filter(email__iexact="mei@buyer.test").count() == 1
    run_worker()
    mail = only_mail_to(inbox, "mei@buyer.test")
    assert "sign in with the password you already use" in text_of(mail)
    link = link_in(mail)
    client = Client(enforce_csrf_checks=True)
    before = User.objects.get(pk=mei.pk).password

    wrong = post(client, link, {"password": "not-" + PASSWORD})
    assert wrong.status_code == 200 and "The password is not right." in wrong.content.decode()
    r = post(client, link, {"password": PASSWORD})

    assert r.status_code == 302
    assert User.objects.get(pk=mei.pk).password == before
    html = client.get("/catalogue/").content.decode()
    assert "Acme Wholesale · switch seller" in html


def test_a_person_of_two_sellers_chooses_one_after_signing_in(world, other_world):
    member, _ = add_buyer(world, "mei@buyer.test")
    member.user.set_password(PASSWORD)
    member.user.save()
    CompanyUser.objects.create(
        tenant=other_world.tenant, company=other_world.company, user=member.user
    )
    client = Client()
    r = client.post("/signin/", {"email": "mei@buyer.test", "password": PASSWORD})
    assert r.status_code == 302

    r = client.get("/catalogue/")
    assert r.status_code == 302 and r["Location"].startswith("/seller/?next=/catalogue/")
    page = client.get("/seller/").content.decode()
    assert "Acme Wholesale, for Buyer One" in page and "Globex Wholesale" in page

    r = client.post("/seller/", {"seller": other_world.tenant.pk, "next": "/catalogue/"})
    assert r.status_code == 302 and r["Location"] == "/catalogue/"
    html = client.get("/catalogue/").content.decode()
    assert "Globex Wholesale · switch seller" in html
    r = client.post("/seller/", {"seller": world.tenant.pk})
    assert "Acme Wholesale · switch seller" in client.get("/catalogue/").content.decode()


def test_a_seller_that_is_not_theirs_cannot_be_chosen(world, other_world):
    member, _ = add_buyer(world, "mei@buyer.test")
    CompanyUser.objects.create(
        tenant=other_world.tenant, company=other_world.company, user=member.user
    )
    stranger = build_third()
    client = Client()
    client.force_login(member.user)

    client.post("/seller/", {"seller": stranger.pk})

    assert client.get("/catalogue/").status_code == 302  # still asked to choose


def build_third():
    from tests.builders import build_world

    return build_world("initech").tenant


def test_adding_a_buyer_of_another_company_here_is_refused(world):
    from tests.portal.ordering import second_company

    add_buyer(world, "mei@buyer.test", company=second_company(world))
    count = CompanyUser.objects.count()

    r = world.client().post(
        f"/companies/{world.company.pk}/users", {"email": "mei@buyer.test", "name": "M"}
    )

    assert r.status_code == 409
    assert r.headers["Content-Type"] == "application/problem+json"
    assert r.json()["code"] == "member_of_another_company"
    assert CompanyUser.objects.count() == count
