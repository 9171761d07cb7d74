"""Billing in the back office: the invoices with what is open and overdue, an invoice with
its payment and credit note forms, the payments page (a company's payment oldest first or to
chosen invoices, a refund), the billing settings with the period's invoices, the company
page's balance. A refused form says why in the reader's language and changes nothing; a
double submit records once."""

import re
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from dinghuo.backoffice.views_receivables import chart_bars
from dinghuo.billing import services
from dinghuo.billing.aging import Aged
from dinghuo.billing.aging_export import CurrencyTotal
from dinghuo.billing.models import BillingPolicy, CreditNote, Invoice, Payment, Receivable
from dinghuo.core import clock
from dinghuo.customers.models import CreditPolicy
from tests.backoffice.staffing import Staff, csrf_post, staff_client, texts
from tests.billing.support import confirmed_order, shipped_order
from tests.builders import World
from tests.portal.ordering import second_company

pytestmark = pytest.mark.django_db


def _invoice(world: World, *lines: tuple[str, int]) -> Invoice:
    shipped_order(world, *lines)
    return Invoice.objects.filter(company=world.company).latest("id")


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _form(html: str, testid: str) -> dict[str, str]:
    """The fields of the form `testid` as the page fills them in: its inputs (a radio
    button when checked), each select's chosen option (else its first)."""
    start = html.index(f'data-testid="{testid}"')
    form = html[start : html.index("</form>", start)]
    fields = {}
    for tag in re.findall(r"<input [^>]*>", form):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', tag))
        if "name" not in attrs or (attrs.get("type") == "radio" and " checked" not in tag):
            continue
        fields[attrs["name"]] = attrs.get("value", "")
    for name, options in re.findall(r'<select name="(\w+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="(\w+)" selected', options)
        fields[name] = chosen.group(1) if chosen else re.findall(r'value="(\w+)"', options)[0]
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def _invoice_page(staff: Staff, invoice: Invoice) -> str:
    return texts(staff.client.get(f"/staff/invoices/{invoice.pk}/"))


def _open(invoice: Invoice) -> Decimal:
    return Receivable.objects.get(invoice=invoice).open_amount


# --- the list ------------------------------------------------------------------------------


def test_the_list_filters_by_company_state_and_number_under_the_totals(world: World) -> None:
    staff = staff_client(world)
    paid = _invoice(world, ("A-1", 1))
    with clock.as_of(datetime.now(UTC) - timedelta(days=40)):
        late = _invoice(world, ("A-1", 10))  # 90.00, due 10 days ago
    services.record_payment(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        amount=Decimal("10.00"),
        currency="USD",
        method="cash",
        received_on=date.today(),
        allocations=[services.Allocate(paid.pk, Decimal("10.00"))],
    )
    page = texts(staff.client.get("/staff/invoices/"))
    assert late.number in page and paid.number in page
    assert 'data-testid="total-open">$90.00<' in page
    assert 'data-testid="total-overdue">$90.00<' in page
    assert 'data-state="overdue">Overdue<' in page and 'data-state="paid">Paid<' in page
    overdue = texts(staff.client.get("/staff/invoices/", {"state": "overdue"}))
    assert late.number in overdue and paid.number not in overdue
    by_number = texts(staff.client.get("/staff/invoices/", {"q": paid.number[-3:]}))
    assert paid.number in by_number and late.number not in by_number
    other = texts(staff.client.get("/staff/invoices/", {"company": "C002"}))
    assert 'data-testid="no-invoices"' in other and 'data-testid="nothing-open"' in other
    by_code = texts(staff.client.get("/staff/invoices/", {"company": "c001"}))
    assert late.number in by_code


def test_the_list_and_the_payments_page_take_a_constant_number_of_queries(world: World) -> None:
    staff = staff_client(world)

    def pay_leaving_credit(invoice: Invoice) -> None:
        # 1.00 to the invoice, 2.00 left as unapplied credit: the balance then reads it
        # (one query more than without), in both counts alike.
        _company_payment(staff, world, amount="3", apply="chosen", **{f"invoice_{invoice.pk}": "1"})

    pay_leaving_credit(_invoice(world, ("A-1", 10)))
    pages = ("/staff/invoices/", "/staff/payments/", f"/staff/payments/?company={world.company.pk}")
    few = {}
    for path in pages:
        staff.client.get(path)
        with CaptureQueriesContext(connection) as counted:
            staff.client.get(path)
        few[path] = len(counted)
    for _ in range(4):
        pay_leaving_credit(_invoice(world, ("A-1", 1)))
    for path in pages:
        with CaptureQueriesContext(connection) as counted:
            page = texts(staff.client.get(path))
        assert len(counted) == few[path], path
    assert page.count('data-testid="open-invoice-INV-') == 5
    assert page.count('data-testid="payment-') == 5


