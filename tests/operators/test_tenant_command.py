"""`dinghuo tenant create` makes a seller that works end to end; list, suspend, reactivate."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from dinghuo.backoffice.models import StaffMember
from dinghuo.core.models import Seller, Tenant
from dinghuo.inventory.models import Warehouse
from dinghuo.orders.models import Order
from dinghuo.pricing.models import PriceList
from tests.accounts.support import link_in, only_mail_to, run_worker, text_of
from tests.builders import ApiClient
from tests.operators.support import OWNER, create_by_command, first_trade, owner_link

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a long harbour password 88"


def test_the_command_sets_up_a_seller_ready_to_take_orders() -> None:
    tenant, printed = create_by_command()

    assert (tenant.name, tenant.status, tenant.languages, tenant.time_zone) == (
        "Harbour Trading",
        "active",
        "en,zh-hant",
        "Asia/Hong_Kong",
    )
    seller = Seller.objects.get(tenant=tenant)
    assert (seller.is_primary, seller.base_currency) == (True, "HKD")
    assert list(Warehouse.objects.filter(tenant=tenant).values_list("code", flat=True)) == ["main"]
    assert list(PriceList.objects.filter(tenant=tenant).values_list("code", "currency")) == [
        ("standard", "HKD")
    ]
    member = StaffMember.objects.get(tenant=tenant)
    assert member.user.email == OWNER and not member.user.has_usable_password()
    assert "/operator/welcome/" in printed

    key, body = first_trade(tenant)
    placed = ApiClient(key).place(body)
    assert placed.status_code == 201, placed.json()
    assert placed.json()["currency"] == "HKD"
    assert Order.objects.filter(tenant=tenant).count() == 1


def test_the_owner_sets_a_password_once_and_signs_in_to_the_back_office() -> None:
    _tenant, printed = create_by_command()
    link = owner_link(printed)
    browser = Client()

    form = browser.get(link, follow=True)
    assert form.status_code == 200 and b'data-testid="save-password"' in form.content
    saved = browser.post(
        form.redirect_chain[-1][0],
        {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert saved.status_code == 302 and saved["Location"] == "/staff/signin/"

    signed_in = Client().post("/staff/signin/", {"email": OWNER, "password": NEW_PASSWORD})
    assert signed_in.status_code == 302 and signed_in["Location"] == "/staff/"
    again = Client().get(link, follow=True)
    assert b'data-testid="link-used"' in again.content


def test_without_print_link_the_worker_mails_the_owner_an_invitation(
    inbox, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        _tenant, printed = create_by_command(print_link=False)
    assert "/operator/welcome/" not in printed
    assert f"The worker mails {OWNER} an invitation" in printed
    assert inbox.received == []  # the worker sends it, not the command

    run_worker()

    mail = only_mail_to(inbox, OWNER)
    assert mail["Content-Language"] == "en"  # the tenant's first language
    assert "You are invited to work in the back office of Harbour Trading." in text_of(mail)
    link = link_in(mail)
    assert link.startswith("/account/invitation/harbour/")
    browser = Client()
    assert b'name="name"' in browser.get(link).content  # only the address was given
    body = {"name": "Ka Ming Lau", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    accepted = browser.post(link, body)
    assert accepted.status_code == 302 and accepted["Location"] == "/staff/"
    assert "Ka Ming Lau" in browser.get("/staff/").content.decode()


def test_a_refused_creation_mails_nobody(inbox, django_capture_on_commit_callbacks) -> None:
    create_by_command()
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CommandError):
        create_by_command(owner="other@harbour.test", print_link=False)  # the slug is taken
    run_worker()
    assert inbox.received == []


def test_a_taken_slug_or_a_bad_currency_creates_nothing() -> None:
    create_by_command()
    before = (Tenant.objects.count(), Seller.objects.count(), Warehouse.objects.count())

    with pytest.raises(CommandError, match="taken"):
        create_by_command(owner="other@harbour.test")
    with pytest.raises(CommandError, match="base_currency"):
        call_command(
            "tenant", "create", "--name", "X", "--slug", "x-co", "--currency", "XYZ",
            "--owner-email", "x@x.test", stdout=io.StringIO(),
        )  # fmt: skip

    assert (Tenant.objects.count(), Seller.objects.count(), Warehouse.objects.count()) == before


def test_suspend_refuses_the_key_and_reactivate_restores_it() -> None:
    tenant, _printed = create_by_command()
    key, body = first_trade(tenant)
    client = ApiClient(key)

    call_command("tenant", "suspend", "harbour", stdout=io.StringIO())
    refused = client.place(body, key="k-suspended")
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "tenant_suspended"
    assert client.get("/orders").json()["code"] == "tenant_suspended"
    assert Order.objects.filter(tenant=tenant).count() == 0

    call_command("tenant", "reactivate", "harbour", stdout=io.StringIO())
    assert client.place(body, key="k-again").status_code == 201


def test_list_shows_each_tenant_with_its_size() -> None:
    tenant, _printed = create_by_command()
    key, body = first_trade(tenant)
    ApiClient(key).place(body)
    out = io.StringIO()

    call_command("tenant", "list", stdout=out)

    line = next(row for row in out.getvalue().splitlines() if row.startswith("harbour"))
    assert line.split()[:9] == [
        "harbour", "active", "orders", "1", "products", "1", "companies", "1", "users",
    ]  # fmt: skip
