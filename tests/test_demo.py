"""`dinghuo demo` at a small scale, loaded once for these tests: counts, every status, a
consistent ledger, working sign-ins, and the invoices, payments and credit notes that
followed the shipments."""

import re
import shutil
import stat
from collections import Counter
from collections.abc import Iterator
from datetime import timedelta
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, Sum
from django.test import Client, override_settings
from django.utils import timezone

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.core.models import Tenant
from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.demo.history import CARRIERS
from dinghuo.fulfilment.models import Shipment
from dinghuo.inventory.models import Reservation, StockLevel, StockMovement, Warehouse
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import OPEN_STATUSES, OrderStatus
from dinghuo.pricing.models import PriceList, PriceTier

SKUS = 200
ORDERS = 40


@pytest.fixture(scope="module")
def loaded(
    django_db_setup: None, django_db_blocker: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Path]]:
    """The demo, loaded once for the module (what it printed, and its var directory): each
    test runs in a savepoint inside this transaction, and the load is rolled back at the end."""
    var = tmp_path_factory.mktemp("var")
    with override_settings(VAR_DIR=var), django_db_blocker.unblock(), transaction.atomic():
        out = StringIO()
        call_command("demo", "--skus", str(SKUS), "--orders", str(ORDERS), stdout=out)
        yield out.getvalue(), var
        transaction.set_rollback(True)


@pytest.fixture
def var_dir(loaded: tuple[str, Path], settings: Any, tmp_path: Path) -> Path:
    """A var directory of the test's own with the stored sign-ins (a test may remove them)."""
    shutil.copy2(loaded[1] / "demo-credentials.txt", tmp_path)
    settings.VAR_DIR = tmp_path
    return tmp_path


@pytest.fixture
def output(loaded: tuple[str, Path], db: None, var_dir: Path) -> str:
    return loaded[0]


def _api_key(text: str) -> str:
    match = re.search(r"Bearer (dh_\S+)\"", text)
    assert match, text
    return match.group(1)


def _login(text: str, pattern: str) -> tuple[str, str]:
    match = re.search(pattern, text)
    assert match, text
    return match.group(1), match.group(2)


def test_counts_at_the_asked_scale(output: str) -> None:
    tenant = Tenant.objects.get(slug="demo")
    scoped = {"tenant": tenant}
    assert Sku.objects.filter(**scoped).count() == SKUS
    # The history's orders, the one the first buyer printed placed this morning, and the one
    # an accepted quote became.
    assert Order.objects.filter(**scoped).count() == ORDERS + 2
    assert Company.objects.filter(**scoped).count() == 30
    assert 48 <= Category.objects.filter(**scoped).count() <= 55
    assert list(
        Warehouse.objects.filter(**scoped)
        .order_by("priority")
        .values_list("code", "priority", "is_active")
    ) == [("hk-kwaichung", 1, True), ("sz-yantian", 2, True), ("hk-quarantine", 90, False)]
    assert dict(PriceList.objects.filter(**scoped).values_list("code", "currency")) == {
        "retail-hkd": "HKD",
        "wholesale-hkd": "HKD",
        "export-usd": "USD",
    }
    per_product = (
        Product.objects.filter(**scoped).annotate(n=Count("skus")).values_list("n", flat=True)
    )
    assert set(per_product) <= {1, 2, 3}
    lines_per_order = (
        OrderLine.objects.values("order").annotate(n=Count("id")).values_list("n", flat=True)
    )
    assert min(lines_per_order) >= 1 and max(lines_per_order) <= 12
    assert f"{SKUS} SKUs" in output and "Loaded in" in output


def test_every_status_appears_and_shipments_are_real(output: str) -> None:
    # The statuses of an order's life; holds and approvals are the straight-through test's.
    life = set(OrderStatus.values) - {OrderStatus.CREDIT_HOLD, OrderStatus.AWAITING_APPROVAL}
    assert set(Order.objects.values_list("status", flat=True)) >= life - {OrderStatus.PLACED}
    known = {name for carriers in CARRIERS.values() for name, _ in carriers}
    shipments = list(Shipment.objects.all())
    assert shipments
    assert {s.carrier for s in shipments} <= known
    assert all(len(s.tracking_number) >= 10 for s in shipments)
    for order in Order.objects.filter(status__in=[OrderStatus.SHIPPED, OrderStatus.DELIVERED]):
        # All of it shipped, or what did not was cancelled (a short-closed order).
        assert all(
            line.shipped_quantity + line.cancelled_quantity == line.quantity
            for line in order.lines.all()
        )
    delivered = Shipment.objects.filter(order__status=OrderStatus.DELIVERED)
    assert not delivered.filter(delivered_at__isnull=True).exists()


