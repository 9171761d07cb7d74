"""Documents for partners from the event feed: a despatch advice (DESADV) per shipment of an
order (`order.shipped`) and an invoice (INVOIC) per invoice (`invoice.issued`), for the
orders that came from the partner by EDI, or for all of its company's orders when the partner
wants them (`documents_for_all_orders`).

Each partner keeps its place in the feed (`feed_txid`, `feed_event_id`) like a webhook
subscription: one batch reads the events after it, prepares the documents (kept as `ready`
messages, see `messages.prepare`) and moves the place, in one transaction with the partner's
row locked (`SKIP LOCKED`: a second worker takes another partner), so each event is answered
once. `despatch_advice_text` and `invoice_text` give a document's text alone, for a channel
that sends it otherwise (webhooks).
"""

from collections.abc import Iterable
from datetime import datetime
from decimal import Decimal

from django.db import transaction
from pydifact.segments import Segment

from dinghuo.billing.models import Invoice, InvoiceLine
from dinghuo.core import clock, money
from dinghuo.edi import documents
from dinghuo.edi.models import EdiOrder, TradingPartner
from dinghuo.edi.services.messages import prepare
from dinghuo.edi.syntax import write_interchange
from dinghuo.fulfilment.models import Shipment
from dinghuo.integrations.models import Event
from dinghuo.integrations.queries import events_after
from dinghuo.orders.models import Order

BATCH = 200
DOCUMENT_EVENTS = ["order.shipped", "invoice.issued"]


def produce_documents(partner_id: int) -> int:
    """One batch of the partner's documents from the feed; how many events were read (0:
    nothing new, or another worker holds the partner)."""
    with transaction.atomic():
        partner = (
            TradingPartner.objects.select_for_update(skip_locked=True)
            .filter(pk=partner_id, is_active=True)
            .first()
        )
        if partner is None:
            return 0
        place = (partner.feed_txid, partner.feed_event_id)
        batch = events_after(partner.tenant_id, place, BATCH, DOCUMENT_EVENTS)
        if not batch:
            return 0
        for event in batch:
            _document(partner, event)
        partner.feed_txid, partner.feed_event_id = batch[-1].txid, batch[-1].pk
        partner.save(update_fields=["feed_txid", "feed_event_id", "updated_at"])
        return len(batch)


def _document(partner: TradingPartner, event: Event) -> None:
    source = f"{event.type} (event {event.pk})"
    if event.type == "order.shipped":
        body = despatch_body(partner, int(event.payload["shipment"]))
        if body is not None:
            prepare(
                partner, "DESADV", documents.DESADV, [body], test=partner.test_mode, source=source
            )
    elif event.type == "invoice.issued":
        body = invoice_body(partner, event.aggregate_id)
        if body is not None:
            prepare(
                partner, "INVOIC", documents.INVOIC, [body], test=partner.test_mode, source=source
            )


def _concerns(partner: TradingPartner, orders: Iterable[Order]) -> dict[int, EdiOrder]:
    """The EDI links of those of `orders` that came from this partner, by order id."""
    ids = [order.pk for order in orders]
    return {
        link.order_id: link for link in EdiOrder.objects.filter(partner=partner, order_id__in=ids)
    }


def _wanted(partner: TradingPartner, orders: list[Order], links: dict[int, EdiOrder]) -> bool:
    if any(order.company_id != partner.company_id for order in orders):
        return False
    return bool(links) or partner.documents_for_all_orders


def _delivery_gln(partner: TradingPartner, ship_to_id: int) -> str:
    found = [s.gln for s in partner.ship_tos.all() if s.location_id == ship_to_id]
    return found[0] if found else ""


def _buyer_line(link: EdiOrder | None, line_number: int) -> dict[str, str]:
    return dict(link.lines.get(str(line_number), {})) if link else {}


