"""How a return is shown on the buyer's and the staff's pages: its status, reasons and fates
in the reader's language, its lines with the item's name, why the seller's policy left it to
a person (`review_reasons`), its photos and its slip as a PDF in the reader's language."""

from decimal import Decimal
from typing import Any

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpResponse

from dinghuo.core.errors import NotFound
from dinghuo.core.phrases import Amount, Phrase, phrase
from dinghuo.pages.invoices import pdf_language
from dinghuo.pages.skus import sku_names
from dinghuo.returns import queries, slip_pdf
from dinghuo.returns.models import Fate, ReturnPhoto, ReturnReason, ReturnRequest, ReturnStatus

STATUS_LABELS: dict[str, Any] = dict(ReturnStatus.choices)
REASON_LABELS: dict[str, Any] = dict(ReturnReason.choices)
FATE_LABELS: dict[str, Any] = dict(Fate.choices)

# Why a request waits for a clerk, by the code `returns.policy.review_reasons` gives (the
# limit's sentence is built with the seller's limit, see `review_reasons`).
REVIEW_PHRASES: dict[str, Phrase] = {
    "non_returnable": phrase("Goods of a category the return policy does not take back"),
    "reason_other": phrase('A line gives "Another reason": read the notes'),
    "no_automatic_approval": phrase("The return policy approves no return by itself"),
    "over_approval_limit": phrase("Worth more than the automatic approval limit"),
    "exchange_not_placed": phrase(
        "The replacement goods could not be ordered when it was asked (stock or credit)"
    ),
}
UNKNOWN_REVIEW = phrase("The return policy asks a person to decide")


def return_lines(found: ReturnRequest) -> list[dict[str, Any]]:
    """A return's lines in line order (prefetched by `returns.queries`): the line, the
    item's name, the reason and the fate in words."""
    lines = sorted(found.lines.all(), key=lambda line: line.line_number)
    names = sku_names(found.tenant_id, [line.order_line.sku_id for line in lines])
    return [
        {
            "line": line,
            "name": names.get(line.order_line.sku_id, line.order_line.description),
            "reason": REASON_LABELS.get(line.reason, line.reason),
            "fate": FATE_LABELS.get(line.fate, line.fate),
        }
        for line in lines
    ]


def replacement_rows(found: ReturnRequest) -> list[dict[str, Any]]:
    """An exchange's replacement goods (prefetched by `returns.queries`): each line with the
    item's name in the reader's language."""
    lines = sorted(found.replacements.all(), key=lambda line: line.line_number)
    names = sku_names(found.tenant_id, [line.sku_id for line in lines])
    return [
        {"line": line, "code": line.sku.code, "name": names.get(line.sku_id, line.sku.code)}
        for line in lines
    ]


def review_reasons(found: ReturnRequest) -> list[Phrase]:
    """Why the seller's return policy did not approve the request by itself, as sentences
    for the clerk (`{{ reason|said }}`). The limit is the policy's as it stands now (the
    request keeps the reasons' codes, not the limit it was judged against)."""
    if not found.review_reasons:
        return []
    limit = _approval_limit(found)
    said = []
    for code in found.review_reasons:
        if code == "over_approval_limit" and limit is not None:
            said.append(
                phrase(
                    "Worth more than the automatic approval limit ({limit})",
                    limit=Amount(limit, found.seller.base_currency),
                )
            )
        else:
            said.append(REVIEW_PHRASES.get(code, UNKNOWN_REVIEW))
    return said


def _approval_limit(found: ReturnRequest) -> Decimal | None:
    if "over_approval_limit" not in found.review_reasons:
        return None
    policy = queries.return_policy(found.tenant_id, found.seller_id)
    return policy.auto_approve_limit if policy else None


def slip_response(tenant_id: int, return_id: int, *, company_id: int | None = None) -> HttpResponse:
    """The return's slip in the reader's language, shown in the browser to be printed.
    Raises `NotFound` for another tenant's (or company's) return and `Conflict`
    (`return_not_approved`) before approval: the caller says them its own way."""
    content, name = slip_pdf.return_slip(
        tenant_id, return_id, pdf_language(), company_id=company_id
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def photo_response(
    tenant_id: int,
    return_id: int,
    photo_id: int,
    *,
    thumbnail: bool = False,
    company_id: int | None = None,
) -> FileResponse:
    """A photo of a return (or its thumbnail) from the storage, as the image it was checked
    to be; raises `NotFound` for another tenant's or company's. Browsers keep it privately:
    it never changes. A file missing from the storage (lost, or moved with MEDIA_ROOT) is
    not found either."""
    photo: ReturnPhoto = queries.return_photo(tenant_id, return_id, photo_id, company_id=company_id)
    stored = photo.thumbnail if thumbnail else photo.image
    try:
        opened = default_storage.open(stored.name, "rb")
    except FileNotFoundError as error:
        raise NotFound(f"The file of photo {photo_id} is missing.") from error
    response = FileResponse(
        opened,
        content_type="image/jpeg" if thumbnail else photo.content_type,
    )
    response["Cache-Control"] = "private, max-age=86400"
    return response
