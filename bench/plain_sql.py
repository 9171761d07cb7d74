"""The floor: `place_order`'s transaction as hand-written SQL through psycopg, no framework.

One transaction per order with the same reads, locks and writes as the application (idempotency
claim, parties, SKUs with tiers, the seller's policy and approval rules, the company's credit
line locked and raised, stock levels locked in (sku, warehouse) order, reserved raised, order,
lines, reservations, ledger rows, three outbox events, the stored response), in as few round
trips as SQL allows and with server-side prepared statements. It prices from the base list
only (the application also looks for assigned lists, contracts and promotions, one query
more). No application written in Python over HTTP can beat it on the same machine; the API is
judged as a fraction of it.

Tables and columns are the models' own: if a model changes, change the statements here too.
"""

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

import orjson
import psycopg
from psycopg import errors

PATH = "/api/v1/orders"
CENT = Decimal("0.01")
LOCK_TIMEOUT_MS = 3000

_CLAIM = """
INSERT INTO core_idempotencyrecord (tenant_id, key, request_hash, created_at)
VALUES (%s, %s, %s, %s) ON CONFLICT (tenant_id, key) DO NOTHING
"""
_CLAIMED = """
SELECT id, request_hash, response_status, response_body FROM core_idempotencyrecord
WHERE tenant_id = %s AND key = %s FOR UPDATE
"""
_PARTIES = """
SELECT c.code, pl.id, pl.currency, pl.is_active, s.id, s.slug
FROM customers_company c
JOIN pricing_pricelist pl ON pl.id = c.price_list_id
JOIN customers_location l ON l.id = %s AND l.company_id = c.id AND l.tenant_id = c.tenant_id
     AND l.kind = 'ship_to' AND l.is_active
JOIN core_seller s ON s.tenant_id = c.tenant_id AND s.is_primary
WHERE c.tenant_id = %s AND c.id = %s AND c.is_active
"""
_SKUS = """
SELECT k.id, k.code, coalesce(nullif(k.name_en, ''), p.name_en, p.name), k.min_order_quantity,
       k.pack_size, k.is_active AND p.is_active, p.allow_backorder, t.min_quantity, t.unit_price
FROM catalog_sku k
JOIN catalog_product p ON p.id = k.product_id
LEFT JOIN pricing_pricetier t ON t.sku_id = k.id AND t.price_list_id = %s
WHERE k.tenant_id = %s AND k.seller_id = %s AND k.code = ANY(%s)
"""
_POLICY = """
SELECT p.auto_confirm, (
    SELECT coalesce(json_agg(json_build_array(r.min_amount, r.company_id, r.category_id,
                                              r.buyer_role, r.credit_state)), '[]')
    FROM orders_approvalrule r WHERE r.seller_id = p.seller_id AND r.is_active)
FROM orders_orderpolicy p WHERE p.seller_id = %s
"""
_CREDIT = """
SELECT id, credit_limit, order_exposure + invoice_exposure, terms FROM customers_creditline
WHERE tenant_id = %s AND company_id = %s FOR UPDATE
"""
_EXPOSE = """
UPDATE customers_creditline SET order_exposure = order_exposure + %s, updated_at = %s
WHERE id = %s
"""
_LOCK = """
SELECT sl.id, sl.sku_id, sl.warehouse_id, sl.on_hand, sl.reserved, w.priority, w.code
FROM inventory_stocklevel sl
JOIN inventory_warehouse w ON w.id = sl.warehouse_id AND w.is_active
WHERE sl.tenant_id = %s AND sl.sku_id = ANY(%s)
ORDER BY sl.sku_id, sl.warehouse_id
FOR UPDATE OF sl
"""
_RESERVE = """
UPDATE inventory_stocklevel sl SET reserved = sl.reserved + v.delta
FROM unnest(%s::bigint[], %s::int[]) AS v(id, delta) WHERE sl.id = v.id
"""
_ORDER = """
INSERT INTO orders_order (tenant_id, seller_id, company_id, status, currency, price_list_id,
    ship_to_id, purchase_order_number, notes, channel, credit_reserved, review_reasons,
    hold_reason, confirmed_automatically, subtotal, total, placed_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, '', '', 'api', %s, %s::jsonb, '', %s, %s, %s, %s, %s)
RETURNING id
"""
_LINES = """
INSERT INTO orders_orderline (tenant_id, order_id, line_number, sku_id, sku_code, description,
    quantity, unit_price, line_total, pricing, backordered_quantity, shipped_quantity)
SELECT %s, %s, u.*, '{"source": "price_list"}', 0, 0
FROM unnest(%s::int[], %s::bigint[], %s::text[], %s::text[], %s::int[], %s::numeric[],
    %s::numeric[]) AS u
RETURNING id, line_number
"""
_RESERVATIONS = """
INSERT INTO inventory_reservation (tenant_id, order_line_id, warehouse_id, sku_id, quantity)
SELECT %s, u.* FROM unnest(%s::bigint[], %s::bigint[], %s::bigint[], %s::int[]) AS u
"""
_MOVEMENTS = """
INSERT INTO inventory_stockmovement (tenant_id, warehouse_id, sku_id, kind, on_hand_delta,
    reserved_delta, reason, reference, created_at)
SELECT %s, u.w, u.s, 'reservation', 0, u.q, 'order placed', %s, %s
FROM unnest(%s::bigint[], %s::bigint[], %s::int[]) AS u(w, s, q)
"""
_EVENTS = """
INSERT INTO integrations_event (tenant_id, type, aggregate_type, aggregate_id, payload, occurred_at)
VALUES (%s, 'order.placed', 'order', %s, %s::jsonb, %s),
       (%s, 'order.confirmed', 'order', %s, %s::jsonb, %s),
       (%s, 'stock.changed', 'stock', %s, %s::jsonb, %s)
"""
_STORE = """
UPDATE core_idempotencyrecord SET response_status = %s, response_body = %s::jsonb WHERE id = %s
"""