# --- one invoice: payment ------------------------------------------------------------------


def test_the_payment_form_is_prefilled_with_what_is_open(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 10), ("C-3", 3))
    page = _invoice_page(staff, invoice)
    form = _form(page, "payment-form")
    assert form["amount"] == "91.00" and form["received_on"] == date.today().isoformat()
    assert 'data-testid="credit-note-form"' in page and "Item A-1" in page


def test_a_recorded_payment_makes_the_invoice_paid(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 10))
    form = _form(_invoice_page(staff, invoice), "payment-form")
    answer = csrf_post(
        staff.client,
        f"/staff/invoices/{invoice.pk}/payment/",
        {**form, "method": "bank_transfer", "reference": "HSBC 991"},
    )
    assert answer.status_code == 302
    page = texts(staff.client.get(answer["Location"]))
    assert "A payment of $90.00 is recorded." in page
    assert 'data-state="paid">Paid<' in page and 'data-testid="payment-form"' not in page
    payment = Payment.objects.get()
    assert (payment.amount, payment.reference, payment.recorded_by) == (
        Decimal("90.00"),
        "HSBC 991",
        "Sam Staff",
    )
    assert _open(invoice) == 0


def test_a_payment_beyond_the_invoice_leaves_unapplied_credit(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 1))
    form = _form(_invoice_page(staff, invoice), "payment-form")
    csrf_post(staff.client, f"/staff/invoices/{invoice.pk}/payment/", {**form, "amount": "25"})
    assert _open(invoice) == 0
    page = texts(staff.client.get(f"/staff/payments/?company={world.company.pk}"))
    assert 'data-testid="balance-unapplied">$15.00<' in page


def test_a_double_submit_records_one_payment(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 10))
    form = _form(_invoice_page(staff, invoice), "payment-form")
    form["amount"] = "40.00"
    for _ in range(2):
        answer = csrf_post(staff.client, f"/staff/invoices/{invoice.pk}/payment/", form)
        assert answer.status_code == 302
    assert Payment.objects.count() == 1
    assert _open(invoice) == Decimal("50.00")


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "Enter an amount above zero."), ("zh-hant", "請輸入大於零的金額。")],
)
def test_a_negative_amount_is_refused_in_the_readers_language(
    world: World, language: str, said: str
) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 10))
    staff.client.cookies["django_language"] = language
    form = _form(_invoice_page(staff, invoice), "payment-form")
    answer = csrf_post(
        staff.client, f"/staff/invoices/{invoice.pk}/payment/", {**form, "amount": "-5"}
    )
    assert answer.status_code == 200
    assert said in _text(texts(answer))
    assert Payment.objects.count() == 0 and _open(invoice) == Decimal("90.00")


def test_too_many_decimals_are_refused_next_to_the_amount(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 10))
    form = _form(_invoice_page(staff, invoice), "payment-form")
    answer = csrf_post(
        staff.client, f"/staff/invoices/{invoice.pk}/payment/", {**form, "amount": "1.005"}
    )
    assert 'data-testid="error-amount">Too many decimal places' in texts(answer)
    assert Payment.objects.count() == 0


# --- one invoice: credit notes -------------------------------------------------------------


def test_a_credit_note_for_some_units_settles_the_invoice_in_part(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 10), ("C-3", 3))
    form = _form(_invoice_page(staff, invoice), "credit-note-form")
    assert form["mode"] == "lines"
    body = {**form, "credit_1": "2", "reason": "Two arrived broken"}
    for _ in range(2):  # a double click issues one
        answer = csrf_post(staff.client, f"/staff/invoices/{invoice.pk}/credit-note/", body)
        assert answer.status_code == 302
    note = CreditNote.objects.get()
    assert (note.total, note.reason) == (Decimal("18.00"), "Two arrived broken")
    assert _open(invoice) == Decimal("73.00")
    page = texts(staff.client.get(answer["Location"]))
    assert f"Credit note {note.number} is issued." in page
    assert f'href="/staff/credit-notes/{note.pk}/pdf/"' in page


