"""A clerk records the payment of an invoice in the back office; the buyer then signs in,
opens Invoices, sees the invoice paid and downloads its PDF."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from dinghuo.billing import services
from dinghuo.billing.models import Invoice, Payment
from tests.backoffice.staffing import PASSWORD, make_staff
from tests.billing.support import shipped_order
from tests.builders import add_buyer, build_world
from tests.e2e.helpers import shoot, sign_in

pytestmark = pytest.mark.e2e


def test_a_clerk_records_a_payment_and_the_buyer_sees_the_invoice_paid(
    page: Page, tmp_path: Path
) -> None:
    world = build_world()
    buyer, _ = add_buyer(world, "mei@buyer-one.example")
    buyer.user.set_password(PASSWORD)
    buyer.user.save()
    make_staff(world, "sam@seller.example")
    services.set_billing_policy(
        tenant_id=world.tenant.pk,
        seller_id=world.seller.pk,
        legal_name="Acme Wholesale Limited",
        payment_instructions="HSBC 123-456789-001\nQuote the invoice number",
    )
    shipped_order(world, ("A-1", 10), ("C-3", 3))
    invoice = Invoice.objects.get()

    # The clerk finds the invoice in the back office and records the bank transfer.
    page.goto("/staff/")
    page.get_by_label("Email").fill("sam@seller.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation").get_by_role("link", name="Invoices").click()
    row = page.get_by_test_id(f"invoice-{invoice.number}")
    expect(row.get_by_test_id("state")).to_have_attribute("data-state", "open")
    shoot(page, "staff-invoices")
    row.get_by_role("link", name=invoice.number).click()
    expect(page.get_by_label("Amount", exact=True)).to_have_value("91.00")
    page.get_by_label("Paid by").select_option("bank_transfer")
    page.get_by_label("Reference").fill("HSBC TT 4711")
    shoot(page, "staff-invoice")
    page.get_by_test_id("record-payment").click()
    expect(page.get_by_test_id("state")).to_have_attribute("data-state", "paid")
    expect(page.get_by_role("status")).to_contain_text("A payment of $91.00 is recorded.")
    shoot(page, "staff-paid")
    assert Payment.objects.get().reference == "HSBC TT 4711"
    page.get_by_role("button", name="Sign out").click()

    # The buyer opens Invoices, sees it paid and downloads the PDF.
    sign_in(page, "mei@buyer-one.example", PASSWORD)
    page.get_by_role("navigation").get_by_role("link", name="Invoices").click()
    expect(page.get_by_test_id("balance-open")).to_have_text("$0.00")
    row = page.get_by_test_id(f"invoice-{invoice.number}")
    expect(row.get_by_test_id("state")).to_have_text("Paid")
    shoot(page, "buyer-invoices")
    row.get_by_role("link", name=invoice.number).click()
    expect(page.get_by_test_id("state")).to_have_text("Paid")
    expect(page.get_by_test_id("invoice-paid")).to_have_text("$91.00")
    expect(page.get_by_test_id("payment-instructions")).to_contain_text("HSBC 123-456789-001")
    shoot(page, "buyer-invoice")
    with page.expect_download() as download:
        page.get_by_test_id("invoice-pdf").click()
    saved = tmp_path / "invoice.pdf"
    download.value.save_as(saved)
    assert download.value.suggested_filename == f"{invoice.number}.pdf"
    assert saved.read_bytes().startswith(b"%PDF")
    assert re.fullmatch(r"INV-\d{6}", invoice.number)