def despatch_body(
    partner: TradingPartner, shipment_id: int, now: datetime | None = None
) -> list[Segment] | None:
    """The DESADV body of a shipment, or None when it is not the partner's to receive."""
    shipment = (
        Shipment.objects.filter(tenant_id=partner.tenant_id, pk=shipment_id)
        .select_related("order")
        .prefetch_related("lines__order_line__sku")
        .first()
    )
    if shipment is None:
        return None
    order = shipment.order
    links = _concerns(partner, [order])
    if not _wanted(partner, [order], links):
        return None
    link = links.get(order.pk)
    items = []
    for line in sorted(shipment.lines.all(), key=lambda x: x.order_line.line_number):
        theirs = _buyer_line(link, line.order_line.line_number)
        items.append(
            documents.Item(
                gtin=line.order_line.sku.gtin,
                sku=line.order_line.sku_code,
                buyer_article=theirs.get("buyer_article", ""),
                quantity=line.quantity,
                buyer_line=theirs.get("number", ""),
            )
        )
    despatch = documents.Despatch(
        number=f"SH-{shipment.pk:07d}",
        shipped_at=shipment.shipped_at,
        po_number=link.purchase_order_number if link else order.purchase_order_number,
        order_number=order.number,
        carrier=shipment.carrier,
        tracking_number=shipment.tracking_number,
        parties=documents.Parties(
            partner.gln, partner.our_gln, _delivery_gln(partner, order.ship_to_id)
        ),
        items=items,
    )
    return documents.despatch_advice(despatch, now or clock.now())


def invoice_body(
    partner: TradingPartner, invoice_id: int, now: datetime | None = None
) -> list[Segment] | None:
    """The INVOIC body of an invoice, or None when it is not the partner's to receive."""
    found = Invoice.objects.filter(tenant_id=partner.tenant_id, pk=invoice_id).first()
    if found is None:
        return None
    lines = list(
        InvoiceLine.objects.filter(invoice=found)
        .select_related("order", "order_line__sku")
        .order_by("line_number")
    )
    orders = list({line.order_id: line.order for line in lines}.values())
    links = _concerns(partner, orders)
    if found.company_id != partner.company_id or not _wanted(partner, orders, links):
        return None
    cur = found.currency

    def cash(value: Decimal) -> Decimal:
        return Decimal(money.format_amount(value, cur))

    items = []
    for line in lines:
        theirs = _buyer_line(links.get(line.order_id), line.order_line.line_number)
        items.append(
            documents.Item(
                gtin=line.order_line.sku.gtin,
                sku=line.sku_code,
                buyer_article=theirs.get("buyer_article", ""),
                quantity=line.quantity,
                buyer_line=theirs.get("number", ""),
                unit_price=Decimal(money.format_unit_price(line.unit_price, cur)),
                net=cash(line.net_amount),
                tax_percent=line.tax_percent.normalize(),
            )
        )
    billing = documents.Billing(
        number=found.number,
        issued_on=found.issued_on,
        due_on=found.due_on,
        currency=cur,
        net_total=cash(found.net_total),
        tax_total=cash(found.tax_total),
        total=cash(found.total),
        po_numbers=sorted(
            {
                links[o.pk].purchase_order_number if o.pk in links else o.purchase_order_number
                for o in orders
            }
        ),
        order_numbers=[o.number for o in sorted(orders, key=lambda o: o.pk)],
        despatch_number=f"SH-{found.shipment_id:07d}" if found.shipment_id else "",
        parties=documents.Parties(partner.gln, partner.our_gln),
        items=items,
    )
    return documents.invoice(billing, now or clock.now())


def _standalone(
    partner: TradingPartner, identifier: list[str], body: list[Segment] | None
) -> str | None:
    if body is None:
        return None
    now = clock.now()
    return write_interchange(
        sender=partner.our_gln,
        recipient=partner.gln,
        ref="0",
        prepared_at=now,
        test=partner.test_mode,
        messages=[("1", identifier, body)],
    )


def despatch_advice_text(partner: TradingPartner, shipment_id: int) -> str | None:
    """A shipment's DESADV as an interchange's text, without taking references or keeping it
    (for a channel that sends it otherwise, e.g. a webhook); None when not the partner's."""
    return _standalone(partner, documents.DESADV, despatch_body(partner, shipment_id))


def invoice_text(partner: TradingPartner, invoice_id: int) -> str | None:
    """An invoice's INVOIC as an interchange's text (as `despatch_advice_text`)."""
    return _standalone(partner, documents.INVOIC, invoice_body(partner, invoice_id))
