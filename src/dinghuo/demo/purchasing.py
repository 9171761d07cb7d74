"""The demo's purchasing: three suppliers with what they sell, reorder rules at the first
warehouse, the seller's purchasing policy (POs above HK$20,000 wait for an approver, 10 %
over-delivery), and three purchase orders in believable states: one waiting for approval,
one sent, one partly received. Written through the purchasing services, after the
history, so that the suggestions page reads today's stock."""

from decimal import Decimal

from dinghuo.catalog.models import Sku
from dinghuo.core.models import Tenant
from dinghuo.inventory.models import StockLevel, Warehouse
from dinghuo.purchasing import services
from dinghuo.purchasing.models import Supplier

SUPPLIERS = (
    ("PRL", "Pearl River Foods 珠江食品", "HKD", "Mandy Chan", "orders@pearlriver.example"),
    ("KWT", "Kowloon Trading 九龍貿易", "HKD", "Ken Wong", "po@kowloontrading.example"),
    ("SZP", "Shenzhen Packaging 深圳包裝", "CNY", "Li Wei", "sales@szpack.example"),
)
ITEMS_EACH = 12


def set_up_purchasing(tenant: Tenant) -> None:
    """Suppliers, items, reorder rules, the policy and three POs (see the module)."""
    t = tenant.pk
    services.set_purchasing_policy(
        tenant_id=t,
        approval_limit=Decimal(20000),
        over_delivery_percent=Decimal(10),
        demand_window_days=30,
    )
    warehouse = Warehouse.objects.filter(tenant=tenant, is_active=True).order_by("priority").first()
    if warehouse is None:
        return
    skus = list(Sku.objects.filter(tenant=tenant).order_by("id")[: ITEMS_EACH * len(SUPPLIERS)])
    on_hand = dict(
        StockLevel.objects.filter(warehouse=warehouse, sku__in=skus).values_list(
            "sku_id", "on_hand"
        )
    )
    made = []
    for n, (code, name, currency, contact, email) in enumerate(SUPPLIERS):
        supplier = services.create_supplier(
            tenant_id=t,
            code=code,
            name=name,
            currency=currency,
            contact_name=contact,
            contact_email=email,
        )
        made.append(supplier)
        for k, sku in enumerate(skus[n * ITEMS_EACH : (n + 1) * ITEMS_EACH]):
            services.create_supplier_item(
                tenant_id=t,
                supplier_id=supplier.pk,
                sku_id=sku.pk,
                supplier_code=f"{code}-{1000 + k}",
                cost_tiers=[
                    {"min_quantity": 1, "unit_cost": f"{12 + 3 * k}.50"},
                    {"min_quantity": 100, "unit_cost": f"{11 + 3 * k}.80"},
                ],
                lead_time_days=5 + 2 * n,
                minimum_order_quantity=12,
                pack_size=6,
                is_preferred=True,
            )
            # Every other SKU just below its point, so the suggestions page has lines.
            level = on_hand.get(sku.pk, 0)
            point = level + 1 if k % 2 == 0 else max(level // 3, 1)
            services.set_reorder_rule(
                tenant_id=t,
                sku_id=sku.pk,
                warehouse_id=warehouse.pk,
                reorder_point=point,
                reorder_quantity=48,
            )
    _orders(t, made, skus, warehouse)


def _orders(t: int, suppliers: list[Supplier], skus: list[Sku], warehouse: Warehouse) -> None:
    def draft(supplier_index: int, units: int) -> int:
        chosen = skus[supplier_index * ITEMS_EACH : supplier_index * ITEMS_EACH + 3]
        po = services.create_purchase_order(
            tenant_id=t,
            supplier_id=suppliers[supplier_index].pk,
            warehouse_id=warehouse.pk,
            lines=[services.LineWanted(sku.pk, units) for sku in chosen],
            note="Weekly replenishment",
        )
        return po.pk

    # Big enough to wait for an approver (above HK$20,000).
    waiting = draft(0, 600)
    services.submit_purchase_order(tenant_id=t, po_id=waiting)
    sent = draft(1, 48)
    services.submit_purchase_order(tenant_id=t, po_id=sent)
    services.send_purchase_order(tenant_id=t, po_id=sent)
    partly = draft(0, 60)
    services.submit_purchase_order(tenant_id=t, po_id=partly)
    services.send_purchase_order(tenant_id=t, po_id=partly)
    services.receive_purchase_order(
        tenant_id=t,
        po_id=partly,
        lines=[services.Arrived(1, 60), services.Arrived(2, 30)],
        reference="DN-2041",
    )
