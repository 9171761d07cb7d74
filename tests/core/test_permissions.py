"""The permission matrix: what each role may do, pinned; who may give which role; and the
docs showing the same table as the code."""

from pathlib import Path

import pytest

from dinghuo.core import permissions
from dinghuo.core.permissions import GRANTS, PERMISSIONS, ROLES, Role, may, may_grant

DOC = Path(__file__).parents[2] / "docs" / "roles.md"
START = "<!-- generated from dinghuo.core.permissions.markdown_table(); do not edit by hand -->"
END = "<!-- end of the generated matrix -->"


def test_docs_show_the_matrix_of_the_code():
    text = DOC.read_text()
    shown = text[text.index(START) + len(START) : text.index(END)].strip()
    assert shown == permissions.markdown_table(), (
        "docs/roles.md is out of date: replace the table between its markers with the output "
        "of `python -c 'import django; django.setup(); from dinghuo.core.permissions import "
        "markdown_table; print(markdown_table())'` (DJANGO_SETTINGS_MODULE set)"
    )


def test_the_roles_are_exactly_six():
    assert [r.value for r in ROLES] == [
        "owner", "manager", "sales", "warehouse", "finance", "read_only",
    ]  # fmt: skip


def test_the_owner_may_do_everything():
    assert GRANTS[Role.OWNER] == set(PERMISSIONS)


def test_the_manager_may_do_everything_but_the_tenants_settings_keys_and_erasing_people():
    assert set(PERMISSIONS) - GRANTS[Role.MANAGER] == {
        "settings.change",
        "api_keys.manage",
        "people.erase",
    }


def test_the_warehouse_ships_receives_and_counts_but_sees_no_money():
    warehouse = GRANTS[Role.WAREHOUSE]
    assert {
        "fulfilment.view", "fulfilment.ship", "stock.view", "stock.receive", "stock.adjust",
        "returns.view", "returns.receive",
    } <= warehouse  # fmt: skip
    money = {"prices.view", "credit.view", "billing.view", "orders.view", "quotes.view"}
    assert not warehouse & money
    assert not {p for p in warehouse if p.startswith(("prices.", "credit.", "billing."))}


def test_finance_keeps_the_books_and_does_not_touch_stock():
    finance = GRANTS[Role.FINANCE]
    assert {"billing.view", "billing.change", "credit.view", "credit.change", "fx.change"} <= (
        finance
    )
    assert not finance & {"stock.adjust", "stock.receive", "stock.view", "fulfilment.ship"}
    assert "returns.close" in finance and "returns.receive" not in finance


def test_sales_handles_orders_quotes_customers_and_prices():
    sales = GRANTS[Role.SALES]
    assert {
        "orders.enter", "orders.approve", "orders.cancel", "quotes.answer", "customers.change",
        "prices.change", "prices.view", "credit.view",
    } <= sales  # fmt: skip
    assert not sales & {"credit.change", "billing.change", "stock.adjust", "staff.manage"}


def test_read_only_sees_everything_the_staff_see_and_changes_nothing():
    shows = {p.name for p in PERMISSIONS.values() if not p.changes}
    assert GRANTS[Role.READ_ONLY] == shows
    assert all(name.endswith((".view", ".export")) or name == "account.own" for name in shows)


def test_every_staff_member_may_look_after_their_own_account():
    assert all(may(role, "account.own") for role in ROLES)


@pytest.mark.parametrize("role", [None, "", "admin", "OWNER"])
def test_an_unknown_role_may_nothing(role):
    assert not any(may(role, p) for p in PERMISSIONS)


def test_a_misspelt_permission_fails_at_once():
    assert permissions.known("orders.view") == "orders.view"
    with pytest.raises(ValueError, match=r"orders\.veiw"):
        permissions.known("orders.veiw")


@pytest.mark.parametrize(
    ("granter", "role", "replacing", "allowed"),
    [
        ("owner", "owner", "sales", True),
        ("owner", "sales", "owner", True),
        ("manager", "manager", "sales", True),
        ("manager", "warehouse", "read_only", True),
        ("manager", "owner", "sales", False),  # escalation above their own role
        ("manager", "sales", "owner", False),  # demoting an owner
        ("manager", "owner", None, False),
        ("sales", "read_only", "warehouse", False),  # no staff.manage
        ("finance", "finance", None, False),
        ("read_only", "read_only", None, False),
        ("manager", "superuser", None, False),
    ],
)
def test_who_may_give_which_role(granter, role, replacing, allowed):
    assert may_grant(granter, role, replacing=replacing) is allowed