def test_history_spreads_over_months_and_each_step_follows_the_last(output: str) -> None:
    from django.utils import timezone

    from dinghuo.integrations.models import Event

    opening = Event.objects.filter(type="stock.changed", payload__reference="demo")
    assert opening.count() == StockLevel.objects.values("sku_id").distinct().count()
    first_order = Order.objects.order_by("placed_at").first()
    assert first_order is not None
    assert all(e.occurred_at < first_order.placed_at for e in opening)
    placed = sorted(Order.objects.values_list("placed_at", flat=True))
    assert placed[-1] - placed[0] > timedelta(days=60)
    assert placed[-1] <= timezone.now()
    for order in Order.objects.prefetch_related("shipments"):
        steps = list(
            Event.objects.filter(aggregate_type="order", aggregate_id=order.pk)
            .order_by("id")
            .values_list("type", "occurred_at")
        )
        assert steps[0] == ("order.placed", order.placed_at)
        times = [moment for _, moment in steps]
        assert times == sorted(times), steps
        for shipment in order.shipments.all():
            assert order.placed_at < shipment.shipped_at <= timezone.now()
            assert shipment.delivered_at is None or shipment.delivered_at > shipment.shipped_at


def test_stock_levels_equal_their_ledger_and_reservations(output: str) -> None:
    levels = {
        (sku, wh): (on_hand, reserved)
        for sku, wh, on_hand, reserved in StockLevel.objects.values_list(
            "sku_id", "warehouse_id", "on_hand", "reserved"
        )
    }
    ledger = {
        (row["sku_id"], row["warehouse_id"]): (row["on_hand"], row["reserved"])
        for row in StockMovement.objects.values("sku_id", "warehouse_id").annotate(
            on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta")
        )
    }
    assert ledger == levels
    held = Counter[tuple[int, int]]()
    for sku, wh, quantity in Reservation.objects.values_list("sku_id", "warehouse_id", "quantity"):
        held[(sku, wh)] += quantity
    assert {k: v for k, v in held.items() if v} == {k: r for k, (_, r) in levels.items() if r}
    closed = Reservation.objects.exclude(order_line__order__status__in=OPEN_STATUSES)
    assert not closed.filter(quantity__gt=0).exists()
    receipts = StockMovement.objects.filter(kind=StockMovement.Kind.RECEIPT)
    reasons = set(receipts.values_list("reason", flat=True))
    # The opening stock, a supplier's delivery for a backorder, and goods sent back.
    assert {"opening stock", "supplier delivery"} <= reasons
    # Goods sent back, and the demo's partly received purchase order.
    assert all(
        r.startswith(("return RMA-", "purchase order PO-"))
        for r in reasons - {"opening stock", "supplier delivery"}
    )
    stocked = StockLevel.objects.values("sku").distinct().count()
    assert SKUS * 0.8 <= stocked < SKUS


def test_names_in_three_languages(output: str) -> None:
    for model in (Category, Product, Sku):
        rows = list(model.objects.values_list("name_en", "name_zh_hant", "name_zh_hans"))
        assert rows and all(en and hant and hans for en, hant, hans in rows), model
        assert all(en != hant for en, hant, _ in rows)
        assert any(hant != hans for _, hant, hans in rows)
    assert Sku.objects.filter(pack_size__gt=1).exists()
    assert Sku.objects.filter(min_order_quantity__gt=1).exists()
    assert PriceTier.objects.filter(min_quantity=50).exists()


def test_every_product_has_a_drawn_picture(output: str) -> None:
    from django.core.files.storage import default_storage

    from dinghuo.catalog.models import ProductImage

    pictures = list(ProductImage.objects.all())
    assert len(pictures) == Product.objects.count()
    assert len({p.product_id for p in pictures}) == len(pictures)  # one main picture each
    shared = {p.small for p in pictures}
    assert 1 < len(shared) <= len(pictures)  # drawn per category and brand, not per product
    for name in list(shared)[:5]:
        assert default_storage.exists(name) and default_storage.size(name) < 20_000


def test_buyers_have_locations_and_users(output: str) -> None:
    for company in Company.objects.all():
        kinds = Counter(company.locations.values_list("kind", flat=True))
        assert kinds[Location.Kind.BILL_TO] == 1
        assert 1 <= kinds[Location.Kind.SHIP_TO] <= 3
        users = list(company.users.select_related("user"))
        assert 1 <= len(users) <= 3
        assert all(u.user.email.endswith(".example") for u in users)
    assert set(CompanyUser.objects.values_list("role", flat=True)) == set(CompanyUser.Role.values)


