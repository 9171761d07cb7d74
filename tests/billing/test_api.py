"""Billing through the staff API: invoices issued by shipping, payments, credit notes, refunds,
the period's run, balances and the billing policy; every refusal changes nothing."""

import copy
import json
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.db.models import Model

from dinghuo.billing import models as billing
from dinghuo.catalog import services as catalog
from dinghuo.catalog.models import Product
from dinghuo.core import clock
from dinghuo.customers import services as customers
from dinghuo.customers.models import CreditLine
from dinghuo.integrations.models import Event
from dinghuo.pricing import services as pricing
from tests.builders import World
from tests.orders.support import place

D = Decimal
TODAY = clock.now().date()
BILLING_TABLES: list[type[Model]] = [
    billing.Invoice,
    billing.InvoiceLine,
    billing.Receivable,
    billing.CreditNote,
    billing.CreditNoteLine,
    billing.Payment,
    billing.Allocation,
    billing.Account,
    billing.UnbilledShipment,
    billing.BillingPolicy,
    billing.DocumentSeries,
    CreditLine,
]


def state() -> dict[str, Any]:
    """Every billing row, the credit lines and the events: what a refusal must leave alone."""
    rows = {m.__name__: list(m.objects.order_by("pk").values()) for m in BILLING_TABLES}
    return {**rows, "events": list(Event.objects.order_by("id").values_list("id", flat=True))}


def put(api: Any, path: str, body: Any) -> Any:
    return api.send("PUT", path, json.dumps(body))


def patch(api: Any, path: str, body: Any) -> Any:
    return api.send("PATCH", path, json.dumps(body))


def codes(r: Any) -> list[str]:
    return [e["code"] for e in r.json().get("errors", [])]


@pytest.fixture
def taxed(world: World) -> World:
    """The world's company ships to Singapore: 9% GST on everything, 0% on C-3's product."""
    tenant = world.tenant.pk
    world.ship_to = customers.create_location(
        tenant_id=tenant,
        company_id=world.company.pk,
        kind="ship_to",
        name="Jurong dock",
        line1="1 Jurong Port Rd",
        city="Singapore",
        country="SG",
    )
    customers.create_location(
        tenant_id=tenant,
        company_id=world.company.pk,
        kind="bill_to",
        name="Head office",
        line1="8 Marina View",
        city="Singapore",
        postal_code="018960",
        country="SG",
    )
    zero = catalog.create_tax_category(tenant_id=tenant, code="zero", name={"en": "Zero"})
    Product.objects.filter(code="P-C-3").update(tax_category=zero)
    for category, percent, name in [(None, "9", "GST"), (zero, "0", "GST zero-rated")]:
        pricing.create_tax_rate(
            tenant_id=tenant,
            category_id=category.pk if category else None,
            country="SG",
            name={"en": name},
            percent=D(percent),
            valid_from=date(2020, 1, 1),
        )
    return world


def confirm_and_ship(world: World, order_id: int, *parts: list[dict[str, int]]) -> list[int]:
    """Confirm an order and ship it in `parts` (each a list of lines; none: all at once);
    the ids of the invoices the shipments issued."""
    api = world.client()
    assert api.post(f"/orders/{order_id}/confirm").status_code == 200
    before = set(billing.Invoice.objects.values_list("id", flat=True))
    for n, lines in enumerate(parts or [None]):  # type: ignore[list-item]
        body: dict[str, Any] = {"carrier": "DHL", "tracking_number": f"T{order_id}-{n}"}
        if lines is not None:
            body["lines"] = lines
        r = api.post(f"/orders/{order_id}/shipments", body)
        assert r.status_code == 201, r.json()
    return sorted(set(billing.Invoice.objects.values_list("id", flat=True)) - before)


def pay(world: World, amount: str, key: str = "pay-1", **extra: Any) -> Any:
    body = {
        "company_id": world.company.pk,
        "amount": amount,
        "currency": "USD",
        "method": "bank_transfer",
        "received_on": TODAY.isoformat(),
        "reference": "TT 4471",
        **extra,
    }
    return world.client().post("/payments", body, key=key)


def credit(world: World, invoice_id: int, body: dict[str, Any], key: str = "cn-1") -> Any:
    return world.client().post(f"/invoices/{invoice_id}/credit-notes", body, key=key)


def invoice(world: World, invoice_id: int) -> dict[str, Any]:
    r = world.client().get(f"/invoices/{invoice_id}")
    assert r.status_code == 200, r.content
    return dict(r.json())


