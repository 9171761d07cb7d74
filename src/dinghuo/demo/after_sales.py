"""The demo's after-sales: the seller's return policy, and the scenes `scenes` casts, each
played in the life of its order (on the agenda, as of its moment) through the services a
buyer, a clerk or the warehouse would use.

The policy: returns within 30 days of delivery; a 15% restocking fee; chilled and frozen
goods are not taken back once they have left the cold chain (a clerk decides on them);
requests worth up to HK$2,000 are approved by themselves; goods that may not be sold wait in
an inactive quarantine bay beside the Kwai Chung warehouse.
"""

import math
import random
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal
from typing import NamedTuple

from dinghuo.core import clock
from dinghuo.core.models import Seller
from dinghuo.demo import scenes
from dinghuo.demo.buyers import Buyer
from dinghuo.demo.catalogue import WAREHOUSES
from dinghuo.inventory import services as stock
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order, OrderLine
from dinghuo.orders.states import OrderStatus
from dinghuo.returns import policy
from dinghuo.returns import services as returns
from dinghuo.returns.models import ReturnRequest, ReturnStatus

Steps = Generator[timedelta, None, None]
CLERK = "staff (demo)"
QUARANTINE = ("hk-quarantine", "Kwai Chung Quarantine Bay 葵涌隔離區", 90)
# Chilled and frozen goods: the cold chain cannot be vouched for once they have left it.
NON_RETURNABLE = ("frozen-meat", "frozen-seafood", "frozen-dim-sum", "dairy")
POLICY = returns.PolicyFields(
    window_days=30,
    restocking_fee_percent=Decimal(15),
    non_returnable_categories=NON_RETURNABLE,
    auto_approve_limit=Decimal(2_000),  # in the seller's base currency, HKD
    quarantine_warehouse=QUARANTINE[0],
)
SUPPLIER_DELIVERY = "supplier delivery"
# Why a request waits for a clerk, as the load's summary says it.
WAITS_FOR = {
    "non_returnable": "chilled or frozen goods",
    "reason_other": "a reason to read",
    "over_approval_limit": "over the automatic approval limit",
    "no_automatic_approval": "no automatic approval",
}
NOTES = {
    scenes.RETURN_REQUESTED: (
        "The lids we received do not fit the containers we use; cartons unopened.",
        "收到的款式與訂單不符，請安排換貨或退款。",
    ),
    scenes.RETURN_APPROVED: ("Dented in delivery; photos sent to your sales desk.",),
    scenes.RETURN_CLOSED: ("Our menu changed: we no longer use these.",),
}


def set_up_returns(*, tenant_id: int, seller: Seller) -> None:
    """The quarantine bay (an inactive warehouse: orders never reserve from it) and the
    seller's return policy."""
    code, name, priority = QUARANTINE
    bay = stock.create_warehouse(tenant_id=tenant_id, code=code, name=name, priority=priority)
    stock.update_warehouse(tenant_id=tenant_id, warehouse_id=bay.pk, is_active=False)
    returns.set_return_policy(tenant_id=tenant_id, seller=seller, fields=POLICY)


class Line(NamedTuple):
    """A delivered line as a buyer picks what to send back."""

    number: int
    shipped: int
    returnable: bool  # not of a non-returnable category
    unit_gross: Decimal


def _lines(order_id: int) -> list[Line]:
    rows = OrderLine.objects.filter(order_id=order_id, shipped_quantity__gt=0).order_by(
        "line_number"
    )
    return [
        Line(number, shipped, category not in NON_RETURNABLE, gross / quantity)
        for number, shipped, category, gross, quantity in rows.values_list(
            "line_number",
            "shipped_quantity",
            "sku__product__category__code",
            "gross_amount",
            "quantity",
        )
    ]


