"""After the order, in a real browser (issue 11): a buyer returns two of five delivered items,
a clerk approves, the warehouse puts one back on the shelf and scraps the other, closing
issues the credit note the buyer then finds; and a buyer on a phone raises a quantity of a
confirmed order past the seller's approval rule and sees it wait for approval again.
Screenshots in var/screenshots/<test>/."""

import re
from decimal import Decimal

import pytest
from playwright.sync_api import Page, expect

from dinghuo.billing.models import CreditNote
from dinghuo.buying import services as buying
from dinghuo.catalog.models import Sku
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel, StockMovement
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, OrderLine
from dinghuo.returns.models import ReturnRequest
from tests.backoffice.staffing import PASSWORD, make_staff
from tests.builders import World, add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in
from tests.invariants import assert_stock_consistent
from tests.portal.ordering import more_skus
from tests.returns.support import delivered_order, set_policy

pytestmark = pytest.mark.e2e


def _on_hand(world: World, sku: str) -> int:
    return StockLevel.objects.get(
        sku__code=sku, tenant=world.tenant, warehouse__code="main"
    ).on_hand


def _line_number(order_id: int, sku: str) -> int:
    return OrderLine.objects.get(order_id=order_id, sku_code=sku).line_number


def _five_item_world() -> World:
    """The test world plus two more stocked SKUs (X-0, X-1 at $5.00): five items to order."""
    world = build_world()
    more_skus(world, 2)
    for code in ("X-0", "X-1"):
        stock.receive_stock(
            tenant_id=world.tenant.pk,
            warehouse_code="main",
            sku_id=Sku.objects.get(tenant=world.tenant, code=code).pk,
            quantity=50,
            reason="opening",
        )
    return world


def _staff_signs_in(page: Page, email: str) -> None:
    page.goto("/staff/")
    expect(page).to_have_url(re.compile(r"/staff/signin/"))
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Dashboard")).to_be_visible()


def _buyer_asks_back_two_lines(page: Page, order: Order, asked: dict[str, str]) -> None:
    """The buyer opens the delivered order from their list and asks back one unit of each
    SKU of `asked` (SKU → reason as the select says it)."""
    page.get_by_role("navigation").get_by_role("link", name="Orders").click()
    page.get_by_test_id(f"order-{order.number}").get_by_role("link", name=order.number).click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "delivered")
    page.get_by_test_id("return-goods").click()
    expect(page.get_by_role("heading", name="Return goods")).to_be_visible()
    expect(page.get_by_test_id(re.compile(r"^line-\d+$"))).to_have_count(5)
    for sku, reason in asked.items():
        row = page.get_by_test_id(f"line-{_line_number(order.pk, sku)}")
        expect(row).to_contain_text(sku)
        row.get_by_label("Units to return").fill("1")
        row.get_by_label("Reason").select_option(label=reason)
    page.get_by_label("Note", exact=True).fill("One too many, and one broken in the box")
    shoot(page, "return-form-filled")
    page.get_by_test_id("send-return").click()
    expect(page.get_by_text("Your return request is sent.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "requested")
    expect(page.get_by_test_id("status")).to_have_text("Requested")
    expect(page.get_by_test_id("rma")).to_have_text("-")
    shoot(page, "return-requested")


def _clerk_approves_receives_and_closes(page: Page, made: ReturnRequest) -> str:
    """On the returns desk: approve (the RMA number appears), record one unit back to stock
    and one scrapped, close with the credit note; the RMA number."""
    page.get_by_role("navigation").get_by_role("link", name="Returns").click()
    expect(page.get_by_role("heading", name="Returns desk")).to_be_visible()
    row = page.get_by_test_id(f"return-{made.pk}")
    expect(row.locator("[data-status]")).to_have_attribute("data-status", "requested")
    shoot(page, "returns-desk")
    row.get_by_role("link", name=re.compile("Return request")).click()
    expect(page.get_by_test_id("review-reasons")).to_be_visible()
    page.get_by_test_id("approve").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "approved")
    expect(page.get_by_test_id("rma")).to_have_text(re.compile(r"^RMA-\d+$"))
    rma = page.get_by_test_id("rma").inner_text()
    expect(page.get_by_role("heading", name=f"Return {rma}")).to_be_visible()
    shoot(page, "approved-with-rma")

    restocked = page.get_by_test_id("return-line-1")
    scrapped = page.get_by_test_id("return-line-2")
    expect(restocked).to_contain_text("A-1")
    expect(scrapped).to_contain_text("X-0")
    expect(restocked.get_by_label("Units received")).to_have_value("1")
    restocked.get_by_label("What becomes of them").select_option(label="Back to stock")
    scrapped.get_by_label("What becomes of them").select_option(label="Scrapped")
    shoot(page, "receiving")
    page.get_by_test_id("receive").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "received")
    expect(page.get_by_test_id("return-line-1")).to_contain_text("Back to stock")
    expect(page.get_by_test_id("return-line-2")).to_contain_text("Scrapped")

    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("credited")).to_have_text("$15.00")
    expect(page.get_by_test_id("credit-note")).to_have_count(1)
    shoot(page, "closed-with-credit-note")
    return rma


