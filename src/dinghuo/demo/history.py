"""The demo's order history, made through the real order and shipping services.

Each order is taken as far along its life as its planned status: placed, confirmed, cancelled
(before or after confirmation), partly shipped (some lines, or all but a backorder), shipped
(one shipment per warehouse that holds its stock) or delivered. Lower order numbers are
further along, as they would be in a real history. A few orders then play an after-sales
scene (`scenes` casts them, `after_sales` plays them: returns, a backorder filled on arrival,
a short-close). Every step of every order (and the payments and credit notes its invoices
lead to, see `receivables`) is recorded on the agenda in the order of its moment, as it
would have happened.
"""

import math
import random
from collections.abc import Callable, Generator
from datetime import timedelta
from functools import partial

from dinghuo.customers.models import CompanyUser, CreditLine
from dinghuo.demo import HISTORY_DAYS, DemoRefused, casting, large_order, scenes
from dinghuo.demo.after_sales import AfterSales
from dinghuo.demo.agenda import Agenda, Life
from dinghuo.demo.buyers import Buyer
from dinghuo.demo.catalogue import SkuInfo, priced_on
from dinghuo.demo.receivables import Collections
from dinghuo.fulfilment.services import ShipLine, deliver_order, ship_order
from dinghuo.inventory.models import Reservation
from dinghuo.orders.approval_rules import COMPANY, SELLER
from dinghuo.orders.models import Order, OrderApproval, OrderLine
from dinghuo.orders.services import (
    Actor,
    LineRequest,
    approve_order,
    cancel_order,
    confirm_order,
    place_order,
    release_credit_hold,
)
from dinghuo.orders.states import OrderStatus

S = OrderStatus
Steps = Generator[timedelta, None, Order]  # part of a life that ends with the order as it is
# Share of the history in each status, and how far along the life it is (older = lower).
STATUS_SHARES: dict[str, tuple[int, float]] = {
    S.DELIVERED: (45, 0.0),
    S.CANCELLED: (10, 1.0),
    S.SHIPPED: (12, 2.0),
    S.PARTIALLY_SHIPPED: (8, 3.0),
    S.CONFIRMED: (12, 3.5),
    S.PLACED: (13, 4.0),
}
LINE_COUNT_WEIGHTS = (8, 10, 12, 12, 11, 10, 8, 7, 6, 5, 4, 3)  # for 1..12 lines
BULK_UNITS = frozenset({"ctn", "case", "sack", "drum", "tin", "tray", "doz"})
BULK_QUANTITIES = (1, 1, 1, 2, 2, 2, 3, 3, 4, 5, 6, 10)
UNIT_QUANTITIES = (1, 2, 2, 3, 4, 5, 6, 6, 10, 12, 12, 20, 24, 50)
CANCEL_REASONS = (
    "Customer changed the order",
    "Duplicate order",
    "Budget not approved",
    "Ordered for the wrong outlet",
    "Event cancelled",
)
NOTES = (
    "Deliver before 10:00, use the back door.",
    "Call on arrival: loading bay B.",
    "請於上午送貨，謝謝。",
    "请提前一天电话联系收货人。",
    "Please label cartons with our PO number.",
    "Urgent: weekend banquet.",
)


def _digits(rng: random.Random, count: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(count))


def _upu_s10(rng: random.Random) -> str:
    """A Hongkong Post EMS number in the UPU S10 format, with its check digit."""
    serial = _digits(rng, 8)
    total = sum(int(d) * w for d, w in zip(serial, (8, 6, 4, 2, 3, 5, 9, 7), strict=True))
    check = 11 - total % 11
    check = {10: 0, 11: 5}.get(check, check)
    return f"EE{serial}{check}HK"


Tracker = Callable[[random.Random], str]
_SF: tuple[str, Tracker] = ("SF Express", lambda rng: "SF" + _digits(rng, 13))
_DHL: tuple[str, Tracker] = ("DHL Express", lambda rng: _digits(rng, 10))
_FEDEX: tuple[str, Tracker] = ("FedEx", lambda rng: _digits(rng, 12))
# Carriers that serve each destination country, with the shape of their tracking numbers.
CARRIERS: dict[str, tuple[tuple[str, Tracker], ...]] = {
    "HK": (_SF, ("Kerry Express", lambda rng: "KE" + _digits(rng, 10))),
    "CN": (
        _SF,
        ("ZTO Express", lambda rng: "75" + _digits(rng, 12)),
        ("JD Logistics", lambda rng: "JDVA" + _digits(rng, 11)),
    ),
    "TW": (_DHL, _FEDEX, _SF),
    "SG": (_DHL, _FEDEX, ("Hongkong Post EMS", _upu_s10)),
}