def credit_exposure(world: World) -> tuple[str, str]:
    body = world.client().get(f"/companies/{world.company.pk}/credit").json()
    return body["order_exposure"], body["invoice_exposure"]


def feed(world: World, *types: str) -> list[dict[str, Any]]:
    r = world.client().get("/events", type=list(types), limit=1000)
    assert r.status_code == 200
    return list(r.json()["items"])


def money_sum(*amounts: str) -> D:
    return sum((D(a) for a in amounts), D(0))


# --- The order to cash, end to end ------------------------------------------------------------


@pytest.fixture
def two_parts(taxed: World) -> tuple[dict[str, Any], int, int]:
    """An order of 99.10 (tax included) shipped in two parts: the order and its two invoices."""
    world, api = taxed, taxed.client()
    patch(api, f"/companies/{world.company.pk}/credit", {"credit_limit": "5000"})
    order_id = place(world, ("A-1", 10), ("C-3", 3))
    order = api.get(f"/orders/{order_id}").json()
    assert (order["net_total"], order["tax_total"], order["total"]) == ("91.00", "8.10", "99.10")
    assert credit_exposure(world) == ("99.10", "0.00")
    [first] = confirm_and_ship(world, order_id, [{"line_number": 1, "quantity": 4}])
    assert credit_exposure(world) == ("59.86", "39.24")  # moved as it was invoiced
    rest = [{"line_number": 1, "quantity": 6}, {"line_number": 2, "quantity": 3}]
    shipped = api.post(
        f"/orders/{order_id}/shipments", {"carrier": "DHL", "tracking_number": "T2", "lines": rest}
    )
    assert shipped.status_code == 201, shipped.json()
    [second] = billing.Invoice.objects.exclude(pk=first).values_list("id", flat=True)
    return order, first, second


def test_an_order_shipped_in_two_parts_makes_two_invoices_that_add_up_to_it(taxed, two_parts):
    world, (order, first, second) = taxed, two_parts

    one, two = invoice(world, first), invoice(world, second)
    for field in ("net_total", "tax_total", "total"):
        assert money_sum(one[field], two[field]) == D(order[field]), field
    assert (one["number"], two["number"]) == ("INV-000001", "INV-000002")
    assert one["total"] == "39.24" and one["tax_total"] == "3.24"
    assert one["lines"] == [
        {
            "line_number": 1,
            "order_id": order["id"],
            "order_number": order["number"],
            "sku": "A-1",
            "description": one["lines"][0]["description"],
            "quantity": 4,
            "unit_price": "9.00",
            "tax_name": "GST",
            "tax_percent": "9",
            "net_amount": "36.00",
            "tax_amount": "3.24",
            "gross_amount": "39.24",
        }
    ]
    assert two["tax_summary"] == [
        {
            "tax_name": "GST zero-rated",
            "tax_percent": "0",
            "net_amount": "1.00",
            "tax_amount": "0.00",
            "gross_amount": "1.00",
        },
        {
            "tax_name": "GST",
            "tax_percent": "9",
            "net_amount": "54.00",
            "tax_amount": "4.86",
            "gross_amount": "58.86",
        },
    ]
    assert one["due_on"] == (date.fromisoformat(one["issued_on"]) + timedelta(days=30)).isoformat()
    assert (one["terms"], one["terms_days"], one["terms_text"]) == ("net", 30, "Net 30")
    assert one["bill_to"] == {
        "company": "Buyer One",
        "code": "C001",
        "address": {
            "name": "Head office",
            "line1": "8 Marina View",
            "line2": "",
            "city": "Singapore",
            "postal_code": "018960",
            "country": "SG",
        },
    }
    assert one["orders"] == [order["number"]]
    assert (one["state"], one["open_amount"], one["paid_amount"]) == ("open", "39.24", "0.00")
    # The credit the order held moved to its invoices.
    assert credit_exposure(world) == ("0.00", "99.10")


