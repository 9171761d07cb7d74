"""Moving stock between warehouses: both levels change together, the ledger explains it, one
event is recorded, and a refused transfer changes nothing."""

import pytest

from dinghuo.core.errors import Conflict, ValidationFailed
from dinghuo.integrations.models import Event
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
from dinghuo.inventory.services import transfer_stock
from tests.backoffice.staffing import place
from tests.invariants import assert_stock_consistent


def _level(world, sku: str, warehouse: str) -> StockLevel | None:
    return StockLevel.objects.filter(sku=world.skus[sku], warehouse__code=warehouse).first()


def _move(world, sku="A-1", quantity=30, **extra):
    return transfer_stock(
        tenant_id=world.tenant.pk,
        sku_id=world.skus[sku].pk,
        from_warehouse=extra.pop("from_warehouse", "main"),
        to_warehouse=extra.pop("to_warehouse", "north"),
        quantity=quantity,
        reason=extra.pop("reason", "rebalance"),
    )


def test_a_transfer_moves_units_with_two_ledger_rows_and_one_event(world):
    assert _level(world, "A-1", "north") is None  # the receiving level is created
    before = Event.objects.filter(type="stock.changed").count()
    out, into = _move(world)
    assert (out.on_hand, into.on_hand) == (70, 30)
    assert (_level(world, "A-1", "main").on_hand, _level(world, "A-1", "north").on_hand) == (70, 30)
    rows = list(
        StockMovement.objects.filter(reference="transfer")
        .order_by("id")
        .values_list("warehouse__code", "kind", "on_hand_delta", "reason")
    )
    assert rows == [
        ("main", "adjustment", -30, "Transfer main → north: rebalance"),
        ("north", "adjustment", 30, "Transfer main → north: rebalance"),
    ]
    event = Event.objects.filter(type="stock.changed").latest("id")
    assert Event.objects.filter(type="stock.changed").count() == before + 1
    assert event.payload["reference"] == "transfer"
    assert {(lv["warehouse"], lv["on_hand"]) for lv in event.payload["levels"]} == {
        ("main", 70),
        ("north", 30),
    }
    assert_stock_consistent(world.tenant.pk)


def test_reserved_units_cannot_be_moved(world):
    place(world, ("A-1", 95))  # reserves 95 of the 100 in main
    with pytest.raises(Conflict) as refused:
        _move(world, quantity=6)
    assert refused.value.code == "insufficient_stock"
    problem = refused.value.errors[0]
    assert (problem.field, problem.extra) == ("quantity", {"available": 5, "wanted": 6})
    assert _level(world, "A-1", "main").on_hand == 100
    assert not StockMovement.objects.filter(reference="transfer").exists()
    _move(world, quantity=5)
    assert _level(world, "A-1", "main").available == 0
    assert_stock_consistent(world.tenant.pk)


def test_bad_input_is_refused_with_every_problem_and_changes_nothing(world, other_world):
    with pytest.raises(ValidationFailed) as refused:
        transfer_stock(
            tenant_id=world.tenant.pk,
            sku_id=other_world.skus["A-1"].pk,  # another tenant's SKU
            from_warehouse="main",
            to_warehouse="main",
            quantity=0,
            reason="",
        )
    assert {(e.field, e.code) for e in refused.value.errors} == {
        ("quantity", "quantity_not_positive"),
        ("to_warehouse", "same_warehouse"),
        ("sku_id", "unknown_sku"),
    }
    with pytest.raises(ValidationFailed) as unknown:
        _move(world, from_warehouse="nowhere", to_warehouse="north")
    assert [(e.field, e.code) for e in unknown.value.errors] == [
        ("from_warehouse", "unknown_warehouse")
    ]
    assert not StockMovement.objects.filter(reference="transfer").exists()
    assert _level(world, "A-1", "north") is None


def test_another_tenants_warehouse_is_unknown(world, other_world):
    Warehouse.objects.create(tenant=other_world.tenant, code="elsewhere", name="Theirs")
    with pytest.raises(ValidationFailed) as refused:
        transfer_stock(
            tenant_id=world.tenant.pk,
            sku_id=world.skus["A-1"].pk,
            from_warehouse="main",
            to_warehouse="elsewhere",
            quantity=1,
        )
    assert [(e.field, e.code) for e in refused.value.errors] == [
        ("to_warehouse", "unknown_warehouse")
    ]
    assert not StockLevel.objects.filter(warehouse__code="elsewhere").exists()
    assert _level(world, "A-1", "main").on_hand == 100
