"""Tax on placed orders: the rate of each line by tax category and destination on the order's
date, prices with or without tax, the seller's rounding rule, exemptions, frozen on the order
and shown in its answer; credit and approvals judge the gross."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.catalog import services as catalog
from dinghuo.catalog.models import Product, TaxCategory
from dinghuo.core import clock
from dinghuo.customers import services as customers
from dinghuo.customers.models import CreditLine, Location
from dinghuo.integrations.models import Event
from dinghuo.orders.line_checks import LineRequest
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.services import place_order
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import PriceList, TaxRate
from dinghuo.pricing.tax import Rounding
from tests.builders import World

D = Decimal
TODAY = clock.now().date()


def _ship_to(world: World, country: str, region: str = "") -> Location:
    return customers.create_location(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        kind="ship_to",
        name=f"Dock {country}",
        line1="1 Road",
        city="City",
        country=country,
        region=region,
    )


def _rate(
    world: World,
    country: str,
    percent: str,
    *,
    category: TaxCategory | None = None,
    region: str = "",
    name: str = "GST",
    valid_from: date | None = None,
    valid_until: date | None = None,
) -> TaxRate:
    return pricing.create_tax_rate(
        tenant_id=world.tenant.pk,
        category_id=category.pk if category else None,
        country=country,
        region=region,
        name={"en": name, "zh-hant": f"{name}稅"},
        percent=D(percent),
        valid_from=valid_from or date(2020, 1, 1),
        valid_until=valid_until,
    )


def _place(world: World, ship_to: Location, *lines: tuple[str, int]) -> Order:
    return place_order(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        ship_to_id=ship_to.pk,
        lines=[LineRequest(sku, qty) for sku, qty in lines],
    )


def _line(order: Order) -> OrderLine:
    return OrderLine.objects.get(order=order)


@pytest.fixture
def reduced(world: World) -> TaxCategory:
    """A reduced-rate category for the product of C-3; the others have none."""
    category = catalog.create_tax_category(
        tenant_id=world.tenant.pk, code="reduced", name={"en": "Reduced", "zh-hant": "優惠稅率"}
    )
    Product.objects.filter(code="P-C-3").update(tax_category=category)
    return category


def test_singapore_pays_gst_on_each_line_frozen_with_the_rate(world, reduced):
    gst = _rate(world, "SG", "9")
    reduced_gst = _rate(world, "SG", "5", category=reduced, name="Reduced GST")
    sg = _ship_to(world, "SG")

    order = _place(world, sg, ("A-1", 3), ("C-3", 7))

    # 3 × 10.00 = 30.00, 9% = 2.70. C-3: 7 × 0.3333 = 2.3331 → 2.33, 5% = 0.1165 → 0.12.
    lines = list(OrderLine.objects.filter(order=order).order_by("line_number"))
    assert [(ln.tax_rate_id, ln.tax_percent) for ln in lines] == [
        (gst.pk, D(9)),
        (reduced_gst.pk, D(5)),
    ]
    assert [(ln.net_amount, ln.tax_amount, ln.gross_amount) for ln in lines] == [
        (D("30.00"), D("2.70"), D("32.70")),
        (D("2.33"), D("0.12"), D("2.45")),
    ]
    order.refresh_from_db()
    assert (order.subtotal, order.tax_total, order.total) == (D("32.33"), D("2.82"), D("35.15"))
    # The company's credit holds what it owes: the gross.
    assert order.credit_reserved == D("35.15")
    assert CreditLine.objects.get(company=world.company).order_exposure == D("35.15")


def test_hong_kong_has_no_rate_so_no_tax(world, reduced):
    _rate(world, "SG", "9")
    order = _place(world, world.ship_to, ("A-1", 3))  # the world's ship-to is in HK
    order.refresh_from_db()
    assert (order.subtotal, order.tax_total, order.total) == (D("30.00"), D(0), D("30.00"))
    line = OrderLine.objects.get(order=order)
    assert (line.tax_rate_id, line.tax_percent, line.tax_amount) == (None, D(0), D(0))
    assert line.net_amount == line.gross_amount == line.line_total == D("30.00")


def test_a_regions_rate_before_the_countrys(world):
    _rate(world, "CN", "13", name="VAT")
    guangdong = _rate(world, "CN", "9", region="GD", name="VAT")
    shenzhen = _ship_to(world, "CN", "GD")
    beijing = _ship_to(world, "CN", "BJ")

    assert _line(_place(world, shenzhen, ("A-1", 1))).tax_rate_id == guangdong.pk
    assert _line(_place(world, beijing, ("A-1", 1))).tax_percent == D(13)


def test_validity_dates_are_inclusive_on_the_order_date(world):
    _rate(world, "SG", "8", valid_until=TODAY - timedelta(days=1))
    _rate(world, "SG", "9", valid_from=TODAY)
    assert _line(_place(world, _ship_to(world, "SG"), ("A-1", 1))).tax_percent == D(9)
    TaxRate.objects.filter(percent=9).update(valid_from=TODAY + timedelta(days=1))
    second = _ship_to(world, "SG")
    line = _line(_place(world, second, ("A-1", 1)))
    assert (line.tax_rate_id, line.tax_amount) == (None, D(0))  # no rate valid today


def test_prices_that_include_tax_keep_the_gross(world):
    PriceList.objects.filter(pk=world.price_list.pk).update(prices_include_tax=True)
    _rate(world, "TW", "5", name="Business tax")
    order = _place(world, _ship_to(world, "TW"), ("A-1", 21))
    # 21 × 9.00 = 189.00 includes 5%: 189 × 5/105 = 9.00.
    line = _line(order)
    assert (line.line_total, line.net_amount, line.tax_amount, line.gross_amount) == (
        D("189.00"),
        D("180.00"),
        D("9.00"),
        D("189.00"),
    )
    order.refresh_from_db()
    assert (order.subtotal, order.tax_total, order.total, order.prices_include_tax) == (
        D("180.00"),
        D("9.00"),
        D("189.00"),
        True,
    )


def test_rounding_per_document_is_the_sellers_choice(world):
    _rate(world, "SG", "5")
    sg = _ship_to(world, "SG")
    pricing.set_tax_policy(tenant_id=world.tenant.pk, rounding=Rounding.LINE)
    per_line = _place(world, sg, ("C-3", 3), ("A-1", 1))
    pricing.set_tax_policy(tenant_id=world.tenant.pk, rounding=Rounding.DOCUMENT)
    per_document = _place(world, sg, ("C-3", 1), ("B-2", 6))
    # Per line: 1.00 → 0.05, 10.00 → 0.50. Per document: 0.33 + 15.00 = 15.33 → 0.7665 → 0.77;
    # the shares 0.0165 and 0.75 round down to 0.01 and 0.75, and the unit left goes to the
    # larger remainder (0.0065 against 0): 0.02 and 0.75.
    per_line.refresh_from_db()
    per_document.refresh_from_db()
    assert (per_line.tax_total, per_line.tax_rounding) == (D("0.55"), "line")
    assert (per_document.tax_total, per_document.tax_rounding) == (D("0.77"), "document")
    taxes = list(per_document.lines.order_by("line_number").values_list("tax_amount", flat=True))
    assert taxes == [D("0.02"), D("0.75")]
    assert sum(taxes) == per_document.tax_total


def test_an_exempt_company_pays_no_tax_while_its_certificate_is_valid(world):
    _rate(world, "SG", "9")
    sg = _ship_to(world, "SG")
    customers.set_tax_exemption(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        certificate="EX-42",
        expires_on=TODAY,
    )
    exempt = _place(world, sg, ("A-1", 1))
    exempt.refresh_from_db()
    assert (exempt.tax_total, exempt.total, exempt.tax_exemption_certificate) == (
        D(0),
        D("10.00"),
        "EX-42",
    )
    assert _line(exempt).tax_rate_id is None

    customers.set_tax_exemption(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        certificate="EX-42",
        expires_on=TODAY - timedelta(days=1),
    )
    expired = _place(world, sg, ("A-1", 1))
    expired.refresh_from_db()
    assert (expired.tax_total, expired.total, expired.tax_exemption_certificate) == (
        D("0.90"),
        D("10.90"),
        "",
    )


def test_the_answer_and_the_event_carry_the_tax(world, reduced):
    _rate(world, "SG", "9")
    sg = _ship_to(world, "SG")
    r = world.client().place({**world.order_body(("A-1", 3)), "ship_to_id": sg.pk})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert {k: body[k] for k in ("subtotal", "net_total", "tax_total", "gross_total", "total")} == {
        "subtotal": "30.00",
        "net_total": "30.00",
        "tax_total": "2.70",
        "gross_total": "32.70",
        "total": "32.70",
    }
    assert (
        body["prices_include_tax"],
        body["tax_rounding"],
        body["tax_exemption_certificate"],
    ) == (
        False,
        "line",
        "",
    )
    assert body["tax_summary"] == [
        {"tax_percent": "9", "net_amount": "30.00", "tax_amount": "2.70", "gross_amount": "32.70"}
    ]
    [line] = body["lines"]
    assert {k: line[k] for k in ("tax_name", "tax_percent", "net_amount", "tax_amount")} == {
        "tax_name": "GST",
        "tax_percent": "9",
        "net_amount": "30.00",
        "tax_amount": "2.70",
    }
    assert world.client().get(f"/orders/{body['id']}").json() == body
    placed = Event.objects.get(type="order.placed", aggregate_id=body["id"]).payload
    assert (placed["subtotal"], placed["tax_total"], placed["total"]) == ("30.00", "2.70", "32.70")
    assert (placed["lines"][0]["tax_percent"], placed["lines"][0]["tax_amount"]) == ("9", "2.70")


def test_placing_with_tax_costs_no_statement_more(world, reduced):
    """The rates come with the SKUs and the rounding rule with the parties: fourteen
    statements for `place_order`, with or without tax, whatever the number of lines."""
    _rate(world, "SG", "9")
    _rate(world, "SG", "5", category=reduced)
    pricing.set_tax_policy(tenant_id=world.tenant.pk, rounding=Rounding.DOCUMENT)
    sg = _ship_to(world, "SG")
    _place(world, sg, ("A-1", 1))  # warm
    with CaptureQueriesContext(connection) as untaxed:
        _place(world, world.ship_to, ("A-1", 1))
    with CaptureQueriesContext(connection) as taxed:
        _place(world, sg, ("A-1", 1), ("C-3", 3), ("B-2", 6))
    assert len(untaxed) == len(taxed) == 14
