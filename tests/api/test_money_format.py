"""Every money amount the API answers, and every one its events carry, is written with the
currency's ISO 4217 minor units ("55.55" USD, "56" JPY); unit prices with those digits, or
more where they matter ("0.3333") but never padded ("10.0000").

A whole order's life runs through the API in a 2-decimal and a 0-decimal currency: placed,
shipped (invoiced), delivered, part paid, credited by an amount, a unit returned and
credited, then the order, invoice, credit notes, payment, balance, return, price list,
credit line and a buyer's cart and the whole event feed are read, and every field named below is checked."""

import re
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

import pytest

from dinghuo.core.money import minor_units
from tests.billing.support import taxed_in_singapore
from tests.builders import World, build_world
from tests.buying.support import add_buyer
from tests.catalog.support import patch
from tests.returns.support import ask, delivered_order, set_policy

# Fields that hold an amount: exactly the currency's minor units.
AMOUNT_FIELDS = frozenset(
    {
        "amount",
        "applied_to_invoice",
        "auto_approve_limit",
        "base_amount",
        "base_total",
        "credit_applied",
        "credit_limit",
        "credit_reserved",
        "credited",
        "credited_amount",
        "exposure",
        "gross_amount",
        "gross_total",
        "invoice_exposure",
        "line_total",
        "net_amount",
        "net_total",
        "open_amount",
        "open_base",
        "open_total",
        "order_exposure",
        "overdue_total",
        "paid_amount",
        "prepayment_due",
        "refundable",
        "restocking_fee",
        "subtotal",
        "tax_amount",
        "tax_total",
        "total",
        "total_before",
        "total_after",
        "unapplied",
    }
)
# Fields that hold a unit price: the minor units, or more digits without trailing zeros.
UNIT_PRICE_FIELDS = frozenset({"unit_price", "list_unit_price", "base_unit_price"})
# What the flow must have checked at least once, so that the walk cannot pass by finding none.
MUST_SEE = frozenset(
    {
        "amount",
        "credit_limit",
        "credited_amount",
        "gross_amount",
        "invoice_exposure",
        "line_total",
        "net_total",
        "open_amount",
        "restocking_fee",
        "subtotal",
        "tax_amount",
        "total",
        "unapplied",
        "unit_price",
    }
)


def _fields(value: Any, at: str = "") -> Iterator[tuple[str, str, Any]]:
    """(path, field name, value) of every field of every object in a JSON value."""
    if isinstance(value, dict):
        for name, inner in value.items():
            yield f"{at}.{name}", name, inner
            yield from _fields(inner, f"{at}.{name}")
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _fields(inner, f"{at}[{i}]")


def _amount_pattern(currency: str) -> re.Pattern[str]:
    digits = minor_units(currency)
    return re.compile(rf"-?\d+\.\d{{{digits}}}" if digits else r"-?\d+")


def _is_unit_price(text: str, currency: str) -> bool:
    if _amount_pattern(currency).fullmatch(text):
        return True
    more = re.fullmatch(r"-?\d+\.(\d+)", text)
    return bool(more) and len(more.group(1)) > minor_units(currency) and text[-1] != "0"


def money_written_otherwise(document: Any, currency: str) -> tuple[list[str], set[str]]:
    """The money fields of `document` not written with the currency's digits, and the names
    of the money fields it has."""
    wrong: list[str] = []
    seen: set[str] = set()
    amount = _amount_pattern(currency)
    for path, name, value in _fields(document):
        if name not in AMOUNT_FIELDS | UNIT_PRICE_FIELDS or value is None:
            continue
        if isinstance(value, dict | list):  # "credited": [...] of a return's lines
            continue
        seen.add(name)
        if not isinstance(value, str):
            right = False
        elif name in AMOUNT_FIELDS:
            right = bool(amount.fullmatch(value))
        else:
            right = _is_unit_price(value, currency)
        if not right:
            wrong.append(f"{path}={value!r}")
    return wrong, seen