def test_crediting_more_than_the_invoice_is_refused_and_changes_nothing(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 10))
    form = _form(_invoice_page(staff, invoice), "credit-note-form")
    path = f"/staff/invoices/{invoice.pk}/credit-note/"
    amount = csrf_post(
        staff.client, path, {**form, "mode": "amount", "amount": "90.01", "reason": "Goodwill"}
    )
    assert "More than is left to credit on this invoice." in _text(texts(amount))
    units = csrf_post(staff.client, path, {**form, "credit_1": "11", "reason": "Broken"})
    assert 'data-testid="error-credit_1">Only 10 left to credit on this line.<' in texts(units)
    no_reason = csrf_post(staff.client, path, {**form, "credit_1": "1"})
    assert 'data-testid="error-reason">Say why the invoice is credited.<' in texts(no_reason)
    nothing = csrf_post(staff.client, path, {**form, "reason": "Broken"})
    assert "Enter the units to credit on at least one line." in _text(texts(nothing))
    assert CreditNote.objects.count() == 0 and _open(invoice) == Decimal("90.00")


def test_a_refusal_to_credit_is_said_in_chinese(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 10))
    staff.client.cookies["django_language"] = "zh-hans"
    form = _form(_invoice_page(staff, invoice), "credit-note-form")
    answer = csrf_post(
        staff.client,
        f"/staff/invoices/{invoice.pk}/credit-note/",
        {**form, "mode": "amount", "amount": "500", "reason": "x"},
    )
    assert "超出这张发票可抵减的金额。" in _text(texts(answer))
    assert CreditNote.objects.count() == 0


def test_a_whole_credit_note_pays_the_invoice(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 2))
    form = _form(_invoice_page(staff, invoice), "credit-note-form")
    csrf_post(
        staff.client,
        f"/staff/invoices/{invoice.pk}/credit-note/",
        {**form, "mode": "whole", "reason": "Wrong goods"},
    )
    assert _open(invoice) == 0
    page = _invoice_page(staff, invoice)
    assert 'data-state="paid"' in page and 'data-testid="credit-note-form"' not in page


def test_the_pdfs_are_documents(world: World) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 2))
    note = services.issue_credit_note(
        tenant_id=world.tenant.pk, invoice_id=invoice.pk, reason="Late", amount=Decimal("2")
    )
    for path in (f"/staff/invoices/{invoice.pk}/pdf/", f"/staff/credit-notes/{note.pk}/pdf/"):
        response = staff.client.get(path)
        assert response.status_code == 200 and response.content.startswith(b"%PDF"), path


# --- the payments page ---------------------------------------------------------------------


def _company_payment(staff: Staff, world: World, **changes: Any) -> Any:
    page = texts(staff.client.get("/staff/payments/", {"company": world.company.code}))
    form = _form(page, "company-payment-form")
    return csrf_post(
        staff.client, f"/staff/companies/{world.company.pk}/payment/", {**form, **changes}
    )


def test_the_payments_page_lists_who_owes_and_leads_to_a_company(world: World) -> None:
    staff = staff_client(world)
    _invoice(world, ("A-1", 10))
    page = texts(staff.client.get("/staff/payments/"))
    assert 'data-testid="owes-C001"' in page and f'href="?company={world.company.pk}"' in page
    unknown = texts(staff.client.get("/staff/payments/", {"company": "NOPE"}))
    assert "No such company." in unknown


def _payment_row(page: str, payment: Payment) -> str:
    start = page.index(f'data-testid="payment-{payment.pk}"')
    return page[start : page.index("</tr>", start)]


def _received(world: World, amount: str, **more: Any) -> Payment:
    return services.record_payment(
        tenant_id=world.tenant.pk,
        company_id=world.company.pk,
        amount=Decimal(amount),
        currency="USD",
        method="bank_transfer",
        received_on=date.today(),
        **more,
    )