class Refused(Exception):
    """The order cannot be placed; `status` is what the API would answer."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status


@dataclass
class _Sku:
    id: int
    code: str
    name: str
    moq: int
    pack: int
    active: bool
    backorder: bool
    tiers: list[tuple[int, Decimal]]


def fingerprint(body: dict[str, Any]) -> str:
    """The same request hash as the application's idempotency records."""
    return hashlib.sha256(
        orjson.dumps(["POST", PATH, body], option=orjson.OPT_SORT_KEYS)
    ).hexdigest()


def connect(database_url: str) -> psycopg.Connection[Any]:
    """A connection for one client of the floor."""
    url = database_url.replace("postgres://", "postgresql://", 1)
    return psycopg.connect(url, connect_timeout=5, autocommit=True)


class PlainOrders:
    """Places orders on one connection, one transaction each."""

    def __init__(self, conn: psycopg.Connection[Any], tenant_id: int) -> None:
        self.conn = conn
        self.tenant = tenant_id

    def place(self, body: dict[str, Any], key: str) -> int:
        """Place one order; return the HTTP status the API would give (201, 409, 422, 503)."""
        for attempt in range(3):
            try:
                with self.conn.transaction():
                    return self._place(body, key)
            except Refused as refused:
                return refused.status
            except errors.LockNotAvailable:
                return 503
            except (errors.DeadlockDetected, errors.SerializationFailure):
                if attempt == 2:
                    return 503
        raise AssertionError("unreachable")

    def _place(self, body: dict[str, Any], key: str) -> int:
        cur = self.conn.cursor()
        t = self.tenant
        now = datetime.now(UTC)
        cur.execute(f"SET LOCAL lock_timeout = {LOCK_TIMEOUT_MS}")
        request_hash = fingerprint(body)
        cur.execute(_CLAIM, (t, key, request_hash, now))
        record_id, stored_hash, stored_status, _stored_body = cur.execute(
            _CLAIMED, (t, key)
        ).fetchone()  # type: ignore[misc]
        if stored_hash != request_hash:
            raise Refused(409, "idempotency_key_reused")
        if stored_status is not None:
            return int(stored_status)

        party = cur.execute(_PARTIES, (body["ship_to_id"], t, body["company_id"])).fetchone()
        if party is None:
            raise Refused(422, "unknown company or ship-to")
        company_code, price_list_id, currency, list_active, seller_id, seller_slug = party
        if not list_active:
            raise Refused(422, "price_list_inactive")

        wanted = [(line["sku"], int(line["quantity"])) for line in body["lines"]]
        skus: dict[str, _Sku] = {}
        rows = cur.execute(
            _SKUS, (price_list_id, t, seller_id, [code for code, _ in wanted])
        ).fetchall()
        for sku_id, code, name, moq, pack, active, backorder, min_qty, price in rows:
            sku = skus.get(code) or skus.setdefault(
                code, _Sku(sku_id, code, name, moq, pack, active, backorder, [])
            )
            if min_qty is not None:
                sku.tiers.append((min_qty, price))
        priced = []
        for code, quantity in wanted:
            known = skus.get(code)
            if known is None or not known.active or quantity < known.moq or quantity % known.pack:
                raise Refused(422, f"line {code} refused")
            tiers = [tier for tier in known.tiers if tier[0] <= quantity]
            if not tiers:
                raise Refused(422, f"no price for {code}")
            priced.append((known, quantity, max(tiers)[1]))

        totals = [
            (price * quantity).quantize(CENT, rounding=ROUND_HALF_UP)
            for _, quantity, price in priced
        ]
        subtotal = sum(totals, Decimal(0))
        policy = cur.execute(_POLICY, (seller_id,)).fetchone()
        auto_confirm, rules = (policy[0], policy[1]) if policy else (False, [])
        credit_id, limit, exposure, terms = cur.execute(_CREDIT, (t, body["company_id"])).fetchone()  # type: ignore[misc]
        held = limit is not None and exposure + subtotal > limit
        near = limit is not None and exposure + subtotal >= limit * Decimal("0.9")
        # Staff orders carry no buyer role and the bench's lines no categories to match.
        needs_approval = any(
            (min_amount is None or subtotal >= Decimal(str(min_amount)))
            and company in (None, body["company_id"])
            and category is None
            and not role
            and (not credit_state or (credit_state == "near_limit" and near))
            for min_amount, company, category, role, credit_state in rules
        )

        levels = cur.execute(_LOCK, (t, [sku.id for sku, _, _ in priced])).fetchall()
        pools: dict[int, list[list[Any]]] = {}
        # A pool: [level id, warehouse id, still free, warehouse code, on hand, reserved].
        for level_id, sku_id, warehouse_id, on_hand, reserved, _, wcode in sorted(
            levels, key=lambda r: (r[5], r[2])
        ):
            pools.setdefault(sku_id, []).append(
                [level_id, warehouse_id, max(on_hand - reserved, 0), wcode, on_hand, reserved]
            )
        allocations = []  # (line index, level, quantity)
        backordered = {}
        for index, (sku, quantity, _) in enumerate(priced):
            sku_pools = pools.get(sku.id, [])
            if sum(p[2] for p in sku_pools) < quantity and not sku.backorder:
                raise Refused(409, "insufficient_stock")
            needed = quantity
            for pool in sku_pools:
                take = min(needed, pool[2])
                if take:
                    pool[2] -= take
                    needed -= take
                    allocations.append((index, pool, take))
                if not needed:
                    break
            if needed:
                backordered[index] = needed

        touched: dict[int, int] = {}
        for _, pool, take in allocations:
            touched[pool[0]] = touched.get(pool[0], 0) + take
        cur.execute(_RESERVE, (list(touched), list(touched.values())))

        reasons = [
            reason
            for reason, stopped in (
                ("credit_hold", held),
                ("approval", needs_approval),
                ("backorder", bool(backordered)),
                ("prepaid", terms == "prepaid"),
                ("automation_off", not auto_confirm),
            )
            if stopped
        ]
        status = "confirmed" if not reasons else "credit_hold" if held else "placed"
        reserved_credit = Decimal(0) if held or terms == "prepaid" else subtotal
        (order_id,) = cur.execute(
            _ORDER,
            (
                t,
                seller_id,
                body["company_id"],
                status,
                currency,
                price_list_id,
                body["ship_to_id"],
                reserved_credit,
                orjson.dumps(reasons).decode(),
                not reasons,
                subtotal,
                subtotal,
                now,
                now,
            ),
        ).fetchone()  # type: ignore[misc]
        if reserved_credit:
            cur.execute(_EXPOSE, (reserved_credit, now, credit_id))
        numbers = list(range(1, len(priced) + 1))
        line_rows = cur.execute(
            _LINES,
            (
                t,
                order_id,
                numbers,
                [sku.id for sku, _, _ in priced],
                [sku.code for sku, _, _ in priced],
                [sku.name[:300] for sku, _, _ in priced],
                [quantity for _, quantity, _ in priced],
                [price for _, _, price in priced],
                totals,
            ),
        ).fetchall()
        line_ids = {number: line_id for line_id, number in line_rows}
        cur.execute(
            _RESERVATIONS,
            (
                t,
                [line_ids[index + 1] for index, _, _ in allocations],
                [pool[1] for _, pool, _ in allocations],
                [priced[index][0].id for index, _, _ in allocations],
                [take for _, _, take in allocations],
            ),
        )
        reference = f"order:{order_id}"
        cur.execute(
            _MOVEMENTS,
            (
                t,
                reference,
                now,
                [pool[1] for _, pool, _ in allocations],
                [priced[index][0].id for index, _, _ in allocations],
                [take for _, _, take in allocations],
            ),
        )
        number = f"SO-{order_id:07d}"
        lines_out = [
            {
                "line_number": n,
                "sku": sku.code,
                "description": sku.name[:300],
                "quantity": quantity,
                "unit_price": str(price.quantize(CENT))
                if price == price.quantize(CENT)
                else str(price.normalize()),
                "line_total": str(total),
                "backordered_quantity": backordered.get(n - 1, 0),
                "shipped_quantity": 0,
            }
            for n, (sku, quantity, price), total in zip(numbers, priced, totals, strict=True)
        ]
        placed = {
            "order": number,
            "status": status,
            "company": company_code,
            "currency": currency,
            "total": str(subtotal),
            "lines": [
                {
                    "sku": line["sku"],
                    "quantity": line["quantity"],
                    "unit_price": str(price),
                    "backordered": line["backordered_quantity"],
                }
                for line, (_, _, price) in zip(lines_out, priced, strict=True)
            ],
        }
        skus_by_id = {sku.id: sku.code for sku, _, _ in priced}
        changed = {pool[0] for _, pool, _ in allocations}
        stock_changed = {
            "reference": reference,
            "levels": [
                {
                    "sku": skus_by_id[sku_id],
                    "warehouse": pool[3],
                    "on_hand": pool[4],
                    "reserved": pool[5] + touched[pool[0]],
                    "available": pool[4] - pool[5] - touched[pool[0]],
                }
                for sku_id, sku_pools in pools.items()
                for pool in sku_pools
                if pool[0] in changed
            ],
        }
        first_sku = priced[allocations[0][0]][0].id if allocations else 0
        cur.execute(
            _EVENTS,
            (
                t,
                order_id,
                orjson.dumps(placed).decode(),
                now,
                t,
                order_id,
                orjson.dumps({"order": number, "status": status, "automatic": True}).decode(),
                now,
                t,
                first_sku,
                orjson.dumps(stock_changed).decode(),
                now,
            ),
        )
        response = {
            "id": order_id,
            "number": number,
            "status": status,
            "allowed_actions": ["cancel", "ship"]
            if status == "confirmed"
            else ["confirm", "cancel"],
            "company_id": body["company_id"],
            "ship_to_id": body["ship_to_id"],
            "seller": seller_slug,
            "currency": currency,
            "subtotal": str(subtotal),
            "total": str(subtotal),
            "purchase_order_number": "",
            "notes": "",
            "channel": "api",
            "placed_at": now.isoformat(),
            "updated_at": now.isoformat(),
            "lines": lines_out,
            "shipments": None,
        }
        cur.execute(_STORE, (201, orjson.dumps(response).decode(), record_id))
        return 201