def plan_statuses(count: int, rng: random.Random) -> list[str]:
    """`count` statuses in their shares, each at least once, oldest (furthest along) first."""
    statuses = list(STATUS_SHARES)
    if count < len(statuses):
        return statuses[:count]
    wanted = {s: max(1, count * share // 100) for s, (share, _) in STATUS_SHARES.items()}
    wanted[S.DELIVERED] += count - sum(wanted.values())
    planned = [s for s, n in wanted.items() for _ in range(n)]
    spread = {s: 2.0 if s == S.CANCELLED else 0.8 for s in statuses}
    return sorted(planned, key=lambda s: STATUS_SHARES[s][1] + rng.uniform(-spread[s], spread[s]))


def _quantity(info: SkuInfo, rng: random.Random) -> int | None:
    """A typical order quantity that stock can cover and the SKU's rules allow, or None."""
    sku = info.sku
    wanted = rng.choice(BULK_QUANTITIES if sku.unit in BULK_UNITS else UNIT_QUANTITIES)
    packs = max(
        math.ceil(wanted / sku.pack_size), math.ceil(sku.min_order_quantity / sku.pack_size)
    )
    quantity = min(packs, info.stock // sku.pack_size) * sku.pack_size
    return quantity if quantity >= max(1, sku.min_order_quantity) else None


def _pick_lines(
    pools: list[list[SkuInfo]], count: int, rng: random.Random
) -> list[tuple[SkuInfo, int]]:
    """Up to `count` in-stock SKUs, from the first pool that has them; stock is promised."""
    lines: list[tuple[SkuInfo, int]] = []
    taken: set[int] = set()
    for pool in pools:
        for info in rng.sample(pool, min(len(pool), count * 4)):
            if len(lines) == count:
                return lines
            quantity = _quantity(info, rng) if info.sku.pk not in taken else None
            if quantity is not None:
                info.stock -= quantity
                taken.add(info.sku.pk)
                lines.append((info, quantity))
    return lines


def _backorder_line(
    pool: list[SkuInfo], chosen: list[tuple[SkuInfo, int]], rng: random.Random
) -> tuple[SkuInfo, int] | None:
    """A line for more than is in stock of a SKU that may be backordered: a usual quantity of
    one that is short (a customer does not order a warehouse's whole stock of a product)."""
    taken = {info.sku.pk for info, _ in chosen}
    candidates = [info for info in pool if info.sku.pk not in taken]
    if not candidates:
        return None
    info = rng.choice(sorted(candidates, key=lambda i: i.stock)[:5])
    sku = info.sku
    wanted = rng.choice(BULK_QUANTITIES if sku.unit in BULK_UNITS else UNIT_QUANTITIES)
    packs = max(
        math.ceil(wanted / sku.pack_size),
        math.ceil(sku.min_order_quantity / sku.pack_size),
        info.stock // sku.pack_size + rng.randint(1, 3),
    )
    info.stock = 0
    return info, packs * sku.pack_size


class History:
    """Makes orders for the demo buyers on the demo's agenda; one instance per load."""

    def __init__(
        self,
        *,
        tenant_id: int,
        buyers: list[Buyer],
        skus: list[SkuInfo],
        rng: random.Random,
        collections: Collections,
        after_sales: AfterSales,
        featured: list[int],
    ):
        self.tenant_id = tenant_id
        self.after_sales = after_sales
        self.featured = featured  # buyer indices whose sign-ins the load prints
        self.buyers = buyers
        self.rng = rng
        self.collections = collections
        self.agenda: Agenda = collections.agenda
        self.specials = collections.specials
        self.weights = [rng.choice((1, 2, 3, 5)) for _ in buyers]
        # The deposit company is a new customer: its only orders are those `casting` gives it.
        self.weights[buyers.index(self.specials.deposit)] = 0
        self.everything = [
            [i for i in skus if i.orderable and priced_on(i, b.currency)] for b in buyers
        ]
        self.usual = [
            self._usual_range(b, pool) for b, pool in zip(buyers, self.everything, strict=True)
        ]
        self.backorderable = [[i for i in pool if i.allow_backorder] for pool in self.everything]
        self.shows: dict[str, str] = {}  # company code → what its orders show

    def _usual_range(self, buyer: Buyer, pool: list[SkuInfo]) -> list[SkuInfo]:
        """The 14 or so categories this buyer keeps coming back to."""
        by_family: dict[str, list[str]] = {}
        for info in pool:
            by_family.setdefault(info.family, []).append(info.category)
        categories = {
            self.rng.choice(by_family[family])
            for family in self.rng.choices(buyer.families, k=14)
            if family in by_family
        }
        return [i for i in pool if i.category in categories]

    def make(self, count: int) -> None:
        """Place `count` orders over the last months, each taken to its planned status at
        believable later moments, with the invoices, payments and credit notes that follow;
        every step recorded in the order of its moment."""
        end = self.agenda.end
        start = end - timedelta(days=HISTORY_DAYS)
        plan = plan_statuses(count, self.rng)
        moments = [start + (end - start) * (n + self.rng.random()) / count for n in range(count)]
        cast = casting.cast(plan, moments, end, self.buyers, self.specials)
        s = self.specials
        played = scenes.cast_scenes(
            plan,
            moments,
            end,
            taken=set(cast.forced) | ({cast.large} if cast.large is not None else set()),
            featured=self.featured,
            avoided={self.buyers.index(b) for b in (s.tight, s.late, s.prepaid, s.deposit)},
            buyer_count=len(self.buyers),
        )
        for n, status in enumerate(plan):
            index = self.rng.choices(range(len(self.buyers)), weights=self.weights)[0]
            index = cast.forced.get(n, played.buyer(n, index))
            moment = moments[n]
            if n == cast.large:  # recent enough that its approval has not expired
                moment = max(moment, end - large_order.WAITING_SINCE)
            life = self._life(
                index,
                status,
                plain=n in cast.forced,
                large=n == cast.large,
                scene=played.played.get(n),
            )
            self.agenda.at(moment, life)
        self.collections.plan_overpayment()
        self.agenda.run()

    def _wait(self, low: float, high: float) -> timedelta:
        """How long until this order's next step."""
        return timedelta(hours=self.rng.uniform(low, high))

    def _place(self, index: int, status: str, *, plain: bool, scene: str | None = None) -> Order:
        buyer = self.buyers[index]
        rng = self.rng
        count = rng.choices(range(1, 13), weights=LINE_COUNT_WEIGHTS)[0]
        # A returned order's lines go two ways (restocked, scrapped); a backorder filled
        # waits beside a line that ships.
        if status == S.PARTIALLY_SHIPPED or scene in (
            scenes.RETURN_CLOSED,
            scenes.BACKORDER_FILLED,
        ):
            count = max(count, 2)
        # Only orders not yet fully shipped may wait for stock; an order that shows a
        # company's credit (plain) waits for nothing else.
        backorder = scene == scenes.BACKORDER_FILLED or (
            count > 1
            and status in (S.PLACED, S.CONFIRMED, S.PARTIALLY_SHIPPED)
            and rng.random() < 0.2
            and not plain
        )
        pools = [self.usual[index], self.everything[index]]
        lines = _pick_lines(pools, count - 1 if backorder else count, rng)
        if not lines:
            raise DemoRefused("The demo stock ran out; load fewer orders or more SKUs.")
        if backorder:
            extra = _backorder_line(self.backorderable[index], lines, rng)
            lines += [extra] if extra else []
        channel = "api" if plain else rng.choice(("portal", "portal", "api"))
        # Portal orders are placed by a person of the company: their spending limit counts.
        placed_by = rng.choice(buyer.users).pk if channel == "portal" else None
        return place_order(
            tenant_id=self.tenant_id,
            company_id=buyer.company.pk,
            ship_to_id=rng.choice(buyer.ship_to_ids),
            lines=[LineRequest(info.sku.code, quantity) for info, quantity in lines],
            purchase_order_number=(
                f"{buyer.spec.code[:4]}-{rng.randint(10000, 99999)}" if rng.random() < 0.7 else ""
            ),
            notes=rng.choice(NOTES) if rng.random() < 0.2 else "",
            channel=channel,
            placed_by_id=placed_by,
        )

    def _place_large(self, index: int) -> Order:
        """The large order (`large_order`); an ordinary one if stock is short."""
        buyer = self.buyers[index]
        order = large_order.place(self.tenant_id, buyer, self.everything[index], self.rng)
        if order is None:
            return self._place(index, S.PLACED, plain=True)
        if order.status == S.AWAITING_APPROVAL:
            self.shows[buyer.company.code] = large_order.SHOWS
        return order

    def _life(
        self, index: int, status: str, *, plain: bool, large: bool = False, scene: str | None = None
    ) -> Life:
        """One order, from placing to its planned status, then its after-sales scene if it
        plays one; yields the wait before each step."""
        buyer = self.buyers[index]
        order = (
            self._place_large(index)
            if large
            else self._place(index, status, plain=plain, scene=scene)
        )
        ids = {"tenant_id": self.tenant_id, "order_id": order.pk}
        if status == S.PLACED:
            return  # recent orders: exceptions still wait for a person
        cancelling = status == S.CANCELLED
        # Half the cancelled orders were confirmed first; a held one is simply cancelled.
        if not cancelling or (order.status != S.CREDIT_HOLD and self.rng.random() < 0.5):
            order = yield from self._clear_exceptions(order, buyer)
            if order.status == S.PLACED:
                order = yield from self._confirm(order, buyer, pay=not cancelling)
        if order.status == S.CREDIT_HOLD and not cancelling:
            return  # still waiting for credit control
        if cancelling:
            yield self._wait(1, 48)
            cancel_order(**ids, reason=self.rng.choice(CANCEL_REASONS))
        elif status == S.PARTIALLY_SHIPPED:
            yield self._wait(12, 48)
            self._ship_part(order, buyer)
        elif status in (S.SHIPPED, S.DELIVERED):
            yield self._wait(12, 48)
            self._ship_reserved(order, buyer)
            if status == S.DELIVERED:
                yield self._wait(20, 96)
                deliver_order(**ids)
                self.collections.delivered(order)
        if scene is not None:
            yield from self.after_sales.play(scene, order.pk, buyer)

    def _clear_exceptions(self, order: Order, buyer: Buyer) -> Steps:
        """What people do with orders that waited: release holds, give approvals."""
        if order.status == S.CREDIT_HOLD:
            order = yield from self._release_hold(order, buyer)
        while order.status == S.AWAITING_APPROVAL:
            step = OrderApproval.objects.filter(order=order, status="pending").first()
            if step is None:
                break
            yield self._wait(0.5, 20)
            order = approve_order(
                tenant_id=self.tenant_id,
                order_id=order.pk,
                actor=self._approver(order, buyer, step.approver),
            )
        return order

    def _release_hold(self, order: Order, buyer: Buyer) -> Steps:
        """Credit control lets a held order go: the late payer's once it promises to pay, the
        tight company's once its payments make room under its limit (looked at every morning
        for two months; until then it stays held)."""
        release = partial(
            release_credit_hold,
            tenant_id=self.tenant_id,
            order_id=order.pk,
            released_by="staff (demo)",
        )
        if buyer is not self.specials.tight:
            yield self._wait(1, 24)
            return release(comment="The customer promised payment this week; released")
        for _ in range(60):
            yield timedelta(days=1)
            line = CreditLine.objects.get(company_id=order.company_id)
            owed = line.order_exposure + line.invoice_exposure + order.total
            if line.credit_limit is None or owed <= line.credit_limit:
                return release(comment="Payment received; within the credit limit again")
        return order

    def _confirm(self, order: Order, buyer: Buyer, *, pay: bool) -> Steps:
        """The seller confirms a placed order; an order to be paid first (prepaid, or its
        deposit) is paid first, and the payment confirms it when payment was all it waited
        for."""
        if pay and order.prepayment_due > 0:
            yield self._wait(1, 30)
            self.collections.prepay(order)
            order.refresh_from_db(fields=["status"])
            if order.status != S.PLACED:
                return order
        yield self._wait(0.2, 6)
        return confirm_order(tenant_id=self.tenant_id, order_id=order.pk)

    def _approver(self, order: Order, buyer: Buyer, party: str) -> Actor:
        if party == SELLER:
            return Actor(SELLER, "staff (demo)")
        person = next(
            u
            for u in buyer.users
            if u.role != CompanyUser.Role.BUYER and u.pk != order.placed_by_id
        )
        return Actor(COMPANY, person.user.email, person.pk, buyer.company.pk, person.role)

    def _carrier(self, buyer: Buyer) -> tuple[str, str]:
        name, tracker = self.rng.choice(CARRIERS[buyer.country])
        return name, tracker(self.rng)

    def _ship_reserved(self, order: Order, buyer: Buyer) -> None:
        """Ship everything reserved, one shipment from each warehouse that holds some."""
        codes = (
            Reservation.objects.filter(order_line__order=order, quantity__gt=0)
            .order_by("warehouse__priority")
            .values_list("warehouse__code", flat=True)
            .distinct()
        )
        for code in list(codes):
            carrier, tracking = self._carrier(buyer)
            shipment = ship_order(
                tenant_id=self.tenant_id,
                order_id=order.pk,
                carrier=carrier,
                tracking_number=tracking,
                warehouse_code=code,
            )
            self.collections.shipped(shipment.pk)

    def _ship_part(self, order: Order, buyer: Buyer) -> None:
        """All that is reserved when a line waits for stock; else the first half of the lines."""
        if OrderLine.objects.filter(order=order, backordered_quantity__gt=0).exists():
            self._ship_reserved(order, buyer)
            return
        lines = list(OrderLine.objects.filter(order=order).order_by("line_number"))
        if len(lines) > 1:
            shipping = [
                ShipLine(line.line_number, line.quantity) for line in lines[: len(lines) // 2]
            ]
        else:
            shipping = [ShipLine(lines[0].line_number, max(1, lines[0].quantity // 2))]
        carrier, tracking = self._carrier(buyer)
        shipment = ship_order(
            tenant_id=self.tenant_id,
            order_id=order.pk,
            carrier=carrier,
            tracking_number=tracking,
            lines=shipping,
        )
        self.collections.shipped(shipment.pk)