def test_a_payment_oldest_first_and_a_credit_note_settle_both_invoices(taxed, two_parts):
    world, api, (_, first, second) = taxed, taxed.client(), two_parts
    assert credit_exposure(world) == ("0.00", "99.10")

    # Oldest first: the first invoice in full, 10.00 of the second.
    r = pay(world, "49.24")
    assert r.status_code == 201, r.json()
    assert [(a["invoice_number"], a["amount"]) for a in r.json()["allocations"]] == [
        ("INV-000001", "39.24"),
        ("INV-000002", "10.00"),
    ]
    assert r.json()["unapplied"] == "0.00"
    assert invoice(world, first)["state"] == "paid"
    assert (invoice(world, second)["state"], invoice(world, second)["open_amount"]) == (
        "open",
        "49.86",
    )
    assert credit_exposure(world) == ("0.00", "49.86")

    note = credit(world, second, {"amount": "49.86", "reason": "Damaged in transit"})
    assert note.status_code == 201, note.json()
    assert (note.json()["number"], note.json()["total"]) == ("CN-000001", "49.86")
    paid = invoice(world, second)
    assert (paid["state"], paid["open_amount"], paid["paid_amount"], paid["credited_amount"]) == (
        "paid",
        "0.00",
        "10.00",
        "49.86",
    )
    assert [(a["source"], a["reference"], a["amount"]) for a in paid["allocations"]] == [
        ("payment", "TT 4471", "10.00"),
        ("credit_note", "CN-000001", "49.86"),
    ]
    assert [n["number"] for n in paid["credit_notes"]] == ["CN-000001"]
    assert credit_exposure(world) == ("0.00", "0.00")
    balance = api.get(f"/companies/{world.company.pk}/balance").json()
    assert balance == {
        "company_id": world.company.pk,
        "currency": "USD",
        "open_total": "0.00",
        "overdue_total": "0.00",
        "unapplied": "0.00",
        "refundable": "0.00",
        "oldest_due_on": None,
    }


def test_a_prepaid_order_waits_and_confirms_itself_once_paid(world):
    api = world.client()
    policy = {"auto_confirm": True, "credit_action": "hold", "overdue_grace_days": 0}
    put(api, "/order-policy", {**policy, "approval_expiry_hours": 72})
    patch(api, f"/companies/{world.company.pk}/credit", {"terms": "prepaid"})
    order_id = place(world, ("A-1", 2))
    order = api.get(f"/orders/{order_id}").json()
    assert (order["status"], order["review_reasons"], order["total"]) == (
        "placed",
        ["prepaid"],
        "20.00",
    )

    short = pay(world, "19.99", key="short", order_id=order_id)
    assert short.status_code == 201
    assert api.get(f"/orders/{order_id}").json()["status"] == "placed"
    r = pay(world, "0.01", key="rest", order_id=order_id)
    assert r.status_code == 201, r.json()
    assert (r.json()["order_id"], r.json()["allocations"], r.json()["unapplied"]) == (
        order_id,
        [],
        "0.01",
    )

    confirmed = api.get(f"/orders/{order_id}").json()
    assert (confirmed["status"], confirmed["confirmed_automatically"]) == ("confirmed", True)
    # Shipping issues the invoice, which the money held pays at once (due on issue: prepaid).
    shipped = api.post(f"/orders/{order_id}/shipments", {"carrier": "DHL", "tracking_number": "P1"})
    assert shipped.status_code == 201
    [issued] = api.get("/invoices").json()["items"]
    assert (issued["state"], issued["total"], issued["due_on"]) == (
        "paid",
        "20.00",
        issued["issued_on"],
    )
    balance = api.get(f"/companies/{world.company.pk}/balance").json()
    assert (balance["unapplied"], balance["open_total"]) == ("0.00", "0.00")


# --- Refusals change nothing ------------------------------------------------------------------


def ship_order_of(world: World, company_id: int, ship_to_id: int, key: str) -> int:
    """Place, confirm and ship an order of A-1 × 10 for a company; the invoice it issued."""
    body = {**world.order_body(("A-1", 10)), "company_id": company_id, "ship_to_id": ship_to_id}
    r = world.client().place(body, key=key)
    assert r.status_code == 201, r.json()
    [issued] = confirm_and_ship(world, r.json()["id"])
    return issued


def three_invoices(world: World, other_world: World) -> dict[str, int]:
    """An open invoice of 90.00 (no tax here) of the world's company, one of another company
    of the tenant, one of another tenant's."""
    api = world.client()
    neighbour = api.post(
        "/companies", {"code": "C002", "name": "Neighbour", "price_list_id": world.price_list.pk}
    ).json()["id"]
    dock = api.post(
        f"/companies/{neighbour}/locations",
        {"kind": "ship_to", "name": "Dock", "line1": "2 Pier", "city": "Kowloon", "country": "HK"},
    ).json()["id"]
    theirs = other_world
    return {
        "mine": ship_order_of(world, world.company.pk, world.ship_to.pk, "o-mine"),
        "neighbour's": ship_order_of(world, neighbour, dock, "o-neighbour"),
        "other tenant's": ship_order_of(theirs, theirs.company.pk, theirs.ship_to.pk, "o-theirs"),
    }


