"""A product's pictures over HTTP: list them, add one (multipart), remove one, reorder them.
The same services as the back office's product page (`catalog.services.images`)."""

import hashlib
from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from ninja import Router, Schema
from ninja.errors import HttpError

from dinghuo.api.auth import staff_may, tenant_id
from dinghuo.api.idempotent import json_response, run_change, run_create
from dinghuo.api.schemas import IdempotencyKey, ObjectId
from dinghuo.catalog import pictures, queries, services
from dinghuo.catalog.models import ProductImage
from dinghuo.core.errors import FieldError, ValidationFailed

router = Router(tags=["catalog"])


class ProductImageOut(Schema):
    id: int
    position: int  # 1 is the product's main picture
    content_type: str
    width: int
    height: int
    size: int  # bytes of the original kept
    url: str  # the original, without its metadata
    large_url: str  # at most 480 px a side
    small_url: str  # at most 160 px a side


class ProductImageListOut(Schema):
    items: list[ProductImageOut]


class ProductImageOrderIn(Schema):
    image_ids: list[int]


def image_out(image: ProductImage) -> dict[str, Any]:
    return {
        "id": image.pk,
        "position": image.position,
        "content_type": image.content_type,
        "width": image.width,
        "height": image.height,
        "size": image.size,
        "url": f"/media/{image.original}",
        "large_url": f"/media/{image.large}",
        "small_url": f"/media/{image.small}",
    }


def _listed(tenant: int, product_id: int) -> dict[str, Any]:
    queries.product_detail(tenant, product_id)  # another tenant's product: 404
    return {"items": [image_out(i) for i in queries.product_images(tenant, product_id)]}


# The upload's body: one picture in the multipart form's `file` field.
IMAGE_OPENAPI: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": (
            "One JPEG, PNG or WebP picture of at most 8 MB and 40 megapixels, in the form's "
            "`file` field; checked by its content, not its name. 422 `image_too_large`, "
            "`not_an_image`, `image_format_unsupported`, `too_many_images` (12 a product), "
            "`image_required`"
        ),
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "required": ["file"],
                }
            }
        },
    }
}


def _sent_picture(request: HttpRequest) -> bytes:
    """The form's file, refused before it is read when it is too large; 422
    `image_required` without one."""
    try:
        upload: UploadedFile | None = (
            request.FILES.get("file") if request.content_type == "multipart/form-data" else None
        )
    except MultiPartParserError as error:  # no boundary, a damaged body
        raise HttpError(400, "The multipart form cannot be read.") from error
    if upload is None:
        missing = FieldError("file", "image_required", "Send a picture in the `file` field")
        raise ValidationFailed("The image cannot be added; see errors.", errors=[missing])
    if (upload.size or 0) > pictures.MAX_BYTES:
        raise ValidationFailed("The image cannot be added.", errors=[pictures.too_large()])
    return bytes(upload.read())


@router.get(
    "/products/{product_id}/images",
    response=ProductImageListOut,
    summary="List a product's pictures",
    auth=staff_may("catalog.view"),
)
def list_product_images(request: HttpRequest, product_id: ObjectId) -> HttpResponse:
    """In their order: the first is the main picture buyers see in the catalogue."""
    return json_response(200, _listed(tenant_id(request), product_id))


@router.post(
    "/products/{product_id}/images",
    response={201: ProductImageOut},
    summary="Add a picture to a product",
    auth=staff_may("catalog.change"),
    openapi_extra=IMAGE_OPENAPI,
)
def add_product_image(
    request: HttpRequest, product_id: ObjectId, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """After the product's other pictures (the first added is the main one). Its metadata
    (EXIF, GPS) is removed, and copies of 160 and 480 px are made once."""
    tenant = tenant_id(request)
    queries.product_detail(tenant, product_id)  # another tenant's product: 404 before all
    content = _sent_picture(request)
    picture = services.images.checked(content)  # before the transaction: decoding is slow

    def create() -> tuple[int, Any]:
        made = services.add_product_image(
            tenant_id=tenant, product_id=product_id, content=content, picture=picture
        )
        return 201, image_out(made)

    # The key stands for this file: the same file again replays the answer.
    body = {"product_id": product_id, "file": hashlib.sha256(content).hexdigest()}
    return run_create(request, idempotency_key, body, create)


@router.put(
    "/products/{product_id}/images/order",
    response=ProductImageListOut,
    summary="Reorder a product's pictures",
    auth=staff_may("catalog.change"),
)
def reorder_product_images(
    request: HttpRequest, product_id: ObjectId, payload: ProductImageOrderIn
) -> HttpResponse:
    """Every picture of the product once, in the new order; the first becomes the main one
    (422 `image_order_mismatch` otherwise)."""
    tenant = tenant_id(request)

    def change() -> dict[str, Any]:
        services.reorder_product_images(
            tenant_id=tenant, product_id=product_id, image_ids=payload.image_ids
        )
        return _listed(tenant, product_id)

    return run_change(change)


# After the order's route: Django tries routes in order, and `order` would pass for an id.
@router.delete(
    "/products/{product_id}/images/{image_id}",
    response={204: None},
    summary="Remove a product's picture",
    auth=staff_may("catalog.change"),
)
def delete_product_image(
    request: HttpRequest, product_id: ObjectId, image_id: ObjectId
) -> HttpResponse:
    """The pictures after it move up one place."""
    tenant = tenant_id(request)
    run_change(
        lambda: services.delete_product_image(
            tenant_id=tenant, product_id=product_id, image_id=image_id
        )
    )
    return HttpResponse(status=204)
