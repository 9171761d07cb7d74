"""The buyer's invoices: where the company stands, its invoices by state a page at a time,
one invoice with lines, tax per rate, what settled it and how to pay, its credit notes, the
PDFs in the reader's language; never another company's."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.billing import services
from dinghuo.billing.models import Invoice
from dinghuo.core import clock
from dinghuo.core.templatetags.dinghuo import date_
from dinghuo.pricing import services as pricing
from tests.billing.support import shipped_order
from tests.builders import World
from tests.portal.ordering import second_company, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture
def taxed(world: World) -> World:
    """A 5% tax to Hong Kong (the world's ship-to), with its Chinese names, and the seller's
    legal details and payment instructions."""
    pricing.create_tax_rate(
        tenant_id=world.tenant.pk,
        country="HK",
        name={"en": "Sales tax", "zh-hant": "銷售稅", "zh-hans": "销售税"},
        percent=Decimal(5),
        valid_from=date(2020, 1, 1),
    )
    services.set_billing_policy(
        tenant_id=world.tenant.pk,
        seller_id=world.seller.pk,
        legal_name="Acme Wholesale Limited",
        address="1 Queen's Road\nCentral, Hong Kong",
        tax_number="BR 12345678",
        payment_instructions="HSBC 123-456789-001\nQuote the invoice number",
    )
    return world


def _texts(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _row(html: str, testid: str) -> str:
    """The words of the table row marked `testid`."""
    row = html.split(f'data-testid="{testid}">')[1].split("</tr>")[0]
    return _texts(row).strip()


def _invoice(world: World, *lines: tuple[str, int]) -> Invoice:
    shipped_order(world, *lines)
    return Invoice.objects.filter(company=world.company).latest("id")


def _pay(world: World, invoice: Invoice, amount: str) -> None:
    services.record_payment(
        tenant_id=world.tenant.pk,
        company_id=invoice.company_id,
        amount=Decimal(amount),
        currency=invoice.currency,
        method="bank_transfer",
        received_on=date.today(),
        reference="TT 1",
    )


def test_the_list_shows_the_balance_and_the_companys_invoices_by_state(taxed: World) -> None:
    buyer = sign_in(taxed)
    first = _invoice(taxed, ("A-1", 10))  # 90.00 + 4.50 tax
    second = _invoice(taxed, ("A-1", 1))  # 10.00 + 0.50 tax
    _pay(taxed, first, "100.00")  # pays the first, 5.50 of the second… oldest first
    other = second_company(taxed)
    theirs = sign_in(taxed, "bob@other.test", company=other)
    html = buyer.client.get("/invoices/").content.decode()
    assert first.number in html and second.number in html
    assert html.index(second.number) < html.index(first.number)  # newest first
    assert 'data-testid="balance-open">$5.00<' in html
    assert 'data-testid="balance-unapplied">$0.00<' in html
    assert f'data-testid="invoice-{first.number}"' in html
    assert 'data-state="paid">Paid<' in html and 'data-state="open">Open<' in html
    paid = buyer.client.get("/invoices/", {"state": "paid"}).content.decode()
    assert first.number in paid and second.number not in paid
    assert first.number not in theirs.client.get("/invoices/").content.decode()


def test_an_overdue_invoice_says_so_and_counts_as_overdue(taxed: World) -> None:
    buyer = sign_in(taxed)
    with clock.as_of(datetime.now(UTC) - timedelta(days=40)):  # net 30: due 10 days ago
        _invoice(taxed, ("A-1", 1))
    html = buyer.client.get("/invoices/").content.decode()
    assert 'data-state="overdue">Overdue<' in html
    assert 'data-testid="balance-overdue">$10.50<' in html
    due = date_((datetime.now(UTC) - timedelta(days=10)).date())
    assert f'data-testid="oldest-due">oldest due {due}<' in html
    assert 'data-testid="next-due"' not in html


def test_with_nothing_overdue_the_list_says_when_the_next_payment_is_due(taxed: World) -> None:
    buyer = sign_in(taxed)
    invoice = _invoice(taxed, ("A-1", 1))  # net 30
    html = buyer.client.get("/invoices/").content.decode()
    assert 'data-testid="balance-overdue">$0.00<' in html
    # Not beside the overdue amount, where it read as if something were late.
    assert 'data-testid="oldest-due"' not in html
    assert f'data-testid="next-due">next due {date_(invoice.due_on)}<' in html
    overdue_only = buyer.client.get("/invoices/", {"state": "overdue"}).content.decode()
    assert 'data-testid="no-invoices">No invoices match.<' in overdue_only
    _pay(taxed, invoice, "10.50")
    settled = buyer.client.get("/invoices/").content.decode()
    assert "next due" not in settled and "oldest due" not in settled


def test_the_list_pages_in_a_constant_number_of_queries(taxed: World) -> None:
    buyer = sign_in(taxed)
    _invoice(taxed, ("A-1", 1))
    buyer.client.get("/invoices/")
    with CaptureQueriesContext(connection) as one:
        buyer.client.get("/invoices/")
    for _ in range(26):
        _invoice(taxed, ("C-3", 1))
    with CaptureQueriesContext(connection) as many:
        html = buyer.client.get("/invoices/").content.decode()
    assert html.count('data-testid="invoice-INV-') == 25
    assert len(many) == len(one)
    before = html.split("?before=")[1].split('"')[0]
    older = buyer.client.get("/invoices/", {"before": before}).content.decode()
    assert older.count('data-testid="invoice-INV-') == 2


def test_the_invoice_page_shows_lines_tax_settlements_and_how_to_pay(taxed: World) -> None:
    buyer = sign_in(taxed)
    invoice = _invoice(taxed, ("A-1", 10), ("C-3", 3))
    services.issue_credit_note(
        tenant_id=taxed.tenant.pk,
        invoice_id=invoice.pk,
        reason="Two damaged",
        lines=[services.CreditUnits(1, 2)],
    )
    _pay(taxed, invoice, "20.00")
    html = buyer.client.get(f"/invoices/{invoice.pk}/").content.decode()
    text = _texts(html)
    assert f"Invoice {invoice.number}" in text
    assert "Item A-1" in text and "Item C-3" in text
    assert 'data-testid="invoice-net">$91.00<' in html  # 90.00 + 3 × 0.3333 → 1.00
    assert "Sales tax 5% on $91.00" in text
    assert 'data-testid="invoice-gross">$95.55<' in html
    assert 'data-testid="invoice-credited">$18.90<' in html  # 2 × 9.00 + 5%
    assert 'data-testid="invoice-paid">$20.00<' in html
    assert 'data-testid="open-amount">$56.65<' in html
    assert "Two damaged" in text and "CN-000001 (PDF)" in text
    # What settled it, a row each: the day, how, the reference and the amount.
    assert _row(html, "settled-by-payment") == f"{date_(date.today())} Bank transfer TT 1 $20.00"
    credited = _row(html, "settled-by-credit-note")
    assert credited.endswith("Credit note CN-000001 $18.90")
    assert "HSBC 123-456789-001<br>Quote the invoice number" in html
    assert "Acme Wholesale Limited" in text and "BR 12345678" in text
    assert 'data-state="open"' in html
    start = html.index('data-testid="bill-to"')
    bill_to = html[start : html.index("</section>", start)]
    assert bill_to.rstrip().endswith("<br>Hong Kong SAR China</p>")  # the country's name, not HK


def test_the_invoice_page_in_traditional_chinese_has_no_english(taxed: World) -> None:
    buyer = sign_in(taxed)
    invoice = _invoice(taxed, ("A-1", 10))
    _pay(taxed, invoice, "94.50")
    buyer.client.cookies["django_language"] = "zh-hant"
    html = buyer.client.get(f"/invoices/{invoice.pk}/").content.decode()
    text = _texts(html)
    assert "已付款" in text and "產品 A-1" in text and "銷售稅 5%" in text
    assert "US$94.50" in text
    for english in ("Paid", "Open amount", "Due date", "Sales tax", "Bank transfer", "Lines"):
        assert english not in text, english
    listed = _texts(buyer.client.get("/invoices/").content.decode())
    for english in ("Open", "Overdue", "Unapplied credit", "Invoice", "Paid"):
        assert english not in listed, english


def test_the_pdfs_download_in_the_readers_language(taxed: World) -> None:
    buyer = sign_in(taxed)
    invoice = _invoice(taxed, ("A-1", 2))
    note = services.issue_credit_note(
        tenant_id=taxed.tenant.pk, invoice_id=invoice.pk, reason="Price", amount=Decimal("1.05")
    )
    response = buyer.client.get(f"/invoices/{invoice.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="{invoice.number}.pdf"' in response["Content-Disposition"]
    buyer.client.cookies["django_language"] = "zh-hant"
    chinese = buyer.client.get(f"/invoices/{invoice.pk}/pdf/")
    assert chinese.content.startswith(b"%PDF") and chinese.content != response.content
    credit = buyer.client.get(f"/credit-notes/{note.pk}/pdf/")
    assert credit.content.startswith(b"%PDF")
    assert f'filename="{note.number}.pdf"' in credit["Content-Disposition"]


def test_the_credit_notes_page_lists_the_companys_credit_notes(taxed: World) -> None:
    buyer = sign_in(taxed)
    invoice = _invoice(taxed, ("A-1", 2))
    note = services.issue_credit_note(
        tenant_id=taxed.tenant.pk, invoice_id=invoice.pk, reason="Late delivery", whole=True
    )
    text = _texts(buyer.client.get("/credit-notes/").content.decode())
    assert f"{note.number} (PDF)" in text and invoice.number in text
    assert "Late delivery" in text and "$21.00" in text


def test_another_companys_invoice_and_credit_note_are_not_found(taxed: World) -> None:
    invoice = _invoice(taxed, ("A-1", 2))
    note = services.issue_credit_note(
        tenant_id=taxed.tenant.pk, invoice_id=invoice.pk, reason="Price", amount=Decimal("1.00")
    )
    other = sign_in(taxed, "bob@other.test", company=second_company(taxed))
    for path in (
        f"/invoices/{invoice.pk}/",
        f"/invoices/{invoice.pk}/pdf/",
        f"/credit-notes/{note.pk}/pdf/",
    ):
        assert other.client.get(path).status_code == 404, path
    assert invoice.number not in other.client.get("/credit-notes/").content.decode()


def test_the_menu_leads_to_the_invoices(world: World) -> None:
    buyer = sign_in(world)
    html = buyer.client.get("/orders/").content.decode()
    assert 'href="/invoices/"' in html
    assert "No invoices yet." in buyer.client.get("/invoices/").content.decode()