def test_printed_key_and_logins_work(output: str, var_dir: Path) -> None:
    response = Client().get(
        "/api/v1/orders", headers={"Authorization": f"Bearer {_api_key(output)}"}
    )
    assert response.status_code == 200, response.content
    assert response.json()["items"]

    match = re.search(r"Staff login: (\S+) \(back office\) or (\S+) \(admin\) / (\S+)", output)
    assert match, output
    email, username, password = match.groups()
    assert User.objects.get(username=username).is_superuser
    assert Client().login(username=username, password=password)
    back_office = Client().post("/staff/signin/", {"email": email, "password": password})
    assert back_office.status_code == 302, back_office.content[:300]
    buyer = _login(output, r"\n    (\S+@\S+\.example) / (\S+)")
    portal = Client().post("/signin/", {"email": buyer[0], "password": buyer[1]})
    assert portal.status_code == 302, portal.content[:300]

    path = var_dir / "demo-credentials.txt"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert _api_key(path.read_text()) == _api_key(output)


def test_a_second_load_refuses_and_if_empty_shows_the_stored_sign_ins(
    output: str, var_dir: Path
) -> None:
    with pytest.raises(CommandError, match="recreate the database"):
        call_command("demo", stdout=StringIO())
    out, err = StringIO(), StringIO()
    call_command("demo", "--if-empty", stdout=out, stderr=err)
    assert _api_key(out.getvalue()) == _api_key(output)
    assert err.getvalue() == ""

    (var_dir / "demo-credentials.txt").unlink()
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "sign-ins are not in" in out.getvalue()
    assert Order.objects.count() == ORDERS + 2  # nothing placed again
    assert Tenant.objects.count() == 1


def test_most_orders_go_straight_through_and_the_exceptions_say_why(output: str) -> None:
    orders = Order.objects.count()
    untouched = Order.objects.filter(review_reasons=[]).count()
    assert untouched > orders / 2
    waited = Order.objects.exclude(review_reasons=[])
    assert waited.exists()
    # every order nobody touched was confirmed by the automation rule
    assert not Order.objects.filter(review_reasons=[], confirmed_automatically=False).exists()
    match = re.search(r"Straight through: (\d+) of (\d+) orders \((\d+)%\)", output)
    assert match, output
    assert (int(match.group(1)), int(match.group(2))) == (untouched, orders)
    assert "shows a tight credit limit" in output


def test_tax_is_what_each_destination_really_charges(output: str) -> None:
    """None in Hong Kong, 9% GST to Singapore, 5% to Taiwan, 13% VAT to Shenzhen (9% on
    basic food); nothing for the exempt caterer; every order's lines add up to its totals."""
    from decimal import Decimal

    tenant = Tenant.objects.get(slug="demo")
    lines = OrderLine.objects.filter(tenant=tenant).select_related("order__ship_to", "sku__product")
    percents: dict[tuple[str, str], set[Decimal]] = {}
    for line in lines:
        order = line.order
        food = line.sku.product.tax_category.code == "basic-food"
        exempt = order.company.code == "LIONCATER"
        key = (order.ship_to.country, "exempt" if exempt else "food" if food else "other")
        percents.setdefault(key, set()).add(line.tax_percent.normalize())
        assert line.net_amount + line.tax_amount == line.gross_amount
    expected = {
        ("HK", "food"): {Decimal(0)},
        ("HK", "other"): {Decimal(0)},
        ("SG", "food"): {Decimal(9)},
        ("SG", "other"): {Decimal(9)},
        ("SG", "exempt"): {Decimal(0)},
        ("TW", "food"): {Decimal(5)},
        ("TW", "other"): {Decimal(5)},
        ("CN", "food"): {Decimal(9)},
        ("CN", "other"): {Decimal(13)},
    }
    assert percents == {k: expected[k] for k in percents}
    assert {country for country, _ in percents} >= {"HK", "CN"}
    for order in Order.objects.filter(tenant=tenant).prefetch_related("lines"):
        got = [(ln.net_amount, ln.tax_amount, ln.gross_amount) for ln in order.lines.all()]
        assert (order.subtotal, order.tax_total, order.total) == tuple(
            sum((row[i] for row in got), Decimal(0)) for i in range(3)
        )
    assert PriceList.objects.get(tenant=tenant, code="retail-hkd").prices_include_tax
    caterer = Company.objects.get(tenant=tenant, code="LIONCATER")
    assert caterer.tax_exemption_certificate == "MES-2025-00417"
    assert Location.objects.filter(tenant=tenant, country="CN").exclude(region="GD").count() == 0


