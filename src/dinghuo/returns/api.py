"""Returns over HTTP. Staff routes (`router`): the seller's return policy; request a return
for a customer; list, read, approve, reject, receive (with each line's fate) and close (with
its credit note and, if asked, a refund); an approved return's slip (PDF). Buyer routes
(`buyer_router`, mounted at /my): request a return of one of the company's delivered orders
(for a credit or an exchange), attach photos while it waits, follow the company's returns and
print their slips; another company's order or return is not found (404).

Mounted by `config.api` as:
    api.add_router("/", returns.router)
    api.add_router("/my", returns.buyer_router, auth=BuyerKeyAuth())
"""

import hashlib
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Query, Router
from ninja.errors import HttpError

from dinghuo.api.auth import buyer, staff_may, tenant_id
from dinghuo.api.etags import IfMatch, run_guarded, seller_rows, tagged
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.pagination import paged
from dinghuo.api.schemas import IdempotencyKey, ObjectId, SellerFilter
from dinghuo.core.errors import ValidationFailed
from dinghuo.core.models import Seller
from dinghuo.core.money import format_amount
from dinghuo.core.queries import seller_for
from dinghuo.core.services import Caller
from dinghuo.returns import photos, queries, services, slip_pdf
from dinghuo.returns.models import ReturnPolicy, default_fee_reasons
from dinghuo.returns.schemas import (
    BuyerReturnFilters,
    CloseIn,
    LanguageFilter,
    ReceiveIn,
    ReturnDecisionIn,
    ReturnFilters,
    ReturnIn,
    ReturnOut,
    ReturnPageOut,
    ReturnPolicyIn,
    ReturnPolicyOut,
    return_out,
)

router = Router(tags=["returns"])
buyer_router = Router(tags=["buyer: returns"])

PDF = "application/pdf"
PROBLEM = "application/problem+json"


def _problem_doc(description: str, code: str) -> dict[str, Any]:
    """An error answer as OpenAPI describes it (Ninja describes JSON answers only)."""
    example = {"type": f"https://dinghuo.dev/problems/{code}", "status": 409, "code": code}
    return {"description": description, "content": {PROBLEM: {"example": example}}}


# The slip's answers: the PDF, or 409 before approval (and 404 for another's return).
SLIP_OPENAPI: dict[str, Any] = {
    "responses": {
        200: {
            "description": "The return slip as a PDF, in `language`",
            "content": {PDF: {"schema": {"type": "string", "format": "binary"}}},
        },
        409: _problem_doc(
            "`return_not_approved`: the return has no RMA number yet (requested or rejected)",
            "return_not_approved",
        ),
    }
}


def _slip_response(content: bytes, filename: str) -> HttpResponse:
    """The PDF shown in the browser and saved as `filename`."""
    response = HttpResponse(content, content_type=PDF)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


def _asked(payload: ReturnIn) -> list[services.LineAsked]:
    return [
        services.LineAsked(line.line_number, line.quantity, line.reason, line.note)
        for line in payload.lines
    ]


def _replacements(payload: ReturnIn) -> list[services.Replacement] | None:
    if payload.replacements is None:
        return None
    return [services.Replacement(item.sku, item.quantity) for item in payload.replacements]


def _detail(tenant: int, return_id: int, company_id: int | None = None) -> dict[str, Any]:
    return return_out(queries.return_detail(tenant, return_id, company_id=company_id))


