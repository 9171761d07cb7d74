"""URL guessing on the pages: every route of the buyer portal and the back office that names an
object, called (GET and POST) with the owner's ids by a buyer of another company and by staff of
another tenant, answers "not found" (or refuses the method) and changes nothing. A new route
with an id the walk does not know fails the first test."""

import io
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from PIL import Image

from dinghuo.backoffice.models import StaffMember
from dinghuo.buying import services as buying
from dinghuo.customers.models import Company
from dinghuo.punchout import services as punchout
from tests.api.test_tenant_isolation import company_rows, tenant_rows
from tests.builders import add_buyer, build_world
from tests.integrations.support import webhook_with_a_delivery
from tests.purchasing.support import a_sent_po

# Ids the walk fills in, by URL parameter name. The portal's SKU ids name catalogue entries
# and the caller's own cart lines, not another company's objects (hidden SKUs are tested
# with the catalogue), so the portal walk leaves them out.
PORTAL_IDS = {
    "order_id", "member_id", "location_id", "list_id", "quote_id", "invoice_id", "credit_note_id",
    "return_id", "photo_id",
}  # fmt: skip
# A punchout start page's token is a one-time secret, not an object of a company.
PORTAL_OWN = {"sku_id", "token"}
BANK_STATEMENT = Path(__file__).parent / "billing" / "statements" / "camt053_001_02.xml"
STAFF_IDS = {
    "order_id", "shipment_id", "sku_id", "company_id", "price_list_id", "assignment_id",
    "promotion_id", "invoice_id", "credit_note_id", "statement_id", "line_id", "return_id",
    "photo_id", "run_id", "partner_id", "message_id", "connection_id", "webhook_id",
    "delivery_id", "product_id", "category_id", "warehouse_id", "location_id", "member_id",
    "staff_member_id", "count_id", "quote_id", "image_id", "po_id",
}  # fmt: skip


def routes(namespace: str) -> list[tuple[str, list[str]]]:
    """(route, its parameter names) of every pattern of one app's URLconf."""
    resolver = next(
        r
        for r in get_resolver().url_patterns
        if isinstance(r, URLResolver) and r.namespace == namespace
    )
    found = []
    for pattern in resolver.url_patterns:
        assert isinstance(pattern, URLPattern)
        route = str(pattern.pattern)
        names = list(pattern.pattern.regex.groupindex)
        found.append((route, names))
    return found


def fill(prefix: str, route: str, ids: dict[str, int]) -> str:
    path = route
    for name, value in ids.items():
        path = path.replace(f"<int:{name}>", str(value))
    return prefix + path


@pytest.fixture
def owner(world: Any, settings: Any, tmp_path: Path) -> dict[str, Any]:
    from datetime import UTC, datetime
    from decimal import Decimal

    from dinghuo.billing import services as billing
    from dinghuo.billing.models import Invoice
    from dinghuo.fulfilment.services import deliver_order, ship_order
    from dinghuo.orders.services import confirm_order
    from dinghuo.pricing import services as pricing
    from dinghuo.returns import services as returns

    t, c = world.tenant.pk, world.company.pk
    member, api = add_buyer(world, "olive@buyer.example", role="admin")
    order = api.post(
        "/my/orders",
        {"ship_to_id": world.ship_to.pk, "lines": [{"sku": "A-1", "quantity": 2}]},
        key="o",
    ).json()
    confirm_order(tenant_id=t, order_id=order["id"])
    shipment = ship_order(
        tenant_id=t, order_id=order["id"], carrier="SF", tracking_number="SF1", lines=None
    )
    invoice = Invoice.objects.get(shipment_id=shipment.pk)  # shipping issued it
    deliver_order(tenant_id=t, order_id=order["id"])
    settings.MEDIA_ROOT = tmp_path  # the return's photo
    photo = io.BytesIO()
    Image.new("RGB", (40, 30)).save(photo, "JPEG")
    returned = returns.request_return(
        tenant_id=t,
        order_id=order["id"],
        lines=[returns.LineAsked(1, 1, "damaged")],
        photos=[returns.Photo(photo.getvalue())],
    )
    note = billing.issue_credit_note(
        tenant_id=t, invoice_id=invoice.pk, reason="Damaged", amount=Decimal("1.00")
    )
    imported = billing.import_statement(tenant_id=t, content=BANK_STATEMENT.read_bytes())
    waiting = imported.statement.lines.filter(status="unmatched").first()
    assert waiting is not None
    listed = buying.create_requisition_list(
        tenant_id=t, company_id=c, owner_id=member.pk, name="L", lines=[buying.ListLine("A-1", 1)]
    )
    quote = buying.request_quote(
        tenant_id=t, company_id=c, lines=[buying.QuoteLineRequest("A-1", 5)]
    )
    promotion = pricing.create_promotion(
        tenant_id=t,
        code="owner-promo",
        name="Owner",
        kind="percent",
        value=Decimal(5),
        starts_at=datetime(2020, 1, 1, tzinfo=UTC),
        ends_at=datetime(2020, 2, 1, tzinfo=UTC),
        targets=pricing.PromotionTargets(
            category_ids=[], sku_ids=[world.skus["A-1"].pk], customer_group_ids=[]
        ),
    )
    assignment = pricing.assign_price_list(
        tenant_id=t, price_list_id=world.price_list.pk, company_id=c, priority=1
    )
    from dinghuo.stocktaking.services import start_count

    return {
        **webhook_with_a_delivery(world),
        "count_id": start_count(tenant_id=t, warehouse_code="main").pk,
        "return_id": returned.pk,
        "po_id": a_sent_po(world),
        "staff_member_id": _staff_member(world),
        "photo_id": returned.photos.get().pk,
        "image_id": _product_image(world),
        "order_id": order["id"],
        "member_id": member.pk,
        "location_id": world.ship_to.pk,
        "list_id": listed.pk,
        "quote_id": quote.pk,
        "shipment_id": shipment.pk,
        "sku_id": world.skus["A-1"].pk,
        "product_id": world.skus["A-1"].product_id,
        "category_id": world.skus["A-1"].product.category_id,
        "warehouse_id": world.warehouses[0].pk,
        "company_id": c,
        "price_list_id": world.price_list.pk,
        "assignment_id": assignment.pk,
        "promotion_id": promotion.pk,
        "invoice_id": invoice.pk,
        "credit_note_id": note.pk,
        "statement_id": imported.statement.pk,
        "line_id": waiting.pk,
        "run_id": _import_run(world.tenant.pk),
        **_edi(world),
        "connection_id": punchout.create_connection(
            tenant_id=t,
            company_id=c,
            name="Owner's suite",
            identities=punchout.Identities("networkid", "AN-OWNER", "duns", "SUP-OWNER"),
            company_user_id=member.pk,
        ).connection.pk,
    }


