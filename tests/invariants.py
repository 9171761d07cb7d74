"""Checks of what must always hold in the database, used after every scenario."""

from django.db.models import Sum

from dinghuo.inventory.models import Reservation, StockLevel, StockMovement
from dinghuo.orders.models import OrderLine
from dinghuo.orders.states import OPEN_STATUSES


def assert_stock_consistent(tenant_id: int) -> None:
    """Ledger sums equal levels; open reservations equal reserved; nothing negative."""
    ledger = {
        (row["sku_id"], row["warehouse_id"]): (row["on_hand"], row["reserved"])
        for row in StockMovement.objects.filter(tenant_id=tenant_id)
        .values("sku_id", "warehouse_id")
        .annotate(on_hand=Sum("on_hand_delta"), reserved=Sum("reserved_delta"))
    }
    held = {
        (row["sku_id"], row["warehouse_id"]): row["quantity"]
        for row in Reservation.objects.filter(tenant_id=tenant_id)
        .values("sku_id", "warehouse_id")
        .annotate(quantity=Sum("quantity"))
    }
    for level in StockLevel.objects.filter(tenant_id=tenant_id):
        key = (level.sku_id, level.warehouse_id)
        assert ledger.get(key, (0, 0)) == (level.on_hand, level.reserved), key
        assert held.get(key, 0) == level.reserved, key
        assert 0 <= level.reserved <= level.on_hand, key
    # Reservations are held only by open orders, and never exceed what is left to ship.
    for line in OrderLine.objects.filter(tenant_id=tenant_id).select_related("order"):
        open_held = sum(r.quantity for r in line.reservations.all())
        if line.order.status not in OPEN_STATUSES:
            assert open_held == 0, line
        assert open_held + line.backordered_quantity + line.shipped_quantity <= line.quantity or (
            line.order.status == "cancelled"
        ), line
