"""Invoice and credit note PDFs: what a person reads on them, in their language, read back
from the file with a PDF text extractor (pypdf); long invoices flow onto further pages with
the column headings repeated."""

import io
import os
import re
from datetime import date
from decimal import Decimal
from pathlib import Path

import pypdf
import pytest

from dinghuo.billing import documents, queries, services
from dinghuo.billing.models import CreditNote, Invoice
from dinghuo.catalog import services as catalog
from dinghuo.catalog.models import Product, Sku
from dinghuo.core import pdf
from dinghuo.customers.models import Location
from dinghuo.inventory import services as stock
from dinghuo.pricing import services as pricing
from dinghuo.pricing.models import PriceTier
from tests.billing.support import invoices_of, shipped_order
from tests.builders import World
from tests.orders.support import set_credit

D = Decimal
LONG_NAME = (
    "Stainless steel hexagon head bolt M8 x 40 mm, zinc plated, DIN 933, "
    "in a box of one hundred pieces for marine fittings"
)
INSTRUCTIONS = "HSBC Hong Kong, account 004-123-456789-001\nQuote the invoice number as reference"


def text_of(document: bytes) -> list[str]:
    """The text of each page of a PDF."""
    reader = pypdf.PdfReader(io.BytesIO(document))
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces made single spaces."""
    return " ".join(text.split())


@pytest.fixture
def seller_billing(world: World) -> None:
    """The seller's legal details, a 9% and a 5% tax to Hong Kong, Net 30 terms and a bill-to
    address (in Chinese, as Hong Kong companies often have)."""
    services.set_billing_policy(
        tenant_id=world.tenant.pk,
        seller_id=world.seller.pk,
        legal_name="Acme Wholesale Limited",
        address="Unit 5, 12/F, Harbour Centre\n25 Harbour Road\nWan Chai, Hong Kong",
        tax_number="BR 12345678",
        payment_instructions=INSTRUCTIONS,
    )
    reduced = catalog.create_tax_category(
        tenant_id=world.tenant.pk, code="reduced", name={"en": "Reduced", "zh-hant": "優惠稅率"}
    )
    Product.objects.filter(code="P-C-3").update(tax_category=reduced)
    for name, percent, category in (("GST", "9", None), ("Reduced GST", "5", reduced)):
        pricing.create_tax_rate(
            tenant_id=world.tenant.pk,
            category_id=category.pk if category else None,
            country="HK",
            name={"en": name, "zh-hant": f"{'優惠' if category else ''}消費稅"},
            percent=D(percent),
            valid_from=date(2020, 1, 1),
        )
    set_credit(world, None, terms="net", terms_days=30)
    Location.objects.create(
        tenant=world.tenant,
        company=world.company,
        kind="bill_to",
        name="會計部",
        line1="灣仔港灣道 25 號",
        city="Hong Kong",
        country="HK",
    )


def _invoice(world: World, *lines: tuple[str, int]) -> Invoice:
    shipped_order(world, *lines)
    return queries.invoice_detail(world.tenant.pk, invoices_of(world)[-1].pk)


def _skus(world: World, count: int) -> list[str]:
    """`count` more SKUs priced 1.50 with stock, with long names that wrap on a document."""
    products = Product.objects.bulk_create(
        Product(
            tenant=world.tenant,
            seller=world.seller,
            code=f"P-X-{i:03d}",
            name_en=f"Product {i}",
        )
        for i in range(count)
    )
    skus = Sku.objects.bulk_create(
        Sku(
            tenant=world.tenant,
            seller=world.seller,
            product=product,
            code=f"X-{i:03d}",
            name_en=f"{LONG_NAME} ({i})",
        )
        for i, product in enumerate(products)
    )
    PriceTier.objects.bulk_create(
        PriceTier(
            tenant=world.tenant,
            price_list=world.price_list,
            sku=sku,
            min_quantity=1,
            unit_price=D("1.50"),
        )
        for sku in skus
    )
    for sku in skus:
        stock.receive_stock(
            tenant_id=world.tenant.pk,
            warehouse_code="main",
            sku_id=sku.pk,
            quantity=10,
            reason="opening",
        )
    return [sku.code for sku in skus]


needs_chinese_font = pytest.mark.skipif(
    pdf.cjk_font() is None, reason="no font that can write Chinese on this machine"
)


def test_an_invoice_shows_the_seller_the_buyer_the_lines_the_tax_and_how_to_pay(
    world, seller_billing
):
    invoice = _invoice(world, ("A-1", 3), ("C-3", 7))

    [page] = text_of(documents.invoice_pdf(invoice, "en"))
    text = flat(page)

    assert invoice.number in text
    for seller in (
        "Acme Wholesale Limited",
        "Harbour Centre",
        "Wan Chai, Hong Kong",
        "BR 12345678",
    ):
        assert seller in text
    assert f"SO-{invoice.lines.all()[0].order_id:07d}" in text
    assert "Buyer One" in text
    due = invoice.due_on
    assert f"Due date {due:%b} {due.day}, {due.year}" in text
    assert "Payment terms Net 30 days" in text
    # 3 × 10.00 = 30.00 at 9% (2.70); C-3: 7 × 0.3333 = 2.33 at 5% (0.12).
    assert "A-1" in text and "Item A-1" in text and "$10.00" in text and "$30.00" in text
    assert "$0.3333" in text and "$2.33" in text
    assert "GST 9% $30.00 $2.70" in text
    assert "Reduced GST 5% $2.33 $0.12" in text
    assert "Subtotal before tax $32.33" in text
    assert "Tax $2.82" in text
    assert "Total $35.15" in text
    assert "Amount due $35.15" in text
    assert f"How to pay {flat(INSTRUCTIONS)}" in text
    assert "1 / 1" in text
    # No amount with the database's four decimals: only a unit price that has them.
    assert re.findall(r"\d\.\d{4}", text) == ["0.3333"]


def test_what_is_paid_and_credited_is_shown_with_what_is_still_due(world, seller_billing):
    invoice = _invoice(world, ("A-1", 3), ("C-3", 7))
    services.record_payment(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        amount=D("20.00"),
        currency="USD",
        method="bank_transfer",
        received_on=date.today(),
    )
    services.issue_credit_note(
        tenant_id=world.tenant.pk,
        invoice_id=invoice.pk,
        reason="One bolt arrived bent",
        lines=[services.CreditUnits(line_number=1, quantity=1)],
    )
    invoice = queries.invoice_detail(world.tenant.pk, invoice.pk)

    text = flat(text_of(documents.invoice_pdf(invoice, "en"))[0])

    # The credit note gives back 10.00 + 0.90 tax of the 35.15.
    assert "Total $35.15" in text
    assert "Paid $20.00" in text
    assert "Credited $10.90" in text
    assert "Amount due $4.25" in text


@needs_chinese_font
def test_an_invoice_in_traditional_chinese(world, seller_billing):
    invoice = _invoice(world, ("A-1", 3), ("C-3", 7))

    [page] = text_of(documents.invoice_pdf(invoice, "zh-hant"))
    text = flat(page)

    assert invoice.number in text
    for label in (
        "發票",
        "到期日",
        "付款條件",
        "30 天付款",
        "未稅小計",
        "稅額",
        "總計",
        "如何付款",
    ):
        assert label in text, label
    due = invoice.due_on
    assert f"到期日 {due.year}年{due.month}月{due.day}日" in text
    assert "消費稅 9% US$30.00 US$2.70" in text
    assert "優惠消費稅 5% US$2.33 US$0.12" in text
    assert "總計 US$35.15" in text
    # The bill-to as the company wrote it, with its country's name in Chinese.
    assert "會計部" in text and "灣仔港灣道 25 號" in text and "中國香港特別行政區" in text
    assert "Invoice" not in text and "Due date" not in text


@needs_chinese_font
def test_an_invoice_in_simplified_chinese(world, seller_billing):
    invoice = _invoice(world, ("A-1", 3))

    text = flat(text_of(documents.invoice_pdf(invoice, "zh-hans"))[0])

    for label in ("发票", "到期日", "付款条件", "未税小计", "税额", "总计"):
        assert label in text, label


def test_without_a_chinese_font_the_invoice_is_written_in_english(
    world, seller_billing, settings, monkeypatch
):
    invoice = _invoice(world, ("A-1", 3))
    settings.PDF_CJK_FONT = "/nonexistent"
    monkeypatch.setattr(pdf, "CJK_FONT_CANDIDATES", ())

    document = documents.invoice_pdf(invoice, "zh-hant")

    assert document.startswith(b"%PDF-") and b"/FontFile2" not in document
    text = flat(text_of(document)[0])
    assert "Invoice" in text and invoice.number in text and "Total $32.70" in text


def test_a_long_invoice_flows_onto_pages_that_repeat_the_headings(world, seller_billing):
    codes = _skus(world, 120)
    invoice = _invoice(world, *((code, 2) for code in codes))
    assert invoice.lines.count() == 120

    pages = text_of(documents.invoice_pdf(invoice, "en"))

    assert len(pages) >= 3
    for i, page in enumerate(pages, 1):
        text = flat(page)
        assert "SKU Item Quantity Unit price Tax rate Amount before tax" in text, i
        assert f"{i} / {len(pages)}" in text
        assert invoice.number in text
    everything = flat(" ".join(pages))
    for code in codes:
        assert code in everything
    # Long names wrap instead of being cut: every word of them is there.
    assert everything.count("marine fittings") == 120
    assert "Total $392.40" in everything  # 120 × 2 × 1.50 = 360.00 + 9% (32.40)


def test_a_credit_note_shows_the_invoice_it_corrects_the_reason_and_its_totals(
    world, seller_billing
):
    invoice = _invoice(world, ("A-1", 3), ("C-3", 7))
    issued = services.issue_credit_note(
        tenant_id=world.tenant.pk,
        invoice_id=invoice.pk,
        reason="One bolt arrived bent",
        lines=[services.CreditUnits(line_number=1, quantity=1)],
    )
    note = queries.credit_note_detail(world.tenant.pk, issued.pk)

    text = flat(text_of(documents.credit_note_pdf(note, "en"))[0])

    assert "Credit note" in text and note.number in text
    assert f"Invoice {invoice.number}" in text
    assert "Invoice date" in text
    assert "One bolt arrived bent" in text
    assert "Acme Wholesale Limited" in text and "Buyer One" in text
    assert "A-1" in text and "Item A-1" in text
    assert "GST 9% $10.00 $0.90" in text
    assert "Total credited $10.90" in text


@needs_chinese_font
def test_a_credit_note_for_an_amount_in_traditional_chinese(world, seller_billing):
    invoice = _invoice(world, ("A-1", 3))
    issued = services.issue_credit_note(
        tenant_id=world.tenant.pk,
        invoice_id=invoice.pk,
        reason="價格調整",
        amount=D("5.45"),
    )
    note: CreditNote = queries.credit_note_detail(world.tenant.pk, issued.pk)

    text = flat(text_of(documents.credit_note_pdf(note, "zh-hant"))[0])

    assert note.number in text and invoice.number in text
    assert "價格調整" in text
    assert "消費稅 9% US$5.00 US$0.45" in text
    assert "Credit note" not in text


def test_an_unknown_language_is_written_in_english(world, seller_billing):
    invoice = _invoice(world, ("A-1", 1))
    assert "Invoice" in flat(text_of(documents.invoice_pdf(invoice, "fr"))[0])


@pytest.mark.skipif(not os.environ.get("DINGHUO_PDF_SAMPLES"), reason="writes sample PDFs")
def test_write_samples(world, seller_billing):
    """DINGHUO_PDF_SAMPLES=dir writes an English and a Chinese invoice there, to look at."""
    codes = _skus(world, 40)
    invoice = _invoice(world, ("A-1", 3), ("C-3", 7), *((code, 2) for code in codes))
    out = Path(os.environ["DINGHUO_PDF_SAMPLES"])
    for language in documents.LANGUAGES:
        (out / f"invoice-{language}.pdf").write_bytes(documents.invoice_pdf(invoice, language))
    note = services.issue_credit_note(
        tenant_id=world.tenant.pk, invoice_id=invoice.pk, reason="價格調整", amount=D("5.45")
    )
    note = queries.credit_note_detail(world.tenant.pk, note.pk)
    for language in documents.LANGUAGES:
        (out / f"credit-note-{language}.pdf").write_bytes(documents.credit_note_pdf(note, language))