@pytest.fixture
def invoices(world: World, other_world: World) -> dict[str, int]:
    return three_invoices(world, other_world)


# The service names every problem as a field error under `validation_failed`; the schema's
# own refusals are `invalid_request`.
V, S = "validation_failed", "invalid_request"
BAD_PAYMENTS = [
    ({"amount": "0"}, 422, V, ["amount_not_positive"]),
    ({"amount": "-5.00"}, 422, V, ["amount_not_positive"]),
    ({"amount": "10.001"}, 422, V, ["too_many_decimals"]),
    ({"currency": "EUR"}, 422, V, ["currency_mismatch"]),
    (
        {"allocations": [{"invoice": "neighbour's", "amount": "10.00"}]},
        422,
        V,
        ["invoice_not_open"],
    ),
    ({"allocations": [{"invoice": "other tenant's", "amount": "1"}]}, 422, V, ["invoice_not_open"]),
    ({"allocations": [{"invoice": "mine", "amount": "90.01"}]}, 422, V, ["exceeds_open_amount"]),
    ({"allocations": [{"invoice": "mine", "amount": "0"}]}, 422, V, ["amount_not_positive"]),
    (
        {"amount": "50.00", "allocations": [{"invoice": "mine", "amount": "50.01"}]},
        422,
        V,
        ["exceeds_payment"],
    ),
    (
        {"allocations": [{"invoice": "mine", "amount": "1"}, {"invoice": "mine", "amount": "1"}]},
        422,
        V,
        ["duplicate_invoice"],
    ),
    ({"order_id": 999_999}, 422, V, ["unknown_order"]),
    ({"method": "bitcoin"}, 422, S, ["literal_error"]),
    ({"amount": 10}, 422, S, ["string_type"]),
    ({"amount": "1e3"}, 422, S, ["string_pattern_mismatch"]),
    ({"received_on": "2026-02-30"}, 422, S, ["date_from_datetime_parsing"]),
    ({"surprise": 1}, 422, S, ["extra_forbidden"]),
    ({"company_id": "other tenant's"}, 404, "not_found", []),
]


def refused(r: Any, status: int, code: str, errors: list[str], case: Any) -> None:
    """A problem+json refusal: `status`, `code`, and the field errors' codes `errors`."""
    assert r.status_code == status, (case, r.json())
    assert r.headers["Content-Type"] == "application/problem+json", case
    assert (r.json()["code"], codes(r)) == (code, errors), (case, r.json())


def test_a_bad_payment_is_refused_and_records_nothing(world, other_world, invoices):
    api = world.client()
    for case, (change, status, code, errors) in enumerate(copy.deepcopy(BAD_PAYMENTS)):
        body = {
            "company_id": world.company.pk,
            "amount": "100.00",
            "currency": "USD",
            "method": "cheque",
            "received_on": TODAY.isoformat(),
            **change,
        }
        for allocation in body.get("allocations", []):
            allocation["invoice_id"] = invoices[allocation.pop("invoice")]
        if body["company_id"] == "other tenant's":
            body["company_id"] = other_world.company.pk
        before = state()

        r = api.post("/payments", body, key=f"bad-{case}")

        refused(r, status, code, errors, change)
        assert state() == before, change
    # A key is required, so that a retried payment is never recorded twice.
    body = {"company_id": world.company.pk, "amount": "1.00", "currency": "USD"}
    r = api.post("/payments", {**body, "method": "cash", "received_on": "2026-01-05"})
    refused(r, 422, "idempotency_key_required", ["required"], "no key")


BAD_CREDIT_NOTES = [
    ({"amount": "90.01"}, 409, "exceeds_invoice", []),
    ({"lines": [{"line_number": 2, "quantity": 1}]}, 422, V, ["unknown_line"]),
    ({"lines": [{"line_number": 1, "quantity": 11}]}, 422, V, ["exceeds_uncredited_quantity"]),
    ({"lines": [{"line_number": 1, "quantity": 0}]}, 422, V, ["quantity_not_positive"]),
    ({"lines": [{"line_number": 1, "quantity": 1}] * 2}, 422, V, ["duplicate_line"]),
    ({"lines": []}, 422, V, ["lines_required"]),
    ({"whole": True, "amount": "1.00"}, 422, V, ["one_mode_required"]),
    ({}, 422, V, ["one_mode_required"]),
    ({"amount": "0"}, 422, V, ["amount_not_positive"]),
    ({"amount": "-1"}, 422, V, ["amount_not_positive"]),
    ({"amount": "1.001"}, 422, V, ["too_many_decimals"]),
    ({"whole": True, "reason": "  "}, 422, V, ["required"]),
    ({"whole": True, "reason": None}, 422, S, ["string_type"]),
    ({"whole": "yes"}, 422, S, ["bool_type"]),
]