def test_a_buyer_returns_two_of_five_items_one_restocked_one_scrapped_and_sees_the_credit(
    page: Page,
) -> None:
    world = _five_item_world()
    buyer, _ = add_buyer(world, "mei@buyer-one.example")
    buyer.user.set_password(PASSWORD)
    buyer.user.save()
    make_staff(world, "sam@seller.example")
    set_policy(world, auto_approve_limit=None)  # every return waits for a clerk
    order = Order.objects.get(
        pk=delivered_order(world, ("A-1", 5), ("B-2", 6), ("C-3", 3), ("X-0", 4), ("X-1", 2))
    )
    before = {sku: _on_hand(world, sku) for sku in ("A-1", "X-0")}  # 95 and 46

    sign_in(page, "mei@buyer-one.example", PASSWORD)
    _buyer_asks_back_two_lines(page, order, {"A-1": "No longer needed", "X-0": "Arrived damaged"})
    made = ReturnRequest.objects.get(order=order)
    page.get_by_role("button", name="Sign out").click()

    _staff_signs_in(page, "sam@seller.example")
    rma = _clerk_approves_receives_and_closes(page, made)
    page.get_by_role("button", name="Sign out").click()

    # What the warehouse recorded: A-1 back on the shelf; X-0 received and written off.
    assert _on_hand(world, "A-1") == before["A-1"] + 1
    assert _on_hand(world, "X-0") == before["X-0"]
    scrap = StockMovement.objects.filter(
        tenant=world.tenant, sku__code="X-0", reference=rma
    ).order_by("id")
    assert [(m.kind, m.on_hand_delta) for m in scrap] == [("receipt", 1), ("adjustment", -1)]
    assert not StockMovement.objects.filter(sku__code="A-1", reference=rma, on_hand_delta__lt=0)
    assert_stock_consistent(world.tenant.pk)
    note = CreditNote.objects.get(tenant=world.tenant)
    assert (note.company_id, note.total) == (world.company.pk, Decimal("15.00"))
    assert list(ReturnRequest.objects.get(pk=made.pk).credit_notes.all()) == [note]

    # The buyer follows the return and finds its credit note, then the same on the list.
    sign_in(page, "mei@buyer-one.example", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Returns").click()
    page.get_by_test_id(f"return-{made.pk}").get_by_role("link", name=rma).click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "closed")
    expect(page.get_by_test_id("credited")).to_have_text("$15.00")
    expect(page.get_by_test_id("credit-note-number")).to_have_text(f"{note.number} (PDF)")
    expect(page.get_by_test_id("credit-note")).to_contain_text("$15.00")
    expect(page.get_by_test_id("return-line-1")).to_contain_text("Back to stock")
    expect(page.get_by_test_id("return-line-2")).to_contain_text("Scrapped")
    shoot(page, "buyer-sees-the-credit-note")
    page.get_by_role("navigation").get_by_role("link", name="Invoices").click()
    page.get_by_role("link", name="Credit notes").click()
    listed = page.get_by_test_id(f"credit-note-{note.number}")
    expect(listed).to_contain_text(f"{note.number} (PDF)")
    expect(listed).to_contain_text("$15.00")
    shoot(page, "credit-notes-list")