def _product_image(world: Any) -> int:
    """A picture of the owner's product A-1."""
    import io

    from PIL import Image

    from dinghuo.catalog import services as catalog

    out = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(out, "PNG")
    product_id = world.skus["A-1"].product_id
    return catalog.add_product_image(
        tenant_id=world.tenant.pk, product_id=product_id, content=out.getvalue()
    ).pk


def _staff_member(world: Any) -> int:
    """A staff member of the owner's tenant (the People page's rows)."""
    from tests.backoffice.staffing import make_staff

    return make_staff(world, "owen@seller.example", first="Owen").pk


def _import_run(tenant_id: int) -> int:
    """An import of the owner's, checked, so that applying it would change the catalogue."""
    from dinghuo.bulk import importing, services

    content = b"Product code,Product name (English),SKU code\r\nP-OWN,Owner's,S-OWN\r\n"
    run = services.start_import(
        tenant_id=tenant_id, kind="products", file_name="mine.csv", content=content
    )
    importing.run(run.pk)
    return run.pk


def _edi(world: Any) -> dict[str, int]:
    """The owner's EDI trading partner and an interchange it sent."""
    from dinghuo.edi.services import inbound
    from tests.edi.support import add_partner, fixture

    partner = add_partner(world)
    text = fixture("orders_basic.edi")
    received = inbound.receive_interchange(tenant_id=world.tenant.pk, text=text, source="api")
    return {"partner_id": partner.pk, "message_id": received.message.pk}


def test_the_walks_know_every_id_in_the_routes():
    for namespace, known in (("portal", PORTAL_IDS | PORTAL_OWN), ("backoffice", STAFF_IDS)):
        unknown = {name for _, names in routes(namespace) for name in names} - known
        assert not unknown, f"{namespace}: add these route ids to the walk: {unknown}"


def assert_refused(response: Any, method: str, path: str) -> None:
    """Not found, or the method refused before anything is looked up (a POST-only action)."""
    assert response.status_code in {404, 405}, f"{method} {path}: {response.status_code}"


def test_a_buyer_of_another_company_finds_nothing_of_the_owner(world, owner):
    neighbour = Company.objects.create(
        tenant=world.tenant, code="C999", name="Neighbour", price_list=world.price_list
    )
    nina, _ = add_buyer(world, "nina@neighbour.example", role="admin", company=neighbour)
    client = Client()
    client.force_login(nina.user)
    before = company_rows(world.company.pk)
    walked = 0
    for route, names in routes("portal"):
        if not names or set(names) & PORTAL_OWN:
            continue
        path = fill("/", route, owner)
        for method in ("GET", "POST"):
            response = client.get(path) if method == "GET" else client.post(path, {})
            assert_refused(response, method, path)
            walked += 1
    assert walked >= 20
    assert company_rows(world.company.pk) == before


def test_staff_of_another_tenant_find_nothing_of_the_owner(world, owner):
    other = build_world("initech")
    user = User.objects.create_user(username="ivan@initech.example", email="ivan@initech.example")
    StaffMember.objects.create(tenant=other.tenant, user=user)
    client = Client()
    client.force_login(user)
    before = tenant_rows(world.tenant.pk)
    walked = 0
    for route, names in routes("backoffice"):
        if not names:
            continue
        path = fill("/staff/", route, owner)
        for method in ("GET", "POST"):
            response = client.get(path) if method == "GET" else client.post(path, {})
            assert_refused(response, method, path)
            walked += 1
    assert walked >= 30
    assert tenant_rows(world.tenant.pk) == before


def test_the_owner_reaches_them(world, owner):
    """The control: the owner's buyer and staff do not get 404 on the same paths."""
    from tests.backoffice.staffing import make_staff

    buyer = Client()
    buyer.force_login(User.objects.get(username="olive@buyer.example"))
    for route, names in routes("portal"):
        if names and not set(names) & PORTAL_OWN:
            path = fill("/", route, owner)
            response = buyer.get(path)
            assert response.status_code != 404, path
    staff = Client()
    staff.force_login(make_staff(world).user)
    for route, names in routes("backoffice"):
        if names:
            path = fill("/staff/", route, owner)
            assert staff.get(path).status_code != 404, path
