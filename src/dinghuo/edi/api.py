"""EDI over HTTP (staff): trading partners, and EANCOM interchanges uploaded and read.

`POST /edi/messages` takes the interchange as the request body (or a form's `file`) and a
required `Idempotency-Key`. It answers 201 with the kept message when its orders were placed
(or, in test mode, read and answered), 200 with the first answer when the same interchange
came before, and 422 problem+json with the reason's code when it was refused: the interchange
is kept all the same (`message_id` in the problem), with its order responses when the partner
is known and we may answer.
"""

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from dinghuo.api import uploads
from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import require_key, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import ObjectId, PageFilters, RequiredIdempotencyKey, given
from dinghuo.core.errors import DomainError, FieldError, ValidationFailed
from dinghuo.edi import queries
from dinghuo.edi.models import EdiMessage
from dinghuo.edi.schemas import (
    ArticlesIn,
    MessageDetailOut,
    MessageFileFilters,
    MessageFilters,
    MessageOut,
    MessagePageOut,
    PartnerIn,
    PartnerOut,
    PartnerPageOut,
    PartnerPatch,
    ShipToIn,
    message_out,
    partner_out,
)
from dinghuo.edi.services import inbound, partners
from dinghuo.edi.syntax import segment_lines

router = Router(tags=["edi"])

MAX_INTERCHANGE_BYTES = 5 * 1024 * 1024
CREATED_ONCE = "a retried setup creates one partner"
RECEIVED_ONCE = "a retried upload is read once"


def _ship_tos(items: list[ShipToIn]) -> list[partners.ShipTo]:
    return [partners.ShipTo(item.gln, item.location_id) for item in items]


@router.get(
    "/edi/partners",
    response=PartnerPageOut,
    summary="List EDI trading partners",
    auth=staff_may("integrations.view"),
)
def list_partners(request: HttpRequest, filters: Query[PageFilters]) -> dict[str, Any]:
    """The tenant's trading partners, oldest first."""
    return paged(queries.partners(tenant_id(request)), filters, partner_out)


@router.post(
    "/edi/partners",
    response={201: PartnerOut},
    summary="Set up an EDI trading partner",
    auth=staff_may("edi.manage"),
)
def create_partner(
    request: HttpRequest, payload: PartnerIn, idempotency_key: RequiredIdempotencyKey = None
) -> HttpResponse:
    """A partner's GLN (check digit validated, unique in the tenant) mapped to a company, our
    GLN towards it, its delivery points (GLN → an address of the company). Requires an
    `Idempotency-Key` header."""
    require_key(idempotency_key, CREATED_ONCE)
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        partner = partners.create_partner(
            tenant_id=tenant,
            name=payload.name,
            gln=payload.gln,
            company_id=payload.company_id,
            our_gln=payload.our_gln,
            test_mode=payload.test_mode,
            is_active=payload.is_active,
            accept_partial_orders=payload.accept_partial_orders,
            documents_for_all_orders=payload.documents_for_all_orders,
            ship_tos=_ship_tos(payload.ship_tos),
        )
        return 201, partner_out(queries.partner(tenant, partner.pk))

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/edi/partners/{partner_id}",
    response=PartnerOut,
    summary="Read an EDI trading partner",
    auth=staff_may("integrations.view"),
)
def get_partner(request: HttpRequest, partner_id: ObjectId) -> dict[str, Any]:
    """With its delivery points, article numbers and the next references we will give."""
    return partner_out(queries.partner(tenant_id(request), partner_id))


@router.patch(
    "/edi/partners/{partner_id}",
    response=PartnerOut,
    summary="Change an EDI trading partner",
    auth=staff_may("edi.manage"),
)
def update_partner(
    request: HttpRequest, partner_id: ObjectId, payload: PartnerPatch
) -> HttpResponse:
    """Fields left out stay as they are; `ship_tos` replaces the delivery points."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        ship_tos = given(payload, "ship_tos", _ship_tos)
        partners.update_partner(
            tenant_id=tenant,
            partner_id=partner_id,
            name=given(payload, "name"),
            gln=given(payload, "gln"),
            our_gln=given(payload, "our_gln"),
            test_mode=given(payload, "test_mode"),
            is_active=given(payload, "is_active"),
            accept_partial_orders=given(payload, "accept_partial_orders"),
            documents_for_all_orders=given(payload, "documents_for_all_orders"),
            ship_tos=ship_tos,
        )
        return partner_out(queries.partner(tenant, partner_id))

    return run_change(change)


@router.put(
    "/edi/partners/{partner_id}/articles",
    response=PartnerOut,
    summary="Set a partner's article numbers",
    auth=staff_may("edi.manage"),
)
def set_articles(request: HttpRequest, partner_id: ObjectId, payload: ArticlesIn) -> HttpResponse:
    """The buyer's own article numbers (PIA … IN), each for one of our SKUs; replaces all."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        partners.set_articles(
            tenant_id=tenant,
            partner_id=partner_id,
            articles=[partners.Article(a.buyer_article, a.sku) for a in payload.articles],
        )
        return partner_out(queries.partner(tenant, partner_id))

    return run_change(change)


