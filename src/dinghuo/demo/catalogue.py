"""The demo catalogue, its price lists and opening stock, written in bulk.

Bulk writes skip the services for speed (one `receive_stock` per level would take minutes),
so this module keeps their invariants itself: each stock level is created together with the
one receipt row that explains it (on_hand = the receipt, reserved = 0).
"""

import math
import random
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from itertools import cycle

from django.utils import timezone

from dinghuo.catalog.models import Category, Product, Sku
from dinghuo.core import clock, money
from dinghuo.core.models import Seller, Tenant
from dinghuo.demo import HISTORY_DAYS, DemoRefused, pictures
from dinghuo.demo.data import CATEGORIES, FAMILIES, VARIANTS, CategorySpec, T, Variant
from dinghuo.integrations import events
from dinghuo.inventory import services as stock
from dinghuo.inventory.models import StockLevel, StockMovement, Warehouse
from dinghuo.pricing.models import PriceList, PriceTier

WAREHOUSES = (
    ("hk-kwaichung", "Kwai Chung Logistics Centre 葵涌物流中心", 1),
    ("sz-yantian", "Yantian Port Warehouse 鹽田港倉", 2),
)

HKD_PER_USD = Decimal("7.80")
# (code, name, currency, [(min quantity, share of the list price)]): falling prices per tier.
PRICE_LISTS = (
    ("retail-hkd", "Retail (HKD)", "HKD", ((1, "1"), (10, "0.95"), (50, "0.90"))),
    (
        "wholesale-hkd",
        "Wholesale (HKD)",
        "HKD",
        ((1, "0.85"), (10, "0.80"), (50, "0.76"), (200, "0.72")),
    ),
    ("export-usd", "Export (USD)", "USD", ((1, "0.88"), (50, "0.83"), (200, "0.78"))),
)
PACK_SIZES = (6, 10, 12, 24)
SMALL_UNITS = frozenset({"bottle", "can", "pack", "pc", "jar", "roll", "box", "bag"})


@dataclass
class SkuInfo:
    """What the order history needs to know about a SKU, without asking the database."""

    sku: Sku
    family: str
    category: str
    exportable: bool
    allow_backorder: bool
    orderable: bool
    price_factor: Decimal  # the size's price relative to the product's smallest
    stock: int = 0  # units not yet promised to an order in this load


def priced_on(info: SkuInfo, currency: str) -> bool:
    """Whether the SKU is on the price lists in `currency` (export lists skip perishables)."""
    return info.exportable or currency != "USD"


def create_warehouses(tenant: Tenant) -> list[Warehouse]:
    """The Hong Kong warehouse ships first; Shenzhen backs it up."""
    return Warehouse.objects.bulk_create(
        [
            Warehouse(tenant=tenant, code=code, name=name, priority=priority)
            for code, name, priority in WAREHOUSES
        ]
    )


def create_price_lists(tenant: Tenant, seller: Seller) -> dict[str, PriceList]:
    """The three lists buyers are put on, by code."""
    lists = PriceList.objects.bulk_create(
        [
            PriceList(tenant=tenant, seller=seller, code=code, name=name, currency=currency)
            for code, name, currency, _ in PRICE_LISTS
        ]
    )
    return {pl.code: pl for pl in lists}


def _names(text: T) -> dict[str, str]:
    return {"name_en": text.en, "name_zh_hant": text.hant, "name_zh_hans": text.hans}


def _join(*parts: T) -> T:
    return T(
        " ".join(p.en for p in parts),
        "".join(p.hant for p in parts),
        "".join(p.hans for p in parts),
    )


def _with_variant(product: T, variant: T) -> T:
    return T(
        f"{product.en}, {variant.en}",
        f"{product.hant} {variant.hant}",
        f"{product.hans} {variant.hans}",
    )


def create_categories(tenant: Tenant) -> dict[str, Category]:
    """Four families with their leaf categories under them, by code."""
    families = Category.objects.bulk_create(
        [Category(tenant=tenant, code=f.code, **_names(f.name)) for f in FAMILIES]
    )
    by_code = {c.code: c for c in families}
    leaves = Category.objects.bulk_create(
        [
            Category(
                tenant=tenant, code=spec.code, parent=by_code[spec.family], **_names(spec.name)
            )
            for spec in CATEGORIES
        ]
    )
    by_code.update({c.code: c for c in leaves})
    return by_code


def _product_names(spec: CategorySpec, rng: random.Random) -> list[T]:
    """Every brand × quality × item of the category, shuffled: a catalogue of lookalikes."""
    family = next(f for f in FAMILIES if f.code == spec.family)
    names = [
        _join(brand, quality, item)
        for brand in family.brands
        for quality in family.qualities
        for item in spec.items
    ]
    rng.shuffle(names)
    return names


def _variant_count(rng: random.Random) -> int:
    return rng.choices((1, 2, 3), weights=(25, 40, 35))[0]


def _ordering_rules(variant: Variant, rng: random.Random) -> tuple[int, int]:
    """(min_order_quantity, pack_size): some small units sell by the case or from a minimum."""
    roll = rng.random()
    if variant.unit in SMALL_UNITS and roll < 0.15:
        pack = rng.choice(PACK_SIZES)
        return pack * rng.choice((1, 1, 2)), pack
    if roll < 0.23:
        return rng.choice((2, 3, 5, 10)), 1
    return 1, 1


