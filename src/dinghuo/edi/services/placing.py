"""The orders of an interchange placed through `orders.services.place_order` (channel
"edi"), after the partner's GLNs and article numbers are resolved: three queries for the
articles of every message, whatever their number of lines.

A problem in a message's heading (a GLN we do not know, no order number) refuses it. A
problem on a line (an unknown article, a quantity that is not a whole number of units, one
that placing refuses: below the minimum, not a pack multiple, short of stock) refuses the
order too, unless the partner accepts partial orders: then the line is left out, said so in
the answer, and the others are placed. When one message is refused, none of the interchange
is placed (a savepoint rolled back whole).
"""

from dataclasses import dataclass, field

from django.db import transaction

from dinghuo.catalog.models import Sku
from dinghuo.core.errors import DomainError
from dinghuo.edi import answers as ans
from dinghuo.edi.models import EdiMessage, EdiOrder, PartnerArticle, TradingPartner
from dinghuo.edi.orders_in import OrderLineIn, OrdersDocument
from dinghuo.edi.syntax import Problem
from dinghuo.orders import services as orders
from dinghuo.orders.models import Order

MAX_ATTEMPTS = 3  # a partial order: placing again without the lines placing refused


@dataclass
class Plan:
    """One message's order as it will be placed: where to, which SKU for which line."""

    doc: OrdersDocument
    answer: ans.OrderAnswer
    ship_to_id: int | None = None
    skus: list[str | None] = field(default_factory=list)  # by line, None when unknown
    problems: list[Problem] = field(default_factory=list)

    def refuse(self, problem: Problem) -> None:
        self.problems.append(problem)
        self.answer.reasons.append(problem.text)


class _Undo(Exception):
    """Rolls the savepoint of the orders back (a refused message, or test mode)."""


def _answer(partner: TradingPartner, doc: OrdersDocument) -> ans.OrderAnswer:
    return ans.OrderAnswer(
        message_ref=doc.message_ref,
        po_number=doc.po_number,
        buyer_gln=doc.parties.get("BY") or partner.gln,
        supplier_gln=partner.our_gln,
        delivery_gln=doc.parties.get("DP", ""),
        delivery_date=doc.delivery_date,
        lines=[
            ans.LineAnswer(
                number=line.number,
                gtin=line.gtin,
                seller_article=line.seller_article,
                buyer_article=line.buyer_article,
                quantity_text=line.quantity_text,
                asked_price=line.price,
            )
            for line in doc.lines
        ],
    )


def refused_answer(
    partner: TradingPartner, doc: OrdersDocument, reasons: list[str]
) -> ans.OrderAnswer:
    """The answer to a message refused with the interchange, for `reasons`."""
    answer = _answer(partner, doc)
    answer.reasons = list(reasons)
    return answer


def plan_orders(partner: TradingPartner, docs: list[OrdersDocument]) -> list[Plan]:
    """Every message's parties and lines resolved, with every problem found."""
    lines = [line for doc in docs for line in doc.lines]
    found = _articles(partner, lines)
    ship_tos = dict(partner.ship_tos.values_list("gln", "location_id"))
    plans = []
    for doc in docs:
        plan = Plan(doc, _answer(partner, doc))
        for problem in doc.problems:
            if problem.line:
                _line_of(plan, problem.line).refuse(problem.text)
                plan.problems.append(problem)
            else:
                plan.refuse(problem)
        _check_parties(partner, plan, ship_tos)
        for line, line_answer in zip(doc.lines, plan.answer.lines, strict=True):
            sku = found.get(("EN", line.gtin)) or found.get(("SA", line.seller_article))
            sku = sku or found.get(("IN", line.buyer_article))
            plan.skus.append(sku)
            if sku is None:
                text = f"Line {line.number}: we do not know the article ({line.article()})."
                plan.problems.append(
                    Problem(
                        "edi_unknown_article", text, message_ref=doc.message_ref, line=line.number
                    )
                )
                line_answer.refuse(text)
            elif line_answer.action != ans.REFUSED:
                line_answer.seller_article = line_answer.seller_article or sku
        plans.append(plan)
    return plans