def test_a_bad_credit_note_is_refused_and_issues_nothing(world, invoices):
    api = world.client()
    for case, (change, status, code, errors) in enumerate(copy.deepcopy(BAD_CREDIT_NOTES)):
        before = state()
        r = credit(world, invoices["mine"], {"reason": "Wrong price", **change}, key=f"bad-{case}")
        refused(r, status, code, errors, change)
        assert state() == before, change
    for invoice_id in (invoices["other tenant's"], 2**62):
        r = credit(world, invoice_id, {"whole": True, "reason": "x"}, key=f"missing-{invoice_id}")
        refused(r, 404, "not_found", [], invoice_id)
    r = api.post(f"/invoices/{invoices['mine']}/credit-notes", {"whole": True, "reason": "x"})
    refused(r, 422, "idempotency_key_required", ["required"], "no key")
    assert state() == before


def test_a_bad_refund_is_refused_and_pays_nothing(world, other_world, invoices):
    api = world.client()
    assert pay(world, "100.00").status_code == 201  # 90.00 settles the invoice; 10.00 is left
    body = {"amount": "10.00", "method": "bank_transfer", "refunded_on": TODAY.isoformat()}
    mine, theirs = world.company.pk, other_world.company.pk
    cases = [
        (mine, {"amount": "10.01"}, 409, "refund_exceeds_credit", ["refund_exceeds_credit"]),
        (mine, {"amount": "0"}, 422, V, ["amount_not_positive"]),
        (mine, {"amount": "0.001"}, 422, V, ["too_many_decimals"]),
        (mine, {"method": "iou"}, 422, S, ["literal_error"]),
        (mine, {"currency": "USD"}, 422, S, ["extra_forbidden"]),
        (theirs, {}, 404, "not_found", []),
    ]
    for case, (company_id, change, status, code, errors) in enumerate(cases):
        before = state()
        r = api.post(f"/companies/{company_id}/refunds", {**body, **change}, key=f"bad-{case}")
        refused(r, status, code, errors, change)
        assert state() == before, change
    r = api.post(f"/companies/{mine}/refunds", body)
    refused(r, 422, "idempotency_key_required", ["required"], "no key")


def test_a_prepayment_of_a_cancelled_order_is_refused(world):
    order_id = place(world, ("A-1", 1))
    assert world.client().post(f"/orders/{order_id}/cancel").status_code == 200
    before = state()

    r = pay(world, "10.00", order_id=order_id)

    refused(r, 422, V, ["order_cancelled"], "cancelled")
    assert state() == before


# --- Payments, refunds and idempotency --------------------------------------------------------


def test_the_same_payment_sent_twenty_times_with_one_key_is_recorded_once(world, invoices):
    answers = [pay(world, "30.00", key="tt-4471") for _ in range(20)]

    assert {a.status_code for a in answers} == {201}
    assert all(a.json() == answers[0].json() for a in answers)
    assert [a.headers.get("Idempotent-Replayed") for a in answers[:2]] == [None, "true"]
    assert billing.Payment.objects.count() == 1
    assert len(feed(world, "payment.received")) == 1
    assert invoice(world, invoices["mine"])["open_amount"] == "60.00"
    other = pay(world, "31.00", key="tt-4471")
    refused(other, 409, "idempotency_key_reused", [], "another body")


