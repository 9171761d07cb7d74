"""A suspended tenant is refused at every door, and nothing of it changes: the Django admin,
PunchOut (setup request, start page, order request, sending the cart back), the EDI inbox,
the portal, the back office and the API. Reactivating opens them again."""

from urllib.parse import urlsplit

import pytest
from defusedxml.ElementTree import fromstring
from django.test import Client

from dinghuo.core.models import Tenant
from dinghuo.core.services import set_tenant_status
from dinghuo.edi import jobs
from dinghuo.edi.models import EdiMessage
from dinghuo.orders.models import Order
from dinghuo.punchout.models import Session
from tests.backoffice.staffing import PASSWORD, csrf_post, make_staff
from tests.builders import World, add_buyer
from tests.edi.support import add_partner, fixture
from tests.punchout.documents import connect, item_out, order_request, post, setup_request, status

pytestmark = pytest.mark.django_db

SUSPENDED_WORDS = "The supplier's account is suspended by the platform's operator"


def _suspend(world: World) -> None:
    set_tenant_status(tenant_id=world.tenant.pk, status=Tenant.Status.SUSPENDED)


def _reactivate(world: World) -> None:
    set_tenant_status(tenant_id=world.tenant.pk, status=Tenant.Status.ACTIVE)


def test_the_admin_refuses_a_suspended_tenants_staff_even_marked_is_staff(world: World) -> None:
    member = make_staff(world)
    member.user.is_staff = True
    member.user.save()
    _suspend(world)
    client = Client(enforce_csrf_checks=True)

    refused = csrf_post(client, "/admin/login/", {"email": member.user.email, "password": PASSWORD})

    assert refused.status_code == 200
    assert "This account may not use the master data pages." in refused.content.decode()
    assert "_auth_user_id" not in client.session
    signed_in = Client()
    signed_in.force_login(member.user)
    assert signed_in.get("/admin/")["Location"].startswith("/admin/login/")


def test_a_punchout_setup_request_of_a_suspended_supplier_is_refused(world: World) -> None:
    suite = connect(world)
    _suspend(world)

    code, text = status(post(Client(), "/punchout/cxml/setup", setup_request(suite)))

    assert code == 403 and text.startswith(SUSPENDED_WORDS)
    assert not Session.objects.exists()
    _reactivate(world)
    assert status(post(Client(), "/punchout/cxml/setup", setup_request(suite)))[0] == 200


def test_a_start_page_opened_after_the_suspension_signs_nobody_in(world: World) -> None:
    suite = connect(world)
    answer = post(Client(), "/punchout/cxml/setup", setup_request(suite))
    url = fromstring(answer.content).find("Response/PunchOutSetupResponse/StartPage/URL").text
    _suspend(world)
    browser = Client()

    page = browser.get(urlsplit(url).path)

    assert page.status_code == 403
    assert b'data-testid="tenant-suspended"' in page.content
    assert "_auth_user_id" not in browser.session
    assert Session.objects.get().opened_at is None  # still unused: nothing changed
    _reactivate(world)
    assert browser.get(urlsplit(url).path).status_code == 302


def test_a_punchout_order_request_of_a_suspended_supplier_places_nothing(world: World) -> None:
    suite = connect(world)
    _suspend(world)

    code, text = status(
        post(Client(), "/punchout/cxml/order", order_request(suite, item_out("A-1", 1)))
    )

    assert code == 403 and text.startswith(SUSPENDED_WORDS)
    assert not Order.objects.exists()


def test_the_cart_cannot_be_sent_back_once_the_supplier_is_suspended(world: World) -> None:
    suite = connect(world)
    answer = post(Client(), "/punchout/cxml/setup", setup_request(suite))
    url = fromstring(answer.content).find("Response/PunchOutSetupResponse/StartPage/URL").text
    browser = Client(enforce_csrf_checks=True)
    assert browser.get(urlsplit(url).path).status_code == 302
    _suspend(world)

    sent = csrf_post(browser, "/punchout/transfer/")

    assert sent.status_code == 403
    assert b'data-testid="tenant-suspended"' in sent.content
    assert Session.objects.get().ended_at is None


def test_a_suspended_sellers_edi_inbox_is_held_until_reactivation(
    world: World, settings, tmp_path, caplog
) -> None:
    settings.DINGHUO_EDI_ROOT = tmp_path
    add_partner(world)
    inbox = tmp_path / "acme" / "inbox"
    inbox.mkdir(parents=True)
    (inbox / "a.edi").write_text(fixture("orders_basic.edi"), encoding="latin-1")
    _suspend(world)

    assert jobs.read_inboxes() == 0

    assert [p.name for p in inbox.iterdir() if p.is_file()] == ["a.edi"]
    assert not EdiMessage.objects.exists() and not Order.objects.exists()
    assert "EDI inbox of acme held: the seller is suspended" in caplog.text
    _reactivate(world)
    assert jobs.read_inboxes() == 1
    assert Order.objects.filter(purchase_order_number="PO-4711").count() == 1


def test_the_portal_the_back_office_and_the_api_refuse_a_suspended_tenant(world: World) -> None:
    buyer = Client()
    buyer.force_login(add_buyer(world, "kim@buyer.test")[0].user)
    staff = Client()
    staff.force_login(make_staff(world).user)
    _suspend(world)

    for client, path in ((buyer, "/catalogue/"), (staff, "/staff/orders/")):
        page = client.get(path)
        assert page.status_code == 403, path
        assert b'data-testid="tenant-suspended"' in page.content
    refused = world.client().get("/orders")
    assert refused.status_code == 403 and refused.json()["code"] == "tenant_suspended"