def _line_of(plan: Plan, number: str) -> ans.LineAnswer:
    return next(line for line in plan.answer.lines if line.number == number)


def _articles(partner: TradingPartner, lines: list[OrderLineIn]) -> dict[tuple[str, str], str]:
    """SKU codes by (EN, GTIN), (SA, our article number) and (IN, theirs): three queries."""
    tenant = partner.tenant_id
    gtins = {line.gtin for line in lines if line.gtin}
    codes = {line.seller_article for line in lines if line.seller_article}
    theirs = {line.buyer_article for line in lines if line.buyer_article}
    found: dict[tuple[str, str], str] = {}
    if gtins:
        by_gtin = Sku.objects.filter(tenant_id=tenant, gtin__in=gtins).values_list("gtin", "code")
        found.update((("EN", gtin), code) for gtin, code in by_gtin)
    if codes:
        ours = Sku.objects.filter(tenant_id=tenant, code__in=codes).values_list("code", flat=True)
        found.update((("SA", code), code) for code in ours)
    if theirs:
        mapped = PartnerArticle.objects.filter(partner=partner, buyer_article__in=theirs)
        pairs = mapped.values_list("buyer_article", "sku__code")
        found.update((("IN", article), code) for article, code in pairs)
    return found


def _check_parties(partner: TradingPartner, plan: Plan, ship_tos: dict[str, int]) -> None:
    doc, ref = plan.doc, plan.doc.message_ref
    buyer, supplier, delivery = (doc.parties.get(q, "") for q in ("BY", "SU", "DP"))
    if buyer and buyer != partner.gln:
        plan.refuse(
            Problem(
                "edi_unknown_gln",
                f"The buyer's GLN {buyer} (NAD+BY) is not the partner's.",
                message_ref=ref,
            )
        )
    if supplier and supplier != partner.our_gln:
        plan.refuse(
            Problem(
                "edi_unknown_gln",
                f"The supplier's GLN {supplier} (NAD+SU) is not ours.",
                message_ref=ref,
            )
        )
    if delivery:
        plan.ship_to_id = ship_tos.get(delivery)
        if plan.ship_to_id is None:
            plan.refuse(
                Problem(
                    "edi_unknown_gln",
                    f"The delivery point's GLN {delivery} (NAD+DP) is not one of the partner's "
                    "delivery points.",
                    message_ref=ref,
                )
            )


def _refusing(partner: TradingPartner, plan: Plan) -> bool:
    """Whether the message is refused before placing: a heading problem, or a refused line
    when the partner does not accept partial orders (or no line is left)."""
    if plan.answer.reasons:
        return True
    refused = [line for line in plan.answer.lines if line.action == ans.REFUSED]
    if not refused:
        return False
    if partner.accept_partial_orders and len(refused) < len(plan.answer.lines):
        return False
    plan.answer.reasons.append("The order is refused. " + refused[0].reasons[0])
    return True


def place_all(
    partner: TradingPartner, plans: list[Plan], message: EdiMessage, *, test: bool
) -> list[Problem]:
    """Place every plan's order in one savepoint (rolled back if any is refused, or in test
    mode); returns every problem found, the reason of a refusal first."""
    if any([_refusing(partner, plan) for plan in plans]):
        _refuse_all(plans)
        return _problems(plans)
    try:
        with transaction.atomic():
            for plan in plans:
                _place(partner, plan, message)
            if test or any(not plan.answer.placed for plan in plans):
                raise _Undo
    except _Undo:
        if test and all(plan.answer.placed for plan in plans):
            for plan in plans:
                plan.answer.order_number = plan.doc.po_number
        else:
            _refuse_all(plans)
    return _problems(plans)


def _refuse_all(plans: list[Plan]) -> None:
    for plan in plans:
        plan.answer.order_number = ""
        if not plan.answer.reasons:
            plan.answer.reasons.append("Not placed: another order of the interchange was refused.")