# --- messages ---------------------------------------------------------------------------------

_UPLOAD_OPENAPI = uploads.upload_body(
    "The EANCOM interchange (UNA/UNB … UNZ): a form field `file`, or the text as the body",
    ["text/plain", "application/octet-stream"],
)


def _too_large() -> DomainError:
    return DomainError(
        f"An interchange is {MAX_INTERCHANGE_BYTES // (1024 * 1024)} MB at most.",
        code="edi_too_large",
        status=413,
        errors=[FieldError("file", "edi_too_large", "The interchange is too large")],
    )


def interchange_text(content: bytes) -> str:
    """The interchange's text: UTF-8 (UNOC is a subset of what it reads as Latin-1 too)."""
    if not content.strip():
        raise ValidationFailed(
            "Send the interchange as the body, or as the form field `file`.",
            errors=[FieldError("file", "required", "Send the interchange")],
        )
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("latin-1")  # UNOC (ISO 8859-1): every byte is a character


def received_answer(message: EdiMessage, created: bool) -> tuple[int, Any]:
    """201 (placed or tested) or 200 (the same interchange again) with the message, or 422
    problem+json with the refusal's code and the kept message's id."""
    if message.status != EdiMessage.Status.REJECTED:
        return (201 if created else 200), message_out(message)
    return 422, {
        "type": f"https://dinghuo.dev/problems/{message.reason_code}",
        "title": "Interchange refused",
        "status": 422,
        "code": message.reason_code,
        "detail": message.reason,
        "message_id": message.pk,
        "errors": [
            {
                "field": ".".join(
                    part
                    for part in (
                        f"message {p['message']}" if p["message"] else "interchange",
                        f"line {p['line']}" if p["line"] else "",
                    )
                    if part
                ),
                "code": p["code"],
                "message": p["text"],
            }
            for p in message.problems
        ],
    }


@router.post(
    "/edi/messages",
    response={200: MessageOut, 201: MessageOut},
    summary="Upload an EDI interchange (EANCOM ORDERS)",
    openapi_extra=_UPLOAD_OPENAPI,
    auth=staff_may("edi.manage"),
)
def upload_message(
    request: HttpRequest,
    filters: Query[MessageFileFilters],
    idempotency_key: RequiredIdempotencyKey = None,
) -> HttpResponse:
    """Read an interchange of ORDERS messages: each becomes an order, or the whole is refused
    (422, with every reason). Requires an `Idempotency-Key` header."""
    require_key(idempotency_key, RECEIVED_ONCE)
    content, name = uploads.uploaded(request, MAX_INTERCHANGE_BYTES, _too_large)
    text = interchange_text(content)
    tenant = tenant_id(request)
    source = f"api: {name or filters.file_name}".rstrip(": ")

    def create() -> tuple[int, Any]:
        received = inbound.receive_interchange(tenant_id=tenant, text=text, source=source)
        message = queries.message(tenant, received.message.pk)
        return received_answer(message, received.created)

    body = {"sha256": inbound.fingerprint(text)}
    response = run_create(request, idempotency_key, body, create)
    if response.status_code == 422:
        response["Content-Type"] = "application/problem+json"
    return response


@router.get(
    "/edi/messages",
    response=MessagePageOut,
    summary="List EDI messages",
    auth=staff_may("integrations.view"),
)
def list_messages(request: HttpRequest, filters: Query[MessageFilters]) -> dict[str, Any]:
    """Messages received and sent, oldest first; filter by direction, status, kind, partner."""
    qs = queries.messages(
        tenant_id(request),
        direction=filters.direction,
        status=filters.status,
        kind=filters.kind,
        partner_id=filters.partner_id,
    )
    return paged(qs, filters, message_out)


@router.get(
    "/edi/messages/{message_id}",
    response=MessageDetailOut,
    summary="Read an EDI message",
    auth=staff_may("integrations.view"),
)
def get_message(request: HttpRequest, message_id: ObjectId) -> dict[str, Any]:
    """With its raw text, and the text one segment a line."""
    message = queries.message(tenant_id(request), message_id)
    return {**message_out(message), "raw": message.raw, "segments": segment_lines(message.raw)}