def test_an_overpayment_is_held_refunded_and_shown_where_it_went(world, invoices):
    api = world.client()
    mine = invoices["mine"]
    r = pay(world, "100.00", allocations=[{"invoice_id": mine, "amount": "40.00"}])
    assert r.status_code == 201, r.json()
    payment = r.json()
    assert payment == {
        "id": payment["id"],
        "kind": "received",
        "company_id": world.company.pk,
        "method": "bank_transfer",
        "amount": "100.00",
        "currency": "USD",
        "exchange_rate": "1",
        "base_currency": "USD",
        "base_amount": "100.00",
        "received_on": TODAY.isoformat(),
        "reference": "TT 4471",
        "order_id": None,
        "recorded_by": payment["recorded_by"],
        "created_at": payment["created_at"],
        "allocations": [
            {
                "invoice_id": mine,
                "invoice_number": "INV-000001",
                "refund_id": None,
                "amount": "40.00",
                "use_rate": "1",
                "source_base": "40.00",
                "use_base": "40.00",
                "exchange_difference": "0.00",
            }
        ],
        "unapplied": "60.00",
        "exchange_difference": "0.00",
        "refunded_from": [],
    }
    assert payment["recorded_by"].startswith("staff (API key ")
    balance = api.get(f"/companies/{world.company.pk}/balance").json()
    assert (balance["open_total"], balance["unapplied"], balance["refundable"]) == (
        "50.00",
        "60.00",
        "60.00",
    )
    assert balance["oldest_due_on"] == invoice(world, mine)["due_on"]

    body = {"amount": "25.00", "method": "cheque", "refunded_on": TODAY.isoformat()}
    refund = api.post(
        f"/companies/{world.company.pk}/refunds", {**body, "reference": "CHQ 9"}, key="rf"
    )
    assert refund.status_code == 201, refund.json()
    assert (refund.json()["kind"], refund.json()["amount"], refund.json()["unapplied"]) == (
        "refund",
        "25.00",
        "0.00",
    )
    assert refund.json()["refunded_from"] == [
        {
            "payment_id": payment["id"],
            "credit_note_id": None,
            "amount": "25.00",
            "source_base": "25.00",
            "use_base": "25.00",
            "exchange_difference": "0.00",
        }
    ]
    again = api.get(f"/payments/{payment['id']}").json()
    assert [(a["invoice_number"], a["refund_id"], a["amount"]) for a in again["allocations"]] == [
        ("INV-000001", None, "40.00"),
        (None, refund.json()["id"], "25.00"),
    ]
    assert again["unapplied"] == "35.00"
    listed = api.get("/payments", kind="refund", company_id=world.company.pk).json()
    assert [p["id"] for p in listed["items"]] == [refund.json()["id"]]
    assert api.get(f"/companies/{world.company.pk}/balance").json()["unapplied"] == "35.00"


def test_the_feed_carries_every_money_event(world, invoices):
    mine = invoices["mine"]
    number = invoice(world, mine)["number"]
    pay(world, "60.00", reference="TT 1")
    credit(world, mine, {"amount": "40.00", "reason": "Short delivery"})  # 30.00 settles, 10 held
    world.client().post(
        f"/companies/{world.company.pk}/refunds",
        {"amount": "10.00", "method": "cash", "refunded_on": TODAY.isoformat()},
        key="rf",
    )
    order = api_order_number(world, mine)

    [issued] = [e for e in feed(world, "invoice.issued") if e["aggregate_id"] == mine]
    assert issued["aggregate_type"] == "invoice"
    assert issued["data"] == {
        "invoice": number,
        "company": "C001",
        "currency": "USD",
        "net_total": "90.00",
        "tax_total": "0.00",
        "total": "90.00",
        "exchange_rate": "1",
        "base_total": "90.00",
        "credit_applied": "0.00",
        "open_amount": "90.00",
        "issued_on": TODAY.isoformat(),
        "due_on": (TODAY + timedelta(days=30)).isoformat(),
        "orders": [order],
        "shipment": issued["data"]["shipment"],
    }
    [received] = feed(world, "payment.received")
    assert received["data"] == {
        "company_id": world.company.pk,
        "company": "C001",
        "method": "bank_transfer",
        "currency": "USD",
        "amount": "60.00",
        "exchange_rate": "1",
        "base_amount": "60.00",
        "received_on": TODAY.isoformat(),
        "reference": "TT 1",
        "order": None,
        "allocations": [{"invoice": number, "amount": "60.00"}],
        "unapplied": "0.00",
    }
    [noted] = feed(world, "credit_note.issued")
    assert noted["data"] == {
        "credit_note": "CN-000001",
        "invoice": number,
        "company": "C001",
        "currency": "USD",
        "reason": "Short delivery",
        "net_total": "40.00",
        "tax_total": "0.00",
        "total": "40.00",
        "exchange_rate": "1",
        "base_total": "40.00",
        "applied_to_invoice": "30.00",
        "unapplied": "10.00",
    }
    [settled] = feed(world, "invoice.settled")
    assert (settled["aggregate_id"], settled["data"]) == (
        mine,
        {"invoice": number, "currency": "USD", "total": "90.00"},
    )
    [refunded] = feed(world, "payment.refunded")
    assert refunded["data"] == {
        "company_id": world.company.pk,
        "company": "C001",
        "method": "cash",
        "currency": "USD",
        "amount": "10.00",
        "exchange_rate": "1",
        "base_amount": "10.00",
        "refunded_on": TODAY.isoformat(),
        "reference": "",
    }
    kinds = ("payment.received", "credit_note.issued", "invoice.settled", "payment.refunded")
    assert [e["id"] for e in feed(world, *kinds)] == [
        e["id"] for e in (received, noted, settled, refunded)
    ]