def test_the_payments_list_says_where_each_payment_went_without_breaking_words(
    world: World,
) -> None:
    staff = staff_client(world)
    invoice = _invoice(world, ("A-1", 1))  # 10.00
    order_id = confirmed_order(world, ("A-1", 1))
    paid = _received(world, "10.00")  # the open invoice, oldest first
    held = _received(world, "5.00")  # nothing open: the company's unapplied credit
    prepaid = _received(world, "3.00", order_id=order_id)
    page = texts(staff.client.get("/staff/payments/"))
    assert f">{invoice.number}</a></td>" in _payment_row(page, paid)
    assert _text(_payment_row(page, held)).split()[-2:] == ["Unapplied", "credit"]
    row = _payment_row(page, prepaid)
    assert f'Order <a href="/staff/orders/{order_id}/">SO-{order_id:07d}</a>' in row
    # The kind and the way it was paid stay on one line (a table column squeezed them to one
    # character a line in Chinese).
    for label in ("Kind", "Paid by"):
        assert f'<td class="nowrap" data-label="{label}">' in row, label
    assert 'data-label="Company"' in row
    # One company's page does not repeat its name on every row.
    mine = texts(staff.client.get("/staff/payments/", {"company": world.company.pk}))
    assert 'data-label="Company"' not in _payment_row(mine, prepaid)


def test_a_company_payment_goes_to_the_oldest_invoice_first(world: World) -> None:
    staff = staff_client(world)
    with clock.as_of(datetime.now(UTC) - timedelta(days=5)):
        older = _invoice(world, ("A-1", 1))
    newer = _invoice(world, ("A-1", 2))
    answer = _company_payment(staff, world, amount="15", method="cheque", reference="CHQ 7")
    assert answer.status_code == 302
    assert (_open(older), _open(newer)) == (Decimal("0"), Decimal("15.00"))
    page = texts(staff.client.get(answer["Location"]))
    assert "A payment of $15.00 from Buyer One is recorded." in page
    assert "CHQ 7" in page and older.number in page


def test_a_company_payment_goes_to_the_invoices_chosen(world: World) -> None:
    staff = staff_client(world)
    older = _invoice(world, ("A-1", 1))
    newer = _invoice(world, ("A-1", 2))
    answer = _company_payment(
        staff, world, amount="25", apply="chosen", **{f"invoice_{newer.pk}": "20"}
    )
    assert answer.status_code == 302
    assert (_open(older), _open(newer)) == (Decimal("10.00"), Decimal("0"))
    too_much = _company_payment(
        staff, world, amount="5", apply="chosen", **{f"invoice_{older.pk}": "6"}
    )
    assert "The amounts for the invoices add up to more than the payment." in _text(texts(too_much))
    none = _company_payment(staff, world, amount="5", apply="chosen")
    assert "Enter the amount for at least one invoice." in _text(texts(none))
    assert Payment.objects.count() == 1


def test_a_refund_pays_back_unapplied_credit_and_no_more(world: World) -> None:
    staff = staff_client(world)
    _company_payment(staff, world, amount="30")  # no invoice: all unapplied
    page = texts(staff.client.get("/staff/payments/", {"company": world.company.pk}))
    form = _form(page, "refund-form")
    path = f"/staff/companies/{world.company.pk}/refund/"
    refused = csrf_post(staff.client, path, {**form, "amount": "31"})
    assert 'data-testid="error-amount">At most $30.00 can be refunded.<' in texts(refused)
    assert csrf_post(staff.client, path, {**form, "amount": "12.50"}).status_code == 302
    assert csrf_post(staff.client, path, {**form, "amount": "12.50"}).status_code == 302
    assert Payment.objects.filter(kind="refund").count() == 1
    page = texts(staff.client.get("/staff/payments/", {"company": world.company.pk}))
    assert 'data-testid="balance-unapplied">$17.50<' in page


def test_another_tenants_company_cannot_be_paid(world: World, other_world: World) -> None:
    staff = staff_client(world)
    answer = csrf_post(
        staff.client,
        f"/staff/companies/{other_world.company.pk}/payment/",
        {"amount": "5", "method": "cash", "received_on": "2026-01-01", "token": "t"},
    )
    assert answer.status_code == 404 and Payment.objects.count() == 0


# --- the settings and the period -----------------------------------------------------------


def test_the_billing_settings_are_saved_and_printed_on_the_next_invoice(world: World) -> None:
    staff = staff_client(world)
    form = _form(texts(staff.client.get("/staff/billing/")), "billing-settings-form")
    assert form == {"invoicing": "per_shipment", "legal_name": "", "tax_number": "",
                    "receivables_source": "invoices"}  # fmt: skip
    answer = csrf_post(
        staff.client,
        "/staff/billing/",
        {
            **form,
            "legal_name": "Acme Wholesale Ltd",
            "address": "1 Queen's Road\nHong Kong",
            "payment_instructions": "HSBC 123",
        },
    )
    assert answer.status_code == 302
    invoice = _invoice(world, ("A-1", 1))
    page = _invoice_page(staff, invoice)
    assert "Acme Wholesale Ltd" in page and "1 Queen&#x27;s Road<br>Hong Kong" in page
    assert "HSBC 123" in page


