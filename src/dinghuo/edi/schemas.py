"""EDI request and answer shapes: trading partners and messages."""

from datetime import datetime
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field, StringConstraints

from dinghuo.api.schemas import Code, Id, InSchema, Name, PageFilters, PatchIn
from dinghuo.edi.models import EdiMessage, TradingPartner
from dinghuo.orders.models import order_number

Gln = Annotated[
    str,
    StringConstraints(pattern=r"^[0-9]{13}$"),
    Field(description="GS1 Global Location Number: 13 digits, the last a check digit"),
]
BuyerArticle = Annotated[
    str, StringConstraints(min_length=1, max_length=35, pattern=r"^\S(.*\S)?$")
]


class ShipToIn(InSchema):
    gln: Gln
    location_id: Id = Field(description="An address of the partner's company")


class ArticleIn(InSchema):
    buyer_article: BuyerArticle = Field(description="The buyer's article number (PIA … IN)")
    sku: Code = Field(description="Our SKU code")


class PartnerIn(InSchema):
    name: Name
    gln: Gln
    company_id: Id
    our_gln: Gln = Field(description="Our GLN towards this partner (UNB recipient, NAD+SU)")
    test_mode: bool = Field(False, description="Read and answer, never place real orders")
    is_active: bool = True
    accept_partial_orders: bool = Field(
        False, description="Place the good lines of an order and refuse the others"
    )
    documents_for_all_orders: bool = Field(
        False, description="Despatch advices and invoices also for orders not sent by EDI"
    )
    ship_tos: list[ShipToIn] = Field(default_factory=list, max_length=500)


class PartnerPatch(PatchIn):
    name: Name | None = None
    gln: Gln | None = None
    our_gln: Gln | None = None
    test_mode: bool | None = None
    is_active: bool | None = None
    accept_partial_orders: bool | None = None
    documents_for_all_orders: bool | None = None
    ship_tos: list[ShipToIn] | None = Field(None, max_length=500, description="Replaces all")


class ArticlesIn(InSchema):
    articles: list[ArticleIn] = Field(max_length=10_000)


class ShipToOut(Schema):
    gln: str
    location_id: int


class ArticleOut(Schema):
    buyer_article: str
    sku: str


class PartnerOut(Schema):
    id: int
    name: str
    gln: str
    company_id: int
    company: str
    our_gln: str
    test_mode: bool
    is_active: bool
    accept_partial_orders: bool
    documents_for_all_orders: bool
    ship_tos: list[ShipToOut]
    articles: list[ArticleOut]
    next_interchange_ref: int
    next_message_ref: int
    created_at: datetime
    updated_at: datetime


class PartnerPageOut(Schema):
    items: list[PartnerOut]
    next_cursor: str | None


def partner_out(partner: TradingPartner) -> dict[str, Any]:
    return {
        "id": partner.pk,
        "name": partner.name,
        "gln": partner.gln,
        "company_id": partner.company_id,
        "company": partner.company.code,
        "our_gln": partner.our_gln,
        "test_mode": partner.test_mode,
        "is_active": partner.is_active,
        "accept_partial_orders": partner.accept_partial_orders,
        "documents_for_all_orders": partner.documents_for_all_orders,
        "ship_tos": [
            {"gln": s.gln, "location_id": s.location_id}
            for s in sorted(partner.ship_tos.all(), key=lambda s: s.gln)
        ],
        "articles": [
            {"buyer_article": a.buyer_article, "sku": a.sku.code} for a in partner.articles.all()
        ],
        "next_interchange_ref": partner.next_interchange_ref,
        "next_message_ref": partner.next_message_ref,
        "created_at": partner.created_at.isoformat(),
        "updated_at": partner.updated_at.isoformat(),
    }


# --- messages ---------------------------------------------------------------------------------

Direction = Literal["in", "out"]
Status = Literal["accepted", "tested", "rejected", "ready", "sent"]
Kind = Literal["ORDERS", "ORDRSP", "DESADV", "INVOIC"]


class MessageFilters(PageFilters):
    direction: Direction | None = None
    status: Status | None = None
    kind: Kind | None = None
    partner_id: Id | None = None


class MessageFileFilters(Schema):
    file_name: Annotated[str, StringConstraints(max_length=200)] = Field(
        "", description="The name of the file, kept with the message"
    )


class EdiProblemOut(Schema):
    code: str
    text: str
    message: str = Field(description="The message reference (UNH), if the problem is in one")
    line: str = Field(description="The line number (LIN), if the problem is on a line")


class MessageOut(Schema):
    id: int
    direction: Direction
    kind: str = Field(description="ORDERS, ORDRSP, DESADV or INVOIC; empty if unreadable")
    status: Status
    partner_id: int | None
    sender: str
    recipient: str
    interchange_ref: str
    is_test: bool
    source: str
    reason_code: str
    reason: str
    problems: list[EdiProblemOut]
    orders: list[str] = Field(description="Numbers of the orders it placed")
    answer_id: int | None = Field(description="The message sent in answer to this one")
    answers_id: int | None = Field(description="The message this one answers")
    created_at: datetime
    sent_at: datetime | None


class MessageDetailOut(MessageOut):
    raw: str
    segments: list[str] = Field(description="The raw text, one segment a line")


class MessagePageOut(Schema):
    items: list[MessageOut]
    next_cursor: str | None


def message_out(message: EdiMessage) -> dict[str, Any]:
    try:
        answered: EdiMessage | None = message.answered
    except EdiMessage.DoesNotExist:
        answered = None
    return {
        "id": message.pk,
        "direction": message.direction,
        "kind": message.kind,
        "status": message.status,
        "partner_id": message.partner_id,
        "sender": message.sender,
        "recipient": message.recipient,
        "interchange_ref": message.interchange_ref,
        "is_test": message.is_test,
        "source": message.source,
        "reason_code": message.reason_code,
        "reason": message.reason,
        "problems": message.problems,
        "orders": [order_number(link.order_id) for link in message.orders.all()],
        "answer_id": message.answer_id,
        "answers_id": answered.pk if answered else None,
        "created_at": message.created_at.isoformat(),
        "sent_at": message.sent_at.isoformat() if message.sent_at else None,
    }