@dataclass
class AfterSales:
    """Plays the scenes of one load; `shows` says which company shows what."""

    tenant_id: int
    rng: random.Random
    end: datetime
    shows: dict[str, str] = field(default_factory=dict)

    def play(self, scene: str, order_id: int, buyer: Buyer) -> Steps:
        """The scene, from the moment its order reached the status it needs."""
        if scene in scenes.DELIVERED_SCENES:
            yield from self._returns(scene, order_id, buyer)
        elif scene == scenes.BACKORDER_FILLED:
            yield from self._backorder_filled(order_id, buyer)
        elif scene == scenes.SHORT_CLOSED:
            yield from self._short_closed(order_id, buyer)

    def _show(self, buyer: Buyer, what: str) -> None:
        code = buyer.company.code
        self.shows[code] = f"{self.shows[code]}; {what}" if code in self.shows else what

    def _days(self, low: float, high: float) -> timedelta:
        return timedelta(days=self.rng.uniform(low, high))

    def _until(self, before_end: timedelta) -> timedelta:
        """The wait until `before_end` before the end of the history, within the window:
        at least a day after the delivery (now), at most 27 days."""
        wait = self.end - before_end - clock.now()
        return min(max(wait, timedelta(days=1)), timedelta(days=27))

    # --- returns ------------------------------------------------------------------------------

    def _returns(self, scene: str, order_id: int, buyer: Buyer) -> Steps:
        order = Order.objects.get(pk=order_id)
        if scene == scenes.RETURNABLE:
            delivered = clock.now().date()
            until = policy.last_day(delivered, policy.Rules(window_days=POLICY.window_days))
            self._show(buyer, f"a delivered order it may return goods of until {until}")
            return
        if scene == scenes.RETURN_REQUESTED:
            yield self._until(self._days(0.3, 1.5))
            request = self._ask(order, buyer, self._requested(order_id))
            reasons = ", ".join(WAITS_FOR.get(r, r) for r in request.review_reasons)
            self._show(buyer, f"a return waiting for a clerk ({reasons})")
        elif scene == scenes.RETURN_APPROVED:
            yield self._until(self._days(2, 4))
            request = yield from self._approved(order, buyer)
            self._show(buyer, f"an approved return ({request.number}) waiting for the goods")
        elif scene == scenes.RETURN_CLOSED:
            yield self._days(1, 4)
            yield from self._closed(order, buyer)
        else:
            yield self._days(1, 3)
            yield from self._rejected(order, buyer)

    def _ask(
        self, order: Order, buyer: Buyer, lines: list[returns.LineAsked], note: str = ""
    ) -> ReturnRequest:
        """The buyer asks, as a person of the company (a plain buyer where there is one)."""
        person = next((u for u in buyer.users if u.role == "buyer"), buyer.users[0])
        return returns.request_return(
            tenant_id=self.tenant_id,
            order_id=order.pk,
            lines=lines,
            note=note,
            company_id=buyer.company.pk,
            requested_by_id=person.pk,
        )

    def _requested(self, order_id: int) -> list[returns.LineAsked]:
        """All of the line worth most, for a reason a person has to read."""
        line = max(_lines(order_id), key=lambda ln: ln.unit_gross * ln.shipped)
        note = self.rng.choice(NOTES[scenes.RETURN_REQUESTED])
        return [returns.LineAsked(line.number, line.shipped, "other", note)]

    def _decide(self, request: ReturnRequest, comment: str) -> Generator[timedelta, None, None]:
        """A clerk approves a request the policy left to a person, some hours later."""
        if request.status == ReturnStatus.REQUESTED:
            yield timedelta(hours=self.rng.uniform(2, 20))
            returns.approve_return(tenant_id=self.tenant_id, return_id=request.pk, comment=comment)

    def _approved(self, order: Order, buyer: Buyer) -> Generator[timedelta, None, ReturnRequest]:
        """A unit or two of the cheapest returnable line, arrived damaged."""
        lines = _lines(order.pk)
        line = min(lines, key=lambda ln: (not ln.returnable, ln.unit_gross))
        asked = returns.LineAsked(
            line.number, min(2, line.shipped), "damaged", NOTES[scenes.RETURN_APPROVED][0]
        )
        request = self._ask(order, buyer, [asked])
        yield from self._decide(request, "Photos checked: please send them back with the slip.")
        request.refresh_from_db()
        return request

    def _closed(self, order: Order, buyer: Buyer) -> Steps:
        """Part of two lines no longer needed: unopened cartons go back to stock, opened
        packs are scrapped; the credit note is issued less the restocking fee."""
        lines = sorted(_lines(order.pk), key=lambda ln: (not ln.returnable, ln.number))[:2]
        kept = [max(1, lines[0].shipped // 2)] + [max(1, ln.shipped // 3) for ln in lines[1:]]
        notes = ["Cartons unopened.", "Opened packs."]
        request = self._ask(
            order,
            buyer,
            [
                returns.LineAsked(ln.number, units, "not_needed", note)
                for ln, units, note in zip(lines, kept, notes, strict=False)
            ],
            note=NOTES[scenes.RETURN_CLOSED][0],
        )
        yield from self._decide(request, "Unopened goods go back to stock, less the fee.")
        yield self._days(3, 6)
        fates = ["restock", "scrap"]
        returns.receive_return(
            tenant_id=self.tenant_id,
            return_id=request.pk,
            lines=[
                returns.Inspected(n, units, fate)
                for n, units, fate in zip((1, 2), kept, fates, strict=False)
            ],
        )
        yield timedelta(hours=self.rng.uniform(2, 8))
        closed = returns.close_return(
            tenant_id=self.tenant_id, return_id=request.pk, recorded_by=CLERK
        )
        notes_issued = ", ".join(note.number for note in closed.credit_notes.all())
        self._show(
            buyer,
            f"a return ({closed.number}) restocked and scrapped, credited by {notes_issued}",
        )

    def _rejected(self, order: Order, buyer: Buyer) -> Steps:
        """Chilled or frozen goods no longer needed (not taken back); else a reason the
        clerk does not accept."""
        lines = _lines(order.pk)
        chilled = next((ln for ln in lines if not ln.returnable), None)
        if chilled is not None:
            asked = returns.LineAsked(
                chilled.number, chilled.shipped, "not_needed", "Our banquet was cancelled."
            )
            comment = "Chilled and frozen goods cannot be taken back once out of our cold chain."
        else:
            line = max(lines, key=lambda ln: ln.unit_gross)
            asked = returns.LineAsked(line.number, 1, "other", "We found it cheaper elsewhere.")
            comment = "Goods in perfect condition are not taken back for a price difference."
        request = self._ask(order, buyer, [asked])
        if request.status == ReturnStatus.REQUESTED:
            yield timedelta(hours=self.rng.uniform(3, 30))
            returns.reject_return(tenant_id=self.tenant_id, return_id=request.pk, comment=comment)
            self._show(buyer, "a rejected return (the clerk's comment says why)")

    # --- orders -------------------------------------------------------------------------------

    def _backorder_filled(self, order_id: int, buyer: Buyer) -> Steps:
        """Some days after confirmation the supplier delivers the SKU the order waits for:
        enough for every order waiting for it, a couple of packs more, into Kwai Chung; the
        waiting orders are served in the seller's fill order as the units arrive."""
        yield self._days(8, 16)
        waiting = (
            OrderLine.objects.filter(
                order_id=order_id,
                backordered_quantity__gt=0,
                order__status__in=orders.FILLED_STATUSES,
            )
            .select_related("sku")
            .first()
        )
        if waiting is None:
            return
        sku = waiting.sku
        needed = sum(
            OrderLine.objects.filter(
                tenant_id=self.tenant_id,
                sku=sku,
                backordered_quantity__gt=0,
                order__status__in=orders.FILLED_STATUSES,
            ).values_list("backordered_quantity", flat=True)
        )
        units = (math.ceil(needed / sku.pack_size) + 2) * sku.pack_size
        delivery = f"PO-{clock.now():%y%m}-{self.rng.randint(100, 999)}"
        orders.with_backorders_filled(
            tenant_id=self.tenant_id,
            sku_ids=[sku.pk],
            arrive=lambda: stock.receive_stock(
                tenant_id=self.tenant_id,
                warehouse_code=WAREHOUSES[0][0],
                sku_id=sku.pk,
                quantity=units,
                reason=SUPPLIER_DELIVERY,
                reference=delivery,
            ),
        )
        number = Order.objects.get(pk=order_id).number
        self._show(buyer, f"a backorder filled when stock arrived ({number})")

    def _short_closed(self, order_id: int, buyer: Buyer) -> Steps:
        """Days after the first shipment the customer says it no longer needs the rest."""
        yield self._days(3, 8)
        order = Order.objects.get(pk=order_id)
        if order.status != OrderStatus.PARTIALLY_SHIPPED:
            return
        orders.short_close_order(
            tenant_id=self.tenant_id,
            order_id=order_id,
            reason="The customer no longer needs the rest: its outlet changed its menu.",
            closed_by=CLERK,
        )
        self._show(buyer, f"an order short-closed after a partial shipment ({order.number})")