def create_catalogue(
    *,
    tenant: Tenant,
    seller: Seller,
    categories: dict[str, Category],
    sku_count: int,
    rng: random.Random,
) -> list[SkuInfo]:
    """Products of 1–3 SKUs each, spread over every category, until there are `sku_count`."""
    pools = {spec.code: _product_names(spec, rng) for spec in CATEGORIES}
    products: list[Product] = []
    planned: list[tuple[Product, T, CategorySpec, list[Variant]]] = []
    made = 0
    for number, spec in enumerate(cycle(CATEGORIES), 1):
        if made >= sku_count:
            break
        if not pools[spec.code]:
            raise DemoRefused(f"The demo has names for at most {number - 1} products.")
        name = pools[spec.code].pop()
        variants = VARIANTS[spec.variants]
        picked = sorted(rng.sample(range(len(variants)), _variant_count(rng)))
        picked = picked[: sku_count - made]
        product = Product(
            tenant=tenant,
            seller=seller,
            code=f"{spec.prefix}-{number:05d}",
            category=categories[spec.code],
            is_active=rng.random() > 0.02,
            allow_backorder=rng.random() < 0.04,
            **_names(name),
        )
        products.append(product)
        planned.append((product, name, spec, [variants[i] for i in picked]))
        made += len(picked)
    Product.objects.bulk_create(products)
    pictures.picture_products(tenant.pk, [(product, spec.code) for product, _, spec, _ in planned])
    skus = [
        _sku(tenant, seller, product, name, spec, variant, rng)
        for product, name, spec, sizes in planned
        for variant in sizes
    ]
    Sku.objects.bulk_create([info.sku for info in skus])
    return skus


def _sku(
    tenant: Tenant,
    seller: Seller,
    product: Product,
    name: T,
    spec: CategorySpec,
    variant: Variant,
    rng: random.Random,
) -> SkuInfo:
    """One SKU of a product in one size, not yet saved, with what the demo knows of it."""
    moq, pack = _ordering_rules(variant, rng)
    sku = Sku(
        tenant=tenant,
        seller=seller,
        product=product,
        code=f"{product.code}-{variant.code}",
        unit=variant.unit,
        min_order_quantity=moq,
        pack_size=pack,
        is_active=rng.random() > 0.01,
        **_names(_with_variant(name, variant.name)),
    )
    return SkuInfo(
        sku=sku,
        family=spec.family,
        category=spec.code,
        exportable=spec.exportable,
        allow_backorder=product.allow_backorder,
        orderable=product.is_active and sku.is_active,
        price_factor=Decimal(variant.factor),
    )


def create_price_tiers(
    *, tenant: Tenant, price_lists: dict[str, PriceList], skus: list[SkuInfo], rng: random.Random
) -> int:
    """Quantity tiers on every list (export: non-perishables only); returns how many."""
    ranges = {spec.code: spec.price_hkd for spec in CATEGORIES}
    product_base: dict[int, Decimal] = {}
    tiers = []
    for info in skus:
        sku = info.sku
        low, high = ranges[info.category]
        base = product_base.setdefault(
            sku.product_id, Decimal(rng.randint(low * 10, high * 10)) / 10
        )
        list_price = base * info.price_factor
        for code, _, currency, ladder in PRICE_LISTS:
            if not priced_on(info, currency):
                continue
            in_currency = list_price / HKD_PER_USD if currency == "USD" else list_price
            tiers += [
                PriceTier(
                    tenant=tenant,
                    price_list=price_lists[code],
                    sku=sku,
                    min_quantity=min_quantity,
                    unit_price=money.round_money(in_currency * Decimal(share), currency),
                )
                for min_quantity, share in ladder
            ]
    PriceTier.objects.bulk_create(tiers, batch_size=2000)
    return len(tiers)


def _opening_quantity(sku: Sku, rng: random.Random) -> int:
    """Log-uniform between 30 and 3,000 units, in whole packs."""
    units = int(math.exp(rng.uniform(math.log(30), math.log(3000))))
    return max(1, units // sku.pack_size) * sku.pack_size


def receive_opening_stock(
    *, tenant: Tenant, warehouses: list[Warehouse], skus: list[SkuInfo], rng: random.Random
) -> int:
    """Stock in both warehouses for most SKUs, in Hong Kong only for some, none for a few.

    Each level gets exactly one receipt row of the same quantity, so the ledger sums to it,
    and each stocked SKU a `stock.changed` event, as a receipt through the services would.
    The stock arrives the day before the first order. Returns how many levels were stocked.
    """
    now = timezone.now() - timedelta(days=HISTORY_DAYS + 1)
    levels = []
    movements = []
    for info in skus:
        roll = rng.random()
        stocked = warehouses if roll < 0.72 else warehouses[:1] if roll < 0.93 else []
        for warehouse in stocked:
            quantity = _opening_quantity(info.sku, rng)
            info.stock += quantity
            levels.append(
                StockLevel(tenant=tenant, warehouse=warehouse, sku=info.sku, on_hand=quantity)
            )
            movements.append(
                StockMovement(
                    tenant=tenant,
                    warehouse=warehouse,
                    sku=info.sku,
                    kind=StockMovement.Kind.RECEIPT,
                    on_hand_delta=quantity,
                    reason="opening stock",
                    reference="demo",
                    created_at=now,
                )
            )
    StockLevel.objects.bulk_create(levels, batch_size=2000)
    StockMovement.objects.bulk_create(movements, batch_size=2000)
    by_sku: dict[int, list[StockLevel]] = {}
    for level in levels:
        by_sku.setdefault(level.sku_id, []).append(level)
    codes = {info.sku.pk: info.sku.code for info in skus}
    warehouse_codes = {w.pk: w.code for w in warehouses}
    with clock.as_of(now):
        events.record(
            *(
                stock.stock_event(tenant.pk, sku_levels, codes, warehouse_codes, "demo")
                for sku_levels in by_sku.values()
            )
        )
    return len(levels)