def test_shipments_are_invoiced_on_their_day_and_most_invoices_are_paid(output: str) -> None:
    from dinghuo.billing.models import Allocation, Invoice, Payment

    invoices = list(Invoice.objects.select_related("receivable").order_by("id"))
    shipments = {s.pk: s for s in Shipment.objects.all()}
    assert sorted(i.shipment_id for i in invoices) == sorted(shipments)
    # Numbers follow the dates, with no gaps: the history is recorded in the order it happened.
    assert [i.number for i in invoices] == [f"INV-{n:06d}" for n in range(1, len(invoices) + 1)]
    assert [i.issued_on for i in invoices] == sorted(i.issued_on for i in invoices)
    for invoice in invoices:
        assert invoice.issued_on == shipments[invoice.shipment_id].shipped_at.date()
        assert invoice.due_on >= invoice.issued_on
    details = invoices[0].seller_details
    assert details["legal_name"].startswith("Harbour Trading Company Limited")
    assert "Hong Kong" in details["address"] and details["tax_number"].startswith("BR No.")
    assert "quote the invoice number" in details["payment_instructions"]

    paid = [i for i in invoices if i.receivable.open_amount == 0]
    assert len(paid) > len(invoices) / 2
    assert any(i.receivable.open_amount == i.total for i in invoices)  # recent ones are open
    methods = Counter(Payment.objects.values_list("method", flat=True))
    assert methods["bank_transfer"] > methods["cheque"] > 0
    for payment in Payment.objects.all():
        assert payment.created_at.date() == payment.received_on
        assert payment.reference
    # Money received pays invoices already issued (a prepayment waits for its invoice).
    for allocation in Allocation.objects.filter(
        payment__isnull=False, payment__order=None, invoice__isnull=False
    ):
        assert allocation.payment.received_on >= allocation.invoice.issued_on


def _shown(output: str, what: str) -> Company:
    """The company the load says shows `what`."""
    match = re.search(rf"\n  (\S+) shows [^\n]*{what}", output)
    assert match, output
    return Company.objects.get(code=match.group(1))


def test_the_late_payer_is_overdue_and_the_prepaid_company_pays_first(output: str) -> None:
    from django.utils import timezone

    from dinghuo.billing.models import Payment, Receivable
    from dinghuo.integrations.models import Event

    late = _shown(output, "overdue invoices")
    today = timezone.localdate()
    overdue = Receivable.objects.filter(open_amount__gt=0, due_on__lt=today - timedelta(days=7))
    assert overdue.exists()
    assert set(overdue.values_list("company_id", flat=True)) == {late.pk}
    held = [o for o in Order.objects.filter(company=late) if "credit_hold" in o.review_reasons]
    assert held
    assert all("overdue" in order.hold_reason for order in held)
    assert late.credit_line.oldest_unpaid_due_on == overdue.order_by("due_on").first().due_on

    prepaid = _shown(output, "prepaid terms")
    orders = Order.objects.filter(company=prepaid)
    paid_for = set(Payment.objects.filter(company=prepaid).values_list("order_id", flat=True))
    confirmed = orders.filter(status=OrderStatus.CONFIRMED, confirmed_automatically=True)
    assert confirmed.exists()
    for order in confirmed:
        assert order.pk in paid_for
        event = Event.objects.get(aggregate_id=order.pk, type="order.confirmed")
        assert event.payload["paid"] is True
    waiting = orders.filter(status=OrderStatus.PLACED)
    assert waiting.exists()
    assert all("prepaid" in o.review_reasons and o.pk not in paid_for for o in waiting)
    # What it was sent was paid in advance: none of its invoices is open.
    assert not Receivable.objects.filter(company=prepaid, open_amount__gt=0).exists()


def test_credit_notes_an_overpayment_and_credit_that_follows_the_money(output: str) -> None:
    from decimal import Decimal

    from dinghuo.billing.models import Account, CreditNote
    from tests.billing.support import assert_money_consistent

    everything = list(CreditNote.objects.prefetch_related("lines").order_by("id"))
    # Numbered in the order they were issued, returns' credit notes among them.
    assert [n.number for n in everything] == [f"CN-{i:06d}" for i in range(1, len(everything) + 1)]
    notes = [n for n in everything if not n.reason.startswith("Return RMA-")]
    damaged, goodwill = notes
    assert damaged.reason.startswith("Damaged in transit")
    assert all(line.invoice_line_id and line.quantity for line in damaged.lines.all())
    assert goodwill.reason.startswith("Goodwill")
    assert all(line.invoice_line_id is None for line in goodwill.lines.all())
    assert all(n.total > 0 and n.issued_on >= n.invoice.issued_on for n in notes)
    overpaid = _shown(output, "unapplied credit")
    assert Account.objects.get(company=overpaid).unapplied > Decimal(0)
    # Every company's invoice exposure is what its invoices still owe, its order exposure
    # what its open orders hold, and every payment and credit note is accounted for.
    assert_money_consistent(Tenant.objects.get(slug="demo").pk)