@router.post(
    "/orders/{order_id}/returns",
    response={201: ReturnOut},
    summary="Request a return",
    auth=staff_may("returns.decide"),
)
def request_return(
    request: HttpRequest,
    order_id: ObjectId,
    payload: ReturnIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """For the customer: units of a delivered order's lines, with reasons, for a credit or
    an exchange (`outcome`, `replacements`). Approved at once when the seller's policy finds
    it straightforward; else it waits for a clerk."""
    tenant = tenant_id(request)

    def create() -> tuple[int, Any]:
        made = services.request_return(
            tenant_id=tenant,
            order_id=order_id,
            lines=_asked(payload),
            note=payload.note,
            outcome=payload.outcome,
            replacements=_replacements(payload),
        )
        return 201, return_out(made)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@router.get(
    "/returns", response=ReturnPageOut, summary="List returns", auth=staff_may("returns.view")
)
def list_returns(request: HttpRequest, filters: Query[ReturnFilters]) -> dict[str, Any]:
    """Oldest first; by status, order or company."""
    found = queries.returns(
        tenant_id(request),
        company_id=filters.company_id,
        status=filters.status,
        order_id=filters.order_id,
    )
    return paged(found, filters, return_out)


@router.get(
    "/returns/{return_id}",
    response=ReturnOut,
    summary="Read a return",
    auth=staff_may("returns.view"),
)
def get_return(request: HttpRequest, return_id: ObjectId) -> HttpResponse:
    return json_response(200, _detail(tenant_id(request), return_id))


@router.get(
    "/returns/{return_id}/slip.pdf",
    summary="A return's slip as PDF",
    openapi_extra=SLIP_OPENAPI,
    auth=staff_may("returns.view"),
)
def get_return_slip(
    request: HttpRequest, return_id: ObjectId, filters: Query[LanguageFilter]
) -> HttpResponse:
    """The slip the customer puts in the parcel: RMA number, order, lines and where to send
    the goods, in `language` (en, zh-hant or zh-hans). 409 `return_not_approved` before
    approval."""
    content, name = slip_pdf.return_slip(tenant_id(request), return_id, filters.language)
    return _slip_response(content, name)


@router.post(
    "/returns/{return_id}/approve",
    response=ReturnOut,
    summary="Approve a return",
    auth=staff_may("returns.decide"),
)
def approve_return(
    request: HttpRequest, return_id: ObjectId, payload: ReturnDecisionIn
) -> HttpResponse:
    """It gets the seller's next RMA number. An exchange's replacement order is placed with
    it (`exchange_order_id`), so its stock is reserved: refused as placing refuses
    (`insufficient_stock`, `credit_refused`, … naming `replacements[i]`), and then nothing
    changes."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        services.approve_return(tenant_id=tenant, return_id=return_id, comment=payload.comment)
        return _detail(tenant, return_id)

    return run_change(change)


@router.post(
    "/returns/{return_id}/reject",
    response=ReturnOut,
    summary="Reject a return",
    auth=staff_may("returns.decide"),
)
def reject_return(
    request: HttpRequest, return_id: ObjectId, payload: ReturnDecisionIn
) -> HttpResponse:
    """With a comment the customer reads."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        services.reject_return(tenant_id=tenant, return_id=return_id, comment=payload.comment)
        return _detail(tenant, return_id)

    return run_change(change)


@router.post(
    "/returns/{return_id}/receive",
    response=ReturnOut,
    summary="Receive a return",
    auth=staff_may("returns.receive"),
)
def receive_return(request: HttpRequest, return_id: ObjectId, payload: ReceiveIn) -> HttpResponse:
    """Every line once: the units that arrived (0 if none) and their fate: restock,
    quarantine, scrap or to_supplier. An exchange's held replacement order is confirmed."""
    tenant = tenant_id(request)
    lines = [
        services.Inspected(line.line_number, line.received_quantity, line.fate or "")
        for line in payload.lines
    ]

    def change() -> dict[str, Any]:
        services.receive_return(tenant_id=tenant, return_id=return_id, lines=lines)
        return _detail(tenant, return_id)

    return run_change(change)


@router.post(
    "/returns/{return_id}/close",
    response=ReturnOut,
    summary="Close a return",
    auth=staff_may("returns.close"),
)
def close_return(request: HttpRequest, return_id: ObjectId, payload: CloseIn) -> HttpResponse:
    """Credit what arrived (frozen prices with tax, less the restocking fee on the lines
    returned for one of the return's `fee_reasons`) and, with `refund`, pay back the credit
    the invoice did not need."""
    tenant = tenant_id(request)
    caller: Caller = request.auth  # type: ignore[attr-defined]
    refund = (
        services.RefundAsked(payload.refund.method, payload.refund.reference)
        if payload.refund
        else None
    )

    def change() -> dict[str, Any]:
        services.close_return(
            tenant_id=tenant,
            return_id=return_id,
            refund=refund,
            recorded_by=f"staff (API key {caller.key_prefix})",
        )
        return _detail(tenant, return_id)

    return run_change(change)


def _policy_out(seller: Seller, row: ReturnPolicy | None) -> dict[str, Any]:
    if row is None:
        return {
            "seller": seller.slug,
            "window_days": 30,
            "restocking_fee_percent": "0.00",
            "non_returnable_categories": [],
            "auto_approve_limit": None,
            "quarantine_warehouse": None,
            "ship_exchange_at_once": False,
            "fee_reasons": default_fee_reasons(),
        }
    limit = row.auto_approve_limit
    return {
        "seller": seller.slug,
        "window_days": row.window_days,
        "restocking_fee_percent": str(row.restocking_fee_percent),
        "non_returnable_categories": sorted(c.code for c in row.non_returnable_categories.all()),
        "auto_approve_limit": None if limit is None else format_amount(limit, seller.base_currency),
        "quarantine_warehouse": row.quarantine_warehouse.code if row.quarantine_warehouse else None,
        "ship_exchange_at_once": row.ship_exchange_at_once,
        "fee_reasons": row.fee_reasons,
    }


@router.get(
    "/return-policy",
    response=ReturnPolicyOut,
    summary="Read a seller's return policy",
    auth=staff_may("returns.view"),
)
def get_return_policy(request: HttpRequest, filters: Query[SellerFilter]) -> HttpResponse:
    tenant = tenant_id(request)
    seller = seller_for(tenant, filters.seller)
    return tagged(200, _policy_out(seller, queries.return_policy(tenant, seller.pk)))


@router.put(
    "/return-policy",
    response=ReturnPolicyOut,
    summary="Set a seller's return policy",
    auth=staff_may("settings.change"),
)
def set_return_policy(
    request: HttpRequest, payload: ReturnPolicyIn, if_match: IfMatch = None
) -> HttpResponse:
    """Window in days from delivery, restocking fee percent and the return reasons it is
    kept for (by default goods no longer needed and another reason: never damaged,
    defective, wrong or not-as-described goods unless listed), non-returnable categories
    (codes), the limit (gross, base currency) up to which requests approve themselves (none:
    a clerk approves every one), and the inactive warehouse for quarantined goods. Every
    field is set: one left out takes its default. Returns already asked for keep the fee
    and reasons they were told."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        seller = seller_for(tenant, payload.seller)
        services.set_return_policy(
            tenant_id=tenant,
            seller=seller,
            fields=services.PolicyFields(
                window_days=payload.window_days,
                restocking_fee_percent=Decimal(payload.restocking_fee_percent),
                non_returnable_categories=tuple(payload.non_returnable_categories),
                auto_approve_limit=None
                if payload.auto_approve_limit is None
                else Decimal(payload.auto_approve_limit),
                quarantine_warehouse=payload.quarantine_warehouse,
                ship_exchange_at_once=payload.ship_exchange_at_once,
                fee_reasons=tuple(payload.fee_reasons),
            ),
        )
        return _policy_out(seller, queries.return_policy(tenant, seller.pk))

    def current() -> dict[str, Any]:
        seller = seller_for(tenant, payload.seller)
        return _policy_out(seller, queries.return_policy(tenant, seller.pk))

    return run_guarded(
        if_match,
        lock=lambda: seller_rows(tenant, payload.seller, ReturnPolicy),
        read=current,
        change=change,
    )


# --- Buyer routes (/my/…): the caller's own company only ------------------------------------


def _me(request: HttpRequest) -> Caller:
    caller: Caller = buyer(request)
    assert caller.company_id is not None
    return caller


@buyer_router.post(
    "/orders/{order_id}/returns",
    response={201: ReturnOut},
    summary="Ask to return goods of one of my company's orders",
)
def buyer_request_return(
    request: HttpRequest,
    order_id: ObjectId,
    payload: ReturnIn,
    idempotency_key: IdempotencyKey = None,
) -> HttpResponse:
    """Units of a delivered order's lines, with reasons, within the seller's window; for a
    credit note, or (`outcome` "exchange") also replacement goods, by default the same."""
    caller = _me(request)

    def create() -> tuple[int, Any]:
        made = services.request_return(
            tenant_id=caller.tenant_id,
            order_id=order_id,
            lines=_asked(payload),
            note=payload.note,
            company_id=caller.company_id,
            requested_by_id=caller.company_user_id,
            outcome=payload.outcome,
            replacements=_replacements(payload),
        )
        return 201, return_out(made)

    return run_create(request, idempotency_key, payload.model_dump(mode="json"), create)


@buyer_router.get("/returns", response=ReturnPageOut, summary="My company's returns")
def buyer_list_returns(request: HttpRequest, filters: Query[BuyerReturnFilters]) -> dict[str, Any]:
    caller = _me(request)
    found = queries.returns(
        caller.tenant_id,
        company_id=caller.company_id,
        status=filters.status,
        order_id=filters.order_id,
    )
    return paged(found, filters, return_out)


@buyer_router.get(
    "/returns/{return_id}", response=ReturnOut, summary="Read one of my company's returns"
)
def buyer_get_return(request: HttpRequest, return_id: ObjectId) -> HttpResponse:
    caller = _me(request)
    return json_response(200, _detail(caller.tenant_id, return_id, caller.company_id))


@buyer_router.get(
    "/returns/{return_id}/slip.pdf",
    summary="The slip of one of my company's returns, as PDF",
    openapi_extra=SLIP_OPENAPI,
)
def buyer_get_return_slip(
    request: HttpRequest, return_id: ObjectId, filters: Query[LanguageFilter]
) -> HttpResponse:
    """Print it and put it in the parcel with the goods, in `language` (en, zh-hant or
    zh-hans). 409 `return_not_approved` before the seller approves the return."""
    caller = _me(request)
    content, name = slip_pdf.return_slip(
        caller.tenant_id, return_id, filters.language, company_id=caller.company_id
    )
    return _slip_response(content, name)


# The photo upload's body: one to five images in the multipart form's `file` field.
PHOTOS_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "One to five photos, each a JPEG, PNG or WebP image of at most 5 MB, in the "
            "form's `file` field (repeat it for several); at most five a return in all"
        ),
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {
                        "file": {
                            "type": "array",
                            "items": {"type": "string", "format": "binary"},
                            "maxItems": photos.MAX_PHOTOS,
                        }
                    },
                    "required": ["file"],
                }
            }
        },
    }
}


def _sent_photos(request: HttpRequest) -> list[photos.Photo]:
    """The form's files as photos; 422 before reading any when there are too many, or for
    one larger than allowed (its size is known before it is read)."""
    if request.content_type != "multipart/form-data":
        return []
    try:
        files: list[UploadedFile] = request.FILES.getlist("file")
    except MultiPartParserError as error:  # no boundary, a damaged body
        raise HttpError(400, "The multipart form cannot be read.") from error
    problem = photos.count_problem(0, len(files))
    errors = [problem] if problem else []
    errors += [
        photos.too_large(f"file[{i}]")
        for i, upload in enumerate(files)
        if (upload.size or 0) > photos.MAX_BYTES
    ]
    if errors:
        raise ValidationFailed("The photos cannot be attached; see errors.", errors=errors)
    return [photos.Photo(upload.read(), upload.name or "") for upload in files]


@buyer_router.post(
    "/returns/{return_id}/photos",
    response={201: ReturnOut},
    summary="Attach photos to one of my company's returns",
    openapi_extra=PHOTOS_OPENAPI,
)
def buyer_attach_photos(
    request: HttpRequest, return_id: ObjectId, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """While the return waits for the seller's decision (409 `invalid_return_status` after):
    JPEG, PNG or WebP images, checked by their content, at most 5 MB each and five a return
    (422 `photo_required`, `photo_not_image`, `photo_too_large`, `too_many_photos`). The
    answer is the return with its photos."""
    caller = _me(request)
    sent = _sent_photos(request)

    def create() -> tuple[int, Any]:
        services.attach_photos(
            tenant_id=caller.tenant_id,
            return_id=return_id,
            sent=sent,
            company_id=caller.company_id,
            uploaded_by_id=caller.company_user_id,
        )
        return 201, _detail(caller.tenant_id, return_id, caller.company_id)

    # The key stands for these files: the same files again replay the answer.
    body = {"photos": [hashlib.sha256(photo.content).hexdigest() for photo in sent]}
    return run_create(request, idempotency_key, body, create)