def test_too_long_a_legal_name_is_refused(world: World) -> None:
    staff = staff_client(world)
    form = _form(texts(staff.client.get("/staff/billing/")), "billing-settings-form")
    answer = csrf_post(staff.client, "/staff/billing/", {**form, "legal_name": "x" * 201})
    assert answer.status_code == 200 and 'data-testid="error-legal_name"' in texts(answer)
    assert not BillingPolicy.objects.exists()


def test_monthly_invoicing_issues_the_periods_invoices_on_the_button(world: World) -> None:
    staff = staff_client(world)
    form = _form(texts(staff.client.get("/staff/billing/")), "billing-settings-form")
    csrf_post(staff.client, "/staff/billing/", {**form, "invoicing": "monthly"})
    with clock.as_of(datetime.now(UTC) - timedelta(days=40)):
        shipped_order(world, ("A-1", 1))
    assert not Invoice.objects.exists()
    page = _text(texts(staff.client.get("/staff/billing/")))
    assert "1 shipment up to" in page and "waits to be invoiced" in page
    answer = csrf_post(staff.client, "/staff/billing/period/")
    assert answer.status_code == 302 and Invoice.objects.count() == 1
    assert "1 invoice issued for goods shipped up to" in texts(staff.client.get(answer["Location"]))
    csrf_post(staff.client, "/staff/billing/period/")
    assert Invoice.objects.count() == 1


def test_the_receivables_can_come_from_a_sync(world: World) -> None:
    staff = staff_client(world)
    form = _form(texts(staff.client.get("/staff/billing/")), "billing-settings-form")
    csrf_post(staff.client, "/staff/billing/", {**form, "receivables_source": "sync"})
    assert CreditPolicy.objects.get().receivables_source == "sync"


# --- the company page ----------------------------------------------------------------------


def test_the_company_page_shows_where_it_stands(world: World) -> None:
    staff = staff_client(world)
    _invoice(world, ("A-1", 10))
    second_company(world)
    page = texts(staff.client.get(f"/staff/companies/{world.company.pk}/"))
    assert 'data-testid="balance-open">$90.00<' in page
    assert f'href="/staff/payments/?company={world.company.pk}"' in page
    assert f'href="/staff/invoices/?company={world.company.pk}"' in page


# --- the aging's bars ----------------------------------------------------------------------


def test_each_aging_bar_is_as_long_as_its_share_of_the_largest_and_a_cent_still_shows() -> None:
    total = CurrencyTotal(
        "USD",
        3,
        Aged(
            current=Decimal("400.00"),
            days_1_30=Decimal("0.01"),
            days_31_60=Decimal("399.99"),
            over_90=Decimal("100.00"),
        ),
    )
    bars = {bar["bucket"]: bar["length"] for bar in chart_bars(total)}
    assert bars == {"current": 100, "1_30": 1, "31_60": 99, "61_90": 0, "over_90": 25}
    assert [bar["length"] for bar in chart_bars(CurrencyTotal("USD", 0, Aged()))] == [0] * 5


def test_the_aging_page_draws_a_labelled_bar_per_bucket_and_a_dash_for_nothing(
    world: World,
) -> None:
    staff = staff_client(world)
    _invoice(world, ("A-1", 3))  # 30.00, not yet due (first: an overdue one would hold it)
    with clock.as_of(datetime.now(UTC) - timedelta(days=40)):
        _invoice(world, ("A-1", 10))  # 90.00, due 10 days ago
    page = texts(staff.client.get("/staff/receivables/"))
    chart = page[
        page.index('<ol class="aging-bars" data-testid="aging-chart"') : page.index("</ol>")
    ]
    assert _text(chart).strip() == (
        "Not yet due $30.00 1–30 days overdue $90.00 31–60 days overdue - "
        "61–90 days overdue - Over 90 days overdue -"
    )
    assert re.findall(r'data-bucket="(\w+)" width="(\d+)"', chart) == [
        ("current", "33"),
        ("1_30", "100"),
        ("31_60", "0"),
        ("61_90", "0"),
        ("over_90", "0"),
    ]