def _staff(output: str) -> Client:
    """A client signed in to the back office as the demo's staff member."""
    match = re.search(r"Staff login: (\S+) \(back office\) or \S+ \(admin\) / (\S+)", output)
    assert match, output
    client = Client()
    signed_in = client.post("/staff/signin/", {"email": match[1], "password": match[2]})
    assert signed_in.status_code == 302, signed_in.content[:300]
    return client


def test_usd_payments_on_later_days_show_exchange_differences(output: str) -> None:
    """Money in US dollars received at another rate than its invoice's: the payment's detail
    and the accounting export show the difference in Hong Kong dollars; in HKD there is none."""
    import csv
    from decimal import Decimal

    from dinghuo.billing.models import Allocation
    from dinghuo.core.money import format_amount

    allocations = list(
        Allocation.objects.filter(invoice__isnull=False).select_related("payment", "invoice")
    )
    hkd = [a for a in allocations if a.invoice.currency == "HKD"]
    assert hkd and all(a.source_base == a.use_base == a.amount for a in hkd)
    differing = [a for a in allocations if a.exchange_difference]
    assert {a.invoice.currency for a in differing} == {"USD"}
    assert any(a.exchange_difference > 0 for a in differing)  # a gain
    assert any(a.exchange_difference < 0 for a in differing)  # and a loss
    paid = next(a for a in differing if a.payment is not None)
    assert paid.payment.received_on > paid.invoice.issued_on
    assert paid.payment.fx_rate != paid.invoice.fx_rate

    headers = {"Authorization": f"Bearer {_api_key(output)}"}
    detail = Client().get(f"/api/v1/payments/{paid.payment.pk}", headers=headers).json()
    mine = Allocation.objects.filter(payment=paid.payment)
    expected = sum((a.exchange_difference for a in mine), Decimal(0))
    assert (detail["currency"], detail["base_currency"]) == ("USD", "HKD")
    assert detail["exchange_difference"] == format_amount(expected, "HKD") != "0.00"
    used = next(u for u in detail["allocations"] if u["invoice_id"] == paid.invoice_id)
    assert Decimal(used["exchange_difference"]) == paid.exchange_difference

    export = Client().get("/api/v1/accounting/journal.csv", headers=headers)
    assert export.status_code == 200
    rows = [
        r
        for r in csv.DictReader(export.content.decode().splitlines())
        if r["account"] == "Income:Exchange-Differences"
    ]
    booked = sum((Decimal(r["credit"] or 0) - Decimal(r["debit"] or 0) for r in rows), Decimal(0))
    assert rows and booked == sum((a.exchange_difference for a in Allocation.objects.all()), 0)


def test_the_receivables_page_adds_up_other_currencies_in_hkd(output: str) -> None:
    from dinghuo.billing import aging_export
    from dinghuo.billing import queries as billing
    from dinghuo.core.templatetags.dinghuo import money
    from dinghuo.pages.invoices import business_day

    tenant = Tenant.objects.get(slug="demo")
    rows = billing.receivables_aging(tenant.pk, business_day())
    usd = [row for row in rows if row.currency == "USD"]
    assert usd and all(row.base_currency == "HKD" and row.base.total > 0 for row in usd)
    (everyone,) = aging_export.base_totals(rows)
    assert everyone.aged.total > sum(row.aged.total for row in usd)  # HKD and USD, in HKD
    page = _staff(output).get("/staff/receivables/")
    assert page.status_code == 200
    text = page.content.decode()
    assert money(everyone.aged.total, "HKD") in text
    for row in usd:
        assert money(row.aged.total, "USD") in text and money(row.base.total, "HKD") in text