def api_order_number(world: World, invoice_id: int) -> str:
    [order] = invoice(world, invoice_id)["orders"]
    return str(order)


# --- Credit notes -----------------------------------------------------------------------------


def test_credit_units_of_lines_then_the_rest_then_nothing_more(taxed):
    world, api = taxed, taxed.client()
    [issued] = confirm_and_ship(world, place(world, ("A-1", 10), ("C-3", 3)))
    units = {"lines": [{"line_number": 1, "quantity": 4}], "reason": "Four returned"}

    r = credit(world, issued, units)

    assert r.status_code == 201, r.json()
    note = r.json()
    assert note["lines"] == [
        {
            "line_number": 1,
            "invoice_line_number": 1,
            "description": note["lines"][0]["description"],
            "quantity": 4,
            "tax_name": "GST",
            "tax_percent": "9",
            "net_amount": "36.00",
            "tax_amount": "3.24",
            "gross_amount": "39.24",
        }
    ]
    assert (note["invoice_id"], note["invoice_number"], note["reason"]) == (
        issued,
        "INV-000001",
        "Four returned",
    )
    assert note["seller"]["legal_name"] == "Acme Wholesale"
    assert api.get(f"/credit-notes/{note['id']}").json() == note
    rest = credit(world, issued, {"whole": True, "reason": "Order returned"}, key="cn-2").json()
    assert [(n["invoice_line_number"], n["quantity"]) for n in rest["lines"]] == [(1, 6), (2, 3)]
    assert money_sum(note["total"], rest["total"]) == D("99.10")
    assert invoice(world, issued)["state"] == "paid"
    more = credit(world, issued, {"amount": "0.01", "reason": "x"}, key="cn-3")
    refused(more, 409, "exceeds_invoice", [], "nothing left")
    # Credited beyond what was open: nothing here was paid, so nothing is held either.
    assert api.get(f"/companies/{world.company.pk}/balance").json()["unapplied"] == "0.00"
    listed = api.get("/credit-notes", invoice_id=issued).json()
    assert [n["number"] for n in listed["items"]] == ["CN-000001", "CN-000002"]
    assert api.get("/credit-notes", company_id=2**40).json()["items"] == []


# --- Lists, the period's run, the policy, documents -------------------------------------------


def test_invoices_by_state_company_and_page(world, invoices):
    api = world.client()
    with clock.as_of(datetime.combine(TODAY - timedelta(days=45), datetime.min.time(), UTC)):
        old = ship_order_of(world, world.company.pk, world.ship_to.pk, "o-old")
    pay(world, "90.00", allocations=[{"invoice_id": invoices["mine"], "amount": "90.00"}])

    def ids(**filters: Any) -> list[int]:
        r = api.get("/invoices", **filters)
        assert r.status_code == 200, r.json()
        return [i["id"] for i in r.json()["items"]]

    neighbour = invoices["neighbour's"]
    assert ids() == sorted([invoices["mine"], neighbour, old])
    assert ids(state="paid") == [invoices["mine"]]
    assert ids(state="open") == [neighbour, old]
    assert ids(state="overdue") == [old]
    assert ids(company_id=world.company.pk) == [invoices["mine"], old]
    assert ids(company_id=world.company.pk, state="open") == [old]
    first = api.get("/invoices", limit=2).json()
    assert api.get("/invoices", limit=2, after=first["next_cursor"]).json()["next_cursor"] is None
    [overdue] = api.get("/invoices", state="overdue").json()["items"]
    assert (overdue["state"], overdue["due_on"]) == (
        "overdue",
        (TODAY - timedelta(days=15)).isoformat(),
    )
    balance = api.get(f"/companies/{world.company.pk}/balance").json()
    assert (balance["open_total"], balance["overdue_total"]) == ("90.00", "90.00")
    assert balance["oldest_due_on"] == overdue["due_on"]
    refused(api.get("/invoices", state="late"), 422, S, ["literal_error"], "state")
    refused(api.get(f"/companies/{2**40}/balance"), 404, "not_found", [], "balance")


def test_a_list_of_invoices_costs_the_same_queries_however_long(world, invoices):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = world.client()
    with CaptureQueriesContext(connection) as two:
        assert len(api.get("/invoices").json()["items"]) == 2
    with CaptureQueriesContext(connection) as one:
        assert len(api.get("/invoices", limit=1).json()["items"]) == 1
    assert len(two) == len(one) == 2  # the key, the page