def _problems(plans: list[Plan]) -> list[Problem]:
    """The problems found, the orders' own first, then the lines', then the consequences."""
    found = [p for plan in plans for p in plan.problems]
    consequences = [
        Problem("edi_order_refused", reason, message_ref=plan.doc.message_ref)
        for plan in plans
        for reason in plan.answer.reasons
        if not any(p.text == reason for p in plan.problems)
    ]
    return [p for p in found if not p.line] + [p for p in found if p.line] + consequences


def _place(partner: TradingPartner, plan: Plan, message: EdiMessage) -> None:
    """Place the plan's order; with partial orders, again without the lines placing refused."""
    for _attempt in range(MAX_ATTEMPTS):
        placed = [
            (sku, line)
            for sku, line in zip(plan.skus, plan.answer.lines, strict=True)
            if sku is not None and line.action != ans.REFUSED
        ]
        try:
            with transaction.atomic():
                order = orders.place_order(
                    tenant_id=partner.tenant_id,
                    company_id=partner.company_id,
                    ship_to_id=plan.ship_to_id or 0,
                    lines=[orders.LineRequest(sku, _units(line)) for sku, line in placed],
                    purchase_order_number=plan.doc.po_number,
                    channel="edi",
                    requested_delivery_date=plan.doc.delivery_date,
                    notes=f"EDI interchange {message.interchange_ref} from {partner.name}",
                )
        except DomainError as error:
            by_line = _line_reasons(error, [line for _sku, line in placed])
            if not (partner.accept_partial_orders and by_line and len(by_line) < len(placed)):
                plan.refuse(Problem(error.code, error.detail, message_ref=plan.doc.message_ref))
                for line, reason in by_line.items():
                    line.reasons.append(reason)
                return
            for line, reason in by_line.items():
                line.refuse(reason)
                plan.problems.append(
                    Problem(error.code, reason, message_ref=plan.doc.message_ref, line=line.number)
                )
            continue
        _accepted(partner, plan, order, [line for _sku, line in placed], message)
        return
    plan.refuse(
        Problem(
            "edi_order_refused", "The order could not be placed.", message_ref=plan.doc.message_ref
        )
    )


def _units(line: ans.LineAnswer) -> int:
    return int(line.quantity_text)


def _line_reasons(error: DomainError, lines: list[ans.LineAnswer]) -> dict[ans.LineAnswer, str]:
    """Placing's line errors (`lines[i].…`) as each EDI line's reason; only when every error
    of `error` is a line's (else the refusal is the order's)."""
    reasons: dict[ans.LineAnswer, str] = {}
    for item in error.errors:
        if not item.field.startswith("lines["):
            return {}
        line = lines[int(item.field[6 : item.field.index("]")])]
        reasons[line] = f"Line {line.number}: {item.message}."
    return reasons


def _accepted(
    partner: TradingPartner,
    plan: Plan,
    order: Order,
    placed: list[ans.LineAnswer],
    message: EdiMessage,
) -> None:
    """The answer's lines as placed (our price, backorders, what changed) and the link of
    the order to its partner and message, with the buyer's line numbers."""
    # Placing leaves the new lines on the order (its prefetch cache), in line order.
    lines = sorted(order.lines.all(), key=lambda line: line.line_number)
    for line, answer in zip(lines, placed, strict=True):
        answer.price = line.unit_price.normalize()
        if answer.asked_price is not None and answer.asked_price != line.unit_price:
            answer.action = ans.CHANGED
            ours, theirs = ans.decimal_text(line.unit_price), ans.decimal_text(answer.asked_price)
            answer.reasons.append(f"Price {ours} instead of {theirs}.")
        if line.backordered_quantity:
            answer.action = ans.CHANGED
            answer.backordered = line.backordered_quantity
            answer.reasons.append(f"{line.backordered_quantity} units will follow (backorder).")
    plan.answer.order_number = order.number
    plan.answer.currency = order.currency
    EdiOrder.objects.create(
        tenant_id=partner.tenant_id,
        order=order,
        partner=partner,
        message=message,
        purchase_order_number=plan.doc.po_number,
        lines={
            str(line.line_number): {
                "number": answer.number,
                "gtin": answer.gtin,
                "buyer_article": answer.buyer_article,
            }
            for line, answer in zip(lines, placed, strict=True)
        },
    )