def test_the_deposit_company_pays_a_deposit_before_its_orders_are_confirmed(
    output: str,
) -> None:
    from decimal import Decimal

    from dinghuo.billing.models import Allocation, Payment
    from dinghuo.core.money import round_money
    from dinghuo.integrations.models import Event

    company = _shown(output, "30% deposit")
    line = company.credit_line
    assert (line.terms, line.terms_days, line.deposit_percent) == ("net", 30, 30)
    assert company.price_list.currency == "USD"
    orders = Order.objects.filter(company=company)
    assert orders.count() >= 2
    for order in orders:
        assert order.prepayment_due == round_money(order.total * Decimal("0.3"), "USD")
        assert 0 < order.prepayment_due < order.total
    deposits = {p.order_id: p for p in Payment.objects.filter(company=company)}
    waiting = orders.filter(status=OrderStatus.PLACED)
    assert waiting.exists()
    assert all("prepaid" in o.review_reasons and o.pk not in deposits for o in waiting)
    confirmed = orders.filter(confirmed_automatically=True)
    assert confirmed.exists()
    for order in confirmed:
        assert "prepaid" in order.review_reasons
        assert deposits[order.pk].amount == order.prepayment_due  # the deposit, not the total
        event = Event.objects.get(aggregate_id=order.pk, type="order.confirmed")
        assert event.payload["paid"] is True
    # Its invoices took the deposits paid; what is left is due on net 30.
    used = Allocation.objects.filter(payment__order__company=company, invoice__isnull=False)
    assert used.exists()
    for allocation in used.select_related("invoice"):
        invoice = allocation.invoice
        assert invoice.due_on == invoice.issued_on + timedelta(days=30)


def test_a_large_usd_order_waits_for_the_sales_desk_with_both_amounts(output: str) -> None:
    """The sales desk's rule is in Hong Kong dollars; an order in US dollars over it at its
    rate waits in the seller's inbox, its reason saying both amounts."""
    from decimal import Decimal

    from django.utils import timezone, translation

    from dinghuo.core.money import format_amount
    from dinghuo.core.phrases import english
    from dinghuo.core.templatetags.dinghuo import money
    from dinghuo.orders.models import ApprovalRule
    from dinghuo.orders.queries import awaiting_seller_approval
    from dinghuo.pricing.fx import to_base

    tenant = Tenant.objects.get(slug="demo")
    (rule,) = ApprovalRule.objects.filter(tenant=tenant, min_amount__isnull=False)
    assert (rule.currency, rule.min_amount, rule.approver) == ("HKD", Decimal(100_000), "seller")
    (order,) = awaiting_seller_approval(tenant.pk).filter(currency="USD")
    assert order.company == _shown(output, "large order in US dollars")
    in_hkd = to_base(order.total, order.fx_rate, "HKD")
    assert in_hkd >= rule.min_amount > order.total
    assert order.approval_expires_at > timezone.now()  # still waiting when the demo starts
    (step,) = order.approvals.all()
    assert (step.level, step.approver, step.status) == (2, "seller", "pending")
    reason = (
        f"{rule.name}: {format_amount(order.total, 'USD')} USD "
        f"({format_amount(in_hkd, 'HKD')} HKD) is 100000.00 HKD or more"
    )
    assert [english(r) for r in step.reasons] == [reason]
    page = _staff(output).get(f"/staff/orders/{order.pk}/")
    assert page.status_code == 200
    with translation.override("en"):
        said = f"{money(order.total, 'USD')} ({money(in_hkd, 'HKD')}) is HK$100,000.00 or more"
    assert said in page.content.decode()


# --- after-sales: returns in every state, a backorder filled, an order short-closed ------------


def _timeline(output: str, order_id: int) -> list[str]:
    headers = {"Authorization": f"Bearer {_api_key(output)}"}
    answer = Client().get(f"/api/v1/orders/{order_id}/timeline", headers=headers)
    assert answer.status_code == 200, answer.content
    return [entry["type"] for entry in answer.json()]


def test_the_return_policy_keeps_chilled_goods_and_a_fee(output: str) -> None:
    from decimal import Decimal

    from dinghuo.returns.models import ReturnPolicy

    policy = ReturnPolicy.objects.get(tenant__slug="demo")
    assert (policy.window_days, policy.restocking_fee_percent, policy.auto_approve_limit) == (
        30,
        Decimal(15),
        Decimal(2000),
    )
    assert set(policy.non_returnable_categories.values_list("code", flat=True)) == {
        "frozen-meat",
        "frozen-seafood",
        "frozen-dim-sum",
        "dairy",
    }
    assert policy.quarantine_warehouse is not None
    assert not policy.quarantine_warehouse.is_active


