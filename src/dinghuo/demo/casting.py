"""Which of the demo's planned orders go to the companies it shows, whatever the scale. Pure:
the plan (each order's status, oldest first), the moments they are placed at, and the
buyers; no database.

Each rule takes the orders no earlier rule took, so the companies never compete for one:
- the prepaid company's latest placed order waits for its payment and its latest confirmed
  one was confirmed by it;
- the late payer has an order of the last weeks held for its unpaid invoices, and two
  invoices it never paid, issued about two months ago;
- the deposit company (a new customer: it has no other orders) has one order shipped in
  the last two weeks or so, a later one confirmed by its deposit, and its latest placed one
  still waiting for its deposit;
- the large order in US dollars (`large_order`) is the latest placed order left.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from dinghuo.demo import HISTORY_DAYS, large_order
from dinghuo.demo.buyers import Buyer
from dinghuo.demo.terms import Specials
from dinghuo.orders.states import OrderStatus as S

# The deposit company's shipped order is placed this recently, so that the rest of its invoice
# (net 30) is not yet paid at the end, however early its payment run falls.
DEPOSIT_SHIPPED = timedelta(days=16)
# It is placed this long before a later order pays its deposit: shipped and invoiced by then.
SHIPPED_AND_INVOICED = timedelta(days=4)


@dataclass
class Cast:
    """The orders given away (plan index → buyer index) and which is the large one."""

    forced: dict[int, int]
    large: int | None = None


@dataclass(frozen=True)
class Planned:
    """The history as planned, before any order is placed."""

    plan: list[str]  # each order's status, changed for the deposit company's shipped order
    moments: list[datetime]  # when each is placed, in the order of the plan
    end: datetime  # the history ends now


def _last(
    p: Planned, taken: dict[int, int], statuses: tuple[str, ...], since: datetime
) -> int | None:
    """The latest order in one of `statuses` placed since `since` and not yet taken."""
    found = [
        n
        for n, s in enumerate(p.plan)
        if s in statuses and p.moments[n] >= since and n not in taken
    ]
    return found[-1] if found else None


def _credit(p: Planned, taken: dict[int, int], prepaid: int, late: int) -> None:
    """The prepaid company's and the late payer's orders."""
    ever = p.end - timedelta(days=HISTORY_DAYS)
    for statuses, since, who in (
        ((S.PLACED,), ever, prepaid),
        ((S.CONFIRMED,), ever, prepaid),
        ((S.PLACED, S.CONFIRMED), p.end - timedelta(days=20), late),
    ):
        n = _last(p, taken, statuses, since)
        if n is not None:
            taken[n] = who
    unpaid = [
        n
        for n, s in enumerate(p.plan)
        if s in (S.DELIVERED, S.SHIPPED)
        and p.end - timedelta(days=70) <= p.moments[n] <= p.end - timedelta(days=45)
        and n not in taken
    ]
    taken.update(dict.fromkeys(unpaid[-2:], late))


def _deposit(p: Planned, taken: dict[int, int], who: int) -> None:
    """The deposit company's orders: the latest placed waits; one of the last days is
    shipped (a recent order planned otherwise becomes shipped if none was: preferably not a
    placed one, which the large order needs); a confirmed one paid its deposit, after that
    invoice was issued where it can be (the invoice would otherwise take this deposit too)."""
    ever = p.end - timedelta(days=HISTORY_DAYS)
    waiting = _last(p, taken, (S.PLACED,), ever)
    if waiting is not None:
        taken[waiting] = who
    free = [n for n in range(len(p.plan)) if n not in taken]
    recent = [n for n in free if p.end - DEPOSIT_SHIPPED <= p.moments[n] <= p.end - timedelta(1)]
    shipped = [n for n in recent if p.plan[n] in (S.SHIPPED, S.DELIVERED)]
    # Else the oldest of those days, to leave room for the confirmed one after it.
    shipped = shipped or sorted(recent, key=lambda n: (p.plan[n] == S.PLACED, n))[:1]
    since = ever
    if shipped:
        n = shipped[0]
        taken[n], since = who, p.moments[n] + SHIPPED_AND_INVOICED
        if p.plan[n] not in (S.SHIPPED, S.DELIVERED):
            p.plan[n] = S.SHIPPED
    paid = _last(p, taken, (S.CONFIRMED,), since)
    if paid is None:
        paid = _last(p, taken, (S.CONFIRMED,), ever)
    if paid is not None:
        taken[paid] = who


def cast(
    plan: list[str], moments: list[datetime], end: datetime, buyers: list[Buyer], specials: Specials
) -> Cast:
    """Give the showing companies their orders (may plan one order as shipped, see
    `_deposit`)."""
    p = Planned(plan, moments, end)
    taken: dict[int, int] = {}
    _credit(p, taken, buyers.index(specials.prepaid), buyers.index(specials.late))
    _deposit(p, taken, buyers.index(specials.deposit))
    codes = [b.company.code for b in buyers]
    large = _last(p, taken, (S.PLACED,), end - timedelta(days=HISTORY_DAYS))
    if large is None or large_order.COMPANY not in codes:
        return Cast(taken)
    taken[large] = codes.index(large_order.COMPANY)
    return Cast(taken, large)