def fits_the_screen(page: Page) -> bool:
    """Nothing on the page is wider than the phone (tables scroll inside their wrapper)."""
    return bool(page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"))


def _confirmed_order_under_the_rule() -> Order:
    """A seller that confirms orders by themselves and approves those from $200; Kit Lau's
    $91.00 order through the cart, confirmed at once."""
    world = build_world()
    # Confirmed at once unless something stops it; the seller approves orders from $200.
    orders.set_order_policy(
        tenant_id=world.tenant.pk,
        seller_slug=None,
        auto_confirm=True,
        credit_action="hold",
        overdue_grace_days=0,
        approval_expiry_hours=72,
    )
    orders.create_approval_rule(
        tenant_id=world.tenant.pk,
        seller_slug=None,
        fields=orders.RuleFields(name="Big orders", approver="seller", min_amount=Decimal("200")),
    )
    buyer, _ = add_buyer(world, "kit@buyer-one.example")
    buyer.user.first_name, buyer.user.last_name = "Kit", "Lau"
    buyer.user.set_password(PASSWORD)
    buyer.user.save()
    for sku, quantity in [("A-1", 10), ("C-3", 3)]:
        buying.add_to_cart(
            tenant_id=world.tenant.pk,
            company_id=world.company.pk,
            owner_id=buyer.pk,
            sku=sku,
            quantity=quantity,
        )
    return buying.checkout_cart(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        owner_id=buyer.pk,
        ship_to_id=world.ship_to.pk,
        purchase_order_number="PO-AMEND-1",
        placed_by_id=buyer.pk,
    )


def test_a_buyer_on_a_phone_amends_an_order_past_the_approval_rule_and_it_waits_again(
    phone_page: Page,
) -> None:
    order = _confirmed_order_under_the_rule()
    assert order.status == "confirmed"  # $91.00 is under the rule's $200
    page = phone_page

    sign_in(page, "kit@buyer-one.example", PASSWORD)
    page.goto("/orders/")
    page.get_by_test_id(f"order-{order.number}").get_by_role("link", name=order.number).click()
    expect(page.get_by_test_id("status")).to_have_attribute("data-status", "confirmed")
    expect(page.get_by_test_id("order-total")).to_have_text("$91.00")
    expect(page.get_by_test_id("version")).to_have_count(0)
    assert fits_the_screen(page)
    shoot(page, "order-confirmed")

    page.get_by_test_id("change-order").click()
    expect(page.get_by_test_id("amend-form")).to_be_visible()
    units = page.get_by_label("Units of A-1")
    expect(units).to_have_value("10")
    units.fill("30")  # 30 × $9.00 (its frozen price) + $1.00 = $271.00
    assert fits_the_screen(page)
    shoot(page, "amend-form")
    page.get_by_test_id("save-amendment").click()

    expect(
        page.get_by_text("Order changed (version 2). It waits for approval again.")
    ).to_be_visible()
    status = page.get_by_test_id("status")
    expect(status).to_have_attribute("data-status", "awaiting_approval")
    expect(status).to_have_text("Awaiting approval")
    expect(page.get_by_test_id("version")).to_have_text("Version 2")
    expect(page.get_by_test_id("order-total")).to_have_text("$271.00")
    expect(page.get_by_test_id("timeline-summary")).to_have_text(
        "Version 2 by Kit Lau: A-1 10 → 30; total $91.00 → $271.00"
    )
    expect(page.get_by_test_id("timeline")).to_contain_text("Approval requested")
    expect(page.get_by_test_id("approval-1")).to_contain_text("the seller: Waiting for a decision")
    assert fits_the_screen(page)
    shoot(page, "waits-for-approval-again")
    changed = Order.objects.get(pk=order.pk)
    assert (changed.status, changed.version, changed.total) == (
        "awaiting_approval",
        2,
        Decimal("271.00"),
    )