def test_the_walk_finds_an_amount_padded_to_four_decimals():
    answer = {"lines": [{"line_total": "91.0000", "unit_price": "9.1000"}], "total": 91}
    wrong, seen = money_written_otherwise(answer, "HKD")
    assert wrong == [".lines[0].line_total='91.0000'", ".lines[0].unit_price='9.1000'", ".total=91"]
    assert seen == {"line_total", "unit_price", "total"}
    assert money_written_otherwise({"total": "91"}, "JPY") == ([], {"total"})
    assert money_written_otherwise({"total": "91.00"}, "JPY")[0] == [".total='91.00'"]
    assert money_written_otherwise({"unit_price": "0.3333"}, "USD")[0] == []


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.content
    return response.json()


def _in(currency: str, major: int) -> str:
    """A whole amount written in the currency's digits, as a client would send it."""
    return str(Decimal(major).quantize(Decimal(1).scaleb(-minor_units(currency))))


def _life_of_an_order(world: World, currency: str) -> list[Any]:
    """Every answer of an order's life through the API, then the event feed."""
    api = world.client()
    set_policy(world, auto_approve_limit=Decimal("1000000"), restocking_fee_percent=Decimal("15"))
    limit = {"credit_limit": _in(currency, 100_000)}
    answers = [_ok(patch(api, f"/companies/{world.company.pk}/credit", limit))]
    order_id = delivered_order(world, ("A-1", 5), ("C-3", 3))
    answers.append(_ok(api.get(f"/orders/{order_id}")))
    [invoice] = _ok(api.get("/invoices"))["items"]
    answers.append(invoice)
    paid = {
        "company_id": world.company.pk,
        "amount": _in(currency, 20),
        "currency": currency,
        "method": "bank_transfer",
        "received_on": invoice["issued_on"],
        "reference": "TT 4471",
        "allocations": [{"invoice_id": invoice["id"], "amount": _in(currency, 20)}],
    }
    payment = _ok(api.post("/payments", paid, key="pay-1"), 201)
    note = _ok(
        api.post(
            f"/invoices/{invoice['id']}/credit-notes",
            {"amount": _in(currency, 5), "reason": "Scratched"},
            key="cn-1",
        ),
        201,
    )
    asked = _ok(ask(world, order_id, (1, 1, "not_needed")), 201)
    received = {"lines": [{"line_number": 1, "received_quantity": 1, "fate": "restock"}]}
    answers += [payment, note, asked]
    answers.append(_ok(api.post(f"/returns/{asked['id']}/receive", received)))
    answers.append(_ok(api.post(f"/returns/{asked['id']}/close", {})))
    for path in [
        f"/invoices/{invoice['id']}",
        f"/credit-notes/{note['id']}",
        "/credit-notes",
        f"/payments/{payment['id']}",
        f"/companies/{world.company.pk}/balance",
        f"/companies/{world.company.pk}/credit",
        f"/returns/{asked['id']}",
        "/return-policy",
        f"/price-lists/{world.price_list.pk}/prices",
        f"/orders/{order_id}",
    ]:
        answers.append(_ok(api.get(path)))
    _, buyer = add_buyer(world, "bob@buyer.test")
    answers.append(_ok(buyer.post("/my/cart/lines", {"sku": "C-3", "quantity": 7})))
    answers.append(_ok(buyer.post("/my/cart/lines", {"sku": "A-1", "quantity": 2})))
    feed = _ok(api.get("/events", limit=1000))["items"]
    assert len(feed) > 10
    return [*answers, *({event["type"]: event["data"]} for event in feed)]


@pytest.mark.parametrize("currency", ["USD", "JPY"])
def test_every_amount_answered_and_in_events_has_the_currencys_minor_units(db, currency):
    world = taxed_in_singapore(build_world(f"money-{currency.lower()}", currency=currency))
    documents = _life_of_an_order(world, currency)
    wrong: list[str] = []
    seen: set[str] = set()
    for i, document in enumerate(documents):
        found, names = money_written_otherwise(document, currency)
        wrong += [f"answer {i}: {where}" for where in found]
        seen |= names
    assert wrong == [], "\n".join(wrong)
    assert seen >= MUST_SEE