def test_returns_wait_are_approved_come_back_and_are_rejected(output: str) -> None:
    from dinghuo.returns.models import ReturnRequest

    returns = list(ReturnRequest.objects.prefetch_related("lines", "credit_notes"))
    by_status = {r.status: r for r in returns}
    assert sorted(r.status for r in returns) == ["approved", "closed", "rejected", "requested"]
    waiting = by_status["requested"]
    assert waiting.review_reasons and not waiting.number  # a clerk decides; no RMA yet
    approved = by_status["approved"]
    assert approved.number.startswith("RMA-") and approved.received_at is None
    rejected = by_status["rejected"]
    assert rejected.decision_comment and not rejected.number
    closed = by_status["closed"]
    assert sorted(line.fate for line in closed.lines.all()) == ["restock", "scrap"]
    (note,) = closed.credit_notes.all()
    assert note.reason.startswith(f"Return {closed.number}, less a restocking fee")
    assert closed.fee_amount > 0 and closed.credited_amount == note.total > 0
    # The ledger says what came back: a receipt for each line, the scrapped one written off.
    moved = StockMovement.objects.filter(reference=closed.number)
    assert sorted(moved.values_list("kind", flat=True)) == ["adjustment", "receipt", "receipt"]
    for request in returns:
        steps = [t for t in _timeline(output, request.order_id) if t.startswith("return.")]
        assert (
            steps
            == {
                "requested": ["return.requested"],
                "approved": ["return.requested", "return.approved"],
                "rejected": ["return.requested", "return.rejected"],
                "closed": [
                    "return.requested",
                    "return.approved",
                    "return.received",
                    "return.closed",
                ],
            }[request.status]
        )
    for code, what in (
        (waiting.company.code, "a return waiting for a clerk"),
        (approved.company.code, f"an approved return ({approved.number})"),
        (closed.company.code, f"credited by {note.number}"),
        (rejected.company.code, "a rejected return"),
    ):
        assert _shown(output, re.escape(what)).code == code


def test_the_first_buyer_printed_can_return_a_delivered_order_at_once(output: str) -> None:
    """The first sign-in printed owns a delivered order within the window, nothing of it
    asked back: its page offers to return goods, and the form opens."""
    email, password = _login(output, r"\n    (\S+@\S+\.example) / (\S+)")
    company = CompanyUser.objects.get(user__email=email).company
    showing = re.findall(r"\n  (\S+) shows [^\n]*a delivered order it may return goods of", output)
    assert company.code in showing
    client = Client()
    assert client.post("/signin/", {"email": email, "password": password}).status_code == 302
    offered = [
        order
        for order in Order.objects.filter(
            company=company, status=OrderStatus.DELIVERED, returns__isnull=True
        )
        if 'data-testid="return-goods"' in client.get(f"/orders/{order.pk}/").content.decode()
    ]
    assert offered
    assert client.get(f"/orders/{offered[0].pk}/return/").status_code == 200


def test_a_backorder_filled_on_arrival_and_an_order_short_closed(output: str) -> None:
    from dinghuo.integrations.models import Event

    shown = re.search(
        r"\n  (\S+) shows [^\n]*a backorder filled when stock arrived \((\S+)\)", output
    )
    assert shown, output
    filled = {e.aggregate_id: e for e in Event.objects.filter(type="order.backorder_filled")}
    (order,) = [o for o in Order.objects.filter(pk__in=filled) if o.number == shown[2]]
    assert order.company.code == shown[1]
    assert "order.backorder_filled" in _timeline(output, order.pk)
    (delivery,) = StockMovement.objects.filter(reason="supplier delivery")
    assert delivery.created_at <= filled[order.pk].occurred_at
    assert Reservation.objects.filter(order_line__order=order, quantity__gt=0).exists()

    (closed,) = Event.objects.filter(type="order.short_closed")
    order = Order.objects.get(pk=closed.aggregate_id)
    assert order.status == OrderStatus.SHIPPED
    assert "order.short_closed" in _timeline(output, order.pk)
    assert order.lines.filter(cancelled_quantity__gt=0).exists()
    assert not Reservation.objects.filter(order_line__order=order, quantity__gt=0).exists()
    assert _shown(output, "an order short-closed").pk == order.company_id


def test_a_recent_order_was_changed_by_phone(output: str) -> None:
    from dinghuo.integrations.models import Event

    shown = re.search(
        r"\n  (\S+) shows [^\n]*an order changed by phone \((\S+), version 2\)", output
    )
    assert shown, output
    (amended,) = Event.objects.filter(type="order.amended")
    order = Order.objects.get(pk=amended.aggregate_id)
    assert (order.number, order.company.code, order.version) == (shown[2], shown[1], 2)
    assert amended.payload["note"] == "Customer phoned: one more pack of this item."
    assert "order.amended" in _timeline(output, order.pk)
    assert order.amendments.get().total_after > order.amendments.get().total_before


