"""A product's pictures: add one (checked and cleaned by `catalog.pictures`, its copies made
once), remove one, put them in another order (the first is the product's main picture).

Files go to Django's storage (MEDIA_ROOT) under `products/<tenant>/<product>/` named by the
hash of their content, so a URL never changes its content and may be cached for ever. A
picture is checked before the product is locked (decoding is the slow part) and its files
written last; a failure of the same step removes what it wrote. Each write is audited and
records `product.images_changed` with the product's pictures in their order.
"""

from collections.abc import Sequence

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from dinghuo.audit import services as audit
from dinghuo.catalog import pictures
from dinghuo.catalog.models import Product, ProductImage
from dinghuo.core.errors import FieldError, NotFound, ValidationFailed
from dinghuo.core.writes import locked_tenant_row
from dinghuo.integrations import events


def checked(content: bytes) -> pictures.Picture:
    """The picture checked (422 `image_too_large`, `not_an_image`,
    `image_format_unsupported`); nothing is locked or written."""
    result = pictures.check(content)
    if isinstance(result, FieldError):
        raise ValidationFailed("The image cannot be added; see errors.", errors=[result])
    return result


def _locked_product(tenant_id: int, product_id: int) -> Product:
    return locked_tenant_row(
        Product.objects.all(), tenant_id, product_id, f"No product {product_id}."
    )


def _record(product: Product) -> None:
    shown = list(ProductImage.objects.filter(product=product).values_list("id", "small", "large"))
    payload = {"images": [{"id": i, "small": s, "large": large} for i, s, large in shown]}
    events.record(
        events.new(product.tenant_id, "product.images_changed", "product", product.pk, payload)
    )


def _write_files(product: Product, picture: pictures.Picture) -> dict[str, str]:
    folder = f"products/{product.tenant_id}/{product.pk}"
    name = picture.digest
    wanted = {
        "original": (f"{folder}/{name}.{picture.extension}", picture.content),
        "small": (f"{folder}/{name}-160.webp", picture.small),
        "large": (f"{folder}/{name}-480.webp", picture.large),
    }
    written: dict[str, str] = {}
    try:
        for key, (path, content) in wanted.items():
            # The same content has the same name: a file already there is the same picture.
            written[key] = (
                path
                if default_storage.exists(path)
                else default_storage.save(path, ContentFile(content))
            )
    except BaseException:
        for path in written.values():
            default_storage.delete(path)
        raise
    return written


@transaction.atomic
def add_product_image(
    *, tenant_id: int, product_id: int, content: bytes, picture: pictures.Picture | None = None
) -> ProductImage:
    """Add a picture after the product's others (the first added is its main one); at most
    `pictures.MAX_IMAGES` (422 `too_many_images`). `picture` is `content` already checked
    (`checked`), so callers may check before their own transaction."""
    picture = picture or checked(content)
    product = _locked_product(tenant_id, product_id)
    count = ProductImage.objects.filter(product=product).count()
    if count >= pictures.MAX_IMAGES:
        raise ValidationFailed(
            "The image cannot be added; see errors.",
            errors=[
                FieldError(
                    "file",
                    "too_many_images",
                    f"At most {pictures.MAX_IMAGES} images a product",
                    {"max": pictures.MAX_IMAGES},
                )
            ],
        )
    files = _write_files(product, picture)
    image = ProductImage.objects.create(
        tenant_id=tenant_id,
        product=product,
        position=count + 1,
        content_type=picture.content_type,
        size=len(picture.content),
        width=picture.width,
        height=picture.height,
        **files,
    )
    audit.created(image)
    _record(product)
    return image


def _image_of(product: Product, image_id: int) -> ProductImage:
    image = ProductImage.objects.filter(product=product, pk=image_id).first()
    if image is None:
        raise NotFound(f"No image {image_id} of product {product.pk}.")
    return image


@transaction.atomic
def delete_product_image(*, tenant_id: int, product_id: int, image_id: int) -> None:
    """Remove a picture; those after it move up. Its files stay until no row names them
    (another product of the tenant may show the same content; they are small)."""
    product = _locked_product(tenant_id, product_id)
    image = _image_of(product, image_id)
    audit.deleted(image)
    image.delete()
    _renumber(product, list(ProductImage.objects.filter(product=product)))
    _record(product)


@transaction.atomic
def reorder_product_images(
    *, tenant_id: int, product_id: int, image_ids: Sequence[int]
) -> list[ProductImage]:
    """Put the product's pictures in this order (each of its pictures once; 422
    `image_order_mismatch` otherwise); the first becomes the main one."""
    product = _locked_product(tenant_id, product_id)
    current = {image.pk: image for image in ProductImage.objects.filter(product=product)}
    if sorted(image_ids) != sorted(current) or len(set(image_ids)) != len(image_ids):
        raise ValidationFailed(
            "The order must name each of the product's images once.",
            errors=[
                FieldError(
                    "image_ids",
                    "image_order_mismatch",
                    "Name each of the product's images once",
                    {"image_ids": sorted(current)},
                )
            ],
        )
    ordered = [current[image_id] for image_id in image_ids]
    _renumber(product, ordered)
    _record(product)
    return ordered


def _renumber(product: Product, ordered: list[ProductImage]) -> None:
    """Positions 1, 2, … in this order, each change audited."""
    for position, image in enumerate(ordered, 1):
        if image.position != position:
            before = audit.snapshot(image)
            image.position = position
            image.save(update_fields=["position"])
            audit.changed(image, before, tenant_id=product.tenant_id)