def test_the_period_run_bills_each_companys_waiting_shipments_once(world):
    api = world.client()
    policy = put(api, "/billing-policy", {"invoicing": "monthly"})
    assert policy.json()["invoicing"] == "monthly"
    for n, quantity in enumerate((1, 2)):
        confirm_and_ship(world, place(world, ("A-1", quantity), key=f"o-{n}"))
    assert api.get("/invoices").json()["items"] == []
    before = state()

    # By default the run bills up to the end of the last month: today's shipments wait.
    default = api.post("/invoices/period-run", {}, key="run-0")
    assert default.status_code == 201, default.json()
    month_end = TODAY.replace(day=1) - timedelta(days=1)
    assert default.json() == {"seller": "acme", "through": month_end.isoformat(), "invoices": []}
    future = api.post("/invoices/period-run", {"through": str(TODAY + timedelta(days=1))})
    refused(future, 422, "through_in_future", ["through_in_future"], "future")
    assert state() == before

    run = api.post("/invoices/period-run", {"through": TODAY.isoformat()}, key="run-1")

    assert run.status_code == 201, run.json()
    [issued] = run.json()["invoices"]
    assert (issued["total"], issued["shipment_id"], issued["state"]) == ("30.00", None, "open")
    assert (issued["period_start"], issued["period_end"]) == (TODAY.isoformat(),) * 2
    assert len(invoice(world, issued["id"])["orders"]) == 2
    again = api.post("/invoices/period-run", {"through": TODAY.isoformat()}, key="run-2")
    assert again.json()["invoices"] == []
    replay = api.post("/invoices/period-run", {"through": TODAY.isoformat()}, key="run-1")
    assert replay.json() == run.json()
    assert billing.Invoice.objects.count() == 1


def test_the_billing_policy_is_read_set_and_printed(world):
    api = world.client()
    defaults = {
        "seller": "acme",
        "invoicing": "per_shipment",
        "legal_name": "",
        "address": "",
        "tax_number": "",
        "payment_instructions": "",
        "receivables_source": "invoices",
    }
    assert api.get("/billing-policy").json() == defaults
    details = {
        "legal_name": "Acme Trading Ltd",
        "address": "1 Queen's Rd\nHong Kong",
        "tax_number": "HK-1234",
        "payment_instructions": "HSBC 123-456789-001",
    }

    r = put(api, "/billing-policy", details)

    assert r.status_code == 200, r.json()
    assert r.json() == {**defaults, **details}
    assert api.get("/billing-policy").json() == r.json()
    [changed] = feed(world, "billing.policy_changed")
    assert changed["data"] == {**details, "receivables_source": "invoices"}
    [issued] = confirm_and_ship(world, place(world, ("A-1", 1)))
    assert invoice(world, issued)["seller"] == details
    before = state()
    for body, status, code, errors in [
        ({"invoicing": "daily"}, 422, S, ["literal_error"]),
        ({"legal_name": None}, 422, S, ["value_error"]),
        ({"tax_number": "x" * 65}, 422, S, ["string_too_long"]),
        ({"seller": "nobody"}, 422, V, ["unknown_seller"]),
        ({"receivables_source": "both"}, 422, S, ["literal_error"]),
    ]:
        refused(put(api, "/billing-policy", body), status, code, errors, body)
    read_only = put(world.client(world.read_key), "/billing-policy", {"invoicing": "weekly"})
    refused(read_only, 403, "insufficient_scope", [], "read-only key")
    assert state() == before


def test_invoices_and_credit_notes_as_pdf(world, invoices):
    api = world.client()
    mine = invoices["mine"]
    note = credit(world, mine, {"amount": "5.00", "reason": "Late"}).json()

    for path, number in [
        (f"/invoices/{mine}/pdf", "INV-000001"),
        (f"/credit-notes/{note['id']}/pdf", "CN-000001"),
    ]:
        for language in ("en", "zh-hant", "zh-hans"):
            r = api.get(path, language=language)
            assert r.status_code == 200, (path, language)
            assert r["Content-Type"] == "application/pdf"
            assert r["Content-Disposition"] == f'inline; filename="{number}.pdf"'
            assert r.content.startswith(b"%PDF")
        assert api.get(path).content.startswith(b"%PDF")  # English by default
        refused(api.get(path, language="fr"), 422, S, ["literal_error"], path)
    theirs = invoices["other tenant's"]
    refused(api.get(f"/invoices/{theirs}/pdf"), 404, "not_found", [], "another tenant's")