def test_the_first_buyer_printed_can_still_change_this_mornings_order(output: str) -> None:
    """The first sign-in printed placed an order a few hours ago: its page offers the
    change, the form says until when, and a change goes through."""
    email, password = _login(output, r"\n    (\S+@\S+\.example) / (\S+)")
    company = CompanyUser.objects.get(user__email=email).company
    shown = re.search(
        r"\n  (\S+) shows [^\n]*an order placed this morning that its buyer may still change "
        r"\((\S+)\)",
        output,
    )
    assert shown, output
    (order,) = [o for o in Order.objects.filter(company=company) if o.number == shown[2]]
    assert (shown[1], order.company_id, order.channel) == (company.code, company.pk, "portal")
    assert timezone.now() - timedelta(hours=4) < order.placed_at < timezone.now()
    client = Client()
    assert client.post("/signin/", {"email": email, "password": password}).status_code == 302
    assert 'data-testid="change-order"' in client.get(f"/orders/{order.pk}/").content.decode()
    page = client.get(f"/orders/{order.pk}/change/").content.decode()
    assert 'data-testid="amend-until"' in page and 'data-testid="amend-closed"' not in page


def test_the_erp_webhook_took_the_last_weeks_order_events_one_after_a_retry(output: str) -> None:
    from dinghuo.integrations.models import WebhookAttempt, WebhookSubscription

    erp = WebhookSubscription.objects.get()
    assert erp.url == "https://erp.harbour-trading.example/dinghuo/events"
    assert not erp.is_active and erp.paused_at is None
    sent = erp.deliveries.all()
    assert sent.count() > 5 and set(sent.values_list("state", flat=True)) == {"delivered"}
    types = set(sent.values_list("event__type", flat=True))
    assert types and all(t.startswith(("order.", "invoice.")) for t in types)
    week_ago = timezone.now() - timedelta(days=7, minutes=20)
    assert all(d.event.occurred_at >= week_ago for d in sent.select_related("event"))
    (busy,) = WebhookAttempt.objects.filter(status_code=503)
    assert busy.response_excerpt.startswith("ERP busy") and busy.delivery.attempts == 2


def test_the_demo_mails_only_its_latest_events_not_its_history(output: str) -> None:
    from dinghuo.demo.loader import MAILED_EVENTS
    from dinghuo.notifications.models import Mail

    mails = Mail.objects.all()
    assert 1 <= mails.count() <= 4 * MAILED_EVENTS  # a few recipients each, not months of orders
    assert len({m.event_id for m in mails}) <= MAILED_EVENTS
    assert set(mails.values_list("state", flat=True)) == {"waiting"}  # sent by the worker
    assert all(m.subject and m.text and m.html for m in mails)


def test_a_stock_count_waits_for_review_with_a_few_variances(output: str) -> None:
    from dinghuo.stocktaking.models import StockCount

    count = StockCount.objects.get(tenant__slug="demo")
    assert (count.status, count.scope) == ("in_review", "categories")
    variances = [line.variance for line in count.lines.exclude(counted=None)]
    assert len(variances) >= 3 and sum(1 for v in variances if v) >= 2


def test_the_quote_desk_has_a_quote_in_each_state(output: str) -> None:
    from dinghuo.buying.models import Quote, QuoteRound

    statuses = sorted(Quote.objects.values_list("status", flat=True))
    assert statuses.count("requested") >= 1
    assert {"answered", "countered", "accepted"} <= set(statuses)
    accepted = Quote.objects.get(status="accepted")
    assert accepted.order is not None and accepted.order.notes == f"Quote {accepted.number}"
    countered = Quote.objects.get(status="countered")
    assert list(
        QuoteRound.objects.filter(quote=countered).order_by("number").values_list("kind", flat=True)
    ) == ["request", "answer", "counter"]


def test_purchasing_shows_pos_in_three_states_and_what_to_reorder(output: str) -> None:
    from dinghuo.core.models import Tenant
    from dinghuo.purchasing import suggestions
    from dinghuo.purchasing.models import PurchaseOrder, Supplier

    assert Supplier.objects.count() == 3
    statuses = sorted(PurchaseOrder.objects.values_list("status", flat=True))
    assert statuses == ["awaiting_approval", "partially_received", "sent"]
    tenant = Tenant.objects.get()
    assert suggestions.suggestions(tenant.pk)
