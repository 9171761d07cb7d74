"""The demo's quotes, so the seller's quote desk and the buyers' quote pages have something in
each state right after loading: two requests waiting for the seller (one from the first
featured buyer's company), one answered, one countered by the buyer (waiting again), and one
accepted that became an order. Every step goes through `buying.services`, as of its moment
in the last days of the history."""

import random
from datetime import datetime, timedelta
from decimal import Decimal

from dinghuo.buying import queries as buying_queries
from dinghuo.buying import services as buying
from dinghuo.buying.models import Quote
from dinghuo.core import clock
from dinghuo.core.errors import DomainError
from dinghuo.demo.buyers import Buyer
from dinghuo.demo.catalogue import SkuInfo
from dinghuo.demo.history import _quantity

NOTES = (
    "Regular monthly volume: can you do better than the list price? 每月固定訂量，可否優惠？",
    "For a new branch opening next month. 下月新分店開業。",
    "Festival promotion, please quote by Friday. 節日推廣，請於週五前報價。",
    "Banquet season stock-up. 宴會旺季備貨。",
    "Trial order for a hotel client. 酒店客戶試單。",
)
COUNTER_NOTE = "We would take twice as many at a better price. 數量加倍，價格可否再低？"
DISCOUNT = Decimal("0.92")  # the seller's answer: 8% under the company's price


def _lines(buyer: Buyer, skus: list[SkuInfo], rng: random.Random) -> list[tuple[SkuInfo, int]]:
    pool = [s for s in skus if s.orderable and s.family in buyer.families and s.stock > 0]
    lines = []
    for info in rng.sample(pool, min(len(pool), 12)):
        quantity = _quantity(info, rng)
        if quantity is not None:
            lines.append((info, quantity))
        if len(lines) == 3:
            break
    return lines


def _ask(
    tenant_id: int, buyer: Buyer, skus: list[SkuInfo], rng: random.Random, note: str
) -> Quote | None:
    lines = _lines(buyer, skus, rng)
    if not lines:
        return None
    return buying.request_quote(
        tenant_id=tenant_id,
        company_id=buyer.company.pk,
        lines=[buying.QuoteLineRequest(info.sku.code, quantity) for info, quantity in lines],
        requested_by_id=buyer.users[0].pk if buyer.users else None,
        ship_to_id=buyer.ship_to_ids[0] if buyer.ship_to_ids else None,
        note=note,
    )


def _answer(tenant_id: int, quote_id: int, end: datetime) -> None:
    rows = buying_queries.desk_lines(buying_queries.quote(tenant_id, quote_id))
    buying.answer_quote(
        tenant_id=tenant_id,
        quote_id=quote_id,
        lines=[
            buying.QuotedLine(
                row.line.line_number,
                ((row.price_now or Decimal(10)) * DISCOUNT).quantize(Decimal("0.01")),
            )
            for row in rows
        ],
        expires_at=end + timedelta(days=14),
        note="Prices held for two weeks. 價格保留兩星期。",
    )


def play_quotes(
    *,
    tenant_id: int,
    buyers: list[Buyer],
    first: Buyer,
    skus: list[SkuInfo],
    end: datetime,
    rng: random.Random,
) -> dict[str, str]:
    """Play the quotes; say which company shows what (a step refused is left out)."""
    others = [b for b in buyers if b is not first and b.users and b.ship_to_ids]
    cast = [first, *rng.sample(others, min(len(others), 4))]
    shows: dict[str, str] = {}
    plan = ("waiting", "answered", "countered", "accepted", "waiting")
    for i, (buyer, scene) in enumerate(zip(cast, plan, strict=False)):
        asked_at = end - timedelta(hours=30 - 5 * i)
        try:
            with clock.as_of(asked_at):
                found = _ask(tenant_id, buyer, skus, rng, NOTES[i % len(NOTES)])
            if found is None:
                continue
            if scene != "waiting":
                with clock.as_of(asked_at + timedelta(hours=2)):
                    _answer(tenant_id, found.pk, end)
            if scene == "countered":
                first_line = found.lines.order_by("line_number").first()
                assert first_line is not None
                with clock.as_of(asked_at + timedelta(hours=3)):
                    buying.counter_quote(
                        tenant_id=tenant_id,
                        quote_id=found.pk,
                        company_id=buyer.company.pk,
                        lines=[buying.CounterLine(first_line.line_number, first_line.quantity * 2)],
                        note=COUNTER_NOTE,
                    )
            if scene == "accepted":
                with clock.as_of(asked_at + timedelta(hours=3)):
                    buying.accept_quote(
                        tenant_id=tenant_id,
                        quote_id=found.pk,
                        company_id=buyer.company.pk,
                        accepted_by_id=buyer.users[0].pk,
                        channel="portal",
                    )
        except DomainError:
            continue
        shows[buyer.company.code] = f"a quote {scene} ({found.number})"
    return shows
