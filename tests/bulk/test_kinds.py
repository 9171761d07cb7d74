"""What each kind's import does to the data, through its owner's services."""

from datetime import date
from decimal import Decimal

import pytest

from dinghuo.customers.models import Company, CompanyUser, Location
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel, StockMovement
from dinghuo.pricing.models import ContractPrice, PriceTier
from tests.bulk.helpers import csv_bytes, csv_rows, export, footprint, imported

# The worker runs as in production: outside the test's transaction (it closes connections
# left inside one), so these tests commit and the database is emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)


def ladder(world, code):
    return list(
        PriceTier.objects.filter(price_list=world.price_list, sku__code=code)
        .order_by("min_quantity")
        .values_list("min_quantity", "unit_price")
    )


def test_a_price_file_replaces_the_ladder_of_each_sku_it_names(world):
    content = csv_bytes([
        ["Price list code", "SKU code", "From quantity", "Unit price"],
        ["std", "A-1", "1", "11.00"],
        ["std", "A-1", "20", "10.50"],
    ])  # fmt: skip
    run = imported(world, "prices", content, mode="apply")
    assert run["state"] == "applied", run["problems"]
    assert ladder(world, "A-1") == [(1, Decimal("11.00")), (20, Decimal("10.50"))]
    assert ladder(world, "B-2") == [(1, Decimal("2.50"))]  # not named: left alone
    event = Event.objects.filter(type="prices.changed").get()
    assert [p["sku"] for p in event.payload["prices"]] == ["A-1"]


def test_a_stock_count_becomes_ledger_adjustments_with_a_reason(world):
    content = csv_bytes([
        ["Warehouse code", "SKU code", "On hand (counted)"],
        ["main", "A-1", "97"],
        ["main", "B-2", "100"],
        ["north", "C-3", "5"],
    ])  # fmt: skip
    run = imported(world, "stock", content, name="count-2026-05.csv", mode="apply")
    assert run["state"] == "applied", run["problems"]
    assert run["summary"] == {"levels_unchanged": 1, "levels_adjusted": 2}
    moves = StockMovement.objects.filter(kind="adjustment").order_by("sku__code")
    assert [(m.sku.code, m.warehouse.code, m.on_hand_delta, m.reason, m.reference)
            for m in moves] == [
        ("A-1", "main", -3, "stock count import", "count-2026-05.csv"),
        ("C-3", "north", 5, "stock count import", "count-2026-05.csv"),
    ]  # fmt: skip
    assert StockLevel.objects.get(sku__code="C-3", warehouse__code="north").on_hand == 5


def test_a_count_below_what_orders_reserved_is_refused_at_its_row(world):
    placed = world.client().place(world.order_body(("A-1", 30)))
    assert placed.status_code == 201
    content = csv_bytes([["Warehouse code", "SKU code", "On hand (counted)"],
                         ["main", "B-2", "90"], ["main", "A-1", "10"]])  # fmt: skip
    before = footprint(world.tenant.pk)
    run = imported(world, "stock", content, mode="apply")
    assert run["state"] == "refused"
    assert [(p["row"], p["column"], p["code"]) for p in run["problems"]] == [
        (3, "On hand (counted)", "below_reserved")
    ]
    assert footprint(world.tenant.pk) == before  # B-2's good row was not applied either


def test_contract_prices_are_created_and_an_overlap_is_refused_at_its_row(full_world):
    head = ["Company code", "SKU code", "Valid from", "Valid until", "From quantity", "Unit price"]
    content = csv_bytes([
        head,
        ["C001", "B-2", "2026-02-01", "2026-12-31", "1", "2.10"],
        ["C001", "B-2", "2026-02-01", "2026-12-31", "60", "2.00"],
    ])  # fmt: skip
    run = imported(full_world, "contract-prices", content, mode="apply")
    assert run["state"] == "applied", run["problems"]
    made = ContractPrice.objects.get(sku__code="B-2")
    assert (made.valid_from, made.valid_until) == (date(2026, 2, 1), date(2026, 12, 31))
    assert list(made.tiers.order_by("min_quantity").values_list("min_quantity", flat=True)) == [
        1, 60
    ]  # fmt: skip
    overlapping = csv_bytes([head, ["C001", "A-1", "2026-06-01", "", "1", "9.00"]])
    run = imported(full_world, "contract-prices", overlapping, mode="apply")
    assert [(p["row"], p["code"]) for p in run["problems"]] == [(2, "contract_period_overlap")]


def test_companies_with_a_parent_in_the_same_file_users_and_addresses(world):
    companies = csv_bytes([
        ["Company code", "Company name", "Price list code", "Parent company code"],
        ["C-KID", "Kid Ltd", "std", "C-MOM"],
        ["C-MOM", "Mother Holdings", "std", ""],
    ])  # fmt: skip
    assert imported(world, "companies", companies, mode="apply")["state"] == "applied"
    assert Company.objects.get(code="C-KID").parent.code == "C-MOM"
    users = csv_bytes([["Company code", "Email", "Name", "Role (buyer, approver, admin)"],
                       ["C-KID", "Kim@Kid.example", "Kim", "approver"]])  # fmt: skip
    assert imported(world, "company-users", users, mode="apply")["state"] == "applied"
    kim = CompanyUser.objects.get(user__username="kim@kid.example")
    assert (kim.company.code, kim.role, kim.user.first_name) == ("C-KID", "approver", "Kim")
    addresses = csv_bytes([
        ["Company code", "Kind (ship_to, bill_to)", "Address name", "Address line 1", "City",
         "Country (ISO code)"],
        ["C-KID", "ship_to", "Warehouse", "8 Dock St", "Kowloon", "HK"],
        ["C-KID", "ship_to", "Bad", "1 Road", "Nowhere", "XX"],
    ])  # fmt: skip
    run = imported(world, "company-addresses", addresses, mode="apply")
    assert [(p["row"], p["code"]) for p in run["problems"]] == [(3, "invalid_country")]
    assert not Location.objects.filter(name="Warehouse").exists()  # all or nothing


def test_the_order_export_is_filtered_like_the_order_list_with_a_row_per_line(world):
    api = world.client()
    first = api.place(world.order_body(("A-1", 2), ("C-3", 1), purchase_order_number="PO-7"))
    api.place(world.order_body(("B-2", 6)), key="k2")
    rows = csv_rows(export(world, "orders", purchase_order_number="po-7"))
    assert rows[0][:3] == ["Order number", "Placed on", "Status"]
    assert [(r[0], r[9], r[11]) for r in rows[1:]] == [
        (first.json()["number"], "A-1", "2"), (first.json()["number"], "C-3", "1"),
    ]  # fmt: skip
    chinese = csv_rows(export(world, "orders", language="zh-hant", purchase_order_number="PO-7"))
    assert chinese[0][0] == "訂單編號"
    assert chinese[1][2] in {"已下單", "已確認"}
